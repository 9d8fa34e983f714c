"""``DaskPool``: run evaluations on a ``dask.distributed`` cluster, behind the ``Pool`` interface."""

from __future__ import annotations

import itertools
import queue
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Hashable

from ._dask_client import import_distributed
from ._dask_worker import format_remote, run_announced
from ._outcome import CANCELLED_TEXT, OutcomeKind, timeout_text
from ._pool_base import Pool

__all__ = ["DaskPool"]

_KEY_PREFIX = "autopipe-evaluate"
# How long fetching a finished result may take before it counts as an error.
_FETCH_TIMEOUT_S = 60.0
# Longest single wait for cluster events; the loop re-checks its state after it.
_MAX_WAIT_S = 5.0


@dataclass(eq=False)
class _Task:
    """A submitted task and what the pool knows about its current attempt."""

    task_id: Hashable
    fn: Callable[..., Any]
    args: tuple
    timeout: float | None
    order: int
    submitted_at: float
    future: Any = None
    key: str = ""
    payload_gen: int = 0
    first_started_at: float | None = None  # first start on any worker
    lane: str | None = None
    started_at: float | None = None  # start of the current attempt; None while queued
    worker: str = ""  # address of the worker that last reported starting it

    def elapsed(self, now: float) -> float:
        """Seconds since the task first started (or was submitted, if no start was seen)."""
        since = self.first_started_at if self.first_started_at is not None else self.submitted_at
        return max(0.0, now - since)


