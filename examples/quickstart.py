"""Quickstart: search a pipeline for the bundled credit-g data set and show what was found.

Run with ``python examples/quickstart.py``; set ``AUTOPIPE_BUDGET`` (seconds, default 60)
for a shorter or longer search.
"""

import os

from sklearn.model_selection import train_test_split

from autopipe import AutoEstimator
from autopipe.datasets import load_dataset

budget = float(os.environ.get("AUTOPIPE_BUDGET", "60"))

X, y = load_dataset("credit-g", return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)

est = AutoEstimator(time_budget=budget, n_jobs=2, random_state=0)
est.fit(X_train, y_train)

print(f"Evaluated {len(est.history_)} pipelines in {est.fit_time_:.1f} s (budget {budget:.0f} s).")
print(est.leaderboard_[["rank", "pipeline", "score", "complexity", "status"]].head().to_string(max_colwidth=80))
print(f"\nHeld-out accuracy: {est.score(X_test, y_test):.3f}")
print("\nThe best pipeline as Python code:\n")
print(est.export())
