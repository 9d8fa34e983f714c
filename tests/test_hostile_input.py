"""Hostile inputs: every case either fits and predicts correctly, or fails early with a clear error.

The oracle, for ``AutoClassifier``, ``AutoRegressor`` and ``AutoEstimator``:

- either ``fit`` and ``predict`` succeed, with one prediction per row, class
  predictions among the training classes, finite regression predictions, and
  predictions that follow the rows (a row-permuted ``X`` gives the permuted
  predictions) and the column names (a column-shuffled DataFrame gives the same
  predictions);
- or a ``ValueError``/``TypeError`` is raised whose message names the problem
  (one of ``CLEAR_MESSAGES``) and is no deep-internal one (``INTERNAL_MESSAGES``).
  Any other exception, ``AllCandidatesFailedError`` included, fails the test:
  bad input must be rejected before the search, not reach it.

Fits are tiny (two candidates, no further generation, 2 folds) and hypothesis
runs few, derandomized examples, so the module stays well under a minute.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from threadpoolctl import threadpool_limits

from autopipe import AutoClassifier, AutoEstimator, AutoRegressor

pytestmark = [
    pytest.mark.filterwarnings("ignore::RuntimeWarning"),  # overflow in huge values: expected here
    pytest.mark.filterwarnings("ignore:The number of unique classes is greater than 50%:UserWarning"),
]

TINY = {"time_budget": None, "generations": 0, "population_size": 2, "search_space": "light", "cv": 2, "random_state": 0}
FACADES = [AutoClassifier, AutoRegressor, AutoEstimator]
#: Without HistGradientBoosting, which grows one tree per class and iteration (slow with 100s of classes).
MANY_CLASSES_SPACE = {"GaussianNB": {}, "DecisionTreeClassifier": {}, "LogisticRegression": {}}

#: Messages that name the problem with the input; every error raised here must match one.
CLEAR_MESSAGES = [
    r"n_samples = \d+",
    r"contains infinity",
    r"contains NaN",
    r"single class",
    r"single member",
    r"too large in magnitude",
    r"carries information",
    r"duplicated column names",
    r"X has \d+ features, but \w+ is expecting \d+ features",
    r"none of the \d+ columns",
    r"Unknown label type",
    r"mixes label types",
    r"regression needs a numeric y",
    r"missing or non-finite value",
    r"Complex data not supported",
    r"Expected 2D array|dim 3|must be 1-dimensional",
    r"Found array with 0 (sample|feature)|found 0 samples or 0 features",
    r"inconsistent numbers of (rows|samples)",
]
#: Fragments of errors from deep inside numpy, pandas or sklearn that explain nothing to a user.
INTERNAL_MESSAGES = [
    "could not broadcast",
    "shape mismatch",
    "index out of bounds",
    "list index out of range",
    "'NoneType' object",
    "unhashable type",
    "has no attribute",
    "not supported between instances",
]


def hypothesis_settings(max_examples: int) -> settings:
    """Few, reproducible examples without a per-example deadline (fits take a while)."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


@pytest.fixture(autouse=True, scope="module")
def _one_thread() -> Any:
    """One BLAS/OpenMP thread for the in-process refits: tiny fits, shared 2-core machines."""
    with threadpool_limits(limits=1):
        yield


# ---------------------------------------------------------------- oracle
def assert_clear_error(exc: BaseException) -> None:
    """``exc`` is a ValueError/TypeError whose message names the input problem."""
    message = str(exc)
    assert isinstance(exc, (ValueError, TypeError)), f"{type(exc).__name__}: {message}"
    for fragment in INTERNAL_MESSAGES:
        assert fragment not in message, f"internal error escaped: {type(exc).__name__}: {message}"
    assert any(re.search(p, message) for p in CLEAR_MESSAGES), f"unclear error: {type(exc).__name__}: {message}"


