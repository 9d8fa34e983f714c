"""Transformers that convert raw columns to one type: numbers (``ToNumeric``) or text labels (``ToString``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import OneToOneFeatureMixin
from sklearn.utils.validation import check_is_fitted

from ._table_input import TableTransformer, check_2d, column_at, plain_values

__all__ = ["ToNumeric", "ToString"]


def _numeric_column(s: pd.Series, inf_as_nan: bool) -> np.ndarray:
    """One column as float64: numbers kept, booleans as 0/1, the rest parsed or NaN."""
    s = plain_values(s)
    if s.dtype.kind == "m":  # timedeltas become seconds
        values = s.dt.total_seconds().to_numpy(dtype=np.float64, na_value=np.nan)
    elif s.dtype.kind == "M" or isinstance(s.dtype, pd.DatetimeTZDtype):
        values = np.full(len(s), np.nan)
    elif pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype):
        values = s.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        parsed = pd.to_numeric(s, errors="coerce")
        if parsed.dtype == object:  # values pandas cannot parse at all
            parsed = pd.to_numeric(parsed.astype(str), errors="coerce").where(parsed.notna())
        values = parsed.to_numpy(dtype=np.float64, na_value=np.nan)
    if inf_as_nan:
        # ``np.where`` builds a new array: ``to_numpy`` may return a read-only view
        # of the frame's data under pandas' copy-on-write.
        values = np.where(np.isinf(values), np.nan, values)
    return values


class ToNumeric(OneToOneFeatureMixin, TableTransformer):
    """Convert every column to float64 with :func:`pandas.to_numeric`.

    Numbers are kept, booleans become 0/1, numeric-looking strings such as
    ``"3.5"`` are parsed, and anything that cannot be parsed becomes NaN (so an
    imputer placed after this step takes care of it). Timedeltas become
    seconds. The transformer is stateless apart from remembering the number
    and names of the input columns.

    Parameters
    ----------
    inf_as_nan : bool, default=True
        Also turn ``+inf`` and ``-inf`` into NaN, so that the output holds only
        finite numbers and NaN.

    Attributes
    ----------
    n_features_in_ : int
        Number of columns seen during :meth:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names seen during :meth:`fit`; only defined when they are all
        strings.

    See Also
    --------
    ToString : The opposite conversion, for categorical columns.

    Examples
    --------
    >>> import pandas as pd
    >>> from autopipe.data import ToNumeric
    >>> ToNumeric().fit_transform(pd.DataFrame({"a": ["1", "2.5", "n/a"]}))
    array([[1. ],
           [2.5],
           [nan]])
    """

    def __init__(self, inf_as_nan: bool = True) -> None:
        self.inf_as_nan = inf_as_nan

    def fit(self, X: Any, y: Any = None) -> ToNumeric:
        """Remember the number and names of the columns of ``X``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The columns to convert.
        y : None
            Ignored.

        Returns
        -------
        self : ToNumeric
            The fitted transformer.
        """
        check_2d(self, X, reset=True)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Convert each column of ``X`` to float64.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The columns to convert.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_features), dtype float64
            The converted values; NaN where a value is missing or unparsable.
        """
        check_is_fitted(self, "n_features_in_")
        X = check_2d(self, X, reset=False)
        out = np.empty(X.shape, dtype=np.float64)
        for j in range(X.shape[1]):
            out[:, j] = _numeric_column(column_at(X, j), self.inf_as_nan)
        return out


# --------------------------------------------------------------------------- #
# ToString
# --------------------------------------------------------------------------- #


