"""``WorkerPool``: killable local worker processes that run evaluations under per-task time limits."""

from __future__ import annotations

import collections
import time
import weakref
from dataclasses import dataclass
from multiprocessing.connection import wait as _wait_for
from typing import Any, Callable, Hashable, Iterator

import cloudpickle

from ._outcome import CANCELLED_TEXT, OutcomeKind, TaskOutcome, format_caught, timeout_text
from ._pool_base import Pool
from ._process import (
    PayloadParts,
    WorkerHandle,
    death_message,
    default_n_workers,
    pickle_payload,
    shutdown_workers,
    start_worker,
)
from ._shared import SHARE_MIN_BYTES, SharedPayload, share_payload
from ._worker import PROTOCOL, TAG_TASK, TAG_TASK_ACK, ReplyKind, decode_reply

__all__ = ["TaskOutcome", "WorkerPool", "default_n_workers"]

# Extra time a task's limit allows while its worker boots or loads the
# payload, in case the worker never gets to say that the task started.
_START_GRACE_S = 120.0


@dataclass
class _Task:
    """A submitted task."""

    task_id: Hashable
    fn: Callable[..., Any]
    args: tuple
    timeout: float | None
    lane: str | None = None
    retried: bool = False


def _check_count(name: str, value: Any) -> int:
    """``value`` as an int, if it is an integer >= 1 (not a bool)."""
    if isinstance(value, bool) or int(value) != value or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