def fit_or_clear_error(est: Any, X: Any, y: Any) -> Any:
    """``est`` fitted on ``X``, ``y``; or ``None`` after checking that the error is a clear one."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return est.fit(X, y)
    except (ValueError, TypeError) as exc:
        assert_clear_error(exc)
        return None


def predict_or_error(est: Any, X: Any) -> np.ndarray | ValueError:
    """``est.predict(X)``, or the ``ValueError`` it raised."""
    try:
        return est.predict(X)
    except ValueError as exc:
        return exc


def predict_quietly(est: Any, X: Any) -> np.ndarray:
    """``est.predict(X)`` with warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.predict(X)


def take_rows(X: Any, rows: np.ndarray) -> Any:
    """Rows of an array, sparse matrix or DataFrame, in the order of ``rows``."""
    if isinstance(X, pd.DataFrame):
        return X.iloc[rows]
    if sp.issparse(X):
        return sp.csr_matrix(X)[rows]
    return X[rows]


def label_values(y: Any) -> list[Any]:
    """The distinct labels of ``y``, as Python values."""
    return list(pd.unique(pd.Series(list(y), dtype=object)))


def check_predictions(est: Any, X: Any, y: Any) -> np.ndarray:
    """Predictions of a fitted ``est`` on ``X``: right length, valid values, follow the rows."""
    n = X.shape[0]
    pred = predict_quietly(est, X)
    assert pred.shape == (n,)
    if est.task_ == "classification":
        assert set(label_values(est.classes_)) == set(label_values(y))
        assert set(label_values(pred)) <= set(label_values(est.classes_))
        if hasattr(est, "predict_proba"):  # columns follow classes_, and the predicted class is a most likely one
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                proba = est.predict_proba(X)
            assert proba.shape == (n, len(est.classes_))
            np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
            chosen = proba[np.arange(n), np.searchsorted(est.classes_, pred)]
            assert (chosen >= proba.max(axis=1) - 1e-9).all()
    else:
        assert np.isfinite(pred.astype(np.float64)).all()
    rows = np.random.default_rng(0).permutation(n)
    permuted = predict_quietly(est, take_rows(X, rows))
    if est.task_ == "classification":
        np.testing.assert_array_equal(permuted, pred[rows])
    else:
        np.testing.assert_allclose(permuted, pred[rows], rtol=1e-9, atol=1e-12)
    return pred


# ------------------------------------------------------------ strategies
#: Ordinary numbers most of the time, else zeros, NaN, huge and tiny values.
FLOATS = st.one_of(
    st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, np.nan, 1e300, -1e300, 1e-300]),
)


@st.composite
def hostile_arrays(draw: Any, min_rows: int = 2, max_rows: int = 24, allow_inf: bool = True) -> Any:
    """A numeric array or sparse matrix: random shape and dtype, NaN, huge values, and one twist.

    The twist makes one column constant, a duplicate of another, all-NaN, or
    (with ``allow_inf``) holding an infinity.
    """
    n = draw(st.integers(min_rows, max_rows))
    p = draw(st.integers(1, 4))
    dtype = np.dtype(draw(st.sampled_from(["float64", "float32", "int64", "uint8", "bool"])))
    if dtype.kind == "f":
        X = draw(hnp.arrays(np.float64, (n, p), elements=FLOATS))
        X = np.clip(X, -1e38, 1e38).astype(dtype) if dtype == np.float32 else X  # huge, not inf
    else:
        X = draw(hnp.arrays(dtype, (n, p)))
    twists = ["none", "constant", "duplicate", "all_nan", "inf"]
    twist = draw(st.sampled_from(twists if allow_inf else twists[:-1]))
    j = draw(st.integers(0, p - 1))
    if twist in ("all_nan", "inf") and dtype.kind != "f":
        X = X.astype(np.float64)
    if twist == "constant":
        X[:, j] = X[0, j]
    elif twist == "duplicate":
        X[:, j] = X[:, (j + 1) % p]
    elif twist == "all_nan":
        X[:, j] = np.nan
    elif twist == "inf":
        X[draw(st.integers(0, n - 1)), j] = draw(st.sampled_from([np.inf, -np.inf]))
    layout = draw(st.sampled_from(["dense", "dense", "dense", "csr", "csc", "coo", "lil", "dok", "bsr"]))
    return X if layout == "dense" else sp.coo_matrix(X).asformat(layout)


