"""Tests of the automatic featurization step (``make_featurizer``, ``describe_columns``)."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.exceptions import NotFittedError
from sklearn.impute import SimpleImputer
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from autopipe.data import describe_columns, make_featurizer

DATASETS = Path("/work/shared/datasets")
N = 120


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    """A Kaggle-style frame with every column kind and missing values."""
    rng = np.random.default_rng(0)
    words = np.array(["the", "cat", "sat", "on", "a", "mat", "dog", "ran", "far", "away"])
    frame = pd.DataFrame(
        {
            "num": rng.normal(size=N),
            "num_nan": np.where(rng.random(N) < 0.2, np.nan, rng.normal(size=N)),
            "count": rng.integers(0, 5, N),
            "flag": rng.random(N) < 0.5,
            "flag_obj": pd.Series(np.where(rng.random(N) < 0.1, None, rng.random(N) < 0.5), dtype=object),
            "color": pd.Series(rng.choice(["red", "green", "blue"], N), dtype="category"),
            "size": pd.Series(rng.choice(["S", "M", "L", None], N), dtype="str"),
            "city": [f"city{i % 40}" for i in range(N)],
            "signup": pd.date_range("2020-01-01", periods=N, freq="31h").strftime("%Y-%m-%d %H:%M"),
            "when": pd.date_range("2021-06-01", periods=N, freq="D", tz="UTC"),
            "review": [" ".join(rng.choice(words, 7)) + f" item {i}" for i in range(N)],
            "price_str": [f"{x:.2f}" for x in rng.uniform(1, 100, N)],
            "const": "same",
        }
    )
    frame.loc[3, "signup"] = None
    frame.loc[5, "review"] = None
    return frame


def _target(X: pd.DataFrame) -> np.ndarray:
    """A binary target for fits (the target encoder of high-cardinality columns needs one)."""
    return np.arange(len(X)) % 2


def _fitted(X: pd.DataFrame) -> ColumnTransformer:
    featurizer = make_featurizer(X)
    assert featurizer is not None
    return featurizer.fit(X, _target(X))


# --------------------------------------------------------------------------- #
# When nothing (or only imputation) is needed
# --------------------------------------------------------------------------- #


def test_clean_numeric_inputs_need_nothing() -> None:
    X = np.random.default_rng(0).normal(size=(20, 3))
    assert make_featurizer(X) is None
    assert make_featurizer(X.astype(np.int64)) is None
    assert make_featurizer(pd.DataFrame(X, columns=list("abc")).assign(b=True)) is None
    assert make_featurizer(pd.DataFrame(X)) is None
    assert make_featurizer(sp.csr_matrix(X)) is None


def test_numeric_array_with_nan_gets_an_imputer() -> None:
    X = np.random.default_rng(0).normal(size=(20, 3))
    X[[1, 4], 1] = np.nan
    featurizer = make_featurizer(X)
    assert isinstance(featurizer, SimpleImputer)
    out = clone(featurizer).fit(X).transform(np.full((2, 3), np.nan))
    assert out.shape == (2, 4)  # 3 columns + 1 missing indicator
    assert np.isfinite(out).all()


def test_numeric_array_with_inf_is_made_finite() -> None:
    X = np.random.default_rng(0).normal(size=(20, 2))
    X[0, 0] = np.inf
    out = make_featurizer(X).fit_transform(X)
    assert np.isfinite(out).all() and out.dtype == np.float64


def test_numeric_frame_with_nan_imputes_every_column() -> None:
    X = pd.DataFrame({"a": [1.0, np.nan, 3.0], "b": [1, 2, 3]})
    featurizer = make_featurizer(X).fit(X)
    out = featurizer.transform(pd.DataFrame({"a": [1.0], "b": [np.nan]}))
    assert np.isfinite(out).all()


# --------------------------------------------------------------------------- #
# The mixed frame
# --------------------------------------------------------------------------- #


def test_featurizer_is_unfitted(raw: pd.DataFrame) -> None:
    featurizer = make_featurizer(raw)
    with pytest.raises(NotFittedError):
        check_is_fitted(featurizer)


def test_output_is_finite_float64_with_a_stable_width(raw: pd.DataFrame) -> None:
    featurizer = make_featurizer(raw)
    assert isinstance(featurizer, ColumnTransformer)
    groups = [name for name, _, _ in featurizer.transformers]
    assert groups == ["numeric", "boolean", "onehot", "frequency", "datetime", "text_review"]
    fit_out = featurizer.fit_transform(raw.iloc[:80], _target(raw.iloc[:80]))
    out = featurizer.transform(raw.iloc[80:])
    for block in (fit_out, out):
        assert isinstance(block, np.ndarray) and block.dtype == np.float64
        assert np.isfinite(block).all()
    assert out.shape[1] == fit_out.shape[1] == len(featurizer.get_feature_names_out())
    names = featurizer.get_feature_names_out().tolist()
    assert "numeric__price_str" in names and "datetime__signup_hour" in names
    assert not any("const" in name for name in names)


def test_predict_time_surprises(raw: pd.DataFrame) -> None:
    featurizer = _fitted(raw)
    width = featurizer.transform(raw).shape[1]
    new = raw.iloc[:12].sample(frac=1.0, random_state=0)[list(reversed(raw.columns))].copy()
    new["unknown_extra"] = "ignored"  # extra column
    new["flag"] = new["flag"].astype(object)  # pandas 3 refuses NaN in a bool column
    new.loc[new.index[0], :] = np.nan  # a row missing everywhere
    new["color"] = new["color"].astype(object)  # category -> object
    new.loc[new.index[1], ["color", "size", "city"]] = ["purple", "XXL", "atlantis"]  # unseen
    new["size"] = new["size"].astype("category")  # str -> category
    new["city"] = new["city"].astype(object)  # str -> object
    new["signup"] = pd.to_datetime(new["signup"])  # strings -> datetime64
    new.loc[new.index[2], "signup"] = pd.NaT
    new["count"] = new["count"].astype(str)  # numbers arriving as strings
    new.loc[new.index[3], "review"] = "completely new words here"
    out = featurizer.transform(new)
    assert out.shape == (12, width)
    assert out.dtype == np.float64 and np.isfinite(out).all()


def test_column_order_does_not_matter(raw: pd.DataFrame) -> None:
    featurizer = _fitted(raw)
    shuffled = raw[list(np.random.default_rng(1).permutation(raw.columns))]
    np.testing.assert_array_equal(featurizer.transform(shuffled), featurizer.transform(raw))


def test_column_all_missing_in_a_fold_keeps_the_width(raw: pd.DataFrame) -> None:
    featurizer = make_featurizer(raw)
    fold = raw.iloc[:40].assign(num_nan=np.nan, flag_obj=None)
    fold_width = featurizer.fit_transform(fold, _target(fold)).shape[1]
    assert featurizer.transform(raw).shape[1] == fold_width


def test_clone_and_pickle_give_identical_output(raw: pd.DataFrame) -> None:
    fitted = _fitted(raw)
    expected = fitted.transform(raw)
    np.testing.assert_array_equal(clone(make_featurizer(raw)).fit(raw, _target(raw)).transform(raw), expected)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(fitted)).transform(raw), expected)


def test_exported_code_rebuilds_the_featurizer(raw: pd.DataFrame) -> None:
    try:
        from autopipe.report import estimator_to_code
    except ImportError:  # pragma: no cover - the report package is developed separately
        pytest.skip("autopipe.report is not available")
    featurizer = make_featurizer(raw)
    namespace: dict = {}
    exec(estimator_to_code(featurizer, name="featurizer"), namespace)
    rebuilt = namespace["featurizer"]
    np.testing.assert_array_equal(
        rebuilt.fit(raw, _target(raw)).transform(raw), clone(featurizer).fit(raw, _target(raw)).transform(raw)
    )


def test_max_onehot_chooses_the_encoding(raw: pd.DataFrame) -> None:
    X = raw[["num", "color", "city"]]
    groups = {name: cols for name, _, cols in make_featurizer(X).transformers}
    assert groups["onehot"] == ["color"] and groups["frequency"] == ["city"]
    groups = {name: cols for name, _, cols in make_featurizer(X, max_onehot=2).transformers}
    assert "onehot" not in groups and groups["frequency"] == ["color", "city"]
    groups = {name: cols for name, _, cols in make_featurizer(X, max_onehot=50).transformers}
    assert groups["onehot"] == ["color", "city"]


def test_sparse_text_is_encoded_as_categories() -> None:
    text = ["a long review with many words in it, number %d" % i for i in range(5)]
    X = pd.DataFrame({"n": np.arange(50.0), "review": text + [None] * 45})
    groups = {name: cols for name, _, cols in make_featurizer(X).transformers}
    assert groups["frequency"] == ["review"]
    report = describe_columns(X).set_index("name")
    assert report.loc["review", "kind"] == "text"
    assert report.loc["review", "encoding"] == "frequency + ordinal + target"


def test_int_column_names_select_by_position() -> None:
    X = pd.DataFrame({10: [1.0, np.nan, 3.0, 4.0], 20: ["a", "b", "a", None]})
    featurizer = make_featurizer(X)
    assert [cols for _, _, cols in featurizer.transformers] == [[0], [1]]
    out = featurizer.fit(X).transform(X)
    # 2 numeric (value + indicator); "b" and "__missing__" are rarer than
    # min_frequency=2, so one-hot gives "a" and one "infrequent" column
    assert out.shape == (4, 4) and np.isfinite(out).all()


def test_object_array_selects_by_position() -> None:
    X = np.array([[1.5, "a", "2021-01-01"], [None, "b", "2021-02-03"], [2.5, "a", None]] * 5, dtype=object)
    featurizer = make_featurizer(X)
    assert {name: cols for name, _, cols in featurizer.transformers} == {
        "numeric": [0], "onehot": [1], "datetime": [2]
    }
    out = featurizer.fit_transform(X)
    assert out.dtype == np.float64 and np.isfinite(out).all()


def test_bad_inputs() -> None:
    with pytest.raises(TypeError, match="string and non-string"):
        make_featurizer(pd.DataFrame({"a": ["x", "y"], 0: [1, 2]}))
    with pytest.raises(ValueError, match="duplicated"):
        make_featurizer(pd.DataFrame([["x", "y"]], columns=["a", "a"]))
    with pytest.raises(ValueError, match="carries information"):
        make_featurizer(pd.DataFrame({"a": ["x", "x"], "b": [None, None]}))
    with pytest.raises(ValueError, match="2-dimensional"):
        make_featurizer(np.array(["a", "b"], dtype=object))


# --------------------------------------------------------------------------- #
# describe_columns
# --------------------------------------------------------------------------- #


def test_describe_columns(raw: pd.DataFrame) -> None:
    report = describe_columns(raw)
    assert list(report.columns) == ["name", "dtype", "kind", "n_missing", "n_unique", "encoding"]
    rows = report.set_index("name")
    assert rows.loc["num_nan", "kind"] == "numeric"
    assert rows.loc["num_nan", "n_missing"] == raw["num_nan"].isna().sum()
    assert rows.loc["price_str", "encoding"].startswith("to_numeric")
    assert rows.loc["flag_obj", "kind"] == "boolean"
    assert rows.loc["color", "encoding"] == "one-hot (3 values)"
    assert rows.loc["city", "encoding"] == "frequency + ordinal + target"
    assert rows.loc["signup", "kind"] == "datetime"
    assert rows.loc["review", "kind"] == "text"
    assert rows.loc["const", "encoding"] == "dropped (constant)"
    assert rows.loc["city", "n_unique"] == 40


def test_describe_columns_passthrough_and_arrays() -> None:
    report = describe_columns(np.arange(12.0).reshape(4, 3))
    assert report["name"].tolist() == [0, 1, 2]
    assert set(report["encoding"]) == {"passthrough"}
    report = describe_columns(pd.DataFrame({"a": ["x", "y"], 0: [1, 2]}))  # no error here
    assert report["kind"].tolist() == ["categorical", "numeric"]


# --------------------------------------------------------------------------- #
# End to end on real data, with the featurizer inside each fold
# --------------------------------------------------------------------------- #


@pytest.fixture
def one_thread() -> Iterator[None]:
    """Histogram gradient boosting is much faster single-threaded on small data."""
    with threadpool_limits(limits=1):
        yield


def _load(name: str, target: str, n_rows: int | None = None) -> tuple[pd.DataFrame, pd.Series]:
    path = DATASETS / f"{name}.csv.gz"
    if not path.exists():
        pytest.skip(f"{path} is not available")
    frame = pd.read_csv(path, nrows=n_rows)
    return frame.drop(columns=[target]), frame[target]


@pytest.mark.usefixtures("one_thread")
@pytest.mark.parametrize(
    "name, target, n_rows, threshold",
    [
        ("titanic", "survived", None, 0.75),
        ("penguins", "species", None, 0.9),
        ("mpg", "mpg", None, 0.7),
        ("diamonds", "price", 3000, 0.8),
    ],
)
def test_cross_validation_on_real_data(name: str, target: str, n_rows: int | None, threshold: float) -> None:
    X, y = _load(name, target, n_rows)
    classification = target in ("survived", "species")
    model = HistGradientBoostingClassifier() if classification else HistGradientBoostingRegressor()
    # The rows of mpg are sorted by model year, so the folds are shuffled.
    cv = (StratifiedKFold if classification else KFold)(3, shuffle=True, random_state=0)
    scores = cross_val_score(make_pipeline(make_featurizer(X), model), X, y, cv=cv)
    assert scores.mean() > threshold, scores


@pytest.mark.usefixtures("one_thread")
def test_featurizer_is_fitted_inside_each_fold() -> None:
    X, y = _load("titanic", "survived")
    pipeline = make_pipeline(make_featurizer(X), HistGradientBoostingClassifier(max_iter=20))
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    result = cross_validate(pipeline, X, y, cv=cv, return_estimator=True, return_indices=True)
    medians = []
    folds = zip(result["estimator"], result["indices"]["train"], result["indices"]["test"], strict=True)
    for fitted, train, test in folds:
        featurizer = fitted[0]
        numeric = featurizer.named_transformers_["numeric"]
        columns = featurizer.transformers_[0][2]
        # statistics come from the training rows of the fold only
        np.testing.assert_allclose(numeric[-1].statistics_, X.iloc[train][columns].median().to_numpy())
        medians.append(numeric[-1].statistics_)
        assert not np.allclose(numeric[-1].statistics_, X.iloc[test][columns].median().to_numpy())
    assert not all(np.array_equal(medians[0], m) for m in medians[1:])
