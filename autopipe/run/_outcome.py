"""What a fit tells its user about the candidates: the failure summary, the warnings, the log level."""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator

from .._utils.log import level_for_verbose, logger
from ..evaluate import Status
from ..exceptions import CandidateFailureWarning, SearchInterruptedWarning
from ..search import SearchHistory, SearchState, summarize_failures

#: Statuses that are no failure of the candidate: the deadline came, or it could only have failed.
NOT_FAILURES = (Status.CANCELLED, Status.SKIPPED)


def all_failed_message(history: SearchHistory) -> str:
    """The message of :class:`AllCandidatesFailedError`: failures grouped by error, and how to debug the first."""
    if not len(history):
        return "No candidate pipeline was evaluated: the time budget is too small for even one evaluation."
    failures = summarize_failures([e.result for e in history])
    lines = "\n".join(f"  {n} x {err}" for err, n in failures.items())
    first = next(iter(history))
    detail = (
        f"\nFirst failing pipeline: {first.genome.key}\n{first.result.error}\n"
        "To debug it in-process, rebuild it with autopipe.genome.compile_genome or run "
        "sklearn.model_selection.cross_val_score on it."
    )
    return f"All {len(history)} candidate pipelines failed:\n{lines}{detail}"


def warn_about(state: SearchState, *, stacklevel: int) -> None:
    """One :class:`CandidateFailureWarning` grouping the failures, and one if the search was interrupted."""
    failures = summarize_failures([e.result for e in state.history if e.result.status not in NOT_FAILURES])
    if failures:
        lines = "\n".join(f"  {n} x {err}" for err, n in failures.items())
        warnings.warn(
            f"{sum(failures.values())} of {len(state.history)} candidate pipelines failed "
            f"(see leaderboard_['error']):\n{lines}",
            CandidateFailureWarning,
            stacklevel=stacklevel + 1,
        )
    if state.interrupted:
        warnings.warn(
            "The search was interrupted; the best pipeline found so far was refitted.",
            SearchInterruptedWarning,
            stacklevel=stacklevel + 1,
        )


@contextlib.contextmanager
def verbosity(verbose: int) -> Iterator[None]:
    """Route autopipe's log records to stderr at the level ``verbose`` asks for, during fit."""
    if verbose < 2 or logger.handlers:
        yield
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("[autopipe] %(message)s"))
    old = logger.level
    logger.addHandler(handler)
    logger.setLevel(level_for_verbose(verbose))
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)
