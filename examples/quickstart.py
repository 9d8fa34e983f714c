"""
Quickstart: a pipeline for credit risk
======================================

Search a whole scikit-learn pipeline for the credit-g table and look at what
was found: the head of the leaderboard, the accuracy on held-out rows and the
best pipeline as Python code.

**Data:** credit-g, bundled with autopipe (1,000 loan applicants, 20 columns
of numbers and categories, good or bad credit risk); a quarter of the rows is
held out.

**Budget:** ``AUTOPIPE_BUDGET`` seconds (60 by default; 8 in the
documentation build), two worker processes.

Run with ``python examples/quickstart.py``.
"""

import os

from sklearn.model_selection import train_test_split

from autopipe import AutoEstimator
from autopipe.datasets import load_dataset

budget = float(os.environ.get("AUTOPIPE_BUDGET", "60"))

X, y = load_dataset("credit-g", return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)

# %%
# The search infers the task (classification) from ``y`` and stops within
# the budget, final refit included.
est = AutoEstimator(time_budget=budget, n_jobs=2, random_state=0)
est.fit(X_train, y_train)

print(f"Evaluated {len(est.history_)} pipelines in {est.fit_time_:.1f} s (budget {budget:.0f} s).")
print(est.leaderboard_[["rank", "pipeline", "score", "complexity", "status"]].head().to_string(max_colwidth=80))
print(f"\nHeld-out accuracy: {est.score(X_test, y_test):.3f}")

# %%
# The final model as code: imports and one ``pipeline = ...`` statement that
# rebuilds it, unfitted.
print(est.export())
