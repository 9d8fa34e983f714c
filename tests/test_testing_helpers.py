"""Tests for the public test helpers in ``autopipe.testing``."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

import autopipe.testing as testing
from autopipe.testing import (
    CrashingClassifier,
    MemoryHungryClassifier,
    NaNRegressor,
    RaisingClassifier,
    RaisingRegressor,
    SlowClassifier,
    SlowRegressor,
    assert_same_params,
    make_tiny_classification,
    make_tiny_regression,
)

REPO_ROOT = Path(__file__).resolve().parents[1]

CLASSIFIERS = [
    RaisingClassifier,
    SlowClassifier,
    CrashingClassifier,
    MemoryHungryClassifier,
]
REGRESSORS = [NaNRegressor, RaisingRegressor, SlowRegressor]


def test_public_names() -> None:
    assert sorted(testing.__all__) == sorted(
        [
            "assert_same_params",
            "check_strategy",
            "RaisingClassifier",
            "SlowClassifier",
            "CrashingClassifier",
            "MemoryHungryClassifier",
            "NaNRegressor",
            "RaisingRegressor",
            "SlowRegressor",
            "make_tiny_classification",
            "make_tiny_regression",
        ]
    )
    for name in testing.__all__:
        assert getattr(testing, name) is not None


# --------------------------------------------------------------------------- #
# Datasets
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("n_classes", [2, 3, 5])
def test_make_tiny_classification(n_classes: int) -> None:
    X, y = make_tiny_classification(n_samples=40, n_features=4, n_classes=n_classes)
    assert X.shape == (40, 4) and y.shape == (40,)
    assert X.dtype == np.float64
    assert sorted(np.unique(y).tolist()) == list(range(n_classes))
    X2, y2 = make_tiny_classification(n_samples=40, n_features=4, n_classes=n_classes)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)


def test_make_tiny_classification_defaults_and_seed() -> None:
    X, y = make_tiny_classification()
    assert X.shape == (60, 5)
    assert np.bincount(y).tolist() == [30, 30]
    X_other, _ = make_tiny_classification(random_state=1)
    assert not np.array_equal(X, X_other)
    # Learnable: a linear model beats chance comfortably.
    assert cross_val_score(LogisticRegression(), X, y, cv=3).mean() > 0.7


def test_make_tiny_regression() -> None:
    X, y = make_tiny_regression()
    assert X.shape == (60, 5) and y.shape == (60,)
    assert X.dtype == np.float64 and y.dtype == np.float64
    X2, y2 = make_tiny_regression()
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = make_tiny_regression(n_samples=10, n_features=2, noise=0.0, random_state=3)
    assert X3.shape == (10, 2)


# --------------------------------------------------------------------------- #
# Fakes: sklearn conventions
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("cls", CLASSIFIERS + REGRESSORS, ids=lambda c: c.__name__)
def test_fakes_follow_sklearn_conventions(cls: type) -> None:
    estimator = cls()
    assert is_classifier(estimator) == (cls in CLASSIFIERS)
    assert is_regressor(estimator) == (cls in REGRESSORS)
    cloned = clone(estimator)
    assert_same_params(cloned, estimator)
    assert estimator.get_params() == cloned.get_params()
    with pytest.raises(NotFittedError):
        estimator.predict(np.zeros((2, 3)))


def test_default_parameters() -> None:
    assert RaisingClassifier().message == "boom"
    assert RaisingRegressor().message == "boom"
    assert SlowClassifier().seconds == 30.0
    assert SlowRegressor().seconds == 30.0
    assert MemoryHungryClassifier().gigabytes == 4.0
    assert CrashingClassifier().get_params() == {}
    assert NaNRegressor().get_params() == {}


# --------------------------------------------------------------------------- #
# Fakes: misbehaviour
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("cls", [RaisingClassifier, RaisingRegressor])
def test_raising_estimators_raise_value_error(cls: type) -> None:
    X, y = make_tiny_regression()
    with pytest.raises(ValueError, match="^boom$"):
        cls().fit(X, y)
    with pytest.raises(ValueError, match="^custom failure$"):
        cls(message="custom failure").fit(X, y)


def test_raising_classifier_inside_pipeline() -> None:
    X, y = make_tiny_classification()
    with pytest.raises(ValueError, match="boom"):
        make_pipeline(StandardScaler(), RaisingClassifier()).fit(X, y)


def test_slow_classifier_sleeps_then_predicts_majority() -> None:
    X, y = make_tiny_classification()
    y = np.where(np.arange(len(y)) < 40, 1, 0)  # class 1 is the majority
    start = time.perf_counter()
    model = SlowClassifier(seconds=0.01).fit(X, y)
    assert time.perf_counter() - start >= 0.01
    assert model.n_features_in_ == X.shape[1]
    np.testing.assert_array_equal(model.classes_, [0, 1])
    np.testing.assert_array_equal(model.predict(X[:7]), np.ones(7))
    proba = model.predict_proba(X[:7])
    assert proba.shape == (7, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(proba[0], [20 / 60, 40 / 60])
    assert 0.0 <= model.score(X, y) <= 1.0


def test_slow_classifier_with_string_labels() -> None:
    X, _ = make_tiny_classification(n_samples=5)
    y = np.array(["b", "a", "b", "c", "b"])
    model = SlowClassifier(seconds=0.0).fit(X, y)
    assert model.predict(X).tolist() == ["b"] * 5


def test_slow_regressor_sleeps_then_predicts_mean() -> None:
    X, y = make_tiny_regression()
    start = time.perf_counter()
    model = SlowRegressor(seconds=0.01).fit(X, y)
    assert time.perf_counter() - start >= 0.01
    assert model.n_features_in_ == X.shape[1]
    np.testing.assert_allclose(model.predict(X[:4]), np.full(4, y.mean()))


def test_nan_regressor_fits_and_predicts_nan() -> None:
    X, y = make_tiny_regression()
    model = NaNRegressor().fit(X, y)
    assert model.n_features_in_ == X.shape[1]
    predictions = model.predict(X)
    assert predictions.shape == (len(X),)
    assert np.isnan(predictions).all()


def test_crashing_classifier_aborts_the_process() -> None:
    script = (
        "import resource\n"
        "resource.setrlimit(resource.RLIMIT_CORE, (0, 0))\n"
        "from autopipe.testing import CrashingClassifier, make_tiny_classification\n"
        "X, y = make_tiny_classification()\n"
        "CrashingClassifier().fit(X, y)\n"
        "print('survived')\n"
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO_ROOT), *filter(None, [env.get("PYTHONPATH")])]
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "survived" not in result.stdout
    assert result.returncode != 0
    if sys.platform != "win32":
        assert result.returncode < 0  # killed by SIGABRT


def test_memory_hungry_classifier_is_configurable_without_fitting() -> None:
    # Fitting would really allocate gigabytes; only check the configuration.
    model = MemoryHungryClassifier(gigabytes=0.5)
    assert model.get_params() == {"gigabytes": 0.5}
    assert hasattr(model, "fit") and hasattr(model, "predict_proba")


# --------------------------------------------------------------------------- #
# assert_same_params
# --------------------------------------------------------------------------- #


def test_assert_same_params_accepts_equal_configurations() -> None:
    left = make_pipeline(
        FunctionTransformer(kw_args={"fill": np.nan, "scale": np.array([1.0, 2.0])}),
        LogisticRegression(C=np.float64(0.5), class_weight={0: 1.0, 1: 2.0}),
    )
    right = make_pipeline(
        FunctionTransformer(kw_args={"fill": float("nan"), "scale": np.array([1, 2])}),
        LogisticRegression(C=0.5, class_weight={0: 1.0, 1: 2.0}),
    )
    assert_same_params(left, right)
    X, y = make_tiny_classification()
    fitted = make_pipeline(StandardScaler(), LogisticRegression(C=0.5)).fit(X, y)
    # Fitted state is ignored.
    unfitted = make_pipeline(StandardScaler(), LogisticRegression(C=0.5))
    assert_same_params(fitted, unfitted)
    assert_same_params(np.array([1.0, np.nan]), np.array([1.0, np.nan]))
    assert_same_params(functools.partial(max, 1), functools.partial(max, 1))


@pytest.mark.parametrize(
    ("left", "right", "where"),
    [
        (LogisticRegression(C=2.0), LogisticRegression(), "at C:"),
        (
            LogisticRegression(),
            StandardScaler(),
            "LogisticRegression != StandardScaler",
        ),
        (
            make_pipeline(StandardScaler(), LogisticRegression(C=2.0)),
            make_pipeline(StandardScaler(), LogisticRegression()),
            "at logisticregression.C: 2.0 != 1.0",
        ),
        (
            make_pipeline(StandardScaler(), LogisticRegression()),
            make_pipeline(StandardScaler(with_mean=False), LogisticRegression()),
            "with_mean",
        ),
        (
            LogisticRegression(class_weight={0: 1.0}),
            LogisticRegression(class_weight={0: 2.0}),
            "class_weight[0]",
        ),
        (
            LogisticRegression(class_weight={0: 1.0}),
            LogisticRegression(class_weight={1: 1.0}),
            "dict keys",
        ),
        (
            LogisticRegression(C=np.array([1.0, 2.0])),
            LogisticRegression(C=np.array([1.0, 3.0])),
            "arrays differ",
        ),
        (LogisticRegression(C=float("nan")), LogisticRegression(C=1.0), "at C:"),
        (LogisticRegression(fit_intercept=1), LogisticRegression(), "bool"),
        (LogisticRegression(C=[1, 2]), LogisticRegression(C=(1, 2)), "list != tuple"),
    ],
)
def test_assert_same_params_reports_differences(
    left: object, right: object, where: str
) -> None:
    with pytest.raises(AssertionError) as info:
        assert_same_params(left, right)
    assert where in str(info.value)