def _format_value(value: Any) -> str:
    """A category label as text; whole floats are written like integers (``2.0`` -> ``"2"``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _string_column(s: pd.Series, fill_value: str | None) -> np.ndarray:
    """One column as an object array of ``str``, missing values as ``fill_value`` or NaN."""
    missing = s.isna().to_numpy()
    if pd.api.types.is_string_dtype(s.dtype) and s.dtype != object:
        values = np.array(s.to_numpy(dtype=object), dtype=object)  # writable copy
    else:
        raw = s.to_numpy(dtype=object)
        values = np.empty(len(raw), dtype=object)
        present = ~missing
        values[present] = [_format_value(v) for v in raw[present]]
    values[missing] = np.nan if fill_value is None else fill_value
    return values


class ToString(OneToOneFeatureMixin, TableTransformer):
    """Convert every value to a Python ``str`` so that encoders see uniform labels.

    Category encoders need every column to hold only strings (or only
    numbers). Raw data often mixes them (``"a"``, ``1``, ``2.0``) or switches
    dtype between training and prediction (``category`` at fit, ``str`` later).
    This transformer writes every non-missing value as text (whole floats as
    integers: ``2.0`` becomes ``"2"``) and replaces missing values (NaN, None,
    NA, NaT) by ``fill_value``.

    One-dimensional input (a Series or 1-d array, as
    :class:`~sklearn.compose.ColumnTransformer` passes for a scalar column
    selection) gives 1-d output, which is what text vectorizers expect.

    Parameters
    ----------
    fill_value : str or None, default=None
        Replacement for missing values; ``None`` keeps them as ``np.nan``.

    Attributes
    ----------
    n_features_in_ : int
        Number of columns seen during :meth:`fit` (1 for 1-d input).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names seen during :meth:`fit`; only defined when they are all
        strings.

    See Also
    --------
    ToNumeric : The opposite conversion, for numeric columns.

    Examples
    --------
    >>> import numpy as np
    >>> from autopipe.data import ToString
    >>> ToString(fill_value="?").fit_transform(np.array([["a"], [1], [2.0], [None]], dtype=object))
    array([['a'],
           ['1'],
           ['2'],
           ['?']], dtype=object)
    """

    def __init__(self, fill_value: str | None = None) -> None:
        self.fill_value = fill_value

    @staticmethod
    def _is_1d(X: Any) -> bool:
        if isinstance(X, pd.Series):
            return True
        if isinstance(X, pd.DataFrame) or hasattr(X, "tocsr"):
            return False
        return np.asarray(X).ndim == 1

    def _check_1d(self, X: Any, *, reset: bool) -> pd.Series:
        s = X.reset_index(drop=True) if isinstance(X, pd.Series) else pd.Series(np.asarray(X, dtype=object))
        if len(s) == 0:
            raise ValueError("Found array with 0 sample(s) (shape=(0,)) while a minimum of 1 is required.")
        if reset:
            self.n_features_in_ = 1
            if hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
        elif self.n_features_in_ != 1:
            raise ValueError(
                f"Expected a 2D array with {self.n_features_in_} columns, got a 1D array "
                "instead. Reshape your data either using array.reshape(-1, 1) if your data "
                "has a single feature or array.reshape(1, -1) if it contains a single sample."
            )
        return s

    def fit(self, X: Any, y: Any = None) -> ToString:
        """Remember the number and names of the columns of ``X``.

        Parameters
        ----------
        X : DataFrame, Series or array-like of shape (n_samples, n_features) or (n_samples,)
            The values to convert.
        y : None
            Ignored.

        Returns
        -------
        self : ToString
            The fitted transformer.
        """
        if self._is_1d(X):
            self._check_1d(X, reset=True)
        else:
            check_2d(self, X, reset=True)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Convert each value of ``X`` to ``str``.

        Parameters
        ----------
        X : DataFrame, Series or array-like of shape (n_samples, n_features) or (n_samples,)
            The values to convert.

        Returns
        -------
        X_new : ndarray of dtype object, same shape as ``X``
            The values as ``str``; missing values replaced by ``fill_value``.
        """
        check_is_fitted(self, "n_features_in_")
        if self._is_1d(X):
            return _string_column(self._check_1d(X, reset=False), self.fill_value)
        X = check_2d(self, X, reset=False)
        out = np.empty(X.shape, dtype=object)
        for j in range(X.shape[1]):
            out[:, j] = _string_column(column_at(X, j), self.fill_value)
        return out

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []
        return tags
