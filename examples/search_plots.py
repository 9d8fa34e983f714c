"""
Reading a search: history, Pareto front and importances
=======================================================

Three pictures of one search: how the best and the median cross-validated
score grew over time (``plot_history``), every candidate's score against its
complexity with the Pareto front (``plot_pareto``), and which input columns
the final model relies on, by permutation importance on held-out rows
(``explain``).

**Data:** credit-g, bundled with autopipe (1,000 loan applicants, 20 columns
of numbers and categories); a quarter of the rows is held out.

**Budget:** ``AUTOPIPE_BUDGET`` seconds (60 by default; 8 in the
documentation build), two worker processes. Needs matplotlib
(``pip install "autopipe[plot]"``).

Run with ``python examples/search_plots.py``.
"""

import os

import matplotlib.pyplot as plt
from sklearn.model_selection import train_test_split

from autopipe import AutoClassifier
from autopipe.datasets import load_dataset

budget = float(os.environ.get("AUTOPIPE_BUDGET", "60"))

X, y = load_dataset("credit-g", return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)

clf = AutoClassifier(time_budget=budget, n_jobs=2, random_state=0).fit(X_train, y_train)
print(f"Evaluated {len(clf.history_)} pipelines in {clf.fit_time_:.1f} s; stopped because: {clf.stop_reason_}.")

# %%
# The score over the search
# -------------------------
# Each point is a candidate scored on all rows, in the order they finished;
# the lines follow the best and the running median score, and crosses on the
# axis mark failed candidates.
ax = clf.plot_history()
ax.set_title("credit-g: cross-validated accuracy over the search")
plt.show()

# %%
# Score against complexity
# ------------------------
# Complexity counts a pipeline's operators (preprocessing steps and models);
# the Pareto front holds the candidates that no other candidate beats on both
# score and complexity.
ax = clf.plot_pareto()
ax.set_title("credit-g: accuracy against complexity")
plt.show()
print(clf.pareto_front_[["pipeline", "score", "complexity"]].to_string(max_colwidth=70))

# %%
# Permutation importances
# -----------------------
# Each column of the held-out rows is shuffled five times; the drop in
# accuracy says how much the final model needs it.
importances = clf.explain(X_test, y_test, n_repeats=5, random_state=0, plot=True)
plt.gca().set_title("credit-g: permutation importance on held-out rows")
plt.show()
print(importances.head(8).to_string(index=False))
