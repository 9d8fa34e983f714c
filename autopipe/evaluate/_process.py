"""The parent side of ``WorkerPool``'s worker processes: how many, how they start, get data, die and are reaped."""

from __future__ import annotations

import os
import pickle
import runpy
import signal
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any, Callable

import cloudpickle

from . import _worker
from ._worker import PROTOCOL, TAG_PAYLOAD

if TYPE_CHECKING:
    from ._pool import _Task

__all__ = ["WorkerHandle", "death_message", "default_n_workers", "pickle_payload", "shutdown_workers",
           "start_worker"]

_THREAD_ENV_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)

#: A payload as sent to workers: the pickle stream and its out-of-band buffers.
PayloadParts = tuple[bytes, list[memoryview]]


def default_n_workers(n_jobs: int | None) -> int:
    """Number of worker processes for an ``n_jobs`` value, as joblib reads it.

    Parameters
    ----------
    n_jobs : int or None
        ``None`` means 1, ``-1`` all cores, ``-2`` all cores but one, and so
        on; a positive value is used as is.

    Returns
    -------
    int
        At least 1.

    Raises
    ------
    ValueError
        If ``n_jobs`` is 0 (which has no meaning), or not an integer.
    """
    if n_jobs is None:
        return 1
    if isinstance(n_jobs, bool) or int(n_jobs) != n_jobs:
        raise ValueError(f"n_jobs must be an integer or None, got {n_jobs!r}")
    n_jobs = int(n_jobs)
    if n_jobs == 0:
        raise ValueError("n_jobs == 0 has no meaning; use None, -1 or >= 1")
    if n_jobs > 0:
        return n_jobs
    from joblib import cpu_count

    return max(1, cpu_count() + 1 + n_jobs)


def pickle_payload(payload: Any) -> PayloadParts:
    """Pickle ``payload`` once, its large contiguous buffers (numpy arrays) out-of-band and not copied."""
    buffers: list[pickle.PickleBuffer] = []
    stream = cloudpickle.dumps(payload, protocol=PROTOCOL, buffer_callback=buffers.append)
    raw: list[memoryview] = []
    for buf in buffers:
        try:
            raw.append(buf.raw())
        except BufferError:  # not contiguous: copy it
            raw.append(memoryview(bytes(memoryview(buf))))
    return stream, raw


class WorkerHandle:
    """Parent-side handle of one worker process."""

    __slots__ = ("process", "conn", "payload_id", "n_dispatched", "task",
                 "dispatched_at", "expires_at", "awaiting_start")

    def __init__(self, process: Any, conn: Connection) -> None:
        self.process = process
        self.conn = conn
        self.payload_id = 0  # workers start with the payload None (id 0)
        self.n_dispatched = 0
        self.task: _Task | None = None
        self.dispatched_at = 0.0
        self.expires_at: float | None = None
        self.awaiting_start = False

    def send_payload(self, payload_id: int, parts: PayloadParts | None, path: str | None = None) -> None:
        """Send a payload to the worker, to replace the one it holds.

        The payload is the file at ``path`` (see ``_shared``) when given, else
        ``parts``, else None.
        """
        if path is not None:
            self.conn.send_bytes(TAG_PAYLOAD + pickle.dumps((payload_id, [], path), protocol=PROTOCOL))
            self.payload_id = payload_id
            return
        if parts is None:
            stream, raw = pickle.dumps(None, protocol=PROTOCOL), []
        else:
            stream, raw = parts
        sizes = [view.nbytes for view in raw]
        self.conn.send_bytes(TAG_PAYLOAD + pickle.dumps((payload_id, sizes, None), protocol=PROTOCOL))
        self.conn.send_bytes(stream)
        for view in raw:
            self.conn.send_bytes(view)
        self.payload_id = payload_id

    def kill(self) -> None:
        """Kill the worker process at once (SIGKILL where there is one)."""
        process = self.process
        try:
            if process.exitcode is not None:
                return
            if hasattr(signal, "SIGKILL"):
                os.kill(process.pid, signal.SIGKILL)
            else:  # pragma: no cover - Windows
                process.terminate()
        except (ProcessLookupError, OSError, ValueError, AttributeError):
            pass

    def reap(self) -> int | None:
        """Make sure the process is dead and joined, close the pipe; return the exit code."""
        process = self.process
        try:
            process.join(timeout=2.0)
            if process.exitcode is None:
                self.kill()
                process.join(timeout=5.0)
            code = process.exitcode
        except (ValueError, AssertionError, OSError):
            code = None
        try:
            self.conn.close()
        except OSError:
            pass
        return code


def start_worker(
    name: str, threads: int, memory_limit_mb: float | None, idle_timeout: float
) -> WorkerHandle:
    """Start a worker process (a spawned, clean interpreter) and return its handle."""
    from joblib.externals.loky.backend.context import get_context

    ctx = get_context("loky")
    parent_conn, child_conn = ctx.Pipe(duplex=True)
    limit = None if memory_limit_mb is None else int(memory_limit_mb * 1024 * 1024)
    worker_args = (child_conn, threads, limit, idle_timeout, os.getpid())
    source = getattr(_worker, "__file__", None)
    target: Callable[..., Any]
    if source and os.path.isfile(source) and source.endswith(".py"):
        # Run the worker's file as a stand-alone module, so that starting it
        # does not import the ``autopipe`` package (see ``_worker``).
        target = runpy.run_path
        kwargs = {"path_name": source, "run_name": _worker.RUN_NAME,
                  "init_globals": {"_WORKER_ARGS": worker_args}}
        worker_args = ()
    else:  # e.g. imported from a zip file: import it by name
        target, kwargs = _worker.worker_main, {}
    process = ctx.Process(
        target=target,
        args=worker_args,
        kwargs=kwargs,
        name=name,
        daemon=True,
        init_main_module=False,
        env={var: str(threads) for var in _THREAD_ENV_VARS},
    )
    try:
        process.start()
    except BaseException:
        parent_conn.close()
        raise
    finally:
        child_conn.close()
    return WorkerHandle(process, parent_conn)


def shutdown_workers(live: dict[int, WorkerHandle]) -> None:
    """Kill and join every worker in ``live`` and forget them."""
    workers = list(live.values())
    live.clear()
    for worker in workers:
        worker.kill()
    for worker in workers:
        worker.reap()


def death_message(code: int | None) -> str:
    """Describe how a worker process ended."""
    if code is None:
        return "worker process died (exit code unknown)"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"worker process died (exit code {code}, {name})"
    return f"worker process died (exit code {code})"
