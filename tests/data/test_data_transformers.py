"""Tests of the public transformers of ``autopipe.data``, and of their first module path."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.utils.estimator_checks import parametrize_with_checks

import autopipe.data
from autopipe.data import DateTimeFeatures, FrequencyEncoder, ToNumeric, ToString

_STRING_OUTPUT = (
    "ToString outputs str objects by design; the check compares outputs numerically"
)


def _expected_failures(estimator: BaseEstimator) -> dict[str, str]:
    if not isinstance(estimator, ToString):
        return {}
    failures = dict.fromkeys(
        [
            "check_pipeline_consistency",
            "check_estimators_pickle",
            "check_transformer_data_not_an_array",
            "check_transformer_general",
            "check_methods_sample_order_invariance",
            "check_methods_subset_invariance",
            "check_fit_idempotent",
        ],
        _STRING_OUTPUT,
    )
    failures["check_fit1d"] = (
        "ToString accepts a 1-d column on purpose: ColumnTransformer passes one to "
        "the TfidfVectorizer that follows it"
    )
    return failures


@parametrize_with_checks(
    [DateTimeFeatures(), FrequencyEncoder(), ToNumeric(), ToString()],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_compatible(estimator: BaseEstimator, check: Any) -> None:
    check(estimator)


# --------------------------------------------------------------------------- #
# ToNumeric
# --------------------------------------------------------------------------- #


def test_to_numeric_converts_everything_to_float() -> None:
    X = pd.DataFrame(
        {
            "s": pd.Series(["1", "2.5", "?", None], dtype="str"),
            "b": [True, False, True, False],
            "o": pd.Series([True, None, 3, "4"], dtype=object),
            "i": pd.array([1, None, 3, 4], dtype="Int64"),
            "c": pd.Series(["1", "2", "2", "1"], dtype="category"),
            "inf": [np.inf, -np.inf, 1.0, 2.0],
            "td": pd.to_timedelta([1, 2, 3, None], unit="min"),
        }
    )
    out = ToNumeric().fit_transform(X)
    assert out.dtype == np.float64
    expected = np.array(
        [
            [1.0, 1.0, 1.0, 1.0, 1.0, np.nan, 60.0],
            [2.5, 0.0, np.nan, np.nan, 2.0, np.nan, 120.0],
            [np.nan, 1.0, 3.0, 3.0, 2.0, 1.0, 180.0],
            [np.nan, 0.0, 4.0, 4.0, 1.0, 2.0, np.nan],
        ]
    )
    np.testing.assert_array_equal(out, expected)
    kept = ToNumeric(inf_as_nan=False).fit_transform(X[["inf"]])
    np.testing.assert_array_equal(kept[:2, 0], [np.inf, -np.inf])
    np.testing.assert_array_equal(ToNumeric().fit(X).get_feature_names_out(), list(X.columns))


def test_to_numeric_object_array() -> None:
    X = np.array([["1", 2], ["x", None]], dtype=object)
    np.testing.assert_array_equal(ToNumeric().fit_transform(X), [[1.0, 2.0], [np.nan, np.nan]])


# --------------------------------------------------------------------------- #
# ToString
# --------------------------------------------------------------------------- #


def test_to_string_makes_uniform_labels() -> None:
    X = np.array([["a", 1], [2.0, 2.5], [None, np.nan], [True, pd.NA]], dtype=object)
    out = ToString(fill_value="?").fit_transform(X)
    assert out.dtype == object
    assert out.tolist() == [["a", "1"], ["2", "2.5"], ["?", "?"], ["True", "?"]]
    kept = ToString().fit_transform(X)
    assert kept[0, 0] == "a" and np.isnan(kept[2, 0])


def test_to_string_dtypes_agree() -> None:
    values = ["x", None, "y"]
    outs = [
        ToString(fill_value="m").fit_transform(pd.DataFrame({"c": pd.Series(values, dtype=dtype)}))
        for dtype in ("str", object, "category", "string")
    ]
    for out in outs:
        assert out.tolist() == [["x"], ["m"], ["y"]]


def test_to_string_one_dimensional() -> None:
    est = ToString(fill_value="").fit(pd.Series(["a b", None]))
    out = est.transform(pd.Series(["c", np.nan, "d"], index=[5, 6, 7]))
    assert out.shape == (3,)
    assert out.tolist() == ["c", "", "d"]
    assert est.get_feature_names_out(["txt"]).tolist() == ["txt"]


# --------------------------------------------------------------------------- #
# FrequencyEncoder
# --------------------------------------------------------------------------- #


def test_frequency_encoder_values() -> None:
    X = pd.DataFrame(
        {"a": ["x", "x", "y", None], "b": pd.Series(["p", "q", "q", "q"], dtype="category")}
    )
    enc = FrequencyEncoder().fit(X)
    out = enc.transform(pd.DataFrame({"b": ["q", "zz"], "a": ["y", None]})[["a", "b"]])
    np.testing.assert_allclose(out, [[0.25, 0.75], [0.25, 0.0]])
    np.testing.assert_allclose(enc.missing_frequencies_, [0.25, 0.0])
    assert enc.get_feature_names_out().tolist() == ["a", "b"]


def test_frequency_encoder_object_array_and_unseen() -> None:
    X = np.array([["a", 1], ["b", 1], ["a", 2]], dtype=object)
    enc = FrequencyEncoder().fit(X)
    out = enc.transform(np.array([["a", 2], ["new", 3]], dtype=object))
    np.testing.assert_allclose(out, [[2 / 3, 1 / 3], [0.0, 0.0]])


# --------------------------------------------------------------------------- #
# DateTimeFeatures
# --------------------------------------------------------------------------- #


def test_datetime_features_strings_and_missing() -> None:
    X = pd.DataFrame({"d": ["2024-01-31", "2024-03-01", None, "not a date"]})
    est = DateTimeFeatures().fit(X)
    assert not est.with_hour_[0]
    out = est.transform(X)
    assert est.get_feature_names_out().tolist() == [
        "d_year", "d_month", "d_day", "d_dayofweek", "d_missing"
    ]
    np.testing.assert_array_equal(out[0], [2024, 1, 31, 2, 0])
    np.testing.assert_array_equal(out[1], [2024, 3, 1, 4, 0])
    # missing and unparsable dates: training medians plus the indicator
    np.testing.assert_array_equal(out[2], [2024, 2, 16, 3, 1])
    np.testing.assert_array_equal(out[3], out[2])


def test_datetime_features_hour_and_several_columns() -> None:
    X = pd.DataFrame(
        {
            "day": pd.to_datetime(["2021-05-01", "2021-05-02"]),
            "when": pd.to_datetime(["2021-05-01 13:30", "2021-05-02 00:00"]).tz_localize("Europe/Oslo"),
            "mixed_offsets": ["2020-01-01T10:00+01:00", "2020-01-01T10:00+05:00"],
        }
    )
    est = DateTimeFeatures(missing_indicator=False).fit(X)
    assert est.with_hour_.tolist() == [False, True, True]
    out = est.transform(X)
    assert out.shape == (2, 4 + 5 + 5)
    assert out[0, 8] == 13  # hour kept in the column's own time zone
    np.testing.assert_array_equal(out[:, 13], [9, 5])  # mixed offsets: hours in UTC
    assert est.get_feature_names_out()[4:9].tolist() == [
        "when_year", "when_month", "when_day", "when_dayofweek", "when_hour"
    ]


def test_datetime_features_all_missing_column_is_finite() -> None:
    est = DateTimeFeatures().fit(pd.DataFrame({"d": [None, None]}, dtype=object))
    out = est.transform(pd.DataFrame({"d": ["2020-01-01", None]}))
    assert np.isfinite(out).all()
    np.testing.assert_array_equal(out[:, -1], [0, 1])


@pytest.mark.parametrize(
    "est, X",
    [
        (ToNumeric(), pd.DataFrame({"a": ["1", None]})),
        (ToString(fill_value="m"), pd.DataFrame({"a": [1, None]})),
        (FrequencyEncoder(), pd.DataFrame({"a": ["x", "y"]})),
        (DateTimeFeatures(), pd.DataFrame({"a": ["2020-01-01 10:00", None]})),
    ],
    ids=["to-numeric", "to-string", "frequency", "datetime"],
)
def test_clone_and_pickle(est: BaseEstimator, X: pd.DataFrame) -> None:
    fitted = clone(est).fit(X)
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.transform(X), fitted.transform(X))
    assert clone(est).get_params() == est.get_params()


# --------------------------------------------------------------------------- #
# OneVsRestTargetEncoder
# --------------------------------------------------------------------------- #


def _codes(n: int = 60, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"code": rng.choice(["a", "b", "c", "d"], n), "zip": rng.choice(["x", "y"], n)})


@pytest.mark.parametrize(
    "y, width",
    [
        (np.tile(["no", "yes"], 30), 2),  # two classes: one column per feature
        (np.tile(["r", "g", "b"], 20), 6),  # three classes: one column per class and feature
        (np.linspace(0.0, 1.0, 60), 2),  # a numeric target
    ],
)
def test_target_encoder_widths_and_names(y, width):
    from autopipe.data import OneVsRestTargetEncoder

    X = _codes()
    enc = OneVsRestTargetEncoder()
    out = enc.fit_transform(X, y)
    assert out.shape == (60, width) and np.isfinite(out).all()
    assert enc.transform(X).shape == (60, width)
    assert len(enc.get_feature_names_out()) == width
    assert enc.get_feature_names_out()[0].startswith("code_target")


def test_target_encoder_survives_a_class_with_one_member():
    from autopipe.data import OneVsRestTargetEncoder

    X = _codes()
    y = np.array(["common"] * 59 + ["rare"])
    # sklearn's own TargetEncoder stratifies its folds, which a single member cannot
    out = OneVsRestTargetEncoder().fit_transform(X, y)
    assert out.shape == (60, 2) and np.isfinite(out).all()


def test_target_encoder_is_cross_fitted_and_unseen_categories_get_the_mean():
    from autopipe.data import OneVsRestTargetEncoder

    X = pd.DataFrame({"code": [f"c{i}" for i in range(40)] * 2})  # every code twice
    y = np.tile([0.0, 1.0], 40)
    y[40:] = 1.0 - y[:40]  # each code's two rows have opposite targets
    enc = OneVsRestTargetEncoder(cv=2, random_state=0)
    out = enc.fit_transform(X, y)
    # a row's encoding never uses its own target: it moves away from it, never towards it
    assert np.corrcoef(out[:, 0], y)[0, 1] < 0
    unseen = enc.transform(pd.DataFrame({"code": ["never seen"]}))
    assert unseen[0, 0] == pytest.approx(y.mean())
    with pytest.raises(ValueError, match="needs y"):
        OneVsRestTargetEncoder().fit_transform(X)
    clone(enc).fit(X, y)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(enc)).transform(X), enc.transform(X))


@pytest.mark.parametrize("name", ["DateTimeFeatures", "FrequencyEncoder", "OneVsRestTargetEncoder", "ToNumeric", "ToString"])
def test_pickles_naming_the_first_module_path_still_load(name: str) -> None:
    # models pickled before the transformers moved to private modules name autopipe.data.transformers
    from autopipe.data import transformers

    assert getattr(transformers, name) is getattr(autopipe.data, name)
    old_reference = f"cautopipe.data.transformers\n{name}\n.".encode()
    assert pickle.loads(old_reference) is getattr(autopipe.data, name)
