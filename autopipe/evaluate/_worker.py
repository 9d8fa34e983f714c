"""The worker side of ``WorkerPool``: the loop a worker process runs, its limits, and the messages it exchanges."""

from __future__ import annotations

import enum
import os
import pickle
import runpy
import signal
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

import cloudpickle

# A worker process executes this file as a stand-alone module (without
# importing the ``autopipe`` package, whose ``__init__`` modules import
# scikit-learn), so at module level it imports only the standard library,
# cloudpickle and the sibling file ``_outcome.py``.  threadpoolctl and
# joblib (for payloads shared through a memory-mapped file) are imported
# lazily.
if TYPE_CHECKING or __package__:
    from ._outcome import format_caught
else:  # a stand-alone worker: no parent package to import the sibling from
    format_caught = runpy.run_path(
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "_outcome.py"))["format_caught"]

__all__ = ["ReplyKind", "WorkerReply", "decode_reply", "encode_reply", "worker_main"]

PROTOCOL = 5
#: The module name workers execute this file under (see ``WorkerPool``).
RUN_NAME = "__autopipe_pool_worker__"
_WATCHDOG_PERIOD_S = 1.0  # how often a worker checks that its parent is alive

# Message tags, parent -> worker.  Every message is one ``send_bytes`` call;
# its first byte says what it is.
TAG_TASK = b"T"  # a task: tag + cloudpickle((fn, args))
TAG_TASK_ACK = b"S"  # a task whose start the worker must announce first
TAG_PAYLOAD = b"P"  # a payload header: tag + pickle((payload_id, sizes, path));
# without a path it is followed by one message with the pickle stream and
# one per out-of-band buffer; with one, the payload is in the file at path
# (see ``_shared``) and nothing follows.


class ReplyKind(str, enum.Enum):
    """What a worker's message to its parent says."""

    STARTED = "started"  # the task began (after the worker booted or loaded a payload)
    OK = "ok"  # the task returned; the value is its result
    ERROR = "error"  # it failed; the value is the error text


@dataclass(frozen=True)
class WorkerReply:
    """One message from a worker to its parent.

    On the wire it is the pickled pair ``(kind.value, value)``: plain data,
    because a worker runs this file outside the ``autopipe`` package, where
    its classes could not be unpickled by the parent.
    """

    kind: ReplyKind
    value: Any = None


def encode_reply(reply: WorkerReply) -> bytes:
    """Pickle a reply; an unpicklable result becomes an error reply."""
    try:
        return cloudpickle.dumps((reply.kind.value, reply.value), protocol=PROTOCOL)
    except BaseException as exc:
        text = ("the result of the task could not be pickled to send it "
                "back to the parent process: " + format_caught(exc))
        return pickle.dumps((ReplyKind.ERROR.value, text), protocol=PROTOCOL)


def decode_reply(data: bytes) -> WorkerReply:
    """Unpickle a reply in the parent (raises what unpickling raises)."""
    kind, value = pickle.loads(data)
    return WorkerReply(ReplyKind(kind), value)


def _limit_memory(limit_bytes: int) -> None:
    """Cap the address space of this process (POSIX only; else a no-op)."""
    try:
        import resource
    except ImportError:
        return
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit_bytes = min(limit_bytes, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, hard))
    except (ValueError, OSError):
        pass


def _limit_threads(n_threads: int) -> None:
    """Limit the thread pools of native libraries loaded so far."""
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(n_threads)
    except Exception:
        pass


def _watch_parent(parent_pid: int) -> None:
    """Exit this process as soon as its parent process has gone."""
    while True:
        if os.getppid() != parent_pid:
            os._exit(1)
        time.sleep(_WATCHDOG_PERIOD_S)


class _PayloadError:
    """Stands in for a payload that failed to load in a worker."""

    def __init__(self, text: str) -> None:
        self.text = text


def _load_shared(path: str) -> Any:
    """Load a payload from the file the parent wrote, its buffers memory-mapped read-only.

    An error is returned wrapped in ``_PayloadError``.
    """
    try:
        import joblib

        stream, buffers = joblib.load(path, mmap_mode="r")
        return pickle.loads(stream, buffers=buffers)
    except BaseException as exc:  # noqa: BLE001  (any failure becomes the error of the tasks that need it)
        return _PayloadError("the shared payload could not be loaded in the worker: " + format_caught(exc))


