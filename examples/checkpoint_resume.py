"""
Checkpoint and resume, and more time later
==========================================

A long search can be stopped (a killed job, a closed laptop) and picked up
again: with ``checkpoint=PATH`` the search history is written to ``PATH``
after every generation, and a later ``fit`` on the same data with the same
settings starts from it instead of from scratch. ``warm_start=True`` does the
same within one estimator: fit again with a new budget and the search goes
on. Here a first search is cut short, a second estimator resumes it from the
checkpoint, then continues its own search in memory.

**Data:** scikit-learn's wine data set (178 wines, 13 numeric measurements,
three cultivars), shipped with scikit-learn.

**Budget:** three fits of ``AUTOPIPE_BUDGET / 2`` seconds each, but at
least 8 seconds each (30 by default; 8 in the documentation build); two
worker processes. The checkpoint lives in a temporary folder that is removed at the
end.

Run with ``python examples/checkpoint_resume.py``.
"""

import os
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
from sklearn.datasets import load_wine

from autopipe import AutoClassifier

budget = max(8.0, float(os.environ.get("AUTOPIPE_BUDGET", "60")) / 2)
X, y = load_wine(return_X_y=True, as_frame=True)
folder = tempfile.TemporaryDirectory()
path = Path(folder.name) / "wine.ckpt"

# %%
# A first search, with a checkpoint
# ---------------------------------
# The folds are drawn from ``random_state``: a fixed seed lets a later fit
# recognise the checkpoint as its own.
first = AutoClassifier(time_budget=budget, n_jobs=2, random_state=0, checkpoint=path).fit(X, y)
print(f"First search: {len(first.history_)} pipelines, best accuracy {first.leaderboard_['score'].max():.4f}; "
      f"checkpoint of {path.stat().st_size / 1024:.0f} KiB written.")

# %%
# Resuming in a new estimator
# ---------------------------
# A new estimator (a new process, say) with the same data and settings finds
# the checkpoint: the candidates in it are not evaluated again, and the
# search continues from them.
second = AutoClassifier(time_budget=budget, n_jobs=2, random_state=0, checkpoint=path).fit(X, y)
old = {key for key in first.leaderboard_["pipeline"]}
new = second.leaderboard_[~second.leaderboard_["pipeline"].isin(old)]
print(f"Resumed search: {len(second.history_)} pipelines in its history, {len(new)} of them new; "
      f"best accuracy {second.leaderboard_['score'].max():.4f}.")

# %%
# More time for a fitted estimator: ``warm_start``
# ------------------------------------------------
# With ``warm_start=True`` a second ``fit`` of the same estimator on the same
# data goes on with the search it holds, for the new budget.
before = len(second.history_)
second.set_params(warm_start=True).fit(X, y)
print(f"warm_start: {before} pipelines before, {len(second.history_)} after; "
      f"best accuracy {second.leaderboard_['score'].max():.4f}.")

# %%
# The three fits are one search: its generations are numbered on across them.
ax = second.plot_history(x="generation")
ax.set_title("wine: one search over three fits")
plt.show()
folder.cleanup()
