"""The performance-estimation strategy: cross-validation in isolated, parallel workers."""

from __future__ import annotations

from ._evaluator import Evaluator
from ._pool import TaskOutcome, WorkerPool, default_n_workers
from ._result import EvaluationResult, Status
from ._task import CVPayload

__all__ = [
    "CVPayload",
    "EvaluationResult",
    "Evaluator",
    "Status",
    "TaskOutcome",
    "WorkerPool",
    "default_n_workers",
]