@st.composite
def class_labels(draw: Any, n: int, max_classes: int = 4) -> Any:
    """``n`` class labels: ints, whole floats, booleans or strings (a list, any unicode).

    Usually every class has about ``n / k`` members; sometimes the labels are
    drawn independently (rare and single-member classes), or there is one class.
    """
    kind = draw(st.sampled_from(["int", "float", "bool", "str"]))
    top = min(n, 2 if kind == "bool" else max_classes)
    k = draw(st.sampled_from([1] + 2 * [c for c in (2, 3, 4) if c <= top]))
    if kind == "bool":
        pool: list[Any] = [False, True][:k]
    elif kind == "str":
        pool = draw(st.lists(st.text(max_size=4), min_size=k, max_size=k, unique=True))
    else:
        pool = draw(st.lists(st.integers(-(2**40), 2**40), min_size=k, max_size=k, unique=True))
        pool = [float(v) for v in pool] if kind == "float" else pool
    if draw(st.booleans()):
        codes = draw(st.permutations([i % k for i in range(n)]))
    else:
        codes = draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n))
    labels = [pool[c] for c in codes]
    return labels if kind == "str" else np.array(labels)


@st.composite
def regression_targets(draw: Any, n: int) -> np.ndarray:
    """``n`` float targets on a random scale: ordinary, subnormal, huge or too huge."""
    y = draw(hnp.arrays(np.float64, n, elements=st.floats(-1e3, 1e3, allow_nan=False)))
    scale = draw(st.sampled_from([1.0, 1.0, 1.0, 1e-300, 1e30, 1e100, 1e300]))
    return y * scale


def targets_for(facade: type, n: int) -> st.SearchStrategy:
    """Targets a facade may get: labels, numbers, or either (so also the wrong kind)."""
    if facade is AutoClassifier:
        return class_labels(n)
    if facade is AutoRegressor:
        return st.one_of(regression_targets(n), regression_targets(n), class_labels(n))
    return st.one_of(class_labels(n), regression_targets(n))


COLUMN_KINDS = [
    "float", "inf_float", "int", "nullable_int", "bool", "nullable_bool", "category", "mixed_object",
    "nested", "category_dtype", "datetime", "tz_datetime", "timedelta", "numeric_str", "text",
    "constant", "all_nan",
]
WORDS = ["alpha", "beta", "gamma", "delta", "x", "7", "ü", "a-b", ""]


def frame_column(draw: Any, kind: str, n: int) -> pd.Series:
    """One DataFrame column of the given kind, ``n`` rows."""
    def values(elements: st.SearchStrategy) -> list[Any]:
        return draw(st.lists(elements, min_size=n, max_size=n))

    if kind in ("float", "inf_float"):
        column = pd.Series(values(FLOATS), dtype=np.float64)
        if kind == "inf_float":
            column.iloc[draw(st.integers(0, n - 1))] = np.inf
        return column
    if kind == "int":
        return pd.Series(values(st.integers(-5, 5)), dtype=np.int64)
    if kind == "nullable_int":
        return pd.Series(values(st.one_of(st.integers(-(2**62), 2**62), st.none())), dtype="Int64")
    if kind == "bool":
        return pd.Series(values(st.booleans()), dtype=bool)
    if kind == "nullable_bool":
        return pd.Series(values(st.one_of(st.booleans(), st.none())), dtype="boolean")
    if kind == "nested":
        nested = st.one_of(st.lists(st.integers(0, 2), max_size=2), st.dictionaries(st.sampled_from("ab"), st.integers(0, 1)))
        return pd.Series(values(nested), dtype=object)
    if kind == "text":
        sentence = st.lists(st.sampled_from(WORDS), min_size=0, max_size=12).map(" ".join)
        return pd.Series(values(st.one_of(sentence, st.none())), dtype=object)
    if kind == "category":
        return pd.Series(values(st.sampled_from(["a", "b", "c", None])), dtype=object)
    if kind == "mixed_object":
        anything = st.one_of(
            st.text(max_size=3), st.integers(-3, 3), st.floats(), st.none(), st.booleans()
        )
        return pd.Series(values(anything), dtype=object)
    if kind == "category_dtype":
        return pd.Series(pd.Categorical(values(st.sampled_from(["x", "y", None]))))
    if kind in ("datetime", "tz_datetime", "timedelta"):
        days = [None if d is None else 18000 + d for d in values(st.one_of(st.integers(0, 3000), st.none()))]
        if kind == "timedelta":
            return pd.Series(pd.to_timedelta(days, unit="D"))
        stamps = pd.to_datetime(days, unit="D")
        return pd.Series(stamps.tz_localize("Europe/Paris") if kind == "tz_datetime" else stamps)
    if kind == "numeric_str":
        return pd.Series(values(st.sampled_from(["1", "2.5", "-3", "1e3", "?"])), dtype=object)
    if kind == "constant":
        return pd.Series(["same"] * n, dtype=object)
    return pd.Series([np.nan] * n, dtype=np.float64)


