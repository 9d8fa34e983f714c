"""Search spaces: operators, their hyperparameter distributions (and their Optuna image), presets and user specs."""

from __future__ import annotations

from autopipe.space._distributions import (
    Categorical,
    Distribution,
    FloatDistribution,
    IntDistribution,
    as_distribution,
)
from autopipe.space._hooks import FitReport, TrainingHooks
from autopipe.space._operator import Operator, Role
from autopipe.space._optuna import from_optuna_value, import_optuna, suggest_value, to_optuna, to_optuna_value
from autopipe.space._presets import PRESETS, get_preset
from autopipe.space._space import SearchSpace
from autopipe.space._spec import build_space
from autopipe.space.nets import NetworkTrainingHooks, NeuralNetClassifierOperator, NeuralNetRegressorOperator
from autopipe.space.transformers import StackingTransformer, ZeroCount

__all__ = [
    "PRESETS",
    "Categorical",
    "Distribution",
    "FitReport",
    "FloatDistribution",
    "IntDistribution",
    "NetworkTrainingHooks",
    "NeuralNetClassifierOperator",
    "NeuralNetRegressorOperator",
    "Operator",
    "Role",
    "SearchSpace",
    "StackingTransformer",
    "TrainingHooks",
    "ZeroCount",
    "as_distribution",
    "build_space",
    "from_optuna_value",
    "get_preset",
    "import_optuna",
    "suggest_value",
    "to_optuna",
    "to_optuna_value",
]
