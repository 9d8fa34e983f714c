"""Tests of presets, user search space dicts and ``SearchSpace``."""

from __future__ import annotations

import importlib.util
import logging
import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import ExtraTreesClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from autopipe.exceptions import AutopipeError, SearchSpaceError
from autopipe.space import (
    PRESETS,
    Categorical,
    Distribution,
    FloatDistribution,
    IntDistribution,
    Operator,
    Role,
    SearchSpace,
    ZeroCount,
    build_space,
    get_preset,
)

TASKS = ("classification", "regression")

LIGHT = {
    "classification": {
        "StandardScaler", "RobustScaler", "MinMaxScaler", "MaxAbsScaler", "Normalizer",
        "Binarizer", "PCA", "VarianceThreshold", "SelectPercentile", "SelectFwe",
        "LogisticRegression", "GaussianNB", "BernoulliNB", "DecisionTreeClassifier",
        "KNeighborsClassifier", "HistGradientBoostingClassifier", "LinearSVC",
        "SGDClassifier", "ExtraTreesClassifier", "LGBMClassifier",
    },
    "regression": {
        "StandardScaler", "RobustScaler", "MinMaxScaler", "MaxAbsScaler", "Normalizer",
        "Binarizer", "PCA", "VarianceThreshold", "SelectPercentile", "SelectFwe",
        "DecisionTreeRegressor", "KNeighborsRegressor", "HistGradientBoostingRegressor",
        "Ridge", "ElasticNet", "LinearSVR", "SGDRegressor", "ExtraTreesRegressor", "LGBMRegressor",
    },
}


class NotAnEstimatorModel:
    """Has neither fit nor get_params."""


class Clusterish:
    """A scikit-learn style estimator that neither predicts nor transforms."""

    def __init__(self, k: int = 2) -> None:
        self.k = k

    def get_params(self, deep: bool = True) -> dict:
        return {"k": self.k}

    def set_params(self, **params: object) -> Clusterish:
        self.__dict__.update(params)
        return self

    def fit(self, X: object, y: object = None) -> Clusterish:
        return self


# -- presets ---------------------------------------------------------------------------


def test_presets_listed() -> None:
    assert PRESETS == ("default", "light", "nn")


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("task", TASKS)
def test_presets_resolve_for_both_tasks(preset: str, task: str) -> None:
    space = build_space(preset, task)
    assert isinstance(space, SearchSpace)
    assert space.task == task
    assert space.models and space.transformers and space.selectors
    assert all(task in op.tasks for op in space)
    assert len({op.name for op in space}) == len(space)
    if preset == "light":
        assert {op.name for op in space} == LIGHT[task]
    elif preset == "nn":
        assert {op.name for op in space.models} <= {"NeuralNetClassifier", "NeuralNetRegressor"}
    else:
        # every registry operator for the task: light's and, when installed, the networks too
        assert {op.name for op in space} == set(get_preset(preset, task)) > LIGHT[task]
        if importlib.util.find_spec("torch") and importlib.util.find_spec("skorch"):
            assert {"NeuralNetClassifier", "NeuralNetRegressor"} & {op.name for op in space}
    # preset dict and preset name give the same space
    assert build_space(get_preset(preset, task), task) == space
    assert build_space(get_preset(preset), task) == space


def test_light_preset_narrows_distributions() -> None:
    clf = build_space("light", "classification")
    et = clf["ExtraTreesClassifier"]
    assert et.params["n_estimators"] == Categorical((50,))
    assert "n_estimators" not in et.fixed
    assert et.build(et.default_params()).n_estimators == 50
    hgb = clf["HistGradientBoostingClassifier"].params["max_iter"]
    assert isinstance(hgb, IntDistribution) and hgb.high <= 200
    assert build_space("default", "classification")["ExtraTreesClassifier"].fixed["n_estimators"] == 100


