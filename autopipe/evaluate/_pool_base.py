"""``Pool``: the interface every evaluation backend (local processes, a Dask cluster) implements."""

from __future__ import annotations

import abc
import collections
import time
from typing import Any, Callable, Hashable, Iterator

from ._outcome import OutcomeKind, TaskOutcome

__all__ = ["Pool"]


class Pool(abc.ABC):
    """Run ``fn(payload, *args)`` tasks under time limits and report each as a :class:`TaskOutcome`.

    The :class:`~autopipe.evaluate.Evaluator` knows pools only through this
    interface. A pool holds one *payload* (the data of a fit) that it hands
    to every task function as its first argument; tasks are submitted under
    an id, run in parallel, and come back from :meth:`results` in completion
    order. A task's failure (it raised, ran past its time limit, killed its
    worker or was cancelled by a deadline) is an outcome like any other,
    never an exception in the caller.

    A pool is a context manager that closes itself on exit, and is not
    thread-safe: use it from one thread.

    See Also
    --------
    WorkerPool : Local worker processes that are killed at their time limit.
    TaskOutcome : What became of one task.

    Notes
    -----
    A backend implements :meth:`set_payload`, :meth:`submit`,
    :meth:`cancel_pending`, :attr:`n_running`, :attr:`n_queued` and
    :meth:`close`; ``_enqueue``, which takes a task whose arguments
    :meth:`submit` checked; and two steps of the :meth:`results` loop this
    class drives: ``_step(deadline)`` waits a while for its tasks and
    reports the ones that ended with ``_report``, and ``_cancel_all()``
    cancels every task not finished when the deadline is reached.
    """

    def __init__(self) -> None:
        self._done: collections.deque[TaskOutcome] = collections.deque()
        self._closed = False

    # ------------------------------------------------------------ interface

    @abc.abstractmethod
    def set_payload(self, payload: Any) -> None:
        """Set the object passed as first argument to every task function.

        Calling again replaces it for the tasks dispatched from then on.

        Parameters
        ----------
        payload : object
            Anything cloudpickle can pickle, e.g. ``(X, y)``.
        """

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
            The task function; it and ``args`` are pickled to reach a worker.
            A task that cannot be pickled yields an ``ERROR`` outcome.
        args : tuple, default=()
            Further positional arguments of ``fn``.
        timeout : float or None, default=None
            Seconds of run time, counted from when a worker starts the task;
            past it the outcome is ``TIMEOUT``.
        lane : str or None, default=None
            The lane the task runs in, such as ``"gpu"``: a backend may cap
            how many tasks of a lane run at once.

        Raises
        ------
        RuntimeError
            If the pool is closed.
        TypeError
            If ``fn`` is not callable.
        ValueError
            If ``timeout`` is not positive.
        """
        self._check_open()
        if not callable(fn):
            raise TypeError(f"fn must be callable, got {fn!r}")
        if timeout is not None:
            timeout = float(timeout)
            if not timeout > 0:
                raise ValueError(f"timeout must be positive or None, got {timeout!r}")
        self._enqueue(task_id, fn, tuple(args), timeout, lane)

    def results(self, deadline: float | None = None) -> Iterator[TaskOutcome]:
        """Run the submitted tasks and yield their outcomes as they finish.

        Outcomes come in completion order until no task is queued or
        running.  Tasks submitted while iterating are picked up.  If the
        consumer stops iterating early, the outcomes not yet yielded are kept
        for the next call.

        Parameters
        ----------
        deadline : float or None, default=None
            An absolute :func:`time.monotonic` time.  When it is reached,
            every task not finished is stopped and yielded with kind
            ``CANCELLED`` (``elapsed`` 0.0 for a task that never started),
            and the iterator ends.

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
                self._cancel_all()
                while self._done:
                    yield self._done.popleft()
                return
            if not self._step(deadline):
                return

    @abc.abstractmethod
    def cancel_pending(self) -> list[Hashable]:
        """Drop the tasks that no worker has started.

        Returns
        -------
        list
            The ids of the dropped tasks, in submission order.
        """

    @property
    @abc.abstractmethod
    def n_running(self) -> int:
        """Number of tasks currently running in workers."""

    @property
    @abc.abstractmethod
    def n_queued(self) -> int:
        """Number of tasks waiting for a worker."""

    @abc.abstractmethod
    def close(self) -> None:
        """Stop the tasks not finished and release the workers; idempotent."""

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---------------------------------------------------- for the backends

    @abc.abstractmethod
    def _enqueue(
        self, task_id: Hashable, fn: Callable[..., Any], args: tuple, timeout: float | None, lane: str | None
    ) -> None:
        """Take a task :meth:`submit` checked (``timeout`` a positive float or None)."""

    @abc.abstractmethod
    def _step(self, deadline: float | None) -> bool:
        """Start what can start, wait (until ``deadline`` at most) and report what ended; False: nothing is left."""

    @abc.abstractmethod
    def _cancel_all(self) -> None:
        """Report every task not finished as ``CANCELLED`` (those already finished as what they are)."""

    def _report(self, task_id: Hashable, kind: OutcomeKind, value: Any, error: str, elapsed: float) -> None:
        """Record an outcome for :meth:`results` to yield."""
        self._done.append(TaskOutcome(task_id, kind, value, error, elapsed))

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError(f"this {type(self).__name__} is closed")