class DaskPool(Pool):
    """Run tasks on a ``dask.distributed`` cluster behind the :class:`Pool` interface.

    Each task is ``fn(payload, *args)``, submitted with ``client.submit`` under
    a unique key. The payload is scattered to every worker once, by
    :meth:`set_payload`. Outcomes are the same :class:`TaskOutcome` records
    the local :class:`WorkerPool` yields, so the :class:`Evaluator` uses
    either pool alike.

    Parameters
    ----------
    client : distributed.Client
        A synchronous client. The pool never closes it.

    Notes
    -----
    **Submission.** A task is submitted to the cluster at once: Dask pickles
    its function and arguments then. A lane such as ``"gpu"`` runs only on
    the workers that declare a resource of that name in capitals (``dask
    worker --resources GPU=1``), one task per unit of the resource; when no
    worker declares it, the lane is ignored.

    **Time limits.** A task reports to the pool, through a Dask event topic,
    when a worker starts it; its time limit counts from the latest such
    report, so tasks waiting in the cluster's queue are never timed out (a
    task whose report never arrives is bounded only by the deadline of
    :meth:`results`). A task past its limit is cancelled and reported as
    ``TIMEOUT``. Dask cannot stop a
    function that is already running in a worker thread: the timeout frees
    the search from waiting, but the worker thread keeps computing the
    abandoned task until it returns, and tasks sent to that thread wait
    behind it. Bound candidates by their parameters, and give workers a
    ``--lifetime`` (with ``--lifetime-restart``) so that a runaway thread does
    not hold a worker for ever.

    **Lost workers.** When a worker dies, Dask runs its tasks again on other
    workers; a task whose workers keep dying (more than the scheduler's
    ``distributed.scheduler.allowed-failures``) is reported as ``CRASH``
    naming the last worker. Set that option to 0 on the scheduler to report
    a task as crashed at the first worker death, as the local pool does.
    Dask's active memory manager keeps a single copy of data that no queued
    task needs, so a lost worker may take the only copy of the payload with
    it, and Dask then cancels every task that needs it: the pool scatters
    the payload again, reports the tasks that were running on the lost
    worker as ``CRASH`` and submits the others again.

    At the deadline of :meth:`results` every task not finished is cancelled
    (``elapsed`` 0.0 for a task no worker started). The pool is not
    thread-safe: use it from one thread.

    See Also
    --------
    Pool : The interface this pool implements.

    Examples
    --------
    >>> from distributed import Client, LocalCluster          # doctest: +SKIP
    >>> def add(payload, x):
    ...     return payload + x
    >>> with LocalCluster(n_workers=2) as cluster, Client(cluster) as client:  # doctest: +SKIP
    ...     with DaskPool(client) as pool:
    ...         pool.set_payload(10)
    ...         for i in range(3):
    ...             pool.submit(i, add, (i,), timeout=5.0)
    ...         sorted(o.value for o in pool.results())
    [10, 11, 12]
    """

    def __init__(self, client: Any) -> None:
        super().__init__()
        self._distributed = import_distributed()
        if not isinstance(client, self._distributed.Client):
            raise TypeError(f"client must be a distributed.Client, got {client!r}")
        if client.asynchronous:
            raise ValueError("DaskPool needs a synchronous distributed.Client")
        self.client = client
        self._token = uuid.uuid4().hex[:16]
        self._topic = f"{_KEY_PREFIX}-started-{self._token}"
        self._events: queue.SimpleQueue[tuple[str, Any, float]] = queue.SimpleQueue()
        self._tasks: dict[str, _Task] = {}  # current key -> task
        self._keys = itertools.count()
        self._orders = itertools.count()
        self._lane_resources: dict[str, dict[str, int] | None] = {}
        self._payload: Any = None
        self._payload_future: Any = None
        self._payload_gen = 0
        events = self._events  # the handler must not keep the pool alive

        def on_start(event: tuple[float, Any]) -> None:
            events.put(("started", event[1], time.monotonic()))

        client.subscribe_topic(self._topic, on_start)

    # ----------------------------------------------------------- public API

    def set_payload(self, payload: Any) -> None:
        """Scatter the object passed as first argument to every task function.

        It is sent to every worker once, here (``client.scatter`` with
        ``broadcast=True``); calling again replaces it.

        Parameters
        ----------
        payload : object
            Anything Dask can pickle, e.g. ``(X, y)``.
        """
        self._check_open()
        old = self._payload_future
        self._payload_future = self._scatter(payload)
        self._payload = payload
        self._payload_gen += 1
        if old is not None:
            old.release()

    def cancel_pending(self) -> list[Hashable]:
        """Cancel the tasks that no worker has started.

        Returns
        -------
        list
            The ids of the cancelled tasks, in submission order.
        """
        pending = sorted((t for t in self._tasks.values() if t.started_at is None),
                         key=lambda t: t.order)
        for task in pending:
            del self._tasks[task.key]
        self._cancel_futures([task.future for task in pending])
        return [task.task_id for task in pending]

    @property
    def n_running(self) -> int:
        """Number of tasks a worker has reported starting and that are not finished."""
        return sum(1 for t in self._tasks.values() if t.started_at is not None)

    @property
    def n_queued(self) -> int:
        """Number of tasks submitted that no worker has started yet."""
        return sum(1 for t in self._tasks.values() if t.started_at is None)

    def close(self) -> None:
        """Cancel the tasks not finished and release the payload; idempotent.

        The client stays open.
        """
        if self._closed:
            return
        self._closed = True
        futures = [task.future for task in self._tasks.values()]
        self._tasks.clear()
        self._cancel_futures(futures)
        try:
            self.client.unsubscribe_topic(self._topic)
        except Exception:  # e.g. the client was closed first
            pass
        payload_future, self._payload_future, self._payload = self._payload_future, None, None
        if payload_future is not None:
            try:
                payload_future.release()
            except Exception:
                pass

    def __repr__(self) -> str:
        return (f"DaskPool(client={self.client!r}, running={self.n_running}, "
                f"queued={self.n_queued}, closed={self._closed})")

    # ------------------------------------------------------------ internals

    def _enqueue(
        self, task_id: Hashable, fn: Callable[..., Any], args: tuple, timeout: float | None, lane: str | None
    ) -> None:
        task = _Task(task_id, fn, args, timeout, next(self._orders), time.monotonic(), lane=lane)
        try:
            self._send(task)
        except Exception as exc:
            self._finish(task, OutcomeKind.CRASH, None, "the data could not be sent to the Dask cluster: "
                         + format_remote(exc, None))

    def _step(self, deadline: float | None) -> bool:
        if not self._tasks:
            return False
        now = time.monotonic()
        self._expire(now)
        if self._done:
            return True
        until = float("inf") if deadline is None else deadline
        for task in self._tasks.values():
            if task.timeout is not None and task.started_at is not None:
                until = min(until, task.started_at + task.timeout)
        # At least a moment: a task past its limit whose future is done
        # waits here for its completion callback.
        wait = min(_MAX_WAIT_S, max(0.005, until - now))
        try:
            event = self._events.get(timeout=wait)
        except queue.Empty:
            return True
        self._handle(event)
        self._handle_pending_events()
        return True

    def _scatter(self, payload: Any) -> Any:
        """Send ``payload`` to every worker; return its future."""
        # A one-element list, so that a list or dict payload is not split up.
        [future] = self.client.scatter([payload], broadcast=True, hash=False)
        return future

    def _current_payload(self) -> Any:
        """The payload future, scattered again if the cluster lost it."""
        future = self._payload_future
        if future is None or future.status == "finished":
            return future
        self._payload_future = self._scatter(self._payload)
        self._payload_gen += 1
        return self._payload_future

    def _send(self, task: _Task) -> None:
        """Submit (or submit again) ``task`` under a new key."""
        payload = self._current_payload()
        key = f"{_KEY_PREFIX}-{self._token}-{next(self._keys)}"
        try:
            future = self.client.submit(run_announced, self._topic, key, task.fn, payload, *task.args,
                                        key=key, pure=False, retries=0, resources=self._resources(task.lane))
        except Exception as exc:  # Dask pickles the task here
            self._finish(task, OutcomeKind.ERROR, None, "the task could not be pickled to send it to the "
                         "Dask cluster: " + format_remote(exc, None))
            return
        task.future, task.key, task.payload_gen = future, key, self._payload_gen
        task.started_at, task.worker = None, ""
        self._tasks[key] = task
        events = self._events
        future.add_done_callback(lambda f: events.put(("done", f.key, time.monotonic())))

    def _resources(self, lane: str | None) -> dict[str, int] | None:
        """Dask resources for a lane, when some worker declares them (asked once per lane and pool)."""
        if lane is None:
            return None
        if lane not in self._lane_resources:
            name = lane.upper()
            workers = self.client.scheduler_info().get("workers", {}).values()
            declared = any(name in (w.get("resources") or {}) for w in workers)
            self._lane_resources[lane] = {name: 1} if declared else None
        return self._lane_resources[lane]

    def _finish(self, task: _Task, kind: OutcomeKind, value: Any, error: str) -> None:
        started = kind is not OutcomeKind.CANCELLED or task.first_started_at is not None
        elapsed = task.elapsed(time.monotonic()) if started else 0.0
        self._report(task.task_id, kind, value, error, elapsed)

    def _handle_pending_events(self) -> None:
        while True:
            try:
                event = self._events.get_nowait()
            except queue.Empty:
                return
            self._handle(event)

    def _handle(self, event: tuple[str, Any, float]) -> None:
        kind, data, at = event
        if kind == "started":
            task = self._tasks.get(data.get("key")) if isinstance(data, dict) else None
            if task is None:
                return  # finished, abandoned, or not ours
            task.started_at = at
            if task.first_started_at is None:
                task.first_started_at = at
            task.worker = str(data.get("worker", ""))
        else:
            task = self._tasks.get(data)
            if task is not None:
                self._complete(task)

    def _complete(self, task: _Task) -> None:
        """Turn a finished future into an outcome (or submit its task again)."""
        del self._tasks[task.key]
        future, status = task.future, task.future.status
        if status in ("finished", "lost"):  # lost: Dask computes it again
            try:
                value = future.result(timeout=_FETCH_TIMEOUT_S)
            except Exception as exc:
                self._finish(task, OutcomeKind.ERROR, None, "the result of the task could not be fetched "
                             "from the Dask cluster: " + format_remote(exc, None))
            else:
                self._finish(task, OutcomeKind.OK, value, "")
        elif status == "error":
            try:
                exc, tb = future.exception(), future.traceback()
            except Exception as err:  # e.g. the exception could not be unpickled
                exc, tb = err, None
            killed = getattr(self._distributed, "KilledWorker", ())
            if isinstance(exc, killed):
                n = exc.allowed_failures + 1
                self._finish(task, OutcomeKind.CRASH, None, f"Dask worker {exc.last_worker.address} died while "
                             f"running the task ({n} worker(s) died running it; KilledWorker)")
            else:
                self._finish(task, OutcomeKind.ERROR, None, format_remote(exc, tb))
        else:  # cancelled or lost by the cluster, not by this pool
            self._lost(task)

    def _lost(self, task: _Task) -> None:
        """Handle a task the cluster cancelled: a lost payload, or a restart."""
        payload_ok = self._payload_future is None or self._payload_future.status == "finished"
        if task.payload_gen == self._payload_gen and payload_ok:
            self._finish(task, OutcomeKind.CRASH, None, "the Dask cluster cancelled the task (was the "
                         "cluster or the client restarted?)")
            return
        # The payload went down with a worker, so Dask cancelled every task
        # that needed it. The tasks that were running on the lost worker are
        # its in-flight candidates: report them; submit the others again.
        if task.started_at is not None and task.worker and task.worker not in self._live_workers():
            self._finish(task, OutcomeKind.CRASH, None, f"Dask worker {task.worker} died while running "
                         "the task")
            return
        try:
            self._send(task)
        except Exception as exc:
            self._finish(task, OutcomeKind.CRASH, None, "the data was lost with a Dask worker and could not "
                         "be sent again: " + format_remote(exc, None))

    def _live_workers(self) -> set[str]:
        try:
            return set(self.client.scheduler_info()["workers"])
        except Exception:
            return set()

    def _expire(self, now: float) -> None:
        """Abandon the running tasks past their time limit."""
        expired = [t for t in self._tasks.values()
                   if t.timeout is not None and t.started_at is not None
                   and now >= t.started_at + t.timeout and not t.future.done()]
        for task in expired:
            del self._tasks[task.key]
            self._finish(task, OutcomeKind.TIMEOUT, None, timeout_text(task.timeout)
                         + " (abandoned; its Dask worker thread runs on until it returns)")
        self._cancel_futures([task.future for task in expired])

    def _cancel_all(self) -> None:
        """Cancel every task not finished and report it as ``CANCELLED``."""
        self._handle_pending_events()  # results that are already in count
        tasks = sorted(self._tasks.values(), key=lambda t: t.order)
        rest = []
        for task in tasks:
            if task.future.status in ("finished", "error"):  # its callback is not in yet
                self._complete(task)
            else:  # pending, or cancelled by the cluster: not worth sending again now
                del self._tasks[task.key]
                self._finish(task, OutcomeKind.CANCELLED, None, CANCELLED_TEXT)
                rest.append(task.future)
        self._cancel_futures(rest)

    def _cancel_futures(self, futures: list[Any]) -> None:
        if not futures:
            return
        try:
            self.client.cancel(futures)
        except Exception:  # e.g. the client was closed first
            pass
