"""Fitted pipeline prefixes shared between candidates, per worker and fold.

Genetic programming often changes only a pipeline's last step (a model's
hyperparameters), so many candidates begin with the same transformers. A
worker keeps the transformed training and test rows of each fold for the
prefixes it fitted recently (bounded in bytes, least recently used out) and a
candidate with the same prefix starts from them. Unlike a ``joblib.Memory``
on disk, nothing is written or hashed but the prefix's parameters: the data
are the worker's own.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

import joblib
import scipy.sparse as sp
from sklearn.base import BaseEstimator, clone
from sklearn.pipeline import Pipeline

#: Bytes of transformed folds one worker keeps.
MAX_BYTES = 128 * 2**20

_entries: OrderedDict[tuple[Any, ...], tuple[Any, Any, float, int]] = OrderedDict()
_bytes = 0
_data: Any = None  # key[0] of the entries: the data they were computed on
_lock = threading.Lock()  # Dask workers run tasks in threads
stats = {"hits": 0, "misses": 0}


def split_prefix(pipeline: BaseEstimator) -> tuple[Pipeline | None, BaseEstimator]:
    """``(transformers, final step)`` of a ``Pipeline`` with at least one transformer, else ``(None, pipeline)``.

    Pipelines with a resampler (``fit_resample``: it changes the training
    rows and targets, not just the features) or their own ``memory`` are not
    split.
    """
    if not isinstance(pipeline, Pipeline) or len(pipeline.steps) < 2 or pipeline.memory is not None:
        return None, pipeline
    steps = [est for _, est in pipeline.steps[:-1] if est not in (None, "passthrough")]
    if any(hasattr(est, "fit_resample") or not hasattr(est, "transform") for est in steps):
        return None, pipeline
    return Pipeline(pipeline.steps[:-1]), pipeline.steps[-1][1]


def prefix_key(prefix: Pipeline) -> str | None:
    """Identifies a prefix by its steps' classes and parameters (None: cannot be hashed, not cached)."""
    try:
        return joblib.hash(prefix.get_params(deep=True))
    except Exception:  # noqa: BLE001  (e.g. a lambda among the parameters: no caching, same results)
        return None


def transformed(
    prefix: Pipeline, key: tuple[Any, ...], X_train: Any, y_train: Any, X_test: Any
) -> tuple[Any, Any, float, bool]:
    """The prefix's output for the fold's training and test rows, fitted once per ``key``.

    ``key[0]`` identifies the data (entries for other data are dropped).

    Returns ``(Xt_train, Xt_test, seconds, hit)``: ``seconds`` is what
    fitting and applying the prefix took when it was computed (so that time
    estimates made from fit times stay those of an uncached fit).
    """
    global _bytes, _data
    with _lock:
        if key[0] != _data:  # new data in this worker: the old prefixes are of no use
            _entries.clear()
            _bytes, _data = 0, key[0]
        entry = _entries.get(key)
        if entry is not None:
            _entries.move_to_end(key)
            stats["hits"] += 1
            return entry[0], entry[1], entry[2], True
    start = time.perf_counter()
    fitted = clone(prefix)
    Xt_train = fitted.fit_transform(X_train, y_train)
    Xt_test = fitted.transform(X_test)
    seconds = time.perf_counter() - start
    size = _nbytes(Xt_train) + _nbytes(Xt_test)
    with _lock:
        stats["misses"] += 1
        if size <= MAX_BYTES and key not in _entries:
            _entries[key] = (Xt_train, Xt_test, seconds, size)
            _bytes += size
            while _bytes > MAX_BYTES:
                _, (_, _, _, dropped) = _entries.popitem(last=False)
                _bytes -= dropped
    return Xt_train, Xt_test, seconds, False


def clear() -> None:
    """Forget every cached prefix (a worker given new data)."""
    global _bytes
    with _lock:
        _entries.clear()
        _bytes = 0


def _nbytes(a: Any) -> int:
    if sp.issparse(a):
        return int(a.data.nbytes + getattr(a, "indices", a.data).nbytes + getattr(a, "indptr", a.data).nbytes)
    if hasattr(a, "memory_usage"):
        return int(a.memory_usage(deep=True).sum())
    return int(getattr(a, "nbytes", 0))
