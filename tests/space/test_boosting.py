"""The LightGBM, XGBoost and CatBoost operators: early stopping, weights, devices, sklearn conventions."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from autopipe.space import boosting
from autopipe.space.boosting import (
    CatBoostClassifier,
    CatBoostRegressor,
    LGBMClassifier,
    LGBMRegressor,
    XGBClassifier,
    XGBRegressor,
)
from autopipe.space.nets import uses_gpu

CLASSIFIERS = (LGBMClassifier, XGBClassifier, CatBoostClassifier)
REGRESSORS = (LGBMRegressor, XGBRegressor, CatBoostRegressor)
needs = {
    LGBMClassifier: "lightgbm", LGBMRegressor: "lightgbm",
    XGBClassifier: "xgboost", XGBRegressor: "xgboost",
    CatBoostClassifier: "catboost", CatBoostRegressor: "catboost",
}


def _installed(classes: tuple[type, ...]) -> list[type]:
    return [c for c in classes if boosting.library_available(needs[c])]


def _small(cls: type, **params: object) -> object:
    return cls(n_estimators=30, n_iter_no_change=5, n_jobs=1, random_state=0, **params)


# The weights of the held-out rows steer early stopping, so zero weights are not the same as
# removed rows; a validation split of the given rows makes fits on permuted rows differ.
_EXPECTED_FAILURES = {
    "check_sample_weight_equivalence_on_dense_data": "held-out rows depend on the rows given",
    "check_sample_weight_equivalence_on_sparse_data": "held-out rows depend on the rows given",
    "check_sample_weights_invariance": "held-out rows depend on the rows given",
}


def _expected_failures(estimator: object) -> dict[str, str]:
    # Only some libraries' fits change when zero-weight rows are removed.
    return _EXPECTED_FAILURES if isinstance(estimator, (CatBoostClassifier, CatBoostRegressor, XGBClassifier)) else {}


@parametrize_with_checks(
    [_small(c) for c in _installed(CLASSIFIERS + REGRESSORS)],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_conventions(estimator: object, check: object) -> None:
    check(estimator)


@pytest.mark.parametrize("cls", _installed(CLASSIFIERS))
def test_classifier_stops_on_held_out_rows(cls: type) -> None:
    X, y = make_classification(n_samples=600, n_features=10, flip_y=0.3, n_classes=3, n_informative=5,
                               random_state=0)
    model = cls(n_estimators=2000, n_iter_no_change=10, learning_rate=0.3, n_jobs=1, random_state=0).fit(X, y)
    assert 1 <= model.n_estimators_ < 2000
    proba = model.predict_proba(X)
    assert proba.shape == (600, 3) and np.allclose(proba.sum(axis=1), 1.0)
    assert model.score(X, y) > 0.6
    np.testing.assert_array_equal(model.predict(X), model.classes_[proba.argmax(axis=1)])


@pytest.mark.parametrize("cls", _installed(REGRESSORS))
def test_regressor_stops_on_held_out_rows(cls: type) -> None:
    X, y = make_regression(n_samples=600, n_features=10, noise=30.0, random_state=0)
    model = cls(n_estimators=2000, n_iter_no_change=10, learning_rate=0.3, n_jobs=1, random_state=0).fit(X, y)
    assert 1 <= model.n_estimators_ < 2000
    assert model.score(X, y) > 0.5


@pytest.mark.parametrize("cls", _installed(CLASSIFIERS))
def test_string_labels_missing_values_and_class_weight(cls: type) -> None:
    X, y = make_classification(n_samples=400, n_features=6, weights=[0.9], random_state=1)
    X[::7, 2] = np.nan
    labels = np.where(y == 1, "rare", "common")
    plain = _small(cls).fit(X, labels)
    assert set(plain.predict(X)) <= {"rare", "common"}
    balanced = _small(cls, class_weight="balanced").fit(X, labels)
    # weighting the rare class up predicts it more often
    assert (balanced.predict(X) == "rare").sum() > (plain.predict(X) == "rare").sum()


@pytest.mark.parametrize("cls", _installed(CLASSIFIERS + REGRESSORS))
def test_few_rows_fit_without_a_validation_split(cls: type) -> None:
    X, y = make_classification(n_samples=30, n_features=4, random_state=0)
    model = cls(n_estimators=500, n_jobs=1, random_state=0).fit(X, y)
    assert model.n_estimators_ == 100  # capped without early stopping
    model = cls(n_estimators=20, early_stopping=False, n_jobs=1, random_state=0).fit(X, y)
    assert model.n_estimators_ == 20


@pytest.mark.parametrize("cls", _installed(CLASSIFIERS))
def test_one_class_is_a_clear_error(cls: type) -> None:
    with pytest.raises(ValueError, match="needs at least two classes"):
        _small(cls).fit(np.ones((60, 3)), np.zeros(60))


def test_same_seed_same_model_and_pickling() -> None:
    X, y = make_classification(n_samples=300, random_state=0)
    a = _small(LGBMClassifier).fit(X, y)
    b = clone(a).fit(X, y)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X))
    restored = pickle.loads(pickle.dumps(a))
    np.testing.assert_allclose(restored.predict_proba(X), a.predict_proba(X))


def test_missing_library_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(boosting, "library_available", lambda name: name != "xgboost")
    X, y = make_classification(n_samples=100, random_state=0)
    with pytest.raises(ImportError, match=r"XGBClassifier needs the xgboost package.*autopipe\[boost\]"):
        _small(XGBClassifier).fit(X, y)


@pytest.mark.parametrize("cls", _installed((XGBClassifier, CatBoostRegressor)))
def test_gpu_capable_steps_follow_the_device(cls: type, monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline = make_pipeline(StandardScaler(), cls(device="cuda"))
    assert uses_gpu(pipeline)
    assert not uses_gpu(make_pipeline(StandardScaler(), cls(device="cpu")))
    # "auto" follows what the machine has
    monkeypatch.setattr("autopipe.space._device.cuda_available", lambda: True)
    assert uses_gpu(make_pipeline(cls(device="auto")))
    monkeypatch.setattr("autopipe.space._device.cuda_available", lambda: False)
    assert not uses_gpu(make_pipeline(cls(device="auto")))
    assert not uses_gpu(make_pipeline(LGBMClassifier()))  # LightGBM's wheel trains on the CPU


@pytest.mark.skipif(not boosting.library_available("xgboost"), reason="xgboost not installed")
def test_search_with_device_cuda_and_no_gpu_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from autopipe import AutoClassifier

    monkeypatch.setattr("autopipe.space._device.cuda_available", lambda: False)
    X, y = make_classification(n_samples=80, random_state=0)
    with pytest.raises(ValueError, match="device='cuda' was given, but no CUDA device is usable"):
        AutoClassifier(search_space={"XGBClassifier": None}, generations=0, population_size=2,
                       device="cuda").fit(X, y)


def test_a_search_over_lightgbm_fits_and_predicts() -> None:
    from autopipe import AutoRegressor

    X, y = make_regression(n_samples=300, n_features=6, noise=5.0, random_state=0)
    model = AutoRegressor(search_space={"LGBMRegressor": None, "StandardScaler": None}, generations=1,
                          population_size=4, cv=3, random_state=0, n_jobs=1, ensemble=None).fit(X, y)
    assert all("LGBMRegressor(" in p for p in model.leaderboard_["pipeline"])
    final = model.fitted_pipeline_[-1]
    assert isinstance(final, LGBMRegressor) and final.n_estimators_ >= 1
    assert model.score(X, y) > 0.8


@pytest.mark.parametrize("cls", _installed(CLASSIFIERS))
def test_a_class_of_one_row_keeps_its_training_row(cls: type) -> None:
    X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    y = np.where(y == 1, "a", "b").astype(object)
    y[7] = "singleton"
    model = _small(cls).fit(X, y)
    assert list(model.classes_) == ["a", "b", "singleton"]
    assert model.predict_proba(X).shape == (200, 3)
