"""``EvaluationResult`` and ``Status``: the record every layer exchanges about a candidate."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field

import numpy as np


class Status(str, enum.Enum):
    """Outcome of one candidate evaluation."""

    OK = "ok"
    ERROR = "error"
    TIMEOUT = "timeout"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class EvaluationResult:
    """What the evaluator learned about one candidate pipeline.

    Attributes
    ----------
    key : str
        The candidate's canonical string.
    status : Status
        ``OK``, ``ERROR`` (raised, returned a non-finite score or crashed its
        worker) or ``TIMEOUT`` (exceeded its time limit).
    score : float
        Mean cross-validated score (greater is better); ``nan`` unless ``OK``.
    score_std : float
        Standard deviation of the fold scores.
    fold_scores : tuple of float
        One score per fold.
    oof : numpy.ndarray or None
        Out-of-fold predictions as float32, aligned with the rows used
        (``rows``): class probabilities for classifiers that have them, decision
        values or predicted labels otherwise, predictions for regressors.
    oof_kind : str
        ``"proba"``, ``"decision"``, ``"label"``, ``"predict"`` or ``""``.
    fit_time : float
        Seconds spent fitting, summed over folds.
    score_time : float
        Seconds spent predicting and scoring, summed over folds.
    wall_time : float
        Seconds from dispatch to result, as seen by the search.
    fidelity : float
        Fraction of the training rows the evaluation used.
    error : str
        Error text for failed evaluations, ``""`` otherwise.
    stopped_early : int
        Number of network fits (one per fold and network) that median
        stopping ended because their learning curve fell behind earlier ones.
    inherited : int
        Number of network fits that started from an earlier network's
        trained weights (weight inheritance).
    cache_hits : int
        Number of folds whose transformers were not fitted again: a candidate
        evaluated before in the same worker began with the same ones (their
        fit time is still counted in ``fit_time``).
    """

    key: str
    status: Status
    score: float = math.nan
    score_std: float = math.nan
    fold_scores: tuple[float, ...] = ()
    oof: np.ndarray | None = field(default=None, repr=False, compare=False)
    oof_kind: str = ""
    fit_time: float = 0.0
    score_time: float = 0.0
    wall_time: float = 0.0
    fidelity: float = 1.0
    error: str = ""
    stopped_early: int = 0
    inherited: int = 0
    cache_hits: int = 0

    @property
    def ok(self) -> bool:
        """Whether the evaluation succeeded."""
        return self.status is Status.OK

    @classmethod
    def failed(
        cls, key: str, status: Status, error: str, *, wall_time: float = 0.0, fidelity: float = 1.0
    ) -> EvaluationResult:
        """A failed result."""
        return cls(key=key, status=status, error=error, wall_time=wall_time, fidelity=fidelity)
