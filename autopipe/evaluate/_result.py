"""``EvaluationResult`` and ``Status``: the record every layer exchanges about a candidate."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field

import numpy as np


class Status(str, enum.Enum):
    """Outcome of one candidate evaluation.

    See Also
    --------
    EvaluationResult : The record that carries it.
    """

    #: Cross-validated and scored.
    OK = "ok"
    #: Raised, gave a non-finite fold score, or crashed its worker process.
    ERROR = "error"
    #: Ran past its own time limit (``max_eval_time``).
    TIMEOUT = "timeout"
    #: Stopped while running because the search's deadline came.
    CANCELLED = "cancelled"
    #: Not evaluated because it could only fail (e.g. an operator that needs
    #: non-negative input after one that can output negative values).
    SKIPPED = "skipped"


@dataclass(frozen=True)
class EvaluationResult:
    """What the evaluator learned about one candidate pipeline.

    Attributes
    ----------
    key : str
        The candidate's canonical string.
    status : Status
        ``OK``; ``ERROR`` (raised, returned a non-finite score or crashed its
        worker); ``TIMEOUT`` (exceeded its own time limit); ``CANCELLED``
        (still running when the search's deadline came: the evaluator stops
        it; a candidate that had not started gets no result at all); or
        ``SKIPPED`` (not evaluated because it could only fail, ``error``
        says why).
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
        Error text for failed evaluations (for ``CANCELLED``, ``"stopped at
        the search deadline after 7.2 s"``; for ``SKIPPED``, the reason),
        ``""`` otherwise.
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
        """Whether the evaluation succeeded (``status`` is ``OK``)."""
        return self.status is Status.OK

    @classmethod
    def failed(
        cls, key: str, status: Status, error: str, *, wall_time: float = 0.0, fidelity: float = 1.0
    ) -> EvaluationResult:
        """A failed result."""
        return cls(key=key, status=status, error=error, wall_time=wall_time, fidelity=fidelity)