@st.composite
def hostile_frames(draw: Any, min_rows: int = 2, max_rows: int = 24) -> pd.DataFrame:
    """A raw DataFrame: 1-4 columns of any kind, string, int or mixed column names."""
    n = draw(st.integers(min_rows, max_rows))
    kinds = draw(st.lists(st.sampled_from(COLUMN_KINDS), min_size=1, max_size=4))
    style = draw(st.sampled_from(["str", "int", "mixed"]))
    names = [
        f"c{j}" if style == "str" or (style == "mixed" and j % 2 == 0) else 10 * j
        for j in range(len(kinds))
    ]
    return pd.DataFrame({name: frame_column(draw, kind, n) for name, kind in zip(names, kinds)})


# ------------------------------------------------------- property tests
@pytest.mark.parametrize("facade", FACADES, ids=lambda f: f.__name__)
@hypothesis_settings(12)
@given(data=st.data())
def test_random_arrays_fit_and_predict_or_raise_clearly(facade: type, data: Any) -> None:
    X = data.draw(hostile_arrays(), label="X")
    y = data.draw(targets_for(facade, X.shape[0]), label="y")
    est = fit_or_clear_error(facade(**TINY), X, y)
    if est is not None:
        check_predictions(est, X, y)


@pytest.mark.parametrize("facade", FACADES, ids=lambda f: f.__name__)
@hypothesis_settings(10)
@given(data=st.data())
def test_random_frames_fit_and_predict_or_raise_clearly(facade: type, data: Any) -> None:
    X = data.draw(hostile_frames(), label="X")
    y = data.draw(targets_for(facade, X.shape[0]), label="y")
    est = fit_or_clear_error(facade(**TINY), X, y)
    if est is None:
        return
    pred = check_predictions(est, X, y)
    order = data.draw(st.permutations(list(X.columns)), label="column order")
    np.testing.assert_array_equal(predict_quietly(est, X[order]), pred)
    check_partial_columns(est, X, pred, data)


def check_partial_columns(est: Any, X: pd.DataFrame, pred: np.ndarray, data: Any) -> None:
    """Predict on a random subset of ``X``'s columns plus maybe an unknown one.

    Missing columns warn and are filled with NaN, which only a pipeline
    without featurizer may refuse ("contains NaN"); an unknown column is
    ignored, so with no column missing the predictions are unchanged.
    """
    kept = data.draw(st.lists(st.sampled_from(list(X.columns)), min_size=1, unique=True), label="kept")
    extra = data.draw(st.sampled_from(["extra", 99, None]), label="extra column")
    partial = X[kept].copy()
    if extra is not None:
        partial[extra] = 1.0
    missing = [c for c in X.columns if c not in kept]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            partial_pred = est.predict(partial)
        except ValueError as exc:
            assert_clear_error(exc)
            assert missing and "contains NaN" in str(exc), str(exc)
            return
    assert bool(missing) == any("missing from X" in str(w.message) for w in caught)
    assert partial_pred.shape == pred.shape
    if not missing:
        np.testing.assert_array_equal(partial_pred, pred)
    elif est.task_ == "regression":
        assert np.isfinite(partial_pred.astype(np.float64)).all()


