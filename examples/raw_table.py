"""
A raw table: passengers with text, categories and gaps
======================================================

autopipe takes a table as it comes: strings, categories, free text, dates
and missing values. ``describe_columns`` shows how each column will be
encoded; the encoding step is fitted inside every fold, in front of every
candidate, so the cross-validated scores stay honest.

**Data:** a passenger table generated in the script, shaped like the Titanic
passenger list (800 rows: class, sex, age with gaps, fare, port of
embarkation with gaps, a name and a booking date; survival depends on class,
sex and age). A quarter of the rows is held out.

**Budget:** ``AUTOPIPE_BUDGET`` seconds (60 by default; 8 in the
documentation build), two worker processes.

Run with ``python examples/raw_table.py``.
"""

import os

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from autopipe import AutoClassifier
from autopipe.data import describe_columns

budget = float(os.environ.get("AUTOPIPE_BUDGET", "60"))
rng = np.random.default_rng(0)
n = 800

# %%
# The table
# ---------
pclass = rng.choice([1, 2, 3], size=n, p=[0.25, 0.2, 0.55])
sex = rng.choice(["female", "male"], size=n, p=[0.35, 0.65])
age = np.round(rng.gamma(6.0, 5.0, size=n), 0)
fare = np.round(rng.lognormal(np.array([4.2, 3.0, 2.3])[pclass - 1], 0.5), 2)
titles = np.where(sex == "female", rng.choice(["Mrs.", "Miss."], size=n), np.where(age < 14, "Master.", "Mr."))
surnames = rng.choice(["Adler", "Berg", "Cole", "Dunn", "Ek", "Ford", "Gray", "Hale", "Ives", "Jung"], size=n)
first = np.where(sex == "female", rng.choice(["Anna", "Eva", "Ida"], size=n), rng.choice(["Carl", "Nils", "Olof"], size=n))
booked = pd.Timestamp("1912-01-05") + pd.to_timedelta(rng.integers(0, 90, size=n), unit="D")
logit = 1.3 - 0.9 * (pclass - 1) + 2.2 * (sex == "female") - 0.03 * (age - 30) + 0.8 * (age < 12)
survived = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), "yes", "no")

X = pd.DataFrame({
    "pclass": pd.Categorical(pclass, ordered=True),
    "name": [f"{s}, {t} {f}" for s, t, f in zip(surnames, titles, first)],
    "sex": sex,
    "age": age,
    "fare": fare,
    "embarked": rng.choice(["S", "C", "Q"], size=n, p=[0.7, 0.2, 0.1]).astype(object),
    "booked": booked,
})
X.loc[rng.random(n) < 0.2, "age"] = np.nan  # a fifth of the ages are unknown
X.loc[rng.random(n) < 0.01, "embarked"] = None
y = pd.Series(survived, name="survived")
print(X.head().to_string())

# %%
# How each column is encoded
# --------------------------
print(describe_columns(X).to_string(index=False))

# %%
# The search on the raw table
# ---------------------------
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
clf = AutoClassifier(time_budget=budget, n_jobs=2, random_state=0).fit(X_train, y_train)
print(f"Evaluated {len(clf.history_)} pipelines in {clf.fit_time_:.1f} s.")
print(clf.leaderboard_[["rank", "pipeline", "score"]].head().to_string(max_colwidth=80))
print(f"\nHeld-out accuracy: {clf.score(X_test, y_test):.3f}")
print("Predictions for three new rows:", list(clf.predict(X_test.head(3))))
