"""Finding dask.distributed, and the client of an active joblib Dask backend."""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["active_dask_client", "import_distributed"]

# dask and distributed are imported lazily, so that ``import autopipe``
# never imports them.


def import_distributed() -> Any:
    """Import and return the ``distributed`` package.

    Returns
    -------
    module
        ``distributed``.

    Raises
    ------
    ImportError
        With installation advice, if dask.distributed is not installed.
    """
    try:
        import distributed
    except ImportError as exc:
        raise ImportError(
            "evaluating candidates on a Dask cluster needs dask.distributed; "
            "install it with: pip install 'autopipe[dask]'"
        ) from exc
    return distributed


def active_dask_client() -> Any | None:
    """The Dask client of the active joblib backend, or None when it is not Dask.

    The Dask backend is active inside ``with joblib.parallel_config(backend="dask"):``
    (or the older ``joblib.parallel_backend("dask")``). Nothing is imported
    when it was never configured in this process.

    Returns
    -------
    distributed.Client or None
        The backend's client (``distributed.get_client()`` if the backend
        holds none), or None when the active joblib backend is not Dask.
    """
    dask_backends = sys.modules.get("joblib._dask")
    if dask_backends is None:  # joblib imports it when the dask backend is configured
        return None
    from joblib.parallel import get_active_backend

    backend = get_active_backend()[0]
    if not isinstance(backend, dask_backends.DaskDistributedBackend):
        return None
    client = getattr(backend, "client", None)
    if client is None:
        client = import_distributed().get_client()
    return client
