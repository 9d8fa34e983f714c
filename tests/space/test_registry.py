"""Every registry operator builds and fits, with default and with random parameters."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from sklearn.base import BaseEstimator, is_classifier, is_regressor
from sklearn.datasets import make_classification, make_regression
from sklearn.utils._param_validation import validate_parameter_constraints
from threadpoolctl import threadpool_limits

from autopipe.space import Categorical, Operator, Role, build_space, get_preset

TASKS = ("classification", "regression")


@functools.cache
def registry(task: str) -> tuple[Operator, ...]:
    """Every registry operator serving ``task``, with the registry's own ranges.

    The "default" preset names every registry operator; given as ``None``,
    each keeps the registry's values (the preset narrows the networks').
    """
    return tuple(build_space({name: None for name in get_preset("default", task)}, task))


def registry_operators() -> list[Operator]:
    """Every registry record once (an operator serving both tasks is one record)."""
    records: dict[tuple[str, tuple[str, ...]], Operator] = {}
    for task in TASKS:
        for op in registry(task):
            records.setdefault((op.name, tuple(sorted(op.tasks))), op)
    return list(records.values())


OPERATORS = [(op, task) for op in registry_operators() for task in sorted(op.tasks)]
N_SAMPLES = 20


@pytest.fixture(autouse=True, scope="module")
def _one_thread() -> Iterator[None]:
    # Thread start-up dominates fits this small.
    with threadpool_limits(1):
        yield


def _data(task: str, op: Operator) -> tuple[np.ndarray, np.ndarray]:
    if task == "classification":
        X, y = make_classification(
            n_samples=60, n_features=8, n_informative=4, n_classes=3, random_state=0
        )
    else:
        X, y = make_regression(n_samples=60, n_features=8, n_informative=4, noise=1.0, random_state=0)
    if op.name == "MultinomialNB":
        X = X - X.min()  # needs non-negative input
    return X, y


def _shrink(estimator: BaseEstimator) -> BaseEstimator:
    """Fewer trees and iterations: the test checks validity, not quality."""
    params = estimator.get_params(deep=True)
    small: dict[str, Any] = {}
    for key, value in params.items():
        last = key.rsplit("__", 1)[-1]
        if last == "n_estimators":
            small[key] = 5
        elif last == "max_iter" and isinstance(value, int):
            small[key] = min(value, 20)
    return estimator.set_params(**small)


def _fit_and_use(estimator: BaseEstimator, X: np.ndarray, y: np.ndarray) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if hasattr(estimator, "fit_resample"):
            X_res, y_res = estimator.fit_resample(X, y)
            assert len(X_res) == len(y_res) > 0
            return
        estimator.fit(X, y)
        out = estimator.predict(X) if hasattr(estimator, "predict") else estimator.transform(X)
    assert len(out) == len(X)


def _ids(case: tuple[Operator, str]) -> str:
    op, task = case
    return f"{op.name}-{task}"


@pytest.mark.parametrize("case", OPERATORS, ids=map(_ids, OPERATORS))
def test_operator_builds_and_fits(case: tuple[Operator, str]) -> None:
    op, task = case
    X, y = _data(task, op)
    # default parameters must always work
    defaults = op.default_params()
    assert set(defaults) == set(op.params)
    assert all(op.params[k].contains(v) for k, v in defaults.items())
    _fit_and_use(_shrink(op.build(defaults, random_state=0)), X, y)
    # random samples: failures must be rare
    rng = np.random.default_rng(0)
    failures = []
    for _ in range(N_SAMPLES):
        params = op.sample_params(rng)
        assert all(op.params[k].contains(v) for k, v in params.items())
        estimator = op.build(params, random_state=0)
        try:
            _fit_and_use(_shrink(estimator), X, y)
        except Exception as exc:  # noqa: BLE001 - counted below
            failures.append((params, repr(exc)))
    # Only KNeighbors* may fail here: n_neighbors > 60 rows (1-100, log scale).
    allowed = 4 if op.name.startswith("KNeighbors") else 0
    assert len(failures) <= allowed, failures


@pytest.mark.parametrize("case", OPERATORS, ids=map(_ids, OPERATORS))
def test_registry_record_is_consistent(case: tuple[Operator, str]) -> None:
    op, task = case
    estimator = op.build({})
    accepted = estimator.get_params(deep=True)
    for name, dist in op.params.items():
        assert name in accepted, f"{op.name}: {name!r} is not a constructor parameter"
        # every value of the distribution passes sklearn's own parameter validation
        owner, local = estimator, name
        if "__" in name:
            prefix, local = name.rsplit("__", 1)
            owner = accepted[prefix]
        constraints = type(owner)._parameter_constraints[local]
        values = dist.choices if isinstance(dist, Categorical) else (dist.low, dist.high)
        for value in values:
            validate_parameter_constraints({local: constraints}, {local: value}, type(owner).__name__)
    assert "random_state" not in op.fixed
    if op.role is Role.MODEL:
        check = is_classifier if task == "classification" else is_regressor
        assert check(estimator)
    elif op.role is Role.SAMPLER:
        assert hasattr(estimator, "fit_resample") and task == "classification"
    else:
        assert hasattr(estimator, "transform")


def test_names_unique_per_task() -> None:
    for task in TASKS:
        # a name with two records for one task would make the space reject the name "appears more than once"
        names = [op.name for op in build_space("default", task)]
        assert len(names) == len(set(names)) == len(get_preset("default", task))


@pytest.mark.parametrize("name", ["SelectFromModel", "RFE", "RandomForestClassifier", "MLPRegressor"])
def test_random_state_is_propagated(name: str) -> None:
    for op in registry_operators():
        if op.name != name:
            continue
        estimator = op.build(op.default_params(), random_state=123)
        params = estimator.get_params(deep=True)
        seeds = {k: v for k, v in params.items() if k.split("__")[-1] == "random_state"}
        assert seeds and all(v == 123 for v in seeds.values()), seeds
        if "estimator" in params:
            assert params["estimator"].random_state == 123
        # the operator's own fixed estimator is untouched (it is cloned)
        if "estimator" in op.fixed:
            assert op.fixed["estimator"].random_state is None
            assert estimator.estimator is not op.fixed["estimator"]
        # without random_state nothing is set
        unseeded = op.build(op.default_params()).get_params(deep=True)
        assert all(unseeded[k] is None for k in seeds)


def test_every_seedable_operator_gets_the_seed() -> None:
    for op in registry_operators():
        estimator = op.build(op.sample_params(np.random.default_rng(0)), random_state=7)
        for key, value in estimator.get_params(deep=True).items():
            if key == "random_state" or key.endswith("__random_state"):
                assert value == 7, (op.name, key)


def test_selector_records_use_the_task_score_function() -> None:
    from sklearn.feature_selection import f_classif, f_regression

    for name in ("SelectPercentile", "SelectFwe"):
        records = {next(iter(op.tasks)): op for op in registry_operators() if op.name == name}
        assert records["classification"].fixed["score_func"] is f_classif
        assert records["regression"].fixed["score_func"] is f_regression


def test_default_params_prefer_estimator_defaults() -> None:
    ops = {op.name: op for op in registry_operators()}
    lr = ops["LogisticRegression"].default_params()
    assert lr == {"C": 1.0, "class_weight": None}
    knn = ops["KNeighborsClassifier"].default_params()
    assert knn == {"n_neighbors": 5, "weights": "uniform", "p": 2}
    # the estimator default max_features="sqrt" is not in [0.05, 1]: midpoint
    rf = ops["RandomForestClassifier"].default_params()
    assert rf["max_features"] == 0.525
    assert rf["bootstrap"] is True


def test_class_weight_is_searched_for_every_classifier_that_takes_it():
    import inspect

    from autopipe.space import build_space

    space = build_space("default", "classification")
    takers = [
        op for op in space.operators
        if op.role is Role.MODEL and "class_weight" in inspect.signature(op.estimator_class).parameters
    ]
    assert {op.name for op in takers} >= {
        "LogisticRegression", "DecisionTreeClassifier", "RandomForestClassifier", "ExtraTreesClassifier",
        "HistGradientBoostingClassifier", "LinearSVC", "SGDClassifier",
    }
    for op in takers:
        assert op.params["class_weight"] == Categorical((None, "balanced")), op.name
        assert op.build({"class_weight": "balanced"}, random_state=0).class_weight == "balanced"


SIGNED = [(op, task) for op, task in OPERATORS if op.output_sign != "any"]


@pytest.mark.parametrize("case", SIGNED, ids=map(_ids, SIGNED))
def test_output_sign_holds_on_the_rows_fitted(case: tuple[Operator, str]) -> None:
    """What ``output_sign`` promises: no negative output from non-negative input ("preserved"), or ever."""
    op, task = case
    X, y = _data(task, op)
    inputs = [X - X.min()] + ([X] if op.output_sign == "nonnegative" else [])
    for X_in in inputs:
        estimator = _shrink(op.build(op.sample_params(np.random.default_rng(0)), random_state=0))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if hasattr(estimator, "fit_resample"):
                out = estimator.fit_resample(X_in, y)[0]
            else:
                out = estimator.fit(X_in, y).transform(X_in)
        assert np.min(out) >= 0, f"{op.name} gave negative values"


def test_nonnegative_input_operators_reject_negative_values() -> None:
    flagged = [op for op in registry_operators() if op.nonnegative_input]
    assert [op.name for op in flagged] == ["MultinomialNB"]
    X, y = _data("classification", flagged[0])
    with pytest.raises(ValueError, match="[Nn]egative"):
        flagged[0].build({}).fit(X - X.max(), y)


def test_output_sign_is_validated() -> None:
    from sklearn.preprocessing import StandardScaler

    from autopipe.exceptions import SearchSpaceError

    with pytest.raises(SearchSpaceError, match="output_sign must be one of"):
        Operator("S", StandardScaler, Role.TRANSFORMER, {"regression"}, {}, output_sign="positive")