@pytest.mark.parametrize("facade", FACADES, ids=lambda f: f.__name__)
@hypothesis_settings(15)
@given(data=st.data())
def test_single_row_is_rejected(facade: type, data: Any) -> None:
    one_row = st.one_of(hostile_arrays(min_rows=1, max_rows=1, allow_inf=False), hostile_frames(min_rows=1, max_rows=1))
    X = data.draw(one_row)
    y = data.draw(targets_for(facade, 1))
    with pytest.raises(ValueError, match="n_samples = 1"):
        facade(**TINY).fit(X, y)


@hypothesis_settings(15)
@given(X=hostile_arrays(allow_inf=False), sign=st.sampled_from([np.inf, -np.inf]), data=st.data())
def test_infinity_in_numeric_arrays_is_rejected(X: Any, sign: float, data: Any) -> None:
    dense = (X.toarray() if sp.issparse(X) else X).astype(np.float64)
    dense[data.draw(st.integers(0, X.shape[0] - 1)), data.draw(st.integers(0, X.shape[1] - 1))] = sign
    X = sp.coo_matrix(dense).asformat(X.format) if sp.issparse(X) else dense  # lil and dok too
    with pytest.raises(ValueError, match="contains infinity"):
        AutoClassifier(**TINY).fit(X, np.arange(X.shape[0]) % 2)


# ------------------------------------------------------- targeted cases
@pytest.fixture(scope="module")
def table() -> tuple[pd.DataFrame, np.ndarray]:
    """A mixed table (numbers with NaN, a category, a flag) and binary labels."""
    rng = np.random.default_rng(0)
    n = 60
    frame = pd.DataFrame(
        {
            "age": np.where(rng.random(n) < 0.1, np.nan, rng.normal(40, 10, n)),
            "city": rng.choice(["paris", "lyon", "nice"], n),
            "member": rng.choice([True, False], n),
            "score": rng.normal(size=n),
        }
    )
    y = np.where((frame["city"] == "paris") | (frame["score"] > 0.5), "yes", "no")
    return frame, y


@pytest.fixture(scope="module")
def table_model(table: tuple[pd.DataFrame, np.ndarray]) -> AutoClassifier:
    """An AutoClassifier fitted on ``table`` (it has a featurizer)."""
    frame, y = table
    return AutoClassifier(**TINY).fit(frame, y)


def test_inf_in_a_dataframe_is_a_missing_value(table, table_model) -> None:
    frame, y = table
    with_inf = frame.assign(score=frame["score"].where(frame.index % 7 != 0, np.inf))
    with_nan = frame.assign(score=frame["score"].where(frame.index % 7 != 0, np.nan))
    np.testing.assert_array_equal(table_model.predict(with_inf), table_model.predict(with_nan))
    est = AutoClassifier(**TINY).fit(with_inf, y)
    check_predictions(est, with_inf, y)
    np.testing.assert_array_equal(est.predict(with_inf), est.predict(with_nan))


def test_missing_dataframe_columns_warn_and_are_imputed(table, table_model) -> None:
    frame, _ = table
    with pytest.warns(UserWarning, match=r"missing from X were filled with missing values: \['age', 'member'\]"):
        pred = table_model.predict(frame.drop(columns=["age", "member"]))
    assert pred.shape == (len(frame),) and set(pred) <= {"no", "yes"}


