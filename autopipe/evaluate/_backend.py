"""The choice of the pool an ``Evaluator`` runs on: a Dask cluster's, or local worker processes shared between fits."""

from __future__ import annotations

import threading
from typing import Any

from ._dask import DaskPool
from ._dask_client import active_dask_client
from ._pool import WorkerPool
from ._pool_base import Pool

__all__ = ["acquire_pool", "release_pool"]

_SHARED: dict[tuple[Any, ...], WorkerPool] = {}
_SHARED_LOCK = threading.Lock()
_IN_USE: set[int] = set()


def acquire_pool(
    n_workers: int, threads: int, memory_limit_mb: float | None, gpu_lanes: int = 1
) -> tuple[Pool, bool]:
    """A pool with this configuration; shared between successive fits to save start-up time.

    Inside ``joblib.parallel_config(backend="dask")`` it is instead a private
    ``DaskPool`` on that backend's client (the arguments then do not apply:
    the cluster decides workers, threads and memory).

    Returns the pool (a ``WorkerPool`` or a ``DaskPool``) and whether it is
    private (to be closed by the caller, through :func:`release_pool`).
    """
    client = active_dask_client()
    if client is not None:
        return DaskPool(client), True
    key = (n_workers, threads, memory_limit_mb, gpu_lanes)
    settings: dict[str, Any] = {"threads_per_worker": threads, "memory_limit_mb": memory_limit_mb,
                                "lanes": {"gpu": gpu_lanes}}
    with _SHARED_LOCK:
        pool = _SHARED.get(key)
        if pool is None:
            pool = WorkerPool(n_workers, **settings)
            _SHARED[key] = pool
        if id(pool) in _IN_USE:
            # Another fit in this process (a thread) holds it: use a private pool.
            return WorkerPool(n_workers, **settings), True
        _IN_USE.add(id(pool))
        return pool, False


def release_pool(pool: Pool, private: bool) -> None:
    """Give back a pool from :func:`acquire_pool`: close a private one, free a shared one for the next fit.

    A shared pool drops the fit's payload: its memory-mapped file is
    deleted, and its idle workers release their copy or map of it.
    """
    if private:
        pool.close()
        return
    try:
        pool.set_payload(None)
    except RuntimeError:  # closed meanwhile
        pass
    with _SHARED_LOCK:
        _IN_USE.discard(id(pool))