class WorkerPool(Pool):
    """Worker processes that run tasks with time limits that really stop them.

    Each task is ``fn(payload, *args)`` run in a separate, spawned Python
    process.  A task that runs past its time limit has its worker killed
    (even when it is stuck in native code), a worker that crashes is
    replaced, and exceptions come back as error outcomes.  The per-fit
    *payload* (typically the training data) is pickled once and reaches each
    worker once, not with every task; a large one is written once to a file
    that every worker memory-maps, so that the workers share one copy of its
    arrays.

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
    idle_timeout : float, default=600.0
        Seconds a worker with nothing to do waits for a task before it
        exits (it is started again when a task needs it).
    share_min_bytes : int or None, default=1 MiB
        A payload whose large buffers (NumPy arrays, the numeric blocks of
        pandas DataFrames, Arrow buffers) total at least this many bytes is
        shared: written once to a file (under ``/dev/shm`` when it has room,
        else the temporary directory) that every worker, replacements
        included, memory-maps read-only. A smaller one is sent through each
        worker's pipe, as a writable copy. None never shares.

    See Also
    --------
    Pool : The interface this pool implements.

    Notes
    -----
    A task's function and arguments are pickled with cloudpickle when it is
    dispatched to a worker.  Time limits count from when a worker starts
    the task; past its limit the worker is killed and the outcome is
    ``TIMEOUT``.  A lane the pool was not given is not capped.  At the deadline of
    :meth:`results` the workers of running tasks are killed.

    **The payload.** It is pickled with cloudpickle, its large contiguous
    buffers out-of-band. A payload below ``share_min_bytes`` keeps those
    buffers as they are (no copy) and sends them to each worker when it
    first needs the payload, so do not modify the payload in place while the
    pool uses it; while a payload is being sent to a worker the parent does
    not watch the other workers, so time limits can be enforced late by the
    transfer time. A shared payload is written to its file by
    :meth:`set_payload` (with ``joblib.dump``) and loaded by each worker with
    ``joblib.load(..., mmap_mode="r")``: its arrays are read-only memory maps
    of one copy in the operating system's memory, and tasks must not write
    into them (slicing with fancy indexing copies, as usual). Objects pickled
    in-band, such as the Python strings of an ``object`` column, are
    unpickled into each worker. The file is deleted when the payload is
    replaced (``set_payload(None)`` just drops it) or the pool is closed,
    and idle workers are told to drop the old payload at once, so that its
    memory is released; if the process is killed, joblib's resource tracker
    deletes it.

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
        idle_timeout: float = 600.0,
        share_min_bytes: int | None = SHARE_MIN_BYTES,
    ) -> None:
        super().__init__()
        self.n_workers = _check_count("n_workers", n_workers)
        self.threads_per_worker = _check_count("threads_per_worker", threads_per_worker)
        if memory_limit_mb is not None and not memory_limit_mb > 0:
            raise ValueError("memory_limit_mb must be positive or None, "
                             f"got {memory_limit_mb!r}")
        for name, width in (lanes or {}).items():
            _check_count(f"the width of lane {name!r}", width)
        if not idle_timeout > 0:
            raise ValueError(f"idle_timeout must be positive, got {idle_timeout!r}")
        if share_min_bytes is not None and (isinstance(share_min_bytes, bool) or int(share_min_bytes) != share_min_bytes
                                            or share_min_bytes < 0):
            raise ValueError(f"share_min_bytes must be an integer >= 0 or None, got {share_min_bytes!r}")
        self.lanes = dict(lanes or {})
        self.memory_limit_mb = memory_limit_mb
        self.idle_timeout = float(idle_timeout)
        self.share_min_bytes = None if share_min_bytes is None else int(share_min_bytes)
        self._slots: list[WorkerHandle | None] = [None] * self.n_workers
        self._live: dict[int, WorkerHandle] = {}  # pid -> worker, for shutdown
        self._queue: collections.deque[_Task] = collections.deque()
        self._payload_id = 0
        self._payload_parts: PayloadParts | None = None
        self._shared: SharedPayload | None = None
        # Kills the workers at interpreter exit, or when the pool is garbage
        # collected, without keeping the pool alive.
        self._finalizer = weakref.finalize(self, shutdown_workers, self._live)

    # ----------------------------------------------------------- public API

    def set_payload(self, payload: Any) -> None:
        """Set the object passed as first argument to every task function.

        The payload is pickled once, here (and written to its file if it is
        shared, see ``share_min_bytes``); each worker receives it before its
        next task.  Calling again replaces it: the old one's file is
        deleted, and idle workers drop it at once (busy ones before their
        next task).

        Parameters
        ----------
        payload : object
            Anything cloudpickle can pickle, e.g. ``(X, y)``.
        """
        self._check_open()
        stream, raw = parts = pickle_payload(payload)
        self._drop_payload()  # first, so that the old file and the new need not fit side by side
        self._payload_id += 1
        self._payload_parts = parts
        if self.share_min_bytes is not None and sum(view.nbytes for view in raw) >= self.share_min_bytes:
            self._shared = share_payload(stream, raw)
            if self._shared is not None:  # else no folder had room: it is sent
                self._payload_parts = None

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
        shared, self._shared = self._shared, None
        if shared is not None:
            shared.remove()

    def __repr__(self) -> str:
        return (f"WorkerPool(n_workers={self.n_workers}, running={self.n_running}, "
                f"queued={self.n_queued}, closed={self._closed})")

    # ------------------------------------------------------------ internals

    def _drop_payload(self) -> None:
        """Forget the current payload: delete its file, and have the idle workers that hold it drop it."""
        shared, self._shared = self._shared, None
        self._payload_parts = None
        if shared is not None:
            shared.remove()
        for slot, worker in enumerate(self._slots):
            if worker is None or worker.task is not None or worker.payload_id == 0:
                continue
            try:
                worker.send_payload(0, None)
            except OSError:  # it exited while idle
                self._discard(slot)

    def _enqueue(
        self, task_id: Hashable, fn: Callable[..., Any], args: tuple, timeout: float | None, lane: str | None
    ) -> None:
        self._queue.append(_Task(task_id, fn, args, timeout, lane))

    def _step(self, deadline: float | None) -> bool:
        self._dispatch()
        if self._done:
            return True
        if self.n_running == 0:
            return False  # nothing queued either: see _dispatch
        now = time.monotonic()
        until = float("inf") if deadline is None else deadline
        for worker in self._running():
            if worker.expires_at is not None:
                until = min(until, worker.expires_at)
        self._poll(None if until == float("inf") else max(0.0, until - now))
        return True

    def _running(self) -> Iterator[WorkerHandle]:
        for worker in self._slots:
            if worker is not None and worker.task is not None:
                yield worker

    def _start_worker(self, slot: int) -> WorkerHandle:
        """Start a worker process in ``slot``."""
        worker = start_worker(f"autopipe-worker-{slot}", self.threads_per_worker, self.memory_limit_mb,
                              self.idle_timeout)
        self._slots[slot] = worker
        self._live[worker.process.pid] = worker
        return worker

    def _discard(self, slot: int) -> int | None:
        """Kill, join and forget the worker in ``slot``; return its exit code."""
        worker = self._slots[slot]
        if worker is None:
            return None
        self._slots[slot] = None
        self._live.pop(worker.process.pid, None)
        worker.kill()
        return worker.reap()

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

    def _finish(self, worker: WorkerHandle, kind: OutcomeKind, value: Any, error: str) -> None:
        task = worker.task
        assert task is not None
        worker.task = None
        worker.expires_at = None
        self._report(task.task_id, kind, value, error, time.monotonic() - worker.dispatched_at)

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
                body = cloudpickle.dumps((task.fn, task.args), protocol=PROTOCOL)
            except Exception as exc:
                self._report(task.task_id, OutcomeKind.ERROR, None,
                             "the task could not be pickled to send it to a worker: "
                             + format_caught(exc), 0.0)
                continue
            worker = self._slots[slot]
            if worker is None:
                try:
                    worker = self._start_worker(slot)
                except BaseException:
                    self._queue.appendleft(task)
                    raise
            self._hand_over(slot, worker, task, body)

    def _hand_over(self, slot: int, worker: WorkerHandle, task: _Task, body: bytes) -> None:
        """Send ``task`` (pickled as ``body``) to the worker in ``slot``, and its payload first if it lacks it."""
        fresh = worker.n_dispatched == 0
        new_payload = worker.payload_id != self._payload_id
        # A fresh worker must first boot, a new payload must first load:
        # the time limit then starts when the worker says it started.
        ack = fresh or new_payload
        worker.dispatched_at = time.monotonic()
        try:
            if new_payload:
                path = None if self._shared is None else self._shared.path
                worker.send_payload(self._payload_id, self._payload_parts, path)
            worker.conn.send_bytes((TAG_TASK_ACK if ack else TAG_TASK) + body)
        except OSError:
            # The worker died before taking the task.  A worker that had
            # run tasks before may just have exited: retry elsewhere.  A
            # fresh one failed to start: report it, or we could loop.
            worker.task = task
            code = self._discard(slot)
            if fresh:
                self._finish(worker, OutcomeKind.CRASH, None, death_message(code))
            else:
                self._queue.appendleft(task)
            return
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

    def _read(self, slot: int, worker: WorkerHandle) -> None:
        """Read what a running worker has sent; finish its task if done."""
        while True:
            try:
                data = worker.conn.recv_bytes()
            except (EOFError, OSError):
                self._crashed(slot, worker)
                return
            try:
                reply = decode_reply(data)
            except Exception as exc:
                self._finish(worker, OutcomeKind.ERROR, None,
                             "the result of the task could not be unpickled in "
                             "the parent process: " + format_caught(exc))
                return
            if reply.kind is ReplyKind.STARTED:
                worker.awaiting_start = False
                timeout = worker.task.timeout if worker.task else None
                if timeout is not None:
                    worker.expires_at = time.monotonic() + timeout
                if worker.conn.poll(0):
                    continue
                return
            if reply.kind is ReplyKind.OK:
                self._finish(worker, OutcomeKind.OK, reply.value, "")
            else:
                self._finish(worker, OutcomeKind.ERROR, None, str(reply.value))
            return

    def _crashed(self, slot: int, worker: WorkerHandle) -> None:
        code = self._discard(slot)
        task = worker.task
        if task is None:
            return
        if code == 0 and not task.retried:
            # A clean exit is a worker leaving after idle_timeout just as the task was sent
            # (the parent may learn of the exit late): the task never ran, so it goes to a
            # fresh worker, once.
            worker.task = None
            worker.expires_at = None
            task.retried = True
            self._queue.appendleft(task)
            return
        self._finish(worker, OutcomeKind.CRASH, None, death_message(code))
        self._start_spare(slot)

    def _start_spare(self, slot: int) -> None:
        """Replace a killed worker at once, so that it boots (and imports scikit-learn) before it is needed.

        A kill then costs the next task no start-up: the spare is ready by the
        time the parent hands it work. Not done when nothing is left to run.
        """
        if self._closed or self._slots[slot] is not None or not (self._queue or self.n_running):
            return
        try:
            self._start_worker(slot)
        except Exception:  # noqa: BLE001  (started again when a task needs it)
            self._slots[slot] = None

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
                self._expire(slot, worker)

    def _expire(self, slot: int, worker: WorkerHandle) -> None:
        """Kill the worker of a task past its time limit, unless it finished just in time."""
        if worker.conn.poll(0):  # finished just in time?
            self._read(slot, worker)
            if worker.task is None or self._slots[slot] is not worker:
                return
        assert worker.task is not None and worker.task.timeout is not None
        limit = worker.task.timeout
        self._discard(slot)
        self._finish(worker, OutcomeKind.TIMEOUT, None, timeout_text(limit))
        self._start_spare(slot)

    def _cancel_all(self) -> None:
        """Kill the workers of running tasks; cancel those and queued tasks."""
        self._poll(0.0)  # results that are already in count
        running = [(slot, w) for slot, w in enumerate(self._slots)
                   if w is not None and w.task is not None]
        for _, worker in running:
            worker.kill()
        for slot, worker in running:
            self._discard(slot)
            self._finish(worker, OutcomeKind.CANCELLED, None, CANCELLED_TEXT)
        while self._queue:
            task = self._queue.popleft()
            self._report(task.task_id, OutcomeKind.CANCELLED, None, CANCELLED_TEXT, 0.0)
