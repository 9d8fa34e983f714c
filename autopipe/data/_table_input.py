"""Input handling shared by the data transformers: tables validated without losing their column dtypes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import validate_data


def check_2d(estimator: BaseEstimator, X: Any, *, reset: bool) -> pd.DataFrame | np.ndarray:
    """Validate a 2-d table without converting a DataFrame's column dtypes.

    DataFrames are kept as they are (their per-column dtypes carry the
    information these transformers need); anything else goes through
    :func:`~sklearn.utils.check_array` with ``dtype=None`` so that object and
    string arrays pass unchanged. Feature names and ``n_features_in_`` are set
    (``reset=True``) or checked (``reset=False``) the scikit-learn way.
    """
    if isinstance(X, pd.DataFrame):
        if X.shape[0] == 0:
            raise ValueError(
                f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of 1 is required."
            )
        validate_data(estimator, X, reset=reset, skip_check_array=True)
        return X
    return validate_data(estimator, X, reset=reset, dtype=None, ensure_all_finite=False)


def column_at(X: pd.DataFrame | np.ndarray, j: int) -> pd.Series:
    """Column ``j`` of a DataFrame or 2-d array as a Series with a fresh index."""
    if isinstance(X, pd.DataFrame):
        return X.iloc[:, j].reset_index(drop=True)
    return pd.Series(X[:, j])


def plain_values(s: pd.Series) -> pd.Series:
    """``s`` with an object dtype, so that categories and extension arrays behave alike."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.astype(object)
    return s


class TableTransformer(TransformerMixin, BaseEstimator):
    """Base class: accepts DataFrames with mixed dtypes, object arrays and NaN."""

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        return tags
