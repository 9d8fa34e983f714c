"""``TaskOutcome`` and ``OutcomeKind``: what became of a pool's task, and the error texts every pool shares."""

from __future__ import annotations

import enum
import traceback
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Hashable

# Standard library only: a worker process of the local pool loads this file
# on its own, without importing the ``autopipe`` package (see ``_worker``).

__all__ = ["CANCELLED_TEXT", "OutcomeKind", "TaskOutcome", "exception_name", "format_caught",
           "format_exception", "format_seconds", "timeout_text"]

#: How many lines of a traceback's end an error text keeps.
TRACEBACK_LINES = 15
#: The error text of a task the deadline of ``Pool.results`` cancelled.
CANCELLED_TEXT = "cancelled at the search deadline"


class OutcomeKind(str, enum.Enum):
    """How a task submitted to a :class:`~autopipe.evaluate.Pool` ended.

    ``OK``: the task function returned (its value is the outcome's
    ``value``). ``ERROR``: it raised, or its function, arguments or result
    could not be pickled. ``TIMEOUT``: it ran past its time limit (the local
    pool killed its worker). ``CRASH``: its worker process died.
    ``CANCELLED``: the deadline of :meth:`Pool.results` came first.

    See Also
    --------
    TaskOutcome : The record that carries it.
    """

    OK = "ok"
    ERROR = "error"
    TIMEOUT = "timeout"
    CRASH = "crash"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class TaskOutcome:
    """What became of one submitted task.

    Parameters
    ----------
    task_id : hashable
        The id given to :meth:`Pool.submit`.
    kind : OutcomeKind
        ``OK``, ``ERROR`` (the task raised, or its function, arguments or
        result could not be pickled), ``TIMEOUT`` (it ran past its time
        limit), ``CRASH`` (its worker process died) or ``CANCELLED`` (the
        deadline of :meth:`Pool.results` came first).
    value : object
        The task function's return value when ``kind`` is ``OK``, else None.
    error : str
        ``""`` when ok; otherwise a human-readable description.  For errors
        it is ``"ExcType: message"`` followed by the tail of the traceback.
    elapsed : float
        Wall seconds from dispatch (the local pool) or first start (the Dask
        pool) until the outcome; 0.0 for a task that never started.

    See Also
    --------
    Pool.results : Yields these records.
    """

    task_id: Hashable
    kind: OutcomeKind
    value: Any
    error: str
    elapsed: float

    @property
    def ok(self) -> bool:
        """Whether the task function returned."""
        return self.kind is OutcomeKind.OK


def exception_name(exc: BaseException) -> str:
    """The name of the first public class in the MRO of ``exc``'s type."""
    for cls in type(exc).__mro__:
        if not cls.__name__.startswith("_"):
            return cls.__name__
    return type(exc).__name__


def format_exception(exc: BaseException, tb: TracebackType | None) -> str:
    """``"ExcType: message"`` followed by the last lines of ``exc`` formatted with the traceback ``tb``."""
    try:
        message = str(exc)
    except Exception:
        message = "<str() of the exception failed>"
    head = exception_name(exc)
    if message:
        head = f"{head}: {message}"
    try:
        text = "".join(traceback.format_exception(type(exc), exc, tb))
        tail = text.rstrip().splitlines()[-TRACEBACK_LINES:]
        return head + "\n" + "\n".join(tail)
    except BaseException:
        return head


def format_caught(exc: BaseException) -> str:
    """:func:`format_exception` with ``exc``'s own traceback, less the frame that caught it (if others follow)."""
    tb = exc.__traceback__
    if tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return format_exception(exc, tb)


def format_seconds(seconds: float) -> str:
    """Format a time limit for messages: ``3.0``, ``0.25``, ``0.333``."""
    return str(round(float(seconds), 3))


def timeout_text(limit: float) -> str:
    """The error text of a task that ran past its time limit of ``limit`` seconds."""
    return f"evaluation exceeded {format_seconds(limit)} s limit"
