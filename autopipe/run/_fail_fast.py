"""Fail fast: when the default starting pipelines all fail alike, the fit stops at once with their error."""

from __future__ import annotations

from collections.abc import Collection

from ..evaluate import Status
from ..exceptions import AllCandidatesFailedError
from ..search import HistoryEntry, SearchCallback, SearchState


class FailFast(SearchCallback):
    """Stop the fit when the default starting pipelines all failed with one error.

    The first default starters (the floor, gradient boosting with its
    defaults, and the portfolio's first members: boosting and forests) fit
    any table the featurization accepts. When they all
    fail with the same last line of error text, the error comes from the
    data, the target or the scorer, not from a pipeline, and every other
    candidate would hit it too: the fit then raises
    :class:`~autopipe.exceptions.AllCandidatesFailedError` with that error as
    soon as their results are in (they are evaluated first), instead of after
    the whole budget. Any other outcome (one of them succeeds, times out, or
    fails differently) ends the check.

    Parameters
    ----------
    starters : collection of str
        Keys of the default starting pipelines; with fewer than two, the
        check is off.
    """

    def __init__(self, starters: Collection[str]) -> None:
        self.starters = frozenset(starters)
        self._failed: dict[str, HistoryEntry] = {}
        self._over = len(self.starters) < 2

    def on_result(self, state: SearchState, entry: HistoryEntry) -> None:
        key = entry.genome.key
        if self._over or key not in self.starters or key in self._failed:
            return
        if entry.result.status is not Status.ERROR:
            self._over = True
            return
        self._failed[key] = entry
        if len(self._failed) < len(self.starters):
            return
        self._over = True
        errors = {_last_line(e.result.error) for e in self._failed.values()}
        if len(errors) == 1:
            first = next(iter(self._failed.values()))
            raise AllCandidatesFailedError(
                f"The {len(self._failed)} default pipelines, which fit any table the featurization accepts, all "
                f"failed with the same error, so it comes from the data, the target or the scoring rather than "
                f"from a pipeline; the search stopped:\n  {errors.pop()}\nFirst failing pipeline: "
                f"{first.genome.key}\n{first.result.error}"
            )


def _last_line(error: str) -> str:
    lines = error.strip().splitlines()
    return lines[-1] if lines else ""
