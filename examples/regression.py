"""
Regression: disease progression
===============================

``AutoRegressor`` searches a pipeline that predicts a diabetes patient's
disease progression a year on; the example prints the head of the
leaderboard, the r2 on held-out rows and the best pipeline as Python code.

**Data:** scikit-learn's diabetes data set (442 patients, 10 numeric
measurements), shipped with scikit-learn; a quarter of the rows is held out.

**Budget:** ``AUTOPIPE_BUDGET`` seconds (60 by default; 8 in the
documentation build), two worker processes.

Run with ``python examples/regression.py``.
"""

import os

import matplotlib.pyplot as plt
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

from autopipe import AutoRegressor

budget = float(os.environ.get("AUTOPIPE_BUDGET", "60"))

X, y = load_diabetes(return_X_y=True, as_frame=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)

# %%
# The search: ``AutoRegressor`` is ``AutoEstimator`` with the task fixed.
# scoring=None means r2 for regression: the same metric in the search and in score().
reg = AutoRegressor(time_budget=budget, n_jobs=2, random_state=0)
reg.fit(X_train, y_train)

# %%
# The leaderboard: one row per evaluated candidate, best first.
lb = reg.leaderboard_
n_ok = int((lb["status"] == "ok").sum())
print(f"Evaluated {len(reg.history_)} pipelines ({n_ok} succeeded) in {reg.fit_time_:.1f} s (budget {budget:.0f} s).")
print(f"The search stopped because: {reg.stop_reason_}.\n")
print(lb[["rank", "pipeline", "score", "score_std", "complexity"]].head().to_string(max_colwidth=80))

print(f"\nBest cross-validated r2: {lb['score'].max():.3f}")
print(f"Held-out r2:             {reg.score(X_test, y_test):.3f}")

# %%
# Predicted against measured progression on the held-out patients; the
# diagonal is a perfect prediction.
predicted = reg.predict(X_test)
fig, ax = plt.subplots(figsize=(5, 5))
ax.scatter(y_test, predicted, s=14, alpha=0.7)
low, high = min(y_test.min(), predicted.min()), max(y_test.max(), predicted.max())
ax.plot([low, high], [low, high], color="grey", linewidth=1)
ax.set_xlabel("measured progression")
ax.set_ylabel("predicted progression")
ax.set_title("diabetes: held-out patients")
plt.show()

# %%
# The final model as code.
print("\nThe best pipeline as Python code:\n")
print(reg.export())