def test_missing_columns_of_a_complete_numeric_table_warn_then_predict_or_name_nan() -> None:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "b", "c"])
    y = (frame["a"] > 0).astype(int)
    est = AutoClassifier(**TINY).fit(frame, y)
    with pytest.warns(UserWarning, match=r"\['b'\]"):
        outcome = predict_or_error(est, frame[["c", "a"]])
    if isinstance(outcome, ValueError):  # no featurizer: a model without NaN support says so
        assert_clear_error(outcome)
        assert "contains NaN" in str(outcome)
    else:
        assert outcome.shape == (40,)


def test_extra_and_reordered_dataframe_columns_are_ignored(table, table_model) -> None:
    frame, _ = table
    expected = table_model.predict(frame)
    extra = frame.assign(unknown=1.0, other="x")[["other", *frame.columns[::-1], "unknown"]]
    np.testing.assert_array_equal(table_model.predict(extra), expected)


def test_dataframe_without_any_training_column_is_rejected(table, table_model) -> None:
    frame, _ = table
    with pytest.raises(ValueError, match=r"none of the 4 columns seen in fit"):
        table_model.predict(frame.set_axis(["w", "x", "y", "z"], axis=1))


def test_array_for_a_dataframe_model_is_read_by_position(table, table_model) -> None:
    frame, _ = table
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        pred = table_model.predict(frame.to_numpy(dtype=object))
    np.testing.assert_array_equal(pred, table_model.predict(frame))


@pytest.mark.parametrize("facade", FACADES, ids=lambda f: f.__name__)
def test_wrong_number_of_array_columns_names_the_expected_count(facade: type) -> None:
    rng = np.random.default_rng(2)
    X = rng.normal(size=(30, 3))
    est = facade(**TINY).fit(X, np.arange(30) % 2)
    for width in (1, 2, 4, 6):
        with pytest.raises(ValueError, match=r"X has \d+ features, but \w+ is expecting 3 features"):
            est.predict(rng.normal(size=(5, width)))


def test_integer_column_names_are_matched_by_label() -> None:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.normal(size=(40, 3)), columns=[5, 1, 3])
    frame[7] = rng.choice(["u", "v"], 40)
    y = (frame[5] + frame[3] > 0).astype(int)
    est = AutoClassifier(**TINY).fit(frame, y)
    shuffled = frame[[3, 7, 5, 1]]
    np.testing.assert_array_equal(est.predict(shuffled), est.predict(frame))


@pytest.mark.parametrize(
    "columns, duplicated",
    [(["a", "a", "b"], r"\['a'\]"), ([1, 2, 1], r"\[1\]"), (["1", 1, "x"], r"\['1'\].*after converting")],
)
def test_duplicated_column_names_are_rejected_by_name(columns: list[Any], duplicated: str) -> None:
    frame = pd.DataFrame(np.random.default_rng(4).normal(size=(20, 3)), columns=columns)
    for facade in FACADES:
        with pytest.raises(ValueError, match=rf"duplicated column names {duplicated}"):
            facade(**TINY).fit(frame, np.arange(20) % 2)


def test_mixed_and_float_column_names_fit() -> None:
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(rng.normal(size=(30, 3)), columns=["a", 2, 3.5])
    y = frame["a"] + rng.normal(size=30)
    est = AutoRegressor(**TINY).fit(frame, y)
    check_predictions(est, frame, y)
    np.testing.assert_array_equal(est.predict(frame[[3.5, "a", 2]]), est.predict(frame))


@pytest.mark.parametrize("facade", FACADES, ids=lambda f: f.__name__)
def test_single_feature_fits(facade: type) -> None:
    rng = np.random.default_rng(6)
    X = rng.normal(size=(30, 1))
    y = (X[:, 0] > 0).astype(int) if facade is not AutoRegressor else X[:, 0]
    check_predictions(facade(**TINY).fit(X, y), X, y)
    frame = pd.DataFrame({"only": rng.choice(["a", "b", None], 30)})
    check_predictions(facade(**TINY).fit(frame, y), frame, y)