def _receive_payload(conn: Connection, header: memoryview) -> Any:
    """Read a payload (pickle stream and out-of-band buffers, or the path of its file) and load it.

    Returns the payload, or raises ``EOFError``/``OSError`` when the pipe
    broke; an error while unpickling is returned wrapped in ``_PayloadError``.
    """
    _, sizes, path = pickle.loads(header)
    if path is not None:
        return _load_shared(path)
    stream = conn.recv_bytes()
    buffers = []
    for size in sizes:
        # Writable buffers, so that arrays in the payload are writable.
        buf = bytearray(size)
        if size:
            conn.recv_bytes_into(buf)
        else:
            conn.recv_bytes()
        buffers.append(buf)
    try:
        return pickle.loads(stream, buffers=buffers)
    except BaseException as exc:
        return _PayloadError("the payload could not be unpickled in the worker: " + format_caught(exc))


def _run_task(body: memoryview, payload: Any) -> WorkerReply:
    """Unpickle and run one task; return the reply."""
    try:
        fn, args = pickle.loads(body)
    except BaseException as exc:
        return WorkerReply(ReplyKind.ERROR, "the task could not be unpickled in the worker: " + format_caught(exc))
    if isinstance(payload, _PayloadError):
        return WorkerReply(ReplyKind.ERROR, payload.text)
    try:
        return WorkerReply(ReplyKind.OK, fn(payload, *args))
    except BaseException as exc:  # the worker survives anything raised
        return WorkerReply(ReplyKind.ERROR, format_caught(exc))


def _start(n_threads: int, memory_limit_bytes: int | None, parent_pid: int) -> None:
    """Set a fresh worker process up: signals, limits and the parent watchdog."""
    # Ctrl-C in a terminal goes to the whole process group; only the parent
    # should decide what to do with it.
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except (ValueError, OSError):
        pass
    if memory_limit_bytes is not None:
        _limit_memory(memory_limit_bytes)
    _limit_threads(n_threads)
    threading.Thread(
        target=_watch_parent, args=(parent_pid,), daemon=True,
        name="autopipe-parent-watchdog",
    ).start()


def _warm_up() -> None:
    """Import what every task needs while the parent is still busy, so that the first task does not wait for it."""
    try:
        import pandas  # noqa: F401
        import sklearn.pipeline  # noqa: F401
    except ImportError:  # pragma: no cover  (scikit-learn is a dependency)
        pass


def worker_main(
    conn: Connection,
    n_threads: int,
    memory_limit_bytes: int | None,
    idle_timeout: float,
    parent_pid: int,
) -> None:
    """Serve tasks from ``conn`` until the parent closes it or stops us."""
    _start(n_threads, memory_limit_bytes, parent_pid)
    _warm_up()
    payload: Any = None
    while True:
        try:
            if not conn.poll(idle_timeout):
                return  # idle for too long
            message = conn.recv_bytes()
        except (EOFError, OSError):
            return  # the parent is gone or closed the pipe
        tag = message[:1]
        body = memoryview(message)[1:]
        if tag == TAG_PAYLOAD:
            payload = None  # drop the old payload before loading the new one
            try:
                payload = _receive_payload(conn, body)
            except (EOFError, OSError):
                return
            _limit_threads(n_threads)  # the payload may have loaded BLAS
            continue
        if tag not in (TAG_TASK, TAG_TASK_ACK):
            return  # a stop request (or garbage): exit
        try:
            if tag == TAG_TASK_ACK:
                conn.send_bytes(encode_reply(WorkerReply(ReplyKind.STARTED)))
            reply = _run_task(body, payload)
            del message, body
            data = encode_reply(reply)
            del reply
            conn.send_bytes(data)
            del data
        except (EOFError, OSError):
            return


if __name__ == RUN_NAME:  # a worker process, started by WorkerPool
    worker_main(*globals()["_WORKER_ARGS"])
