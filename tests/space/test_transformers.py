"""Tests of autopipe's own transformers: ``ZeroCount`` and ``StackingTransformer``."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC
from sklearn.utils.estimator_checks import parametrize_with_checks

from autopipe.space import StackingTransformer, ZeroCount


@parametrize_with_checks([ZeroCount(), StackingTransformer(LogisticRegression())])
def test_sklearn_compatible(estimator: Any, check: Any) -> None:
    check(estimator)


def test_zero_count_values() -> None:
    X = np.array([[0.0, 1.0, 2.0], [0.0, 0.0, 0.0], [3.0, -1.0, 5.0]])
    out = ZeroCount().fit_transform(X)
    np.testing.assert_array_equal(out[:, 0], [2, 0, 3])
    np.testing.assert_array_equal(out[:, 1], [1, 3, 0])
    np.testing.assert_array_equal(out[:, 2:], X)


def test_zero_count_sparse_matches_dense() -> None:
    X = np.array([[0.0, 1.0, 2.0], [0.0, 0.0, 0.0], [3.0, -1.0, 5.0]])
    out = ZeroCount().fit(X).transform(sp.csr_matrix(X))
    assert sp.issparse(out)
    np.testing.assert_array_equal(out.toarray(), ZeroCount().fit_transform(X))


def test_zero_count_feature_names() -> None:
    df = pd.DataFrame({"a": [0.0, 1.0], "b": [2.0, 0.0]})
    zc = ZeroCount().fit(df)
    assert list(zc.get_feature_names_out()) == ["nonzero_count", "zero_count", "a", "b"]
    assert list(ZeroCount().fit(df.to_numpy()).get_feature_names_out()) == [
        "nonzero_count", "zero_count", "x0", "x1",
    ]


def test_stacking_classifier_probabilities() -> None:
    X, y = make_classification(n_samples=60, n_features=5, n_informative=3, n_classes=3, random_state=0)
    st = StackingTransformer(LogisticRegression()).fit(X, y)
    out = st.transform(X)
    assert out.shape == (60, 8)
    np.testing.assert_array_equal(out[:, :5], X)
    np.testing.assert_allclose(out[:, 5:], st.estimator_.predict_proba(X))
    assert st.n_added_features_ == 3
    names = st.get_feature_names_out()
    assert list(names[-3:]) == [f"logisticregression_proba_{c}" for c in (0, 1, 2)]


def test_stacking_classifier_without_proba_uses_class_index() -> None:
    X, y = make_classification(n_samples=60, n_features=5, n_informative=3, n_classes=3, random_state=0)
    labels = np.array(["cat", "dog", "eel"])[y]
    st = StackingTransformer(LinearSVC()).fit(X, labels)
    extra = st.transform(X)[:, -1]
    expected = np.searchsorted(st.estimator_.classes_, st.estimator_.predict(X)).astype(float)
    np.testing.assert_array_equal(extra, expected)
    assert set(extra) <= {0.0, 1.0, 2.0}
    assert st.get_feature_names_out()[-1] == "linearsvc_prediction"


def test_stacking_regressor_prediction_column() -> None:
    X, y = make_regression(n_samples=60, n_features=4, random_state=0)
    st = StackingTransformer(Ridge()).fit(X, y)
    out = st.transform(X)
    assert out.shape == (60, 5)
    np.testing.assert_allclose(out[:, -1], st.estimator_.predict(X))
    # multi-output regression: one column per output
    Y = np.column_stack([y, -y])
    assert StackingTransformer(LinearRegression()).fit(X, Y).transform(X).shape == (60, 6)


def test_stacking_sparse_input() -> None:
    X, y = make_classification(n_samples=60, n_features=5, random_state=0)
    Xs = sp.csr_matrix(np.where(np.abs(X) > 0.5, X, 0.0))
    out = StackingTransformer(LogisticRegression()).fit(Xs, y).transform(Xs)
    assert sp.issparse(out) and out.shape == (60, 7)


def test_stacking_in_pipeline_clone_and_pickle() -> None:
    X, y = make_classification(n_samples=60, n_features=5, random_state=0)
    pipe = make_pipeline(StackingTransformer(LogisticRegression()), ZeroCount(), LogisticRegression())
    pipe.fit(X, y)
    restored = pickle.loads(pickle.dumps(pipe))
    np.testing.assert_array_equal(restored.predict(X), pipe.predict(X))
    fresh = clone(pipe)
    assert not hasattr(fresh.steps[0][1], "estimator_")
    assert fresh.get_params()["stackingtransformer__estimator__C"] == 1.0


def test_stacking_does_not_touch_given_estimator() -> None:
    X, y = make_classification(n_samples=60, n_features=5, random_state=0)
    inner = LogisticRegression()
    st = StackingTransformer(inner).fit(X, y)
    assert st.estimator_ is not inner
    assert not hasattr(inner, "coef_")


def test_stacking_requires_y() -> None:
    X, _ = make_classification(n_samples=20, n_features=4, random_state=0)
    with pytest.raises(ValueError, match="requires y"):
        StackingTransformer(LogisticRegression()).fit(X, None)