def test_constant_and_all_nan_columns() -> None:
    rng = np.random.default_rng(7)
    y = np.arange(30) % 2
    X = np.c_[np.ones(30), np.full(30, np.nan), rng.normal(size=30)]
    check_predictions(AutoClassifier(**TINY).fit(X, y), X, y)
    check_predictions(AutoClassifier(**TINY).fit(X[:, :2], y), X[:, :2], y)  # nothing informative: still fits
    frame = pd.DataFrame({"k": ["same"] * 30, "gone": [np.nan] * 30})
    with pytest.raises(ValueError, match="None of the 2 columns of X carries information"):
        AutoClassifier(**TINY).fit(frame, y)


@pytest.mark.parametrize("facade", [AutoClassifier, AutoRegressor], ids=lambda f: f.__name__)
def test_huge_feature_values_fit(facade: type) -> None:
    rng = np.random.default_rng(8)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(int) if facade is AutoClassifier else X[:, 0]
    for huge in (X * 1e300, np.where(X > 0, 1.7e308, -1.7e308)):
        est = facade(**TINY).fit(huge, y)
        assert (est.leaderboard_["status"] == "ok").any()
        check_predictions(est, huge, y)


@pytest.mark.parametrize("scale, ok", [(1e30, True), (1e40, False), (1e160, False), (1e300, False)])
def test_huge_regression_targets(scale: float, ok: bool) -> None:
    rng = np.random.default_rng(9)
    X = rng.normal(size=(30, 2))
    y = X[:, 0] * scale
    for facade in (AutoRegressor, AutoEstimator):
        if ok:
            check_predictions(facade(**TINY).fit(X, y), X, y)
        else:
            with pytest.raises(ValueError, match="too large in magnitude"):
                facade(**TINY).fit(X, y)


def test_too_few_rows_for_r2_folds_is_rejected() -> None:
    X = np.arange(6.0).reshape(3, 2)
    with pytest.raises(ValueError, match=r"n_samples = 3 with cv=2"):
        AutoRegressor(**TINY).fit(X, [1.0, 2.0, 3.5])
    check_predictions(AutoRegressor(**TINY).fit(np.arange(8.0).reshape(4, 2), [1.0, 2.0, 3.5, 0.5]),
                      np.arange(8.0).reshape(4, 2), [1.0, 2.0, 3.5, 0.5])


def test_hundreds_of_classes_with_few_rows() -> None:
    rng = np.random.default_rng(10)
    n, n_classes = 300, 200
    y = np.r_[np.arange(n_classes), rng.integers(0, 20, n - n_classes)]  # 180 single-member classes
    X = rng.normal(size=(n, 4)) + y[:, None] * 0.01
    # 2 unstratified folds: each single-member class is missing from one training fold
    assert (np.unique(y, return_counts=True)[1] == 1).sum() > 100
    est = AutoClassifier(**{**TINY, "search_space": MANY_CLASSES_SPACE}).fit(X, y)
    assert (est.leaderboard_["status"] == "ok").any()
    check_predictions(est, X, y)
    assert est.predict_proba(X).shape == (n, n_classes)
    labels = np.array([f"class {v}" for v in y], dtype=object)
    est = AutoEstimator(**{**TINY, "search_space": MANY_CLASSES_SPACE}).fit(X, labels)
    assert est.task_ == "classification" and len(est.classes_) == n_classes
    check_predictions(est, X, labels)


@pytest.mark.parametrize("facade", [AutoClassifier, AutoEstimator], ids=lambda f: f.__name__)
def test_classes_with_one_member(facade: type) -> None:
    rng = np.random.default_rng(11)
    X = rng.normal(size=(30, 3))
    binary = np.r_[np.zeros(29, int), 1]
    with pytest.raises(ValueError, match=r"single member \[1\]"):
        facade(**TINY).fit(X, binary)
    three = np.r_[np.zeros(15, int), np.ones(14, int), 2]  # a training fold lacks class 2
    est = facade(**TINY).fit(X, three)
    np.testing.assert_array_equal(est.classes_, [0, 1, 2])
    check_predictions(est, X, three)


