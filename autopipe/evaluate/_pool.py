"""Killable worker processes that run evaluations under per-task time limits."""

from __future__ import annotations

import collections
import os
import pickle
import runpy
import signal
import threading
import time
import traceback
import weakref
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as _wait_for
from typing import Any, Callable, Hashable, Iterator

import cloudpickle

__all__ = ["TaskOutcome", "WorkerPool", "default_n_workers"]

# Every worker process executes this file as a stand-alone module (without
# importing the ``autopipe`` package), so at module level it only imports the
# standard library and cloudpickle.  joblib (used by the parent to create
# processes) and threadpoolctl (used by workers) are imported lazily.

_PROTOCOL = 5
_IDLE_EXIT_S = 600.0  # a worker with nothing to do for this long exits
_WATCHDOG_PERIOD_S = 1.0  # how often a worker checks that its parent is alive
# Extra time a task's limit allows while its worker boots or loads the
# payload, in case the worker never gets to say that the task started.
_START_GRACE_S = 120.0
_TRACEBACK_LINES = 15
# Workers execute this file under this module name (see _start_worker).
_WORKER_RUN_NAME = "__autopipe_pool_worker__"

# Message tags, parent -> worker.  Every message is one ``send_bytes`` call;
# its first byte says what it is.
_TAG_TASK = b"T"  # a task: tag + cloudpickle((fn, args))
_TAG_TASK_ACK = b"S"  # a task whose start the worker must announce first
_TAG_PAYLOAD = b"P"  # a payload header: tag + pickle((payload_id, sizes));
# it is followed by one message with the pickle stream and one per
# out-of-band buffer.

# Worker -> parent messages are pickled tuples: ("started",), ("ok", value)
# or ("error", text).

_THREAD_ENV_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


# --------------------------------------------------------------------------
# Worker side
# --------------------------------------------------------------------------


def _exception_name(exc: BaseException) -> str:
    """The name of the first public class in the MRO of ``exc``'s type."""
    for cls in type(exc).__mro__:
        if not cls.__name__.startswith("_"):
            return cls.__name__
    return type(exc).__name__


def _format_exception(exc: BaseException) -> str:
    """``"ExcType: message"`` followed by the tail of the traceback."""
    try:
        message = str(exc)
    except Exception:
        message = "<str() of the exception failed>"
    head = _exception_name(exc)
    if message:
        head = f"{head}: {message}"
    try:
        tb = exc.__traceback__
        # Drop the frame of the worker loop that called the task.
        if tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        text = "".join(traceback.format_exception(type(exc), exc, tb))
        tail = text.rstrip().splitlines()[-_TRACEBACK_LINES:]
        return head + "\n" + "\n".join(tail)
    except BaseException:
        return head


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


def _receive_payload(conn: Connection, header: memoryview) -> Any:
    """Read a payload (pickle stream and out-of-band buffers) and load it.

    Returns the payload, or raises ``EOFError``/``OSError`` when the pipe
    broke; an error while unpickling is returned wrapped in ``_PayloadError``.
    """
    _, sizes = pickle.loads(header)
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
        return _PayloadError(
            "the payload could not be unpickled in the worker: "
            + _format_exception(exc)
        )


class _PayloadError:
    """Stands in for a payload that failed to load in a worker."""

    def __init__(self, text: str) -> None:
        self.text = text


def _run_task(body: memoryview, payload: Any) -> tuple:
    """Unpickle and run one task; return the reply tuple."""
    try:
        fn, args = pickle.loads(body)
    except BaseException as exc:
        return ("error", "the task could not be unpickled in the worker: "
                + _format_exception(exc))
    if isinstance(payload, _PayloadError):
        return ("error", payload.text)
    try:
        return ("ok", fn(payload, *args))
    except BaseException as exc:  # the worker survives anything raised
        return ("error", _format_exception(exc))


def _encode_reply(reply: tuple) -> bytes:
    """Pickle a reply; an unpicklable result becomes an error reply."""
    try:
        return cloudpickle.dumps(reply, protocol=_PROTOCOL)
    except BaseException as exc:
        text = ("the result of the task could not be pickled to send it "
                "back to the parent process: " + _format_exception(exc))
        return pickle.dumps(("error", text), protocol=_PROTOCOL)


