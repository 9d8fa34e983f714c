"""
Sample weights and groups: patients with many visits
====================================================

When several rows belong to one patient, ordinary folds put some of a
patient's visits in training and others in the test fold, and a model that
recognises patients looks better than it is. ``groups`` keeps each patient on
one side of every fold; ``sample_weight`` here gives each patient the same
total weight however many visits they had. Two searches, without and with
groups, are compared with the accuracy on patients neither has seen.

**Data:** generated in the script: 120 patients with 2 to 12 visits each (5
measurements per visit that vary little within a patient, and the patient's
diagnosis); a quarter of the patients is held out.

**Budget:** two searches of ``AUTOPIPE_BUDGET`` seconds each, but at least
10 seconds each (60 by default; 10 in the documentation build), two worker
processes, and a third of the budget for each candidate.

Run with ``python examples/weights_and_groups.py``.
"""

import os

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.model_selection import GroupShuffleSplit

from autopipe import AutoClassifier

budget = max(10.0, float(os.environ.get("AUTOPIPE_BUDGET", "60")))
rng = np.random.default_rng(0)

# %%
# The visits
# ----------
# Each patient has a profile; their visits are the profile plus a little
# noise. The diagnosis depends weakly on the profile, so recognising a
# patient says much more about the label than the measurements do.
n_patients = 120
profile = rng.normal(size=(n_patients, 5))
diagnosis = (profile[:, 0] + 1.5 * rng.normal(size=n_patients) > 0).astype(int)
visits = rng.integers(2, 13, size=n_patients)
patient = np.repeat(np.arange(n_patients), visits)
X = pd.DataFrame(profile[patient] + 0.1 * rng.normal(size=(len(patient), 5)),
                 columns=[f"m{i}" for i in range(5)])
y = diagnosis[patient]
weight = 1.0 / visits[patient]  # every patient weighs 1 in all
print(f"{len(X)} visits of {n_patients} patients; {visits.min()} to {visits.max()} visits each.")

train, test = next(GroupShuffleSplit(n_splits=1, test_size=0.25, random_state=0).split(X, y, patient))
X_train, y_train, g_train, w_train = X.iloc[train], y[train], patient[train], weight[train]
X_test, y_test, w_test = X.iloc[test], y[test], weight[test]

# %%
# Two searches
# ------------
# The same settings; the second passes the patients as ``groups``. Both use
# the weights, in every fit and every score.
scores = {}
for name, groups in (("ordinary folds", None), ("group folds", g_train)):
    clf = AutoClassifier(time_budget=budget, max_eval_time=budget / 3, n_jobs=2, search_space="light",
                         random_state=0)
    clf.fit(X_train, y_train, sample_weight=w_train, groups=groups)
    scored = clf.leaderboard_[clf.leaderboard_["status"] == "ok"]  # the best single pipelines first
    cv_score = scored["score"].iloc[0] if len(scored) else float("nan")
    scores[name] = (cv_score, clf.score(X_test, y_test, sample_weight=w_test))
    print(f"{name:>14}: {len(scored)} pipelines scored, best cross-validated accuracy {cv_score:.3f}, "
          f"accuracy on new patients {scores[name][1]:.3f}")

# %%
# Promised and kept
# -----------------
# With ordinary folds the cross-validated score promises far more than the
# model keeps on new patients; group folds promise what it keeps.
table = pd.DataFrame(scores, index=["cross-validated", "new patients"]).T
ax = table.plot.bar(rot=0, ylim=(0, 1), color=["#4c72b0", "#dd8452"])
ax.set_ylabel("weighted accuracy")
ax.set_title("The same search without and with groups")
plt.show()