def test_get_preset_shape_and_task_union() -> None:
    both = get_preset("default")
    clf = get_preset("default", "classification")
    reg = get_preset("default", "regression")
    assert set(both) == set(clf) | set(reg)
    assert "LogisticRegression" in both and "Ridge" in both
    assert "Ridge" not in clf and "LogisticRegression" not in reg
    for params in both.values():
        assert isinstance(params, dict)
        assert all(isinstance(d, Distribution) for d in params.values())
    assert both["LogisticRegression"]["C"] == FloatDistribution(1e-4, 1e4, log=True)


def test_get_preset_returns_fresh_dicts() -> None:
    first = get_preset("light")
    first["LogisticRegression"]["C"] = Categorical((1.0,))
    first["Ridge"].clear()
    del first["PCA"]
    first["Bogus"] = {}
    second = get_preset("light")
    assert second["LogisticRegression"]["C"] == FloatDistribution(1e-4, 1e4, log=True)
    assert "alpha" in second["Ridge"] and "PCA" in second and "Bogus" not in second
    # the registry itself is untouched: a registry name given as None keeps its ranges
    assert build_space({"LogisticRegression": None}, "classification")["LogisticRegression"].params["C"] == (
        FloatDistribution(1e-4, 1e4, log=True))
    ridge = build_space({"Ridge": None}, "regression")["Ridge"]
    assert "alpha" in ridge.params
    with pytest.raises(TypeError):
        ridge.params["alpha"] = Categorical((1.0,))  # type: ignore[index]


def test_unknown_preset() -> None:
    with pytest.raises(SearchSpaceError, match=r"Unknown search space preset 'ligth'.*'default', 'light'.*Did you mean 'light'\?"):
        get_preset("ligth")
    with pytest.raises(SearchSpaceError, match="Did you mean 'default'"):
        build_space("defualt", "classification")


def test_bad_task() -> None:
    with pytest.raises(SearchSpaceError, match=r"task must be one of.*Did you mean 'regression'"):
        build_space("light", "regresion")
    with pytest.raises(SearchSpaceError, match="task must be one of"):
        get_preset("light", "clustering")


def test_error_is_autopipe_and_value_error() -> None:
    with pytest.raises(AutopipeError):
        build_space("nope", "classification")
    with pytest.raises(ValueError):
        build_space("nope", "classification")


# -- user dicts ----------------------------------------------------------------------------


def test_extend_preset_with_import_path() -> None:
    spec = {**get_preset("light"), "sklearn.svm.SVC": {"C": [0.1, 1.0, 10.0], "kernel": ["rbf", "linear"]}}
    space = build_space(spec, "classification")
    svc = space["SVC"]
    assert svc.estimator_class is SVC
    assert svc.role is Role.MODEL and svc.tasks == frozenset({"classification"})
    assert svc.params["C"] == Categorical((0.1, 1.0, 10.0))
    assert svc.default_params() == {"C": 1.0, "kernel": "rbf"}
    assert len(space) == len(LIGHT["classification"]) + 1
    # an SVC does not serve regression: silently dropped
    reg = build_space(spec, "regression")
    assert "SVC" not in reg
    assert {op.name for op in reg} == LIGHT["regression"]


def test_override_keeps_other_registry_params() -> None:
    spec = {"LogisticRegression": {"C": [0.5, 2.0]}, "RandomForestClassifier": {"n_estimators": [10, 20]}}
    space = build_space(spec, "classification")
    lr = space["LogisticRegression"]
    assert lr.params["C"] == Categorical((0.5, 2.0))
    assert lr.params["class_weight"] == Categorical((None, "balanced"))
    assert lr.fixed["solver"] == "lbfgs"
    rf = space["RandomForestClassifier"]
    assert rf.params["n_estimators"] == Categorical((10, 20))
    assert "n_estimators" not in rf.fixed  # moved from fixed to searched
    assert rf.build({"n_estimators": 20}).n_estimators == 20