def _worker_main(
    conn: Connection,
    n_threads: int,
    memory_limit_bytes: int | None,
    idle_timeout: float,
    parent_pid: int,
) -> None:
    """Serve tasks from ``conn`` until the parent closes it or stops us."""
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
        if tag == _TAG_PAYLOAD:
            payload = None  # drop the old payload before loading the new one
            try:
                payload = _receive_payload(conn, body)
            except (EOFError, OSError):
                return
            _limit_threads(n_threads)  # the payload may have loaded BLAS
            continue
        if tag not in (_TAG_TASK, _TAG_TASK_ACK):
            return  # a stop request (or garbage): exit
        try:
            if tag == _TAG_TASK_ACK:
                conn.send_bytes(pickle.dumps(("started",)))
            reply = _run_task(body, payload)
            del message, body
            data = _encode_reply(reply)
            del reply
            conn.send_bytes(data)
            del data
        except (EOFError, OSError):
            return


# --------------------------------------------------------------------------
# Parent side
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskOutcome:
    """What became of one submitted task.

    Parameters
    ----------
    task_id : hashable
        The id given to :meth:`WorkerPool.submit`.
    kind : str
        ``"ok"``, ``"error"`` (the task raised, or its function, arguments or
        result could not be pickled), ``"timeout"`` (it ran past its time
        limit and its worker was killed), ``"crash"`` (its worker process
        died) or ``"cancelled"`` (the deadline of :meth:`WorkerPool.results`
        came first).
    value : object
        The task function's return value when ``kind == "ok"``, else None.
    error : str
        ``""`` when ok; otherwise a human-readable description.  For errors
        it is ``"ExcType: message"`` followed by the tail of the traceback.
    elapsed : float
        Wall seconds from dispatch to a worker until the outcome; 0.0 for a
        task that never reached a worker.
    """

    task_id: Hashable
    kind: str
    value: Any
    error: str
    elapsed: float


@dataclass
class _Task:
    """A submitted task."""

    task_id: Hashable
    fn: Callable[..., Any]
    args: tuple
    timeout: float | None
    lane: str | None = None


class _Worker:
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


