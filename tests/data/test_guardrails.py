"""Data checks before the search: dropped columns, likely leaks, class imbalance, data_report_."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from autopipe import AutoClassifier, AutoRegressor
from autopipe.data import check_data, make_featurizer
from autopipe.exceptions import DataQualityWarning

SETTINGS = dict(time_budget=None, generations=0, population_size=3, search_space="light", cv=3, random_state=0)


def _frame(n=300, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({
        "row_id": np.arange(n) + 1000,
        "name": [f"passenger {i}" for i in range(n)],
        "a": rng.normal(size=n),
        "b": rng.normal(size=n),
        "const": "same",
    })
    X["b_again"] = X["b"]
    y = (X["a"] + X["b"] > 0).astype(int).to_numpy()
    return X, y


def _findings(report):
    return {(row.check, row.column, row.action) for row in report.table.itertuples()}


def test_id_constant_and_duplicate_columns_are_dropped():
    X, y = _frame()
    report = check_data(X, y, task="classification")
    assert _findings(report) == {
        ("ID-like column", "row_id", "dropped"),
        ("ID-like column", "name", "dropped"),
        ("constant column", "const", "dropped"),
        ("duplicate column", "b_again", "dropped"),
    }
    assert sorted(report.drop) == ["b_again", "const", "name", "row_id"]


def test_ordinary_columns_are_left_alone():
    rng = np.random.default_rng(1)
    X = pd.DataFrame({
        "float_unique": rng.normal(size=200),               # unique floats are measurements
        "int_unique_gappy": rng.choice(10**6, 200, replace=False),  # unique ints that do not fill a range
        "city": rng.choice(["x", "y", "z"], 200),
    })
    y = rng.integers(0, 2, 200)
    assert check_data(X, y, task="classification").table.empty
    assert check_data(X.iloc[:10], y[:10], task="classification").table.empty  # too few rows to judge IDs


def test_a_column_that_gives_the_target_away_is_flagged_not_dropped():
    X, y = _frame()
    X = X[["a", "b"]].copy()
    X["outcome_code"] = np.where(y == 1, "approved", "rejected")
    report = check_data(X, y, task="classification")
    assert _findings(report) == {("likely leak", "outcome_code", "kept")}
    assert "balanced accuracy 1.000" in report.table["detail"].iloc[0]
    yr = X["a"].to_numpy() * 3
    Xr = pd.DataFrame({"noise": np.random.default_rng(2).normal(size=300), "scaled": X["a"] * 3 + 1})
    assert _findings(check_data(Xr, yr, task="regression")) == {("likely leak", "scaled", "kept")}


def test_class_imbalance_is_noted_with_a_suitable_scorer():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = np.r_[np.zeros(190), np.ones(10)].astype(int)
    table = check_data(X, y, task="classification").table
    assert list(table["check"]) == ["class imbalance"]
    detail = table["detail"].iloc[0]
    assert "balanced_accuracy" in detail and "5.0%" in detail and detail.startswith("class 1 has 10 of 200")
    assert "consider" not in check_data(X, y, task="classification", scoring="f1").table["detail"].iloc[0]


def test_columns_are_kept_when_dropping_would_leave_none():
    X = pd.DataFrame({"code": [f"c{i}" for i in range(50)]})
    report = check_data(X, np.arange(50) % 2, task="classification")
    assert report.drop == [] and report.table["action"].tolist() == ["kept"]


def test_arrays_are_checked_by_position_and_the_featurizer_drops_them():
    rng = np.random.default_rng(0)
    X = np.c_[np.arange(100), rng.integers(0, 5, size=(100, 2)), np.ones(100, dtype=int)]  # int array
    report = check_data(X, rng.normal(size=100), task="regression")
    assert sorted(report.drop) == [0, 3]
    featurizer = make_featurizer(X, drop=report.drop)
    assert featurizer.fit_transform(X).shape == (100, 2)


def test_the_estimator_reports_warns_and_predicts_without_the_dropped_columns():
    X, y = _frame()
    with pytest.warns(DataQualityWarning, match="ID-like column 'row_id': dropped"):
        est = AutoClassifier(**SETTINGS).fit(X, y)
    assert set(est.data_report_.columns) == {"check", "column", "action", "detail"}
    assert len(est.data_report_) == 4
    featurizer = est.best_pipeline_[0]
    used = {c for _, _, cols in featurizer.transformers for c in cols}
    assert used == {"a", "b"}
    # new rows with unseen IDs and names predict fine, and the dropped columns may even be absent
    new = X.copy()
    new["row_id"] += 10**6
    new["name"] = "someone new"
    np.testing.assert_array_equal(est.predict(new), est.predict(X))


def test_clean_data_gives_an_empty_report_and_no_warning():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4))
    y = X[:, 0] + rng.normal(0, 1.0, 120)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        est = AutoRegressor(**SETTINGS).fit(X, y)
    assert est.data_report_.empty


@pytest.mark.parametrize(
    "cls, y",
    [
        (AutoRegressor, pd.Series([1.5, None, 2.0, np.nan, 3.0, 4.0] * 5)),
        (AutoClassifier, pd.Series(["yes", None, "no", "yes", pd.NA, "no"] * 5, dtype=object)),
    ],
)
def test_rows_with_a_missing_target_are_an_error_that_counts_them(cls, y):
    X = pd.DataFrame({"a": np.arange(len(y), dtype=float)})
    with pytest.raises(ValueError, match=r"y contains 10 missing or non-finite value\(s\).* out of 30 rows"):
        cls(time_budget=5).fit(X, y)


def test_the_report_names_array_columns_and_labels_as_plain_values():
    rng = np.random.default_rng(1)
    X = np.c_[np.zeros(200), rng.normal(size=(200, 2))]  # column 0 is constant
    y = np.r_[np.zeros(190, dtype=np.int64), np.ones(10, dtype=np.int64)]  # 5% of class 1
    report = check_data(X, y, task="classification")
    table = report.table
    assert table["column"].tolist() == [0, None]
    assert table["detail"].iloc[1].startswith("class 1 has 10 of 200 rows")
    with pytest.warns(DataQualityWarning) as record:
        AutoClassifier(**SETTINGS).fit(X, y)
    text = str(record[0].message)
    assert "constant column 0:" in text and "0.0" not in text and "nan" not in text


def test_a_single_class_is_named_as_a_plain_value():
    X = np.random.default_rng(0).normal(size=(20, 2))
    with pytest.raises(ValueError, match=r"y has a single class \(0\)"):
        AutoClassifier(**SETTINGS).fit(X, np.zeros(20, dtype=np.int64))
