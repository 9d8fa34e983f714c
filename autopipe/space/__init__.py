"""Search spaces: operators, their hyperparameter distributions, presets and user specs."""

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
from autopipe.space._presets import PRESETS, get_preset
from autopipe.space._space import SearchSpace, build_space
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
    "get_preset",
]
