"""Shared fixtures: tiny data sets and settings for fast, deterministic fits."""

from __future__ import annotations

import numpy as np
import pytest

from autopipe.testing import make_tiny_classification, make_tiny_regression


@pytest.fixture
def clf_data() -> tuple[np.ndarray, np.ndarray]:
    return make_tiny_classification(n_samples=80, n_features=5, random_state=0)


@pytest.fixture
def reg_data() -> tuple[np.ndarray, np.ndarray]:
    return make_tiny_regression(n_samples=80, n_features=5, random_state=0)


#: Estimator settings for a few-second, generation-bounded (hence reproducible) fit.
FAST = dict(
    time_budget=None,
    generations=1,
    population_size=4,
    search_space="light",
    cv=3,
    random_state=0,
)


@pytest.fixture
def fast() -> dict:
    return dict(FAST)
