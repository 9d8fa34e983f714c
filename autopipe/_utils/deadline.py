"""A monotonic-clock deadline for time budgets."""

from __future__ import annotations

import math
import time


class Deadline:
    """A point in time, on the monotonic clock, after which work must stop.

    Parameters
    ----------
    seconds : float or None
        Seconds from now. ``None`` means no deadline.
    """

    def __init__(self, seconds: float | None) -> None:
        self.start = time.monotonic()
        self.at = math.inf if seconds is None else self.start + float(seconds)

    def remaining(self) -> float:
        """Seconds left, never negative (``inf`` without a deadline)."""
        return max(0.0, self.at - time.monotonic())

    def elapsed(self) -> float:
        """Seconds since the deadline was created."""
        return time.monotonic() - self.start

    def expired(self) -> bool:
        """Whether the deadline has passed."""
        return time.monotonic() >= self.at

    def sooner(self, seconds: float) -> "Deadline":
        """A deadline ``seconds`` earlier than this one (same start)."""
        d = Deadline(None)
        d.start = self.start
        d.at = self.at - seconds
        return d
