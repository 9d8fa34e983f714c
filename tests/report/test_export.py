"""Tests for ``autopipe.report.estimator_to_code``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, clone
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.decomposition import PCA
from sklearn.ensemble import (
    ExtraTreesClassifier,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    StackingClassifier,
    VotingClassifier,
)
from sklearn.exceptions import NotFittedError
from sklearn.feature_selection import (
    SelectFromModel,
    SelectKBest,
    SelectPercentile,
    f_classif,
    f_regression,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline, make_union
from sklearn.preprocessing import (
    FunctionTransformer,
    OneHotEncoder,
    PolynomialFeatures,
    StandardScaler,
)
from sklearn.utils.validation import check_is_fitted

from autopipe.report import estimator_to_code
from autopipe.testing import assert_same_params, make_tiny_classification


def _rebuild(code: str, name: str = "pipeline") -> Any:
    """Execute exported code in a fresh namespace and return the variable."""
    namespace: dict[str, Any] = {}
    exec(compile(code, "<exported>", "exec"), namespace)  # noqa: S102
    return namespace[name]


def _import_block(code: str) -> list[str]:
    """Return the lines before the first blank line."""
    return code.split("\n\n", 1)[0].splitlines()


CASES: dict[str, Callable[[], BaseEstimator]] = {
    "scaler-logreg": lambda: make_pipeline(StandardScaler(), LogisticRegression(C=0.5)),
    "nested-pipelines": lambda: make_pipeline(
        make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
        make_pipeline(PCA(n_components=2, whiten=True), LogisticRegression()),
    ),
    "union-of-pipelines": lambda: make_pipeline(
        make_union(
            make_pipeline(StandardScaler(), PCA(n_components=3)),
            make_pipeline(PolynomialFeatures(degree=2), SelectKBest(k=4)),
        ),
        LogisticRegression(max_iter=500),
    ),
    "select-from-model": lambda: make_pipeline(
        SelectFromModel(
            ExtraTreesClassifier(n_estimators=50, max_features=0.5, random_state=0),
            threshold="median",
        ),
        KNeighborsClassifier(n_neighbors=3, weights="distance"),
    ),
    "select-percentile": lambda: make_pipeline(
        SelectPercentile(score_func=f_regression, percentile=30), Ridge(alpha=0.1)
    ),
    "polynomial": lambda: make_pipeline(
        PolynomialFeatures(degree=3, interaction_only=True, include_bias=False),
        StandardScaler(with_mean=False),
        Ridge(),
    ),
    "column-transformer": lambda: make_pipeline(
        ColumnTransformer(
            [
                ("num", StandardScaler(), ["age", "income"]),
                ("cat", OneHotEncoder(handle_unknown="ignore"), ["city", "job"]),
                ("gone", "drop", ["id"]),
            ],
            remainder="passthrough",
            sparse_threshold=0.0,
        ),
        LogisticRegression(),
    ),
    "column-selector-and-slice": lambda: ColumnTransformer(
        [
            ("num", StandardScaler(), make_column_selector(dtype_include=np.number)),
            ("first", "passthrough", slice(0, 2)),
            ("mask", PCA(n_components=1), [True, False, True]),
        ]
    ),
    "class-weight-dict": lambda: LogisticRegression(
        C=10.0, class_weight={0: 1.0, 1: 3.5}, max_iter=1000
    ),
    "hist-gradient-boosting": lambda: HistGradientBoostingClassifier(
        learning_rate=0.05,
        max_iter=50,
        max_leaf_nodes=15,
        l2_regularization=0.5,
        early_stopping=True,
        categorical_features=[0, 2],
        random_state=42,
    ),
    "float-nan": lambda: make_pipeline(
        SimpleImputer(strategy="constant", fill_value=np.nan), Ridge()
    ),
    "numpy-arrays": lambda: make_pipeline(
        FunctionTransformer(
            kw_args={
                "weights": np.array([0.5, 1.5], dtype=np.float32),
                "matrix": np.arange(6).reshape(2, 3),
                "names": np.array(["a", "bc"]),
            }
        ),
        HistGradientBoostingRegressor(monotonic_cst=np.array([1, 0, -1])),
    ),
    "voting-weights": lambda: VotingClassifier(
        [
            ("lr", LogisticRegression(C=0.1)),
            ("rf", RandomForestClassifier(n_estimators=20, random_state=0)),
            ("knn", KNeighborsClassifier()),
        ],
        voting="soft",
        weights=[2.0, 1.0, 0.5],
    ),
    "stacking": lambda: StackingClassifier(
        [("knn", KNeighborsClassifier()), ("lr", LogisticRegression())],
        final_estimator=LogisticRegression(C=3.0),
        cv=3,
        passthrough=True,
    ),
    "duplicate-step-classes": lambda: make_pipeline(
        StandardScaler(), StandardScaler(with_std=False), LogisticRegression()
    ),
    "custom-step-names": lambda: Pipeline(
        [("scale", StandardScaler()), ("model", LogisticRegression())]
    ),
    "non-default-pipeline-options": lambda: make_pipeline(
        StandardScaler(), "passthrough", LogisticRegression(), verbose=True
    ),
    "feature-union-weights": lambda: FeatureUnion(
        [("pca", PCA(n_components=2)), ("poly", PolynomialFeatures())],
        transformer_weights={"pca": 2.0, "poly": 0.5},
    ),
    "functions-and-classes": lambda: make_pipeline(
        FunctionTransformer(func=np.log1p, inverse_func=np.expm1, check_inverse=False),
        OneHotEncoder(dtype=np.float32, categories=[["a", "b"], [1, 2, 3]]),
        SelectKBest(score_func=functools.partial(f_classif), k=2),
    ),
    "infinities-and-containers": lambda: FunctionTransformer(
        kw_args={
            "inf": float("inf"),
            "ninf": -np.inf,
            "tuple": (1,),
            "empty": (),
            "nested": [{"a": (1, 2.5)}, None, True],
            "numpy-scalars": [np.int64(3), np.float64(0.25), np.bool_(True)],
            "quote": "it's",
        }
    ),
}


@pytest.mark.parametrize("make", CASES.values(), ids=CASES.keys())
def test_round_trip_rebuilds_same_params(make: Callable[[], BaseEstimator]) -> None:
    estimator = make()
    code = estimator_to_code(estimator)
    rebuilt = _rebuild(code)
    assert type(rebuilt) is type(estimator)
    assert_same_params(rebuilt, estimator)
    # Exporting the rebuilt estimator is a fixed point.
    assert estimator_to_code(rebuilt) == code


@pytest.mark.parametrize("make", CASES.values(), ids=CASES.keys())
def test_code_layout(make: Callable[[], BaseEstimator]) -> None:
    code = estimator_to_code(make())
    assert code.endswith("\n") and not code.endswith("\n\n")
    imports, body = code.split("\n\n", 1)
    import_lines = imports.splitlines()
    assert all(line.startswith(("from ", "import ")) for line in import_lines)
    modules = [line.split()[1] for line in import_lines]
    assert modules == sorted(set(modules))
    assert body.startswith("pipeline = ")
    assert "\n\n" not in body
    assert all(len(line) <= 88 for line in code.splitlines())
    for line in body.splitlines():
        indent = len(line) - len(line.lstrip(" "))
        assert indent % 4 == 0


def test_simple_pipeline_exact_output() -> None:
    code = estimator_to_code(CASES["scaler-logreg"]())
    assert code == (
        "from sklearn.linear_model import LogisticRegression\n"
        "from sklearn.pipeline import make_pipeline\n"
        "from sklearn.preprocessing import StandardScaler\n"
        "\n"
        "pipeline = make_pipeline(StandardScaler(), LogisticRegression(C=0.5))\n"
    )


def test_long_call_is_wrapped_one_argument_per_line() -> None:
    code = estimator_to_code(CASES["union-of-pipelines"](), name="model")
    assert code.split("\n\n", 1)[1] == (
        "model = make_pipeline(\n"
        "    make_union(\n"
        "        make_pipeline(StandardScaler(), PCA(n_components=3)),\n"
        "        make_pipeline(PolynomialFeatures(), SelectKBest(k=4)),\n"
        "    ),\n"
        "    LogisticRegression(max_iter=500),\n"
        ")\n"
    )


def test_custom_variable_name() -> None:
    code = estimator_to_code(Ridge(alpha=2.0), name="model")
    assert code.endswith("\n\nmodel = Ridge(alpha=2.0)\n")
    assert_same_params(_rebuild(code, "model"), Ridge(alpha=2.0))


@pytest.mark.parametrize("name", ["", "2x", "class", "a-b", "a b"])
def test_invalid_variable_name(name: str) -> None:
    with pytest.raises(ValueError, match="identifier"):
        estimator_to_code(Ridge(), name=name)


def test_imports_come_from_public_modules() -> None:
    code = estimator_to_code(CASES["select-percentile"]())
    imports = _import_block(code)
    expected = "from sklearn.feature_selection import SelectPercentile, f_regression"
    assert expected in imports
    assert "from sklearn.linear_model import Ridge" in imports
    assert not any("._" in line or " _" in line for line in imports)


def test_only_non_default_parameters_are_written() -> None:
    code = estimator_to_code(LogisticRegression(C=1.0, max_iter=100, tol=1e-3))
    assert code.endswith("pipeline = LogisticRegression(tol=0.001)\n")


def test_parameter_types_are_preserved() -> None:
    # ``C=1`` equals the default ``1.0`` under ``==`` but is a different value.
    rebuilt = _rebuild(estimator_to_code(LogisticRegression(C=1, fit_intercept=1)))
    assert type(rebuilt.C) is int
    assert type(rebuilt.fit_intercept) is int


def test_strings_use_double_quotes() -> None:
    code = estimator_to_code(SimpleImputer(strategy="median"))
    assert 'SimpleImputer(strategy="median")' in code


def test_pipeline_shortcuts() -> None:
    duplicated = estimator_to_code(CASES["duplicate-step-classes"]())
    assert "make_pipeline(" in duplicated and "Pipeline(" not in duplicated
    renamed = estimator_to_code(CASES["custom-step-names"]())
    assert "Pipeline(" in renamed
    assert '("scale", StandardScaler()), ("model", LogisticRegression())' in renamed
    assert "make_pipeline" not in renamed
    verbose = estimator_to_code(CASES["non-default-pipeline-options"]())
    assert "Pipeline(" in verbose and "verbose=True" in verbose
    assert "make_pipeline" not in verbose
    union = estimator_to_code(CASES["union-of-pipelines"]())
    assert "make_union(" in union and "FeatureUnion" not in union
    weighted = estimator_to_code(CASES["feature-union-weights"]())
    assert "FeatureUnion(" in weighted and "make_union" not in weighted


def test_special_values_are_spelled_out() -> None:
    nan_code = estimator_to_code(CASES["float-nan"]())
    assert 'fill_value=float("nan")' in nan_code
    array_code = estimator_to_code(CASES["numpy-arrays"]())
    assert "import numpy as np" in _import_block(array_code)
    assert 'np.array([0.5, 1.5], dtype="float32")' in array_code
    assert "np.array([[0, 1, 2], [3, 4, 5]])" in array_code
    assert "np.array([1, 0, -1])" in array_code
    functions = estimator_to_code(CASES["functions-and-classes"]())
    assert "func=np.log1p" in functions and "dtype=np.float32" in functions
    assert "partial(f_classif)" in functions
    assert "from functools import partial" in _import_block(functions)


def test_array_dtype_survives_round_trip() -> None:
    rebuilt = _rebuild(estimator_to_code(CASES["numpy-arrays"]()))
    kw_args = rebuilt.steps[0][1].kw_args
    assert kw_args["weights"].dtype == np.float32
    assert kw_args["matrix"].dtype == np.arange(1).dtype
    assert kw_args["names"].dtype == np.dtype("<U2")


def test_fitted_pipeline_exports_only_parameters() -> None:
    X, y = make_tiny_classification()
    fitted = make_pipeline(
        StandardScaler(),
        SelectFromModel(ExtraTreesClassifier(n_estimators=10, random_state=0)),
        LogisticRegression(C=0.3),
    ).fit(X, y)
    code = estimator_to_code(fitted)
    assert code == estimator_to_code(clone(fitted))
    rebuilt = _rebuild(code)
    assert_same_params(rebuilt, fitted)
    with pytest.raises(NotFittedError):
        check_is_fitted(rebuilt)
    np.testing.assert_array_equal(rebuilt.fit(X, y).predict(X), fitted.predict(X))


def test_unexportable_parameter_names_the_parameter() -> None:
    transformer = FunctionTransformer(func=lambda x: x)
    message = (
        "cannot export parameter 'func' of FunctionTransformer: value of type function"
    )
    with pytest.raises(TypeError, match=message):
        estimator_to_code(transformer)
    # Nested: the innermost estimator and parameter are named.
    with pytest.raises(TypeError, match="'func' of FunctionTransformer"):
        estimator_to_code(make_pipeline(StandardScaler(), transformer))


def test_unexportable_random_state_and_nested_values() -> None:
    forest = RandomForestClassifier(random_state=np.random.RandomState(0))
    with pytest.raises(TypeError, match="'random_state' of RandomForestClassifier"):
        estimator_to_code(SelectFromModel(forest))
    message = "'kw_args' of FunctionTransformer: value of type object"
    with pytest.raises(TypeError, match=message):
        estimator_to_code(FunctionTransformer(kw_args={"x": [1, object()]}))


def test_estimator_with_unimportable_class() -> None:
    class LocalEstimator(BaseEstimator):
        def __init__(self, alpha: float = 1.0) -> None:
            self.alpha = alpha

    with pytest.raises(TypeError, match="LocalEstimator"):
        estimator_to_code(LocalEstimator())
    with pytest.raises(TypeError, match="'estimator' of SelectFromModel"):
        estimator_to_code(SelectFromModel(LocalEstimator()))


def test_non_estimator_is_rejected() -> None:
    with pytest.raises(TypeError, match="expected an estimator"):
        estimator_to_code(42)  # type: ignore[arg-type]


def test_import_name_clashes_get_aliases() -> None:
    # A variable named like an imported class must not be shadowed.
    code = estimator_to_code(make_pipeline(StandardScaler(), Ridge()), name="Ridge")
    assert "from sklearn.linear_model import Ridge as Ridge_1" in code
    rebuilt = _rebuild(code, "Ridge")
    assert_same_params(rebuilt, make_pipeline(StandardScaler(), Ridge()))


_leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
)
_values = st.recursive(
    _leaves,
    lambda children: st.lists(children, max_size=4)
    | st.lists(children, max_size=4).map(tuple)
    | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None)
@given(value=st.dictionaries(st.text(max_size=5), _values, max_size=4))
def test_arbitrary_literal_values_round_trip(value: dict[str, Any]) -> None:
    transformer = FunctionTransformer(kw_args=value)
    rebuilt = _rebuild(estimator_to_code(transformer))
    assert_same_params(rebuilt, transformer)
