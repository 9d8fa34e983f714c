"""Errors and warnings raised by autopipe."""

from __future__ import annotations

__all__ = [
    "AllCandidatesFailedError",
    "AutopipeError",
    "AutopipeWarning",
    "CandidateFailureWarning",
    "DataQualityWarning",
    "SearchInterruptedWarning",
    "SearchSpaceError",
    "StopSearch",
    "TimeBudgetWarning",
]


class AutopipeError(Exception):
    """Base class of every error autopipe raises on purpose."""


class SearchSpaceError(AutopipeError, ValueError):
    """A search space (preset name or user dict) is invalid."""


class AllCandidatesFailedError(AutopipeError, RuntimeError):
    """No candidate pipeline could be evaluated successfully."""


class StopSearch(Exception):
    """Raised by a search callback to end the search early (not an error)."""


class AutopipeWarning(UserWarning):
    """Base class of autopipe's warnings."""


class CandidateFailureWarning(AutopipeWarning):
    """Some candidate pipelines failed during the search."""


class SearchInterruptedWarning(AutopipeWarning):
    """The search was interrupted; the best pipeline found so far is used."""


class TimeBudgetWarning(AutopipeWarning):
    """The time budget ended before any candidate was scored: a default pipeline was fitted unevaluated."""


class DataQualityWarning(AutopipeWarning):
    """The training data has columns that were dropped, a likely leak, or imbalanced classes.

    The findings are in the fitted estimator's ``data_report_``.
    """

