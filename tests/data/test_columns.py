"""Tests of column kind inference (``autopipe.data.infer_column_kinds``)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autopipe.data import ColumnKind, infer_column_kinds

N = 60


def kind_of(values: object, **series_kwargs: object) -> ColumnKind:
    """The kind inferred for a one-column frame holding ``values``."""
    X = pd.DataFrame({"c": pd.Series(values, **series_kwargs)})
    return infer_column_kinds(X)["c"]


def test_column_kind_is_a_str_enum() -> None:
    assert ColumnKind.NUMERIC == "numeric"
    assert ColumnKind("text") is ColumnKind.TEXT
    assert {k.value for k in ColumnKind} == {
        "numeric", "boolean", "categorical", "datetime", "text", "constant"
    }


@pytest.mark.parametrize(
    "values, kwargs",
    [
        (np.arange(N), {}),
        (np.linspace(0, 1, N), {}),
        ([0, 1] * (N // 2), {}),  # 0/1 integers stay numeric
        ([1.5, np.nan] * (N // 2) + [2.5], {}),
        (pd.array([1, None, 3] * (N // 3), dtype="Int64"), {}),
        (pd.to_timedelta(np.arange(N), unit="s"), {}),
    ],
    ids=["int", "float", "zero-one", "float-nan", "nullable-int", "timedelta"],
)
def test_numeric_dtypes(values: object, kwargs: dict) -> None:
    assert kind_of(values, **kwargs) is ColumnKind.NUMERIC


@pytest.mark.parametrize(
    "values, kwargs",
    [
        ([True, False] * (N // 2), {}),
        (pd.array([True, None, False] * (N // 3), dtype="boolean"), {}),
        ([True, None, False] * (N // 3), {"dtype": object}),
        ([np.True_, np.False_, np.nan] * (N // 3), {"dtype": object}),
    ],
    ids=["bool", "nullable-boolean", "bool-objects-with-none", "numpy-bool-objects"],
)
def test_booleans(values: object, kwargs: dict) -> None:
    assert kind_of(values, **kwargs) is ColumnKind.BOOLEAN


@pytest.mark.parametrize("dtype", ["str", object])
def test_numeric_strings(dtype: object) -> None:
    values = ["3.5", "4", "1e3", "-2", None] * (N // 5)
    assert kind_of(values, dtype=dtype) is ColumnKind.NUMERIC


def test_numeric_strings_with_one_placeholder() -> None:
    values = [str(i) for i in range(99)] + ["?"]
    assert kind_of(values) is ColumnKind.NUMERIC


def test_mostly_placeholders_is_categorical() -> None:
    assert kind_of(["1", "2", "?", "4"] * 20) is ColumnKind.CATEGORICAL
    assert kind_of(["1", "2", "x", "y"] * 20) is ColumnKind.CATEGORICAL


@pytest.mark.parametrize("dtype", ["str", object, "category"])
def test_date_strings(dtype: object) -> None:
    dates = pd.date_range("2020-01-01", periods=N, freq="37h")
    values = list(dates.strftime("%Y-%m-%d %H:%M"))
    values[::7] = [None] * len(values[::7])
    values[1] = "March 3, 2021"  # mixed formats are fine
    assert kind_of(values, dtype=dtype) is ColumnKind.DATETIME


@pytest.mark.parametrize(
    "values",
    [
        pd.date_range("2020-01-01", periods=N),
        pd.date_range("2020-01-01", periods=N, tz="Europe/Oslo"),
        pd.Series(pd.date_range("2020-01-01", periods=N)).where(np.arange(N) % 5 > 0),
    ],
    ids=["naive", "tz-aware", "with-nat"],
)
def test_datetime_dtypes(values: object) -> None:
    assert kind_of(values) is ColumnKind.DATETIME


@pytest.mark.parametrize(
    "values",
    [
        ["May", "June", "July"] * 20,  # no digits: dateutil would invent year 1
        ["Monday", "Tuesday"] * 30,
        ["1-2", "3-4", "5-6"] * 20,  # parse, but without a year
        ["C85", "B42", "E12", None] * 15,
    ],
    ids=["months", "weekdays", "pairs", "cabins"],
)
def test_date_like_labels_stay_categorical(values: list) -> None:
    assert kind_of(values) is ColumnKind.CATEGORICAL


def test_plain_numbers_are_not_dates() -> None:
    assert kind_of(["2015", "2016", "2017"] * 20) is ColumnKind.NUMERIC
    assert kind_of(["20150101", "20160102"] * 30) is ColumnKind.NUMERIC


@pytest.mark.parametrize("dtype", ["str", object, "category", "string"])
def test_categorical_dtypes(dtype: object) -> None:
    assert kind_of(["red", "green", "blue", None] * 15, dtype=dtype) is ColumnKind.CATEGORICAL


def test_numeric_categories_stay_categorical() -> None:
    assert kind_of([1, 2, 3] * 20, dtype="category") is ColumnKind.CATEGORICAL


def test_mixed_objects_are_categorical() -> None:
    assert kind_of(["a", 1, 2.5, None] * 15, dtype=object) is ColumnKind.CATEGORICAL


def test_free_text() -> None:
    words = np.random.default_rng(0).choice(["alpha", "beta", "gamma", "delta", "omega"], (N, 8))
    values = [" ".join(row) + f" number {i}" for i, row in enumerate(words)]
    assert kind_of(values) is ColumnKind.TEXT
    # long but repeated labels are categories, not text
    assert kind_of(["a rather long category label with spaces"] * 30 + ["x"] * 30) is ColumnKind.CATEGORICAL
    # an explicit category dtype is never text
    assert kind_of(values, dtype="category") is ColumnKind.CATEGORICAL


@pytest.mark.parametrize(
    "values, kwargs",
    [
        ([7] * N, {}),
        (["k"] * N, {}),
        ([np.nan] * N, {}),
        ([None] * N, {"dtype": object}),
        ([True] * N, {}),
    ],
    ids=["int", "str", "all-nan", "all-none", "bool"],
)
def test_constant(values: list, kwargs: dict) -> None:
    assert kind_of(values, **kwargs) is ColumnKind.CONSTANT


def test_single_value_with_missing_values_is_kept() -> None:
    assert kind_of([1.0, np.nan] * 30) is ColumnKind.NUMERIC
    assert kind_of(["yes", None] * 30) is ColumnKind.CATEGORICAL


def test_int_column_names_and_order() -> None:
    X = pd.DataFrame({3: np.arange(N), 1: ["a", "b"] * (N // 2), 0: 1.0})
    kinds = infer_column_kinds(X)
    assert list(kinds) == [3, 1, 0]
    assert kinds == {3: ColumnKind.NUMERIC, 1: ColumnKind.CATEGORICAL, 0: ColumnKind.CONSTANT}


def test_numpy_object_array() -> None:
    X = np.array([[1.5, "a", True], [2.5, "b", False], [None, "a", None]] * 10, dtype=object)
    assert infer_column_kinds(X) == {
        0: ColumnKind.NUMERIC,
        1: ColumnKind.CATEGORICAL,
        2: ColumnKind.BOOLEAN,
    }


def test_frame_read_from_csv() -> None:
    """pandas 3 reads text as ``str`` and a bool column with gaps as ``object``."""
    csv = "n,s,b,d,ns\n" + "".join(
        f"{i},{'ab'[i % 2]},{['True', 'False', ''][i % 3]},2021-0{1 + i % 9}-1{i % 10},{i}.5\n"
        for i in range(N)
    )
    X = pd.read_csv(io.StringIO(csv), dtype={"ns": str})
    assert pd.api.types.is_string_dtype(X["s"].dtype)
    assert infer_column_kinds(X) == {
        "n": ColumnKind.NUMERIC,
        "s": ColumnKind.CATEGORICAL,
        "b": ColumnKind.BOOLEAN,
        "d": ColumnKind.DATETIME,
        "ns": ColumnKind.NUMERIC,
    }


_cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["2021-01-02", "3.5", "a b c d e f g h i j k l m n o p"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_cells, min_size=3, max_size=3), min_size=1, max_size=25))
def test_any_object_table_gets_a_kind_per_column(rows: list[list[object]]) -> None:
    X = pd.DataFrame(rows, dtype=object)
    kinds = infer_column_kinds(X)
    assert list(kinds) == list(X.columns)
    assert all(isinstance(kind, ColumnKind) for kind in kinds.values())
