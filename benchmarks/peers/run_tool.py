"""Fit one tool on one data set and split; write one JSON record. Run by ``compare.py`` and ``scale.py``.

Usage::

    python benchmarks/peers/run_tool.py --tool tpot --dataset adult --seed 0 --budget 60 \
        --n-jobs 2 --suite ../shared/datasets --out record.json [--encoded] [--dask]

It runs inside the tool's own interpreter (autopipe and HGB in the project's,
TPOT and FLAML in their virtualenvs), so it imports nothing but the standard
library, numpy, pandas, scikit-learn and the one tool it runs. ``--suite`` is
any folder with a ``manifest.json``: the development suite, the corpus, or the
cache of generated tables (``generated.py``). ``--encoded`` feeds the shared
pre-encoding (``suite.pre_encode``) instead of the raw table. ``--dask`` fits
autopipe inside a ``LocalCluster(n_workers=n_jobs, threads_per_worker=1)``
with ``joblib.parallel_config(backend="dask")``; the cluster is started
before the fit's clock starts.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import sys
import time
import traceback
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
from sklearn.metrics import balanced_accuracy_score, r2_score

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from suite import load_manifest, load_split, pre_encode


def fit_autopipe(X, y, task, budget, n_jobs, seed):
    import autopipe
    from autopipe import AutoEstimator

    est = AutoEstimator(
        task=task, time_budget=budget, n_jobs=n_jobs, random_state=seed,
        scoring="balanced_accuracy" if task == "classification" else "r2",
    )
    est.fit(X, y)
    history = est.history_
    info = {
        "version": autopipe.__version__,
        "pipelines": len(history.keys()),
        "evaluations": len(history),
        "full_fidelity": sum(1 for e in history if e.result.fidelity == 1.0),
        "search_time": round(est.search_time_, 2),
        "folds": est.n_splits_,
        "fidelities": [round(f, 4) for f in est.fidelities_],
        "ensemble_used": bool(est.ensemble_report_.used),
    }
    # where the workers' time went (shares of n_workers x search time): fitting and scoring,
    # time in a worker beyond that (worker start-up after a kill, data slicing, results), timeouts
    results = [e.result for e in history]
    capacity = max(1, n_jobs) * est.search_time_
    info["worker_fit_score"] = round(sum(r.fit_time + r.score_time for r in results if r.ok) / capacity, 4)
    info["worker_beyond"] = round(sum(max(0.0, r.wall_time - r.fit_time - r.score_time)
                                      for r in results if r.ok) / capacity, 4)
    info["worker_failed"] = round(sum(r.wall_time for r in results if not r.ok) / capacity, 4)
    info["worker_idle"] = idle_share(results, n_jobs, est.search_time_)
    info["timeouts"] = sum(r.status.value == "timeout" for r in results)
    return est, info


def idle_share(results, n_jobs, search_time):
    """The share of n_workers x search time that no worker spent on an evaluation.

    1 - (sum of every result's wall time) / (n_workers x search time),
    clipped at 0. A result's wall time runs from its dispatch to a worker
    (local pool) or its start on a worker (Dask) until its outcome: fitting,
    scoring and the worker's overhead around them, failed and cancelled
    evaluations included. n_workers is n_jobs (the Dask cluster has as many).
    """
    n_workers = n_jobs if n_jobs > 0 else max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    capacity = n_workers * search_time
    if capacity <= 0:
        return None
    busy = sum(r.wall_time for r in results)
    return round(max(0.0, 1.0 - busy / capacity), 4)


def fit_tpot(X, y, task, budget, n_jobs, seed):
    import tpot

    cls = tpot.TPOTClassifier if task == "classification" else tpot.TPOTRegressor
    scorer = "balanced_accuracy" if task == "classification" else "r2"
    est = cls(scorers=[scorer], scorers_weights=[1], max_time_mins=budget / 60, n_jobs=n_jobs,
              random_state=seed, verbose=0)
    est.fit(X, y)
    evaluated = getattr(est, "evaluated_individuals", None)
    encoder = getattr(est, "label_encoder_", None)
    if encoder is not None:
        # TPOTClassifier.predict returns the encoded labels of its fitted pipeline (TPOT 1.1);
        # decode them as its base class TPOTEstimator.predict does
        return _Decoded(est, encoder), {"version": tpot.__version__,
                                        "pipelines": None if evaluated is None else len(evaluated)}
    return est, {"version": tpot.__version__, "pipelines": None if evaluated is None else len(evaluated)}


class _Decoded:
    def __init__(self, est, encoder):
        self.est, self.encoder = est, encoder

    def predict(self, X):
        return self.encoder.inverse_transform(np.asarray(self.est.predict(X)).astype(int))


def fit_flaml(X, y, task, budget, n_jobs, seed):
    import flaml
    from flaml import AutoML

    def balanced_error(X_val, y_val, estimator, labels, X_train, y_train, weight_val=None, *args, **kwargs):
        # FLAML minimizes; it has no built-in balanced accuracy
        pred = estimator.predict(X_val)
        return 1.0 - balanced_accuracy_score(y_val, pred, sample_weight=weight_val), {}

    metric = balanced_error if task == "classification" else "r2"
    est = AutoML()
    # every trial is logged (log_type="all"), so that the log counts the pipelines evaluated;
    # config_history only holds the improvements
    est.fit(X, y, task=task, time_budget=budget, metric=metric, n_jobs=n_jobs, seed=seed, verbose=0,
            log_file_name="flaml.log", log_type="all")
    with open("flaml.log") as fh:
        trials = sum(1 for line in fh if '"record_id"' in line)
    return est, {"version": flaml.__version__, "pipelines": trials}


def fit_hgb(X, y, task, budget, n_jobs, seed):
    from sklearn.ensemble import (
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
    )

    est = HistGradientBoostingClassifier() if task == "classification" else HistGradientBoostingRegressor()
    est.fit(X, y)
    return est, {"version": sklearn.__version__, "pipelines": 1}


def fit_lgbm(X, y, task, budget, n_jobs, seed):
    import lightgbm

    est = lightgbm.LGBMClassifier(verbose=-1) if task == "classification" else lightgbm.LGBMRegressor(verbose=-1)
    est.fit(X, y)
    return est, {"version": lightgbm.__version__, "pipelines": 1}


TOOLS = {"autopipe": fit_autopipe, "tpot": fit_tpot, "flaml": fit_flaml, "hgb": fit_hgb, "lgbm": fit_lgbm}


@contextlib.contextmanager
def dask_backend(n_workers: int):
    """A local Dask cluster of ``n_workers`` one-thread workers, as joblib's backend (autopipe's Dask pool)."""
    import joblib
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=n_workers, threads_per_worker=1, dashboard_address=None) as cluster, \
            Client(cluster), joblib.parallel_config(backend="dask"):
        yield


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tool", choices=sorted(TOOLS), required=True)
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--suite", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--encoded", action="store_true", help="use the shared pre-encoding")
    parser.add_argument("--dask", action="store_true", help="fit autopipe on a local Dask cluster of n_jobs workers")
    args = parser.parse_args()
    if args.dask and args.tool != "autopipe":
        parser.error("--dask applies to autopipe only")

    entry = next(e for e in load_manifest(args.suite) if e["name"] == args.dataset)
    task = entry["task"]
    X_train, X_test, y_train, y_test = load_split(entry, args.suite, args.seed)
    if args.encoded:
        X_train, X_test = pre_encode(X_train, X_test)
    record = {"tool": args.tool, "dataset": args.dataset, "task": task, "seed": args.seed, "budget": args.budget,
              "n_jobs": args.n_jobs, "encoded": args.encoded, "backend": "dask" if args.dask else "local",
              "python": platform.python_version(), "sklearn": sklearn.__version__, "numpy": np.__version__,
              "pandas": pd.__version__,
              "classes": int(y_train.nunique()) if task == "classification" else None}
    with dask_backend(args.n_jobs) if args.dask else contextlib.nullcontext():
        fit_and_score(args, record, X_train, X_test, y_train, y_test)
    args.out.write_text(json.dumps(record))


def fit_and_score(args, record, X_train, X_test, y_train, y_test):
    """Fit the tool (timed), score it on the held-out rows, and add both to ``record``."""
    task = record["task"]
    start = time.monotonic()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est, info = TOOLS[args.tool](X_train, y_train, task, args.budget, args.n_jobs, args.seed)
        record["fit_wall"] = round(time.monotonic() - start, 2)
        pred = np.asarray(est.predict(X_test))
        if task == "classification":
            score = balanced_accuracy_score(np.asarray(y_test).astype(str), pred.astype(str))
        else:
            score = r2_score(y_test, pred)
        record.update(info, status="ok", test_score=round(float(score), 4))
    except Exception as exc:  # noqa: BLE001 - recorded, never raised: the benchmark goes on with the next tool
        record.update(status="error", fit_wall=round(time.monotonic() - start, 2),
                      error=f"{type(exc).__name__}: {exc}"[:500], traceback=traceback.format_exc()[-2000:])


if __name__ == "__main__":
    main()