def test_replacing_a_nested_estimator() -> None:
    spec = {"SelectFromModel": {"estimator": [LogisticRegression()], "estimator__C": [0.5, 1.0]}, "GaussianNB": None}
    op = build_space(spec, "classification")["SelectFromModel"]
    # the registry's nested ExtraTrees parameter no longer applies: dropped
    assert set(op.params) == {"estimator", "estimator__C", "threshold"}
    assert "estimator" not in op.fixed
    built = op.build(op.default_params(), random_state=0)
    assert isinstance(built.estimator, LogisticRegression) and built.estimator.random_state == 0
    with pytest.raises(SearchSpaceError, match="Invalid parameter 'estimator__max_depth' for operator 'SelectFromModel'"):
        build_space({"SelectFromModel": {"estimator": [LogisticRegression()], "estimator__max_depth": [2]}}, "classification")


def test_none_and_empty_values_use_registry() -> None:
    space = build_space({"LogisticRegression": None, "PCA": {}}, "classification")
    ops = build_space("default", "classification")  # every registry operator, with the registry's ranges
    assert space["LogisticRegression"] == ops["LogisticRegression"]
    assert space["PCA"] == ops["PCA"]
    narrowed = build_space({"LogisticRegression": {"C": [1.0]}, "PCA": {}}, "classification")
    assert narrowed["LogisticRegression"] != ops["LogisticRegression"]


def test_distribution_and_scalar_values() -> None:
    spec = {
        "LogisticRegression": {"C": FloatDistribution(0.1, 10.0, log=True), "class_weight": "balanced"},
        "SelectPercentile": {"percentile": range(10, 60, 10)},
    }
    space = build_space(spec, "classification")
    assert space["LogisticRegression"].params["class_weight"] == Categorical(("balanced",))
    assert space["SelectPercentile"].params["percentile"] == Categorical((10, 20, 30, 40, 50))
    # the task-specific fixed score function survives an override
    from sklearn.feature_selection import f_regression

    reg = build_space({**spec, "Ridge": None}, "regression")
    assert reg["SelectPercentile"].fixed["score_func"] is f_regression


def test_class_keys() -> None:
    space = build_space({LogisticRegression: {"C": [1.0]}, SVC: None, StandardScaler: None, ZeroCount: None}, "classification")
    assert space["LogisticRegression"].params["C"] == Categorical((1.0,))
    # a registry class resolves to the registry record (its other params kept)
    assert "class_weight" in space["LogisticRegression"].params
    assert space["SVC"].params == {}
    assert space["StandardScaler"].role is Role.TRANSFORMER
    assert space["ZeroCount"].role is Role.TRANSFORMER


def test_role_inference_for_new_classes() -> None:
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_selection import SelectKBest
    from sklearn.linear_model import Lasso

    space = build_space(
        {
            "sklearn.decomposition.TruncatedSVD": {"n_components": [2, 3]},
            "sklearn.feature_selection.SelectKBest": {"k": [2, 3]},
            "sklearn.linear_model.Lasso": {"alpha": [0.1, 1.0]},
        },
        "regression",
    )
    assert space["TruncatedSVD"].role is Role.TRANSFORMER and space["TruncatedSVD"].estimator_class is TruncatedSVD
    assert space["SelectKBest"].role is Role.SELECTOR and space["SelectKBest"].estimator_class is SelectKBest
    assert space["Lasso"].role is Role.MODEL and space["Lasso"].tasks == frozenset({"regression"})
    assert space["Lasso"].estimator_class is Lasso
    assert space["SelectKBest"].tasks == frozenset(TASKS)


def test_class_needing_arguments() -> None:
    # SequentialFeatureSelector cannot be built without an estimator: give it as a
    # (single-choice) parameter; nested names are then validated too.
    space = build_space(
        {
            "sklearn.feature_selection.SequentialFeatureSelector": {
                "estimator": [GaussianNB()],
                "n_features_to_select": [2, 3],
                "estimator__var_smoothing": [1e-9, 1e-8],
            },
            "GaussianNB": None,
        },
        "classification",
    )
    op = space["SequentialFeatureSelector"]
    assert op.role is Role.SELECTOR
    built = op.build(op.default_params())
    assert isinstance(built.estimator, GaussianNB)
    assert built.estimator is not op.params["estimator"].choices[0]


