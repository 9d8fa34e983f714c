"""
Neural networks in the search
=============================

With PyTorch and skorch installed (``pip install "autopipe[nn]"``), the
``"nn"`` preset searches fully connected networks: their depth, width,
activation, normalization, dropout and training settings, next to the
preprocessing that suits them. The winning network is an ordinary
scikit-learn estimator: it predicts, pickles and exports as code.

**Data:** scikit-learn's breast cancer data set (569 tumours, 30 numeric
measurements), shipped with scikit-learn; a quarter of the rows is held out.

**Budget:** ``AUTOPIPE_BUDGET`` seconds (60 by default), but at least 25:
each worker takes seconds to load PyTorch before its first network. Two
worker processes on the CPU (``device="auto"`` would train on a GPU where
there is one); the networks train for a few epochs only, so give them
minutes for a real search.

Run with ``python examples/neural_nets.py``.
"""

import os

import matplotlib.pyplot as plt
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

from autopipe import AutoClassifier
from autopipe.space import IntDistribution, get_preset

budget = max(25.0, float(os.environ.get("AUTOPIPE_BUDGET", "60")))

X, y = load_breast_cancer(return_X_y=True, as_frame=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)

# %%
# The ``"nn"`` preset, with shorter training than its 5 to 100 epochs so that
# a few networks finish within a short budget; three folds, and a limit per
# candidate of a third of the budget (a fifth by default).
space = {**get_preset("nn"), "NeuralNetClassifier": {"max_epochs": IntDistribution(3, 15), "width": [16, 32, 64]}}
space.pop("NeuralNetRegressor")
clf = AutoClassifier(search_space=space, time_budget=budget, cv=3, max_eval_time=budget / 3, n_jobs=2,
                     device="cpu", random_state=0)
clf.fit(X_train, y_train)

# %%
# The networks tried
# ------------------
lb = clf.leaderboard_
nets = lb[lb["pipeline"].str.contains("NeuralNet") & (lb["status"] == "ok")]
print(f"Evaluated {len(clf.history_)} pipelines in {clf.fit_time_:.1f} s; {len(nets)} networks were scored.")
print(nets[["pipeline", "score", "fit_time"]].head().to_string(max_colwidth=90))
print(f"\nHeld-out accuracy: {clf.score(X_test, y_test):.3f}")

# %%
# The search over time
# --------------------
ax = clf.plot_history()
ax.set_title("breast cancer: networks, cross-validated accuracy")
plt.show()

# %%
# The best single pipeline as code
# --------------------------------
print(clf.export())
