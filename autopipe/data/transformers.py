"""Small scikit-learn transformers that turn raw table columns into numbers."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import sklearn
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.model_selection import KFold
from sklearn.preprocessing import TargetEncoder
from sklearn.utils.fixes import parse_version
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

__all__ = ["DateTimeFeatures", "FrequencyEncoder", "OneVsRestTargetEncoder", "ToNumeric", "ToString"]


# --------------------------------------------------------------------------- #
# Shared input handling
# --------------------------------------------------------------------------- #


def _check_2d(estimator: BaseEstimator, X: Any, *, reset: bool) -> pd.DataFrame | np.ndarray:
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


def _column(X: pd.DataFrame | np.ndarray, j: int) -> pd.Series:
    """Column ``j`` of a DataFrame or 2-d array as a Series with a fresh index."""
    if isinstance(X, pd.DataFrame):
        return X.iloc[:, j].reset_index(drop=True)
    return pd.Series(X[:, j])


def _feature_names_in(estimator: BaseEstimator, input_features: Any) -> np.ndarray:
    """The input feature names: given, seen during fit, or ``x0, x1, ...``."""
    check_is_fitted(estimator, "n_features_in_")
    seen = getattr(estimator, "feature_names_in_", None)
    if input_features is None:
        if seen is not None:
            return np.asarray(seen, dtype=object)
        return np.asarray([f"x{i}" for i in range(estimator.n_features_in_)], dtype=object)
    names = np.asarray(input_features, dtype=object)
    if len(names) != estimator.n_features_in_:
        raise ValueError(
            f"input_features should have length equal to number of features "
            f"({estimator.n_features_in_}), got {len(names)}"
        )
    if seen is not None and not np.array_equal(names, seen):
        raise ValueError("input_features is not equal to feature_names_in_")
    return names


def _plain_values(s: pd.Series) -> pd.Series:
    """``s`` with an object dtype, so that categories and extension arrays behave alike."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.astype(object)
    return s


class _TableTransformer(TransformerMixin, BaseEstimator):
    """Base class: accepts DataFrames with mixed dtypes, object arrays and NaN."""

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        return tags


# --------------------------------------------------------------------------- #
# ToNumeric
# --------------------------------------------------------------------------- #


def _numeric_column(s: pd.Series, inf_as_nan: bool) -> np.ndarray:
    """One column as float64: numbers kept, booleans as 0/1, the rest parsed or NaN."""
    s = _plain_values(s)
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


class ToNumeric(OneToOneFeatureMixin, _TableTransformer):
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
    >>> from autopipe.data.transformers import ToNumeric
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
        _check_2d(self, X, reset=True)
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
        X = _check_2d(self, X, reset=False)
        out = np.empty(X.shape, dtype=np.float64)
        for j in range(X.shape[1]):
            out[:, j] = _numeric_column(_column(X, j), self.inf_as_nan)
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


class ToString(OneToOneFeatureMixin, _TableTransformer):
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
    >>> from autopipe.data.transformers import ToString
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
            _check_2d(self, X, reset=True)
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
        X = _check_2d(self, X, reset=False)
        out = np.empty(X.shape, dtype=object)
        for j in range(X.shape[1]):
            out[:, j] = _string_column(_column(X, j), self.fill_value)
        return out

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []
        return tags


# --------------------------------------------------------------------------- #
# FrequencyEncoder
# --------------------------------------------------------------------------- #