def test_unknown_operator_name() -> None:
    with pytest.raises(SearchSpaceError, match=r"Unknown operator 'LogisticRegresion'.*Did you mean 'LogisticRegression'\?"):
        build_space({"LogisticRegresion": None, "GaussianNB": None}, "classification")
    with pytest.raises(SearchSpaceError, match=r"Did you mean 'StandardScaler'\?"):
        build_space({"standardscaler": None, "GaussianNB": None}, "classification")


def test_unimportable_path() -> None:
    with pytest.raises(SearchSpaceError, match=r"'sklearn\.svm\.SVCC' could not be imported.*no attribute 'SVCC'.*Did you mean 'sklearn\.svm\.SVC'\?"):
        build_space({"sklearn.svm.SVCC": None, "GaussianNB": None}, "classification")
    with pytest.raises(SearchSpaceError, match=r"module 'nosuchpkg\.mod' failed to import"):
        build_space({"nosuchpkg.mod.Thing": None, "GaussianNB": None}, "classification")
    with pytest.raises(SearchSpaceError, match="must name a class"):
        build_space({"sklearn.feature_selection.f_classif": None, "GaussianNB": None}, "classification")


def test_invalid_parameter_name() -> None:
    with pytest.raises(SearchSpaceError, match=r"Invalid parameter 'Cc' for operator 'LogisticRegression'\. Valid parameters are: \[.*'C'.*\]\. Did you mean 'C'\?"):
        build_space({"LogisticRegression": {"Cc": [1.0]}}, "classification")
    with pytest.raises(SearchSpaceError, match=r"Invalid parameter 'estimator__max_feature' for operator 'SelectFromModel'.*Did you mean 'estimator__max_features'\?"):
        build_space({"SelectFromModel": {"estimator__max_feature": [0.5]}, "GaussianNB": None}, "classification")
    with pytest.raises(SearchSpaceError, match=r"Invalid parameter 'gama' for operator 'sklearn\.svm\.SVC'.*Did you mean 'gamma'\?"):
        build_space({"sklearn.svm.SVC": {"gama": [1.0]}}, "classification")


def test_invalid_parameter_values() -> None:
    with pytest.raises(SearchSpaceError, match=r"parameter 'C' of operator 'LogisticRegression'.*must be a float in the range \(0\.0, inf\]\. Got -1\.0 instead"):
        build_space({"LogisticRegression": {"C": [1.0, -1.0]}}, "classification")
    with pytest.raises(SearchSpaceError, match=r"parameter 'estimator__max_features'.*Got 2\.5 instead"):
        build_space({"SelectFromModel": {"estimator__max_features": FloatDistribution(0.1, 2.5)}, "GaussianNB": None}, "classification")
    with pytest.raises(SearchSpaceError, match=r"Invalid values for parameter 'C' of operator 'LogisticRegression'.*at least one value"):
        build_space({"LogisticRegression": {"C": []}}, "classification")


def test_bad_value_shapes() -> None:
    with pytest.raises(SearchSpaceError, match=r"value for operator 'LogisticRegression' must be a dict of parameters.*got list"):
        build_space({"LogisticRegression": [1, 2]}, "classification")
    with pytest.raises(SearchSpaceError, match="Operator keys must be a registry name"):
        build_space({42: None, "GaussianNB": None}, "classification")
    with pytest.raises(SearchSpaceError, match="must be a preset name"):
        build_space(["LogisticRegression"], "classification")  # type: ignore[arg-type]


def test_not_a_model_or_transformer() -> None:
    with pytest.raises(SearchSpaceError, match=r"neither a model \(classifier or regressor\) nor a transformer"):
        build_space({Clusterish: None, "GaussianNB": None}, "classification")
    with pytest.raises(SearchSpaceError, match="not a scikit-learn estimator"):
        build_space({NotAnEstimatorModel: None, "GaussianNB": None}, "classification")


def test_no_model_for_task() -> None:
    with pytest.raises(SearchSpaceError, match="the search space has no model for task 'regression'"):
        build_space({"StandardScaler": None, "LogisticRegression": None}, "regression")
    with pytest.raises(SearchSpaceError, match="no model for task 'classification'"):
        build_space({}, "classification")


