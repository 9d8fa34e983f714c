"""The worker side of ``DaskPool``: each task runs wrapped so that it announces its start to the submitting pool."""

from __future__ import annotations

import os
from types import TracebackType
from typing import Any, Callable

from ._outcome import format_exception

__all__ = ["format_remote", "run_announced"]


def run_announced(topic: str, key: str, fn: Callable[..., Any], payload: Any, *args: Any) -> Any:
    """Announce the start of a task to the client, then run ``fn(payload, *args)``.

    Parameters
    ----------
    topic : str
        The event topic the submitting :class:`DaskPool` listens to.
    key : str
        The key of this task.
    fn : callable
        The task function.
    payload : object
        The scattered payload (Dask passes its value).
    *args : object
        Further arguments of ``fn``.

    Returns
    -------
    object
        What ``fn`` returns.
    """
    try:
        from distributed import get_worker

        worker = get_worker()
    except (ImportError, ValueError):  # not in a Dask worker: nobody to tell
        pass
    else:
        worker.log_event(topic, {"key": key, "worker": worker.address, "pid": os.getpid()})
    return fn(payload, *args)


def format_remote(exc: BaseException, tb: TracebackType | None) -> str:
    """The error text of an exception a task raised in a Dask worker, without the frame of :func:`run_announced`.

    Parameters
    ----------
    exc : BaseException
        The exception the task raised, as Dask returns it.
    tb : traceback or None
        Its traceback, as ``Future.traceback()`` returns it.

    Returns
    -------
    str
        The same layout as the local pool's error texts.
    """
    try:
        if tb is not None and tb.tb_frame.f_code.co_name == run_announced.__name__:
            tb = tb.tb_next
    except AttributeError:
        pass
    return format_exception(exc, tb)
