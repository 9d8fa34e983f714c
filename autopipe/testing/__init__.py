"""Public helpers for testing code built on autopipe; the library never imports it."""

from __future__ import annotations

from ._compare import assert_same_params
from ._data import make_tiny_classification, make_tiny_regression
from ._fakes import (
    CrashingClassifier,
    MemoryHungryClassifier,
    NaNRegressor,
    RaisingClassifier,
    RaisingRegressor,
    SlowClassifier,
    SlowRegressor,
)
from ._strategy import check_strategy

__all__ = [
    "CrashingClassifier",
    "MemoryHungryClassifier",
    "NaNRegressor",
    "RaisingClassifier",
    "RaisingRegressor",
    "SlowClassifier",
    "SlowRegressor",
    "assert_same_params",
    "check_strategy",
    "make_tiny_classification",
    "make_tiny_regression",
]
