"""The performance-estimation strategy: cross-validation in isolated, parallel workers."""

from __future__ import annotations

from ._dask import DaskPool
from ._dask_client import active_dask_client
from ._evaluator import Evaluator, Job
from ._halving import halving_rungs, successive_halving
from ._outcome import OutcomeKind, TaskOutcome
from ._policy import choose_folds, holdout_fraction
from ._pool import WorkerPool
from ._pool_base import Pool
from ._process import default_n_workers
from ._result import EvaluationResult, Status
from ._task import CVPayload

__all__ = [
    "CVPayload",
    "DaskPool",
    "EvaluationResult",
    "Evaluator",
    "Job",
    "OutcomeKind",
    "Pool",
    "Status",
    "TaskOutcome",
    "WorkerPool",
    "active_dask_client",
    "choose_folds",
    "default_n_workers",
    "halving_rungs",
    "holdout_fraction",
    "successive_halving",
]