class FrequencyEncoder(OneToOneFeatureMixin, _TableTransformer):
    """Replace each category by its relative frequency in the training data.

    A compact encoding for high-cardinality categorical columns: one output
    column per input column, holding the share of training rows that had the
    same value. Values never seen during :meth:`fit` get 0. Missing values are
    treated as a category of their own (their training share, or 0 when the
    training column had none).

    Attributes
    ----------
    categories_ : list of ndarray
        For each input column, the distinct non-missing training values.
    frequencies_ : list of ndarray
        For each input column, the relative frequency of each entry of
        ``categories_`` (the share of all training rows, missing ones included).
    missing_frequencies_ : ndarray of shape (`n_features_in_`,)
        The share of training rows in which each column was missing.
    n_features_in_ : int
        Number of columns seen during :meth:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names seen during :meth:`fit`; only defined when they are all
        strings.

    See Also
    --------
    sklearn.preprocessing.OrdinalEncoder : An integer code per category.
    sklearn.preprocessing.OneHotEncoder : A binary column per category.

    Examples
    --------
    >>> import pandas as pd
    >>> from autopipe.data.transformers import FrequencyEncoder
    >>> enc = FrequencyEncoder().fit(pd.DataFrame({"city": ["a", "a", "b", "c"]}))
    >>> enc.transform(pd.DataFrame({"city": ["a", "b", "z"]}))
    array([[0.5 ],
           [0.25],
           [0.  ]])
    """

    def __init__(self) -> None:
        pass

    def fit(self, X: Any, y: Any = None) -> FrequencyEncoder:
        """Count the relative frequency of every value in each column.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The categorical columns.
        y : None
            Ignored.

        Returns
        -------
        self : FrequencyEncoder
            The fitted encoder.
        """
        X = _check_2d(self, X, reset=True)
        n_rows = X.shape[0]
        self.categories_ = []
        self.frequencies_ = []
        missing = np.zeros(X.shape[1])
        for j in range(X.shape[1]):
            s = _plain_values(_column(X, j))
            counts = s.value_counts(dropna=True, sort=False)
            self.categories_.append(np.asarray(counts.index, dtype=object))
            self.frequencies_.append(counts.to_numpy(dtype=np.float64) / n_rows)
            missing[j] = s.isna().sum() / n_rows
        self.missing_frequencies_ = missing
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Encode each value by its training frequency.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The categorical columns.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_features), dtype float64
            Relative training frequencies; 0 for unseen values.
        """
        check_is_fitted(self, "frequencies_")
        X = _check_2d(self, X, reset=False)
        out = np.zeros(X.shape, dtype=np.float64)
        for j in range(X.shape[1]):
            s = _plain_values(_column(X, j))
            missing = s.isna().to_numpy()
            codes = pd.Index(self.categories_[j], dtype=object).get_indexer(s.to_numpy(dtype=object))
            known = (codes >= 0) & ~missing
            out[known, j] = self.frequencies_[j][codes[known]]
            out[missing, j] = self.missing_frequencies_[j]
        return out


# --------------------------------------------------------------------------- #
# DateTimeFeatures
# --------------------------------------------------------------------------- #

#: Calendar parts: output name -> ``Series.dt`` attribute.
_DATE_PARTS = {"year": "year", "month": "month", "day": "day", "dayofweek": "day_of_week"}


def _to_datetime(s: pd.Series) -> pd.Series:
    """Parse one column as datetimes; unparsable values become ``NaT``.

    Datetime dtypes are returned unchanged (time zone included). Other values
    go through ``pd.to_datetime(..., errors="coerce", format="mixed")``;
    strings with different UTC offsets are converted to UTC.

    Parameters
    ----------
    s : Series
        The column to parse.

    Returns
    -------
    parsed : Series
        A ``datetime64`` Series aligned with ``s``.
    """
    if s.dtype.kind == "M" or isinstance(s.dtype, pd.DatetimeTZDtype):
        return s
    s = _plain_values(s)
    if pd.api.types.is_bool_dtype(s.dtype):
        return pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    try:
        return pd.to_datetime(s, errors="coerce", format="mixed")
    except (ValueError, TypeError, OverflowError):
        try:
            return pd.to_datetime(s, errors="coerce", format="mixed", utc=True)
        except (ValueError, TypeError, OverflowError):
            return pd.to_datetime(s.astype(str).where(s.notna()), errors="coerce", format="mixed", utc=True)


def _date_parts(parsed: pd.Series, with_hour: bool) -> np.ndarray:
    """Calendar parts of parsed datetimes, NaN where missing; one column per part."""
    dt = parsed.dt
    parts = [getattr(dt, attribute) for attribute in _DATE_PARTS.values()]
    if with_hour:
        parts.append(dt.hour)
    return np.column_stack([p.to_numpy(dtype=np.float64, na_value=np.nan) for p in parts])


class DateTimeFeatures(_TableTransformer):
    """Expand date or datetime columns into numeric calendar features.

    Each input column gives ``year``, ``month``, ``day`` (of the month) and
    ``dayofweek`` (Monday = 0), plus ``hour`` when some training value has a
    time of day other than midnight, plus (by default) a 0/1 ``missing``
    indicator. Columns of a ``datetime64`` dtype are used as they are (time
    zone-aware ones in their own time zone); anything else is parsed with
    ``pd.to_datetime(..., format="mixed", errors="coerce")``. Missing and
    unparsable values get the training median of each feature, so the output
    is always finite.

    Parameters
    ----------
    missing_indicator : bool, default=True
        Add one 0/1 column per input column that marks missing or unparsable
        dates.

    Attributes
    ----------
    with_hour_ : ndarray of shape (`n_features_in_`,), dtype bool
        Whether an ``hour`` feature is produced for each input column.
    fill_values_ : list of ndarray
        For each input column, the values used for missing dates (training
        medians of each calendar part; 0 for a column with no valid date).
    n_features_in_ : int
        Number of columns seen during :meth:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names seen during :meth:`fit`; only defined when they are all
        strings.

    Examples
    --------
    >>> import pandas as pd
    >>> from autopipe.data.transformers import DateTimeFeatures
    >>> X = pd.DataFrame({"when": ["2024-01-31", "2024-02-29", None]})
    >>> DateTimeFeatures().fit_transform(X)
    array([[2.024e+03, 1.000e+00, 3.100e+01, 2.000e+00, 0.000e+00],
           [2.024e+03, 2.000e+00, 2.900e+01, 3.000e+00, 0.000e+00],
           [2.024e+03, 1.500e+00, 3.000e+01, 2.500e+00, 1.000e+00]])
    """

    def __init__(self, missing_indicator: bool = True) -> None:
        self.missing_indicator = missing_indicator

    def fit(self, X: Any, y: Any = None) -> DateTimeFeatures:
        """Decide on the hour feature and learn the fill values of each column.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Datetime columns, or columns of date strings.
        y : None
            Ignored.

        Returns
        -------
        self : DateTimeFeatures
            The fitted transformer.
        """
        X = _check_2d(self, X, reset=True)
        with_hour = np.zeros(X.shape[1], dtype=bool)
        self.fill_values_ = []
        for j in range(X.shape[1]):
            parsed = _to_datetime(_column(X, j))
            valid = parsed.dropna()
            if len(valid):
                time_of_day = valid - valid.dt.normalize()
                with_hour[j] = bool((time_of_day != pd.Timedelta(0)).any())
            parts = _date_parts(parsed, with_hour[j])
            with np.errstate(all="ignore"):
                medians = (
                    np.nanmedian(parts, axis=0) if len(valid) else np.zeros(parts.shape[1])
                )
            self.fill_values_.append(medians)
        self.with_hour_ = with_hour
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Compute the calendar features of each column.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Datetime columns, or columns of date strings.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_features_out), dtype float64
            The calendar features of every column, side by side (see
            :meth:`get_feature_names_out`).
        """
        check_is_fitted(self, "fill_values_")
        X = _check_2d(self, X, reset=False)
        blocks = []
        for j in range(X.shape[1]):
            parts = _date_parts(_to_datetime(_column(X, j)), self.with_hour_[j])
            missing = np.isnan(parts).any(axis=1)
            parts = np.where(np.isnan(parts), self.fill_values_[j], parts)
            blocks.append(parts)
            if self.missing_indicator:
                blocks.append(missing.astype(np.float64)[:, None])
        if not blocks:
            return np.zeros((X.shape[0], 0))
        return np.hstack(blocks)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output features: ``<column>_<part>``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input column names; by default ``feature_names_in_`` or
            ``x0, x1, ...``.

        Returns
        -------
        feature_names_out : ndarray of str objects
            For each input column: ``_year``, ``_month``, ``_day``,
            ``_dayofweek``, then ``_hour`` if used and ``_missing`` if enabled.
        """
        check_is_fitted(self, "fill_values_")
        names = []
        for j, column in enumerate(_feature_names_in(self, input_features)):
            parts = list(_DATE_PARTS) + (["hour"] if self.with_hour_[j] else [])
            if self.missing_indicator:
                parts.append("missing")
            names.extend(f"{column}_{part}" for part in parts)
        return np.asarray(names, dtype=object)


# --------------------------------------------------------------------------- #
# OneVsRestTargetEncoder
# --------------------------------------------------------------------------- #


# Since sklearn 1.9 TargetEncoder takes its shuffling from a splitter given as ``cv``.
_SPLITTER_CV = parse_version(sklearn.__version__) >= parse_version("1.9")


def _shuffled_folds(folds: int, random_state: int) -> dict[str, Any]:
    """TargetEncoder arguments for shuffled cross-fitting."""
    if _SPLITTER_CV:
        return {"cv": KFold(folds, shuffle=True, random_state=random_state)}
    return {"cv": folds, "shuffle": True, "random_state": random_state}


class OneVsRestTargetEncoder(TransformerMixin, BaseEstimator):
    """Cross-fitted target encoding that works with any class sizes.

    Each category is replaced by the smoothed mean of the target over the
    training rows with that category, computed by scikit-learn's
    :class:`~sklearn.preprocessing.TargetEncoder` with a continuous target:
    the target itself for a numeric target, and the indicator of each class
    (one-vs-rest) for class labels: one column for two classes (the second
    class), one per class for more. ``fit_transform`` is cross-fitted with
    shuffled, unstratified folds, so no row is encoded with its own target and
    a class with a single member does not break the folds (sklearn's
    stratified cross-fitting needs as many members as folds in every class).

    Parameters
    ----------
    cv : int, default=5
        Folds of the cross-fitting in ``fit_transform`` (fewer when there are
        fewer rows).
    random_state : int, default=0
        Seed of the fold shuffling.

    Attributes
    ----------
    classes_ : ndarray or None
        The class labels, or ``None`` for a numeric target.
    encoders_ : list of TargetEncoder
        One fitted encoder per output block (per encoded class).
    n_features_in_ : int
        Number of columns seen during ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([["a"], ["a"], ["b"], ["b"], ["c"], ["c"]], dtype=object)
    >>> y = np.array(["no", "yes", "no", "no", "yes", "yes"])
    >>> OneVsRestTargetEncoder(cv=2).fit_transform(X, y).shape
    (6, 1)
    """

    def __init__(self, cv: int = 5, random_state: int = 0) -> None:
        self.cv = cv
        self.random_state = random_state

    def _targets(self, y: Any) -> np.ndarray:
        """The continuous targets to encode, as columns."""
        y = np.asarray(y)
        if type_of_target(y) in ("continuous", "continuous-multioutput") or (
            y.dtype.kind == "f" and len(np.unique(y)) > 2
        ):
            self.classes_ = None
            return y.astype(np.float64).reshape(-1, 1)
        self.classes_ = np.unique(y)
        encoded = self.classes_[1:] if len(self.classes_) == 2 else self.classes_
        return np.column_stack([(y == c).astype(np.float64) for c in encoded])

    def fit(self, X: Any, y: Any) -> OneVsRestTargetEncoder:
        """Fit the encoders on all rows (use ``fit_transform`` for the training rows' own encoding).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Categorical columns.
        y : array-like of shape (n_samples,)
            Target.

        Returns
        -------
        self : OneVsRestTargetEncoder
        """
        self.fit_transform(X, y)
        return self

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> np.ndarray:
        """Fit, and encode the training rows out of fold (cross-fitted).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Categorical columns.
        y : array-like of shape (n_samples,)
            Target (required).

        Returns
        -------
        X_out : ndarray of shape (n_samples, n_features * n_blocks)
        """
        if y is None:
            raise ValueError("OneVsRestTargetEncoder needs y: it encodes categories by their mean target.")
        targets = self._targets(y)
        folds = max(2, min(int(self.cv), targets.shape[0]))
        self.encoders_ = []
        blocks = []
        for column in targets.T:
            encoder = TargetEncoder(target_type="continuous", **_shuffled_folds(folds, self.random_state))
            blocks.append(encoder.fit_transform(X, column))
            self.encoders_.append(encoder)
        self.n_features_in_ = self.encoders_[0].n_features_in_
        if hasattr(self.encoders_[0], "feature_names_in_"):
            self.feature_names_in_ = self.encoders_[0].feature_names_in_
        return np.hstack(blocks)

    def transform(self, X: Any) -> np.ndarray:
        """Encode new rows with the means learnt from all training rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_out : ndarray of shape (n_samples, n_features * n_blocks)
        """
        check_is_fitted(self, "encoders_")
        return np.hstack([encoder.transform(X) for encoder in self.encoders_])

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``<column>_target`` (numeric target or two classes), else ``<column>_target_<class>``.

        Parameters
        ----------
        input_features : array-like of str, optional

        Returns
        -------
        names : ndarray of str
        """
        names = _feature_names_in(self, input_features)
        classes = self.classes_
        if classes is None or len(classes) == 2:
            return np.asarray([f"{n}_target" for n in names], dtype=object)
        return np.asarray([f"{n}_target_{c}" for c in classes for n in names], dtype=object)
