"""Regression: search a pipeline that predicts disease progression on the diabetes data set.

scikit-learn ships the data set (442 patients, 10 numeric measurements), so this
example needs no download. It holds out a quarter of the rows, lets
``AutoRegressor`` search on the rest, then prints the head of the leaderboard,
the r2 on the held-out rows and the best pipeline as Python code.

Run with ``python examples/regression.py``; set ``AUTOPIPE_BUDGET`` (seconds,
default 60) for a shorter or longer search.
"""

import os

from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

from autopipe import AutoRegressor

budget = float(os.environ.get("AUTOPIPE_BUDGET", "60"))

X, y = load_diabetes(return_X_y=True, as_frame=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)

# scoring=None means r2 for regression: the same metric in the search and in score().
reg = AutoRegressor(time_budget=budget, n_jobs=2, random_state=0)
reg.fit(X_train, y_train)

lb = reg.leaderboard_
n_ok = int((lb["status"] == "ok").sum())
print(f"Evaluated {len(reg.history_)} pipelines ({n_ok} succeeded) in {reg.fit_time_:.1f} s (budget {budget:.0f} s).")
print(f"The search stopped because: {reg.stop_reason_}.\n")
print(lb[["rank", "pipeline", "score", "score_std", "complexity"]].head().to_string(max_colwidth=80))

print(f"\nBest cross-validated r2: {lb['score'].max():.3f}")
print(f"Held-out r2:             {reg.score(X_test, y_test):.3f}")

print("\nThe best pipeline as Python code:\n")
print(reg.export())
