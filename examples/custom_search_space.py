"""
A custom search space
=====================

The ``"light"`` preset plus an SVC and a narrowed LogisticRegression. A
search space is a plain dict ``{operator: {parameter: values}}``, the shape
that ``autopipe.space.get_preset`` returns, so a preset can be copied and
edited:

* ``"sklearn.svm.SVC"`` is not in autopipe's registry; a dotted import path adds
  it, and only the parameters given here are searched (its role, model, is
  inferred from the class).
* ``"LogisticRegression"`` is a registry operator; the parameters given replace
  the registry's ranges for those parameters and leave the others as they are.

The example prints the resolved space with ``SearchSpace.describe()``, shows the
error a misspelt operator name gives, then searches with the custom space.

**Data:** scikit-learn's breast cancer data set (569 tumours, 30 numeric
measurements), shipped with scikit-learn; a quarter of the rows is held out.

**Budget:** ``AUTOPIPE_BUDGET`` seconds (60 by default; 8 in the
documentation build), two worker processes.

Run with ``python examples/custom_search_space.py``.
"""

import os

from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

from autopipe import AutoClassifier
from autopipe.exceptions import SearchSpaceError
from autopipe.space import FloatDistribution, build_space, get_preset

budget = float(os.environ.get("AUTOPIPE_BUDGET", "60"))

space = {
    **get_preset("light"),
    # A new operator by import path: C on a log scale, two kernels.
    "sklearn.svm.SVC": {
        "C": FloatDistribution(0.01, 100.0, log=True),
        "kernel": ["rbf", "poly"],
    },
    # Narrow a registry operator: three values of C instead of the registry's
    # log-uniform range; class_weight keeps the registry's choices.
    "LogisticRegression": {"C": [0.1, 1.0, 10.0]},
}

# %%
# What the custom space holds, resolved for classification:
# build_space resolves the dict for one task; describe() lists what was resolved.
resolved = build_space(space, "classification")
print(resolved)
table = resolved.describe()
print(table[["name", "role", "params"]].to_string(max_colwidth=70))
print()

# %%
# A misspelt space is refused with every mistake at once:
# Mistakes are collected and reported together, with a hint for near misses.
try:
    build_space(
        {"GaussianNB": None, "LogisticRegresion": {"C": [1.0]}, "sklearn.svm.SVC": {"gama": [0.1]}},
        "classification",
    )
except SearchSpaceError as exc:
    print(f"A misspelt space is refused:\n{exc}\n")

# %%
# The search with the custom space:
X, y = load_breast_cancer(return_X_y=True, as_frame=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)

clf = AutoClassifier(search_space=space, time_budget=budget, n_jobs=2, random_state=0)
clf.fit(X_train, y_train)

lb = clf.leaderboard_
uses_svc = lb["pipeline"].str.contains(r"\bSVC\(", regex=True) & (lb["status"] != "ensemble")
print(f"Evaluated {len(clf.history_)} pipelines in {clf.fit_time_:.1f} s; {int(uses_svc.sum())} of them use SVC.")
print(lb[["rank", "pipeline", "score", "complexity", "status"]].head().to_string(max_colwidth=80))
if uses_svc.any():
    best_svc = lb[uses_svc & (lb["status"] == "ok")].head(1)
    if len(best_svc):
        print(f"\nBest pipeline with SVC (cross-validated accuracy {best_svc['score'].iloc[0]:.3f}):")
        print(f"  {best_svc['pipeline'].iloc[0]}")

print(f"\nHeld-out accuracy: {clf.score(X_test, y_test):.3f}")
print("\nThe best pipeline as Python code:\n")
print(clf.export())