def _kill(process: Any) -> None:
    """Kill a worker process at once (SIGKILL where there is one)."""
    try:
        if process.exitcode is not None:
            return
        if hasattr(signal, "SIGKILL"):
            os.kill(process.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            process.terminate()
    except (ProcessLookupError, OSError, ValueError, AttributeError):
        pass


def _reap(worker: _Worker) -> int | None:
    """Make sure a worker's process is dead and joined; return its exit code."""
    process = worker.process
    try:
        process.join(timeout=2.0)
        if process.exitcode is None:
            _kill(process)
            process.join(timeout=5.0)
        code = process.exitcode
    except (ValueError, AssertionError, OSError):
        code = None
    try:
        worker.conn.close()
    except OSError:
        pass
    return code


def _shutdown_workers(live: dict[int, _Worker]) -> None:
    """Kill and join every worker in ``live`` and forget them."""
    workers = list(live.values())
    live.clear()
    for worker in workers:
        _kill(worker.process)
    for worker in workers:
        _reap(worker)


def _death_message(code: int | None) -> str:
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


def _format_seconds(seconds: float) -> str:
    """Format a time limit for messages: ``3.0``, ``0.25``, ``0.333``."""
    return str(round(float(seconds), 3))


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


class WorkerPool:
    """Worker processes that run tasks with time limits that really stop them.

    Each task is ``fn(payload, *args)`` run in a separate, spawned Python
    process.  A task that runs past its time limit has its worker killed
    (even when it is stuck in native code), a worker that crashes is
    replaced, and exceptions come back as error outcomes.  The per-fit
    *payload* (typically the training data) is pickled once and sent to each
    worker once, not with every task.

    Workers are started lazily, on the first dispatch that needs them, and
    reused across tasks and payloads.  A worker that was killed or died is
    replaced only when a task needs it.  Workers are clean interpreters that
    do not re-import the user's ``__main__`` module; functions and classes
    defined in ``__main__`` or interactively travel by value (cloudpickle).

    Parameters
    ----------
    n_workers : int
        Maximum number of worker processes, at least 1.
    threads_per_worker : int, default=1
        Size of native thread pools (OpenMP, BLAS) in each worker.
    memory_limit_mb : float or None, default=None
        If given, each worker's address space is capped to this many MiB
        (``RLIMIT_AS``; POSIX only, ignored elsewhere), so that a task
        allocating beyond it fails with ``MemoryError`` instead of
        exhausting the machine.
    lanes : dict of str to int, default=None
        Caps on how many tasks of a lane run at once, e.g. ``{"gpu": 1}`` so
        that tasks submitted with ``lane="gpu"`` take turns on one GPU while
        the other workers run the rest. Tasks of a full lane wait; tasks
        behind them in the queue go ahead.

    Notes
    -----
    The pool is not thread-safe: use it from one thread.  Large contiguous
    buffers of the payload (numpy arrays) are sent out-of-band and not
    copied by :meth:`set_payload`, so do not modify the payload in place
    while the pool uses it.  While a payload is being sent to a worker the
    parent does not watch the other workers, so time limits can be
    enforced late by the transfer time.

    Examples
    --------
    >>> def add(payload, x):
    ...     return payload + x
    >>> with WorkerPool(2) as pool:                      # doctest: +SKIP
    ...     pool.set_payload(10)
    ...     for i in range(3):
    ...         pool.submit(i, add, (i,), timeout=5.0)
    ...     sorted(o.value for o in pool.results())
    [10, 11, 12]
    """

    def __init__(
        self,
        n_workers: int,
        *,
        threads_per_worker: int = 1,
        memory_limit_mb: float | None = None,
        lanes: dict[str, int] | None = None,
    ) -> None:
        if isinstance(n_workers, bool) or int(n_workers) != n_workers or n_workers < 1:
            raise ValueError(f"n_workers must be an integer >= 1, got {n_workers!r}")
        if (isinstance(threads_per_worker, bool)
                or int(threads_per_worker) != threads_per_worker
                or threads_per_worker < 1):
            raise ValueError("threads_per_worker must be an integer >= 1, "
                             f"got {threads_per_worker!r}")
        if memory_limit_mb is not None and not memory_limit_mb > 0:
            raise ValueError("memory_limit_mb must be positive or None, "
                             f"got {memory_limit_mb!r}")
        for name, width in (lanes or {}).items():
            if isinstance(width, bool) or int(width) != width or width < 1:
                raise ValueError(f"the width of lane {name!r} must be an integer >= 1, got {width!r}")
        self.lanes = dict(lanes or {})
        self.n_workers = int(n_workers)
        self.threads_per_worker = int(threads_per_worker)
        self.memory_limit_mb = memory_limit_mb
        self._slots: list[_Worker | None] = [None] * self.n_workers
        self._live: dict[int, _Worker] = {}  # pid -> worker, for shutdown
        self._queue: collections.deque[_Task] = collections.deque()
        self._done: collections.deque[TaskOutcome] = collections.deque()
        self._payload_id = 0
        self._payload_parts: tuple[bytes, list[memoryview]] | None = None
        self._closed = False
        # Kills the workers at interpreter exit, or when the pool is garbage
        # collected, without keeping the pool alive.
        self._finalizer = weakref.finalize(self, _shutdown_workers, self._live)

    # ----------------------------------------------------------- public API

    def set_payload(self, payload: Any) -> None:
        """Set the object passed as first argument to every task function.

        The payload is pickled once, here; each worker receives it before its
        next task.  Calling again replaces it, and workers drop the old one.

        Parameters
        ----------
        payload : object
            Anything cloudpickle can pickle, e.g. ``(X, y)``.
        """
        self._check_open()
        buffers: list[pickle.PickleBuffer] = []
        stream = cloudpickle.dumps(payload, protocol=_PROTOCOL,
                                   buffer_callback=buffers.append)
        raw: list[memoryview] = []
        for buf in buffers:
            try:
                raw.append(buf.raw())
            except BufferError:  # not contiguous: copy it
                raw.append(memoryview(bytes(memoryview(buf))))
        self._payload_parts = (stream, raw)
        self._payload_id += 1

    def submit(
        self,
        task_id: Hashable,
        fn: Callable[..., Any],
        args: tuple = (),
        timeout: float | None = None,
        lane: str | None = None,
    ) -> None:
        """Queue a task; a worker will run ``fn(payload, *args)``.

        Parameters
        ----------
        task_id : hashable
            Identifies the task in its :class:`TaskOutcome`; should be unique
            among the tasks not yet reported.
        fn : callable
            The task function.  It and ``args`` are pickled with cloudpickle
            when the task is dispatched.
        args : tuple, default=()
            Further positional arguments of ``fn``.
        timeout : float or None, default=None
            Seconds of run time, counted from when a worker starts the task;
            past it the worker is killed and the outcome is ``"timeout"``.
        lane : str or None, default=None
            The lane the task runs in (see ``lanes``); a lane the pool was not
            given is not capped.
        """
        self._check_open()
        if not callable(fn):
            raise TypeError(f"fn must be callable, got {fn!r}")
        if timeout is not None:
            timeout = float(timeout)
            if not timeout > 0:
                raise ValueError(f"timeout must be positive or None, got {timeout!r}")
        self._queue.append(_Task(task_id, fn, tuple(args), timeout, lane))

    def results(self, deadline: float | None = None) -> Iterator[TaskOutcome]:
        """Run the queued tasks and yield their outcomes as they finish.

        Outcomes come in completion order until no task is queued or
        running.  Tasks submitted while iterating are picked up.  If the
        consumer stops iterating early, the outcomes not yet yielded are kept
        for the next call.

        Parameters
        ----------
        deadline : float or None, default=None
            An absolute :func:`time.monotonic` time.  When it is reached, the
            workers of running tasks are killed, every queued or running task
            is yielded with kind ``"cancelled"``, and the iterator ends.

        Yields
        ------
        TaskOutcome
        """
        while True:
            while self._done:
                yield self._done.popleft()
            if self._closed:
                return
            if deadline is not None and time.monotonic() >= deadline:
                self._poll(0.0)  # results that are already in count
                self._cancel_all()
                while self._done:
                    yield self._done.popleft()
                return
            self._dispatch()
            if self._done:
                continue
            if self.n_running == 0:
                return  # nothing queued either: see _dispatch
            now = time.monotonic()
            until = float("inf") if deadline is None else deadline
            for worker in self._running():
                if worker.expires_at is not None:
                    until = min(until, worker.expires_at)
            self._poll(None if until == float("inf") else max(0.0, until - now))

    def cancel_pending(self) -> list[Hashable]:
        """Drop the queued tasks that have not started.

        Returns
        -------
        list
            The ids of the dropped tasks, in submission order.
        """
        ids = [task.task_id for task in self._queue]
        self._queue.clear()
        return ids

    @property
    def n_running(self) -> int:
        """Number of tasks currently running in workers."""
        return sum(1 for _ in self._running())

    @property
    def n_queued(self) -> int:
        """Number of tasks waiting for a worker."""
        return len(self._queue)

    def close(self) -> None:
        """Kill and join all workers and drop queued tasks; idempotent."""
        self._closed = True
        self._queue.clear()
        self._slots = [None] * self.n_workers
        self._payload_parts = None
        self._finalizer()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (f"WorkerPool(n_workers={self.n_workers}, running={self.n_running}, "
                f"queued={self.n_queued}, closed={self._closed})")

    # ------------------------------------------------------------ internals

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("this WorkerPool is closed")

    def _running(self) -> Iterator[_Worker]:
        for worker in self._slots:
            if worker is not None and worker.task is not None:
                yield worker

    def _start_worker(self, slot: int) -> _Worker:
        """Start a worker process in ``slot``."""
        from joblib.externals.loky.backend.context import get_context

        ctx = get_context("loky")
        parent_conn, child_conn = ctx.Pipe(duplex=True)
        n = str(self.threads_per_worker)
        limit = None
        if self.memory_limit_mb is not None:
            limit = int(self.memory_limit_mb * 1024 * 1024)
        worker_args = (child_conn, self.threads_per_worker, limit, _IDLE_EXIT_S,
                       os.getpid())
        source = globals().get("__file__")
        if source and os.path.isfile(source) and source.endswith(".py"):
            # Run this file as a stand-alone module in the worker, so that
            # starting it does not import the ``autopipe`` package (whose
            # ``__init__`` modules import scikit-learn): see the end of file.
            target: Callable[..., Any] = runpy.run_path
            kwargs = {"path_name": source, "run_name": _WORKER_RUN_NAME,
                      "init_globals": {"_WORKER_ARGS": worker_args}}
            worker_args = ()
        else:  # e.g. imported from a zip file: import it by name
            target, kwargs = _worker_main, {}
        process = ctx.Process(
            target=target,
            args=worker_args,
            kwargs=kwargs,
            name=f"autopipe-worker-{slot}",
            daemon=True,
            init_main_module=False,
            env={var: n for var in _THREAD_ENV_VARS},
        )
        try:
            process.start()
        except BaseException:
            parent_conn.close()
            raise
        finally:
            child_conn.close()
        worker = _Worker(process, parent_conn)
        self._slots[slot] = worker
        self._live[process.pid] = worker
        return worker

    def _discard(self, slot: int) -> int | None:
        """Kill, join and forget the worker in ``slot``; return its exit code."""
        worker = self._slots[slot]
        if worker is None:
            return None
        self._slots[slot] = None
        self._live.pop(worker.process.pid, None)
        _kill(worker.process)
        return _reap(worker)

    def _free_slot(self) -> int | None:
        """A slot with an idle live worker (preferred) or none, else None."""
        empty = None
        fallback = None
        for slot, worker in enumerate(self._slots):
            if worker is None:
                if empty is None:
                    empty = slot
            elif worker.task is None:
                if worker.process.exitcode is not None:  # exited while idle
                    self._discard(slot)
                    if empty is None:
                        empty = slot
                elif worker.payload_id == self._payload_id:
                    return slot
                elif fallback is None:
                    fallback = slot
        return fallback if fallback is not None else empty

    def _send_payload(self, worker: _Worker) -> None:
        if self._payload_parts is None:
            stream, raw = pickle.dumps(None, protocol=_PROTOCOL), []
        else:
            stream, raw = self._payload_parts
        sizes = [view.nbytes for view in raw]
        worker.conn.send_bytes(
            _TAG_PAYLOAD + pickle.dumps((self._payload_id, sizes), protocol=_PROTOCOL))
        worker.conn.send_bytes(stream)
        for view in raw:
            worker.conn.send_bytes(view)
        worker.payload_id = self._payload_id

    def _finish(self, worker: _Worker, kind: str, value: Any, error: str) -> None:
        task = worker.task
        assert task is not None
        worker.task = None
        worker.expires_at = None
        elapsed = time.monotonic() - worker.dispatched_at
        self._done.append(TaskOutcome(task.task_id, kind, value, error, elapsed))

    def _dispatch(self) -> None:
        """Hand queued tasks to free workers, starting workers as needed."""
        while self._queue:
            slot = self._free_slot()
            if slot is None:
                return
            task = self._next_task()
            if task is None:
                return  # every queued task waits for its lane
            try:
                body = cloudpickle.dumps((task.fn, task.args), protocol=_PROTOCOL)
            except Exception as exc:
                self._done.append(TaskOutcome(
                    task.task_id, "error", None,
                    "the task could not be pickled to send it to a worker: "
                    + _format_exception(exc), 0.0))
                continue
            worker = self._slots[slot]
            if worker is None:
                try:
                    worker = self._start_worker(slot)
                except BaseException:
                    self._queue.appendleft(task)
                    raise
            fresh = worker.n_dispatched == 0
            new_payload = worker.payload_id != self._payload_id
            # A fresh worker must first boot, a new payload must first load:
            # the time limit then starts when the worker says it started.
            ack = fresh or new_payload
            worker.dispatched_at = time.monotonic()
            try:
                if new_payload:
                    self._send_payload(worker)
                worker.conn.send_bytes((_TAG_TASK_ACK if ack else _TAG_TASK) + body)
            except OSError:
                # The worker died before taking the task.  A worker that had
                # run tasks before may just have exited: retry elsewhere.  A
                # fresh one failed to start: report it, or we could loop.
                worker.task = task
                code = self._discard(slot)
                if fresh:
                    self._finish(worker, "crash", None, _death_message(code))
                else:
                    self._queue.appendleft(task)
                continue
            worker.n_dispatched += 1
            worker.task = task
            worker.awaiting_start = ack
            if task.timeout is None:
                worker.expires_at = None
            else:
                worker.expires_at = worker.dispatched_at + task.timeout
                if ack:  # reset when the worker says the task started
                    worker.expires_at += _START_GRACE_S

    def _next_task(self) -> _Task | None:
        """Take the first queued task whose lane has room."""
        busy = collections.Counter(w.task.lane for w in self._running() if w.task is not None)
        for i, task in enumerate(self._queue):
            if task.lane not in self.lanes or busy[task.lane] < self.lanes[task.lane]:
                del self._queue[i]
                return task
        return None

    def _read(self, slot: int, worker: _Worker) -> None:
        """Read what a running worker has sent; finish its task if done."""
        while True:
            try:
                data = worker.conn.recv_bytes()
            except (EOFError, OSError):
                self._crashed(slot, worker)
                return
            try:
                message = pickle.loads(data)
            except Exception as exc:
                self._finish(worker, "error", None,
                             "the result of the task could not be unpickled in "
                             "the parent process: " + _format_exception(exc))
                return
            if message[0] == "started":
                worker.awaiting_start = False
                timeout = worker.task.timeout if worker.task else None
                if timeout is not None:
                    worker.expires_at = time.monotonic() + timeout
                if worker.conn.poll(0):
                    continue
                return
            status, value = message
            if status == "ok":
                self._finish(worker, "ok", value, "")
            else:
                self._finish(worker, "error", None, str(value))
            return

    def _crashed(self, slot: int, worker: _Worker) -> None:
        code = self._discard(slot)
        if worker.task is not None:
            self._finish(worker, "crash", None, _death_message(code))

    def _poll(self, timeout: float | None) -> None:
        """Wait up to ``timeout`` s for running workers and handle events."""
        running = [(slot, w) for slot, w in enumerate(self._slots)
                   if w is not None and w.task is not None]
        if not running:
            return
        waitables: list[Any] = []
        for _, worker in running:
            waitables.append(worker.conn)
            waitables.append(worker.process.sentinel)
        ready = set(_wait_for(waitables, timeout))
        now = time.monotonic()
        for slot, worker in running:
            if worker.conn in ready:
                self._read(slot, worker)
            if self._slots[slot] is not worker:
                continue  # discarded while reading
            if worker.process.sentinel in ready:
                # It died; it may have sent its result first.
                if worker.task is not None and worker.conn.poll(0):
                    self._read(slot, worker)
                if self._slots[slot] is worker:
                    self._crashed(slot, worker)
                continue
            if (worker.task is not None and worker.expires_at is not None
                    and now >= worker.expires_at):
                if worker.conn.poll(0):  # finished just in time?
                    self._read(slot, worker)
                    if worker.task is None or self._slots[slot] is not worker:
                        continue
                limit = worker.task.timeout
                self._discard(slot)
                self._finish(worker, "timeout", None,
                             f"evaluation exceeded {_format_seconds(limit)} s limit")

    def _cancel_all(self) -> None:
        """Kill the workers of running tasks; cancel those and queued tasks."""
        message = "cancelled at the search deadline"
        running = [(slot, w) for slot, w in enumerate(self._slots)
                   if w is not None and w.task is not None]
        for _, worker in running:
            _kill(worker.process)
        for slot, worker in running:
            self._discard(slot)
            self._finish(worker, "cancelled", None, message)
        while self._queue:
            task = self._queue.popleft()
            self._done.append(
                TaskOutcome(task.task_id, "cancelled", None, message, 0.0))


if __name__ == _WORKER_RUN_NAME:  # a worker process, started by WorkerPool
    _worker_main(*globals()["_WORKER_ARGS"])