def test_duplicate_operator() -> None:
    with pytest.raises(SearchSpaceError, match=r"both have the name 'LogisticRegression'"):
        build_space({"LogisticRegression": None, LogisticRegression: {"C": [1.0]}}, "classification")


def test_all_problems_reported_at_once() -> None:
    spec = {
        "LogisticRegresion": None,
        "sklearn.svm.SVCC": {},
        "PCA": {"n_component": [0.5]},
        "Ridge": {"alpha": [-1.0]},
        Clusterish: None,
    }
    with pytest.raises(SearchSpaceError) as info:
        build_space(spec, "regression")
    message = str(info.value)
    assert message.startswith("Invalid search space for task 'regression' (6 problems):")
    for fragment in (
        "Unknown operator 'LogisticRegresion'",
        "Did you mean 'LogisticRegression'?",
        "'sklearn.svm.SVCC' could not be imported",
        "Invalid parameter 'n_component' for operator 'PCA'",
        "Did you mean 'n_components'?",
        "parameter 'alpha' of operator 'Ridge'",
        "neither a model",
        "the search space has no model for task 'regression'",
    ):
        assert fragment in message, fragment


def test_operator_of_other_task_with_bad_params_still_reported() -> None:
    # Ridge is dropped for classification, but its typo is still reported.
    with pytest.raises(SearchSpaceError, match="Invalid parameter 'alpah' for operator 'Ridge'"):
        build_space({"Ridge": {"alpah": [1.0]}, "GaussianNB": None}, "classification")


# -- n_features, SearchSpace API -------------------------------------------------------------


def test_n_features_filter_drops_polynomial_features(caplog: pytest.LogCaptureFixture) -> None:
    assert "PolynomialFeatures" in build_space("default", "classification", n_features=40)
    assert "PolynomialFeatures" in build_space("default", "classification")
    with caplog.at_level(logging.DEBUG, logger="autopipe.space"):
        space = build_space("default", "classification", n_features=41)
    assert "PolynomialFeatures" not in space
    assert any("PolynomialFeatures" in r.getMessage() for r in caplog.records)
    full = build_space("default", "classification")
    assert "PolynomialFeatures" not in build_space(full, "classification", n_features=np.int64(100))
    with pytest.raises(SearchSpaceError, match="n_features must be a positive int"):
        build_space("light", "classification", n_features=0)


def test_space_passthrough_and_task_mismatch() -> None:
    space = build_space("light", "classification")
    assert build_space(space, "classification") == space
    with pytest.raises(SearchSpaceError, match="built for task 'classification', not 'regression'"):
        build_space(space, "regression")


def test_search_space_accessors() -> None:
    space = build_space("default", "classification")
    assert "PCA" in space and "Ridge" not in space and 3 not in space
    assert space["PCA"].role is Role.TRANSFORMER
    assert list(space) == list(space.operators)
    assert len(space) == len(space.operators)
    assert set(space.models) | set(space.transformers) | set(space.selectors) | set(space.samplers) == set(space)
    assert {op.name for op in space.samplers} == {"SMOTE", "RandomUnderSampler", "RandomOverSampler"}
    assert space.with_role("selector") == space.selectors
    assert all(op.role is Role.MODEL for op in space.models)
    with pytest.raises(KeyError, match="Did you mean 'LogisticRegression'"):
        space["LogisticRegresion"]
    with pytest.raises(AttributeError):
        space.task = "regression"  # type: ignore[misc]
    assert "SearchSpace(task='classification'" in repr(space)


def test_search_space_constructor_validates() -> None:
    ops = build_space("default", "classification")
    with pytest.raises(SearchSpaceError, match="appears more than once"):
        SearchSpace("classification", [ops["GaussianNB"], ops["GaussianNB"]])
    with pytest.raises(SearchSpaceError, match="no model for task 'classification'"):
        SearchSpace("classification", [ops["PCA"]])
    ridge = build_space("default", "regression")["Ridge"]
    with pytest.raises(SearchSpaceError, match="not task 'classification'"):
        SearchSpace("classification", [ridge, ops["GaussianNB"]])


