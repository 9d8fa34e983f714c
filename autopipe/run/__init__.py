"""One ``fit`` beneath the facade: settings, checked data, the fit context, the budget plan, the candidate
runner, the search and the final model."""

from __future__ import annotations

from ._asha import AsyncHalving, predicted_seconds
from ._budget import BudgetPlan
from ._context import FitContext
from ._fail_fast import FailFast
from ._final import FinalModel, floor_is_final
from ._fit_run import FitOutcome, FitRun, PreviousFit
from ._inputs import InputSchema, TrainingData, validate_training_data
from ._outcome import verbosity, warn_about
from ._portfolio import portfolio_pipelines
from ._runner import CandidateRunner
from ._settings import PARAMETER_CONSTRAINTS, FitSettings
from ._splits import make_splits, n_folds

__all__ = [
    "PARAMETER_CONSTRAINTS",
    "AsyncHalving",
    "BudgetPlan",
    "CandidateRunner",
    "FailFast",
    "FinalModel",
    "FitContext",
    "FitOutcome",
    "FitRun",
    "FitSettings",
    "InputSchema",
    "PreviousFit",
    "TrainingData",
    "floor_is_final",
    "make_splits",
    "n_folds",
    "portfolio_pipelines",
    "predicted_seconds",
    "validate_training_data",
    "verbosity",
    "warn_about",
]