def test_boolean_labels() -> None:
    rng = np.random.default_rng(12)
    X = rng.normal(size=(30, 2))
    y = X[:, 0] > 0
    for facade in (AutoClassifier, AutoEstimator):
        pred = check_predictions(facade(**TINY).fit(X, y), X, y)
        assert pred.dtype == bool
    check_predictions(AutoRegressor(**TINY).fit(X, y), X, y)


def test_string_labels_keep_their_exact_values() -> None:
    rng = np.random.default_rng(13)
    X = rng.normal(size=(30, 2))
    pool = ["a", "a\x00", "", "ü 字"]
    y = [pool[i % 4] for i in range(30)]
    for facade in (AutoClassifier, AutoEstimator):
        est = facade(**TINY).fit(X, y)
        assert sorted(est.classes_) == sorted(pool)
        check_predictions(est, X, y)
    with pytest.raises(ValueError, match="regression needs a numeric y"):
        AutoRegressor(**TINY).fit(X, y)


@pytest.mark.parametrize("y", [[1, "a"] * 15, np.array([1.5, "b"] * 15, dtype=object)])
def test_mixed_label_types_are_rejected(y: Any) -> None:
    X = np.random.default_rng(14).normal(size=(30, 2))
    for facade in (AutoClassifier, AutoEstimator):
        with pytest.raises(ValueError, match=r"mixes label types \['number', 'str'\]"):
            facade(**TINY).fit(X, y)


@pytest.mark.parametrize("layout", ["csr", "csc", "coo", "lil", "dok"])
def test_sparse_matrices(layout: str) -> None:
    rng = np.random.default_rng(15)
    dense = np.where(rng.random((30, 4)) < 0.7, 0.0, rng.normal(size=(30, 4)))
    dense[3, 1] = np.nan
    X = sp.coo_matrix(dense).asformat(layout)
    y = (np.nan_to_num(dense).sum(axis=1) > 0).astype(int)
    est = AutoClassifier(**TINY).fit(X, y)
    pred = check_predictions(est, X, y)
    np.testing.assert_array_equal(est.predict(dense), pred)
    dense[0, 0] = np.inf
    with pytest.raises(ValueError, match="contains infinity"):
        est.predict(sp.coo_matrix(dense).asformat(layout))


@pytest.mark.parametrize(
    "X, y, message",
    [
        (np.ones((6, 2), dtype=complex), [0, 1] * 3, "Complex data not supported"),
        (np.ones((6, 2, 2)), [0, 1] * 3, "dim 3"),
        (np.arange(6.0), [0, 1] * 3, "Expected 2D array"),
        (np.ones((0, 2)), [], r"Found array with 0 sample"),
        (np.ones((6, 0)), [0, 1] * 3, r"Found array with 0 feature"),
        (pd.DataFrame(index=range(6)), [0, 1] * 3, "found 0 samples or 0 features"),
        (np.ones((6, 2)), [0, 1] * 4, r"inconsistent numbers of rows"),
        (np.ones((6, 2)), np.ones((6, 2)), "must be 1-dimensional"),
        (np.ones((6, 2)), [0, 1, None, 1, 0, 1], "missing or non-finite value"),
    ],
)
def test_malformed_containers_are_rejected(X: Any, y: Any, message: str) -> None:
    for facade in FACADES:
        with pytest.raises(ValueError, match=message) as info:
            facade(**TINY).fit(X, y)
        assert_clear_error(info.value)


def test_one_row_can_be_predicted(table, table_model) -> None:
    frame, _ = table
    for i in (0, 5):
        row = frame.iloc[[i]]
        np.testing.assert_array_equal(table_model.predict(row), table_model.predict(frame)[[i]])
    X = np.random.default_rng(16).normal(size=(30, 3))
    est = AutoRegressor(**TINY).fit(X, X[:, 0])
    np.testing.assert_allclose(est.predict(X[[3]]), est.predict(X)[[3]])