def test_pickle_round_trip() -> None:
    for task in TASKS:
        space = build_space("default", task)
        clone = pickle.loads(pickle.dumps(space))
        assert clone == space
        assert clone.fingerprint() == space.fingerprint()
        assert [op.name for op in clone] == [op.name for op in space]
        sfm = clone["SelectFromModel"]
        assert type(sfm.fixed["estimator"]) is type(space["SelectFromModel"].fixed["estimator"])


def test_fingerprint() -> None:
    light = build_space("light", "classification")
    assert light.fingerprint() == build_space("light", "classification").fingerprint()
    assert light.fingerprint() != build_space("default", "classification").fingerprint()
    narrowed = build_space({**get_preset("light"), "LogisticRegression": {"C": [1.0]}}, "classification")
    assert narrowed.fingerprint() != light.fingerprint()
    assert len(light.fingerprint()) == 16
    # the hashed text holds no memory addresses (functions, estimators), so the
    # fingerprint is the same in another interpreter
    code = ("from autopipe.space import build_space; "
            "print(build_space('default', 'classification').fingerprint())")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert other.stdout.strip() == build_space("default", "classification").fingerprint()


def test_describe() -> None:
    table = build_space("light", "classification").describe()
    assert isinstance(table, pd.DataFrame)
    assert list(table.columns) == ["name", "role", "class", "params", "fixed"]
    assert len(table) == len(LIGHT["classification"])
    row = table.set_index("name").loc["LogisticRegression"]
    assert row["role"] == "model"
    assert row["class"] == "sklearn.linear_model.LogisticRegression"
    assert "C: float in [0.0001, 10000] (log)" in row["params"]
    assert "class_weight: {None, 'balanced'}" in row["params"]


# -- Operator ---------------------------------------------------------------------------------


def test_operator_build_does_not_mutate() -> None:
    op = Operator(
        "SFM",
        __import__("sklearn.feature_selection", fromlist=["SelectFromModel"]).SelectFromModel,
        Role.SELECTOR,
        frozenset({"classification"}),
        {"estimator__max_features": FloatDistribution(0.1, 1.0)},
        fixed={"estimator": ExtraTreesClassifier(n_estimators=10), "estimator__max_depth": 3},
    )
    built = op.build({"estimator__max_features": 0.5}, random_state=5)
    assert built.estimator.max_features == 0.5 and built.estimator.max_depth == 3
    assert built.estimator.random_state == 5
    fixed_est = op.fixed["estimator"]
    assert fixed_est.max_features == "sqrt" and fixed_est.max_depth is None
    assert fixed_est.random_state is None
    with pytest.raises(AttributeError):
        op.name = "x"  # type: ignore[misc]


def test_operator_validation() -> None:
    with pytest.raises(SearchSpaceError, match="role must be one of"):
        Operator("X", GaussianNB, "predictor", frozenset({"classification"}), {})  # type: ignore[arg-type]
    with pytest.raises(SearchSpaceError, match="tasks must be"):
        Operator("X", GaussianNB, Role.MODEL, frozenset({"ranking"}), {})
    with pytest.raises(SearchSpaceError, match="both searched and fixed"):
        Operator("X", GaussianNB, Role.MODEL, frozenset({"classification"}), {"var_smoothing": [1e-9]}, fixed={"var_smoothing": 1e-9})
    op = Operator("X", GaussianNB, "model", {"classification"}, {"var_smoothing": [1e-9, 1e-8]})  # type: ignore[arg-type]
    assert op.role is Role.MODEL and op.params["var_smoothing"] == Categorical((1e-9, 1e-8))
    assert op.sample_params(np.random.default_rng(0))["var_smoothing"] in (1e-9, 1e-8)
    assert op == pickle.loads(pickle.dumps(op))
    assert hash(op) == hash(pickle.loads(pickle.dumps(op)))
