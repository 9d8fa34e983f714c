"""
Scaling out with Dask
=====================

The same search runs on a ``dask.distributed`` cluster when ``fit`` is
called inside joblib's Dask backend: each candidate is one Dask task, the
training data are sent to every worker once, and the result is the same kind
of estimator as a local search gives. Here the cluster is a local one, so
that the example runs anywhere; for a real cluster, connect a ``Client`` to
its scheduler instead (``Client("tcp://scheduler-host:8786")``).

**Data:** scikit-learn's breast cancer data set (569 tumours, 30 numeric
measurements), shipped with scikit-learn; a quarter of the rows is held out.

**Budget:** ``AUTOPIPE_BUDGET`` seconds (60 by default; 8 in the
documentation build) on a local cluster of two single-threaded workers.
Needs ``pip install "autopipe[dask]"``.

Run with ``python examples/dask_cluster.py``.
"""

import logging
import os

import joblib
from distributed import Client, LocalCluster
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

from autopipe import AutoClassifier

budget = float(os.environ.get("AUTOPIPE_BUDGET", "60"))
X, y = load_breast_cancer(return_X_y=True, as_frame=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)

# %%
# The search on the cluster
# -------------------------
# Worker processes are started fresh (spawned), so the code that starts the
# cluster sits under ``if __name__ == "__main__"``, as it must in any script
# that starts processes. ``n_jobs`` is ignored on Dask: the cluster's workers
# are the parallelism.
if __name__ == "__main__":
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None, silence_logs=logging.ERROR)
    with cluster, Client(cluster) as client:
        print(f"Cluster of {len(client.scheduler_info()['workers'])} workers.")
        with joblib.parallel_config(backend="dask"):
            clf = AutoClassifier(time_budget=budget, random_state=0).fit(X_train, y_train)

    lb = clf.leaderboard_
    print(f"Evaluated {len(clf.history_)} pipelines on the cluster in {clf.fit_time_:.1f} s.")
    print(lb[["rank", "pipeline", "score", "status"]].head().to_string(max_colwidth=80))
    print(f"\nHeld-out accuracy: {clf.score(X_test, y_test):.3f}")
