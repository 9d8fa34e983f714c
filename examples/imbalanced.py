"""Imbalanced classes: a rare positive class, balanced accuracy, class weights and resamplers.

A synthetic data set from scikit-learn (2000 rows, 5% positives), so no download
is needed. The data checks note the imbalance; the search optimises balanced
accuracy and may weight the rare class up (``class_weight="balanced"``) or
resample the training folds (``SMOTE``, random under- or over-sampling, with
``pip install "autopipe[imbalanced]"``). The example prints the data report,
the head of the leaderboard (with the final re-scoring's ``check_score``), how
many candidates used each remedy, and the held-out balanced accuracy beside a
plain logistic regression.

Run with ``python examples/imbalanced.py``; set ``AUTOPIPE_BUDGET`` (seconds,
default 60) for a shorter or longer search.
"""

import os
import warnings

from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split

from autopipe import AutoClassifier
from autopipe.exceptions import DataQualityWarning

budget = float(os.environ.get("AUTOPIPE_BUDGET", "60"))

X, y = make_classification(
    n_samples=2000, n_features=12, n_informative=5, weights=[0.95, 0.05], flip_y=0.01, random_state=0
)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)

clf = AutoClassifier(time_budget=budget, n_jobs=2, scoring="balanced_accuracy", random_state=0)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DataQualityWarning)  # shown below from data_report_
    clf.fit(X_train, y_train)

print("Data checks:")
print(clf.data_report_.to_string(index=False), "\n")

lb = clf.leaderboard_
print(f"Evaluated {len(clf.history_)} pipelines in {clf.fit_time_:.1f} s (budget {budget:.0f} s).")
print(lb[["rank", "pipeline", "score", "check_score"]].head().to_string(max_colwidth=70), "\n")

searched = lb[lb["status"] == "ok"]["pipeline"]
weighted = searched.str.contains("class_weight='balanced'").sum()
resampled = searched.str.contains("SMOTE|RandomUnderSampler|RandomOverSampler").sum()
print(f"Candidates with class_weight='balanced': {weighted}; with a resampler: {resampled} (of {len(searched)}).")

plain = LogisticRegression(max_iter=1000).fit(X_train, y_train)
print(f"\nHeld-out balanced accuracy, plain logistic regression: {balanced_accuracy_score(y_test, plain.predict(X_test)):.3f}")
print(f"Held-out balanced accuracy, autopipe:                  {clf.score(X_test, y_test):.3f}")
