"""Dates: parsing raw columns as datetimes and expanding them into calendar features (``DateTimeFeatures``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from .._utils.features import input_feature_names
from ._table_input import TableTransformer, check_2d, column_at, plain_values

__all__ = ["DateTimeFeatures", "parse_datetimes"]

#: Calendar parts: output name -> ``Series.dt`` attribute.
_DATE_PARTS = {"year": "year", "month": "month", "day": "day", "dayofweek": "day_of_week"}


def parse_datetimes(s: pd.Series) -> pd.Series:
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
    s = plain_values(s)
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


class DateTimeFeatures(TableTransformer):
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
    >>> from autopipe.data import DateTimeFeatures
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
        X = check_2d(self, X, reset=True)
        with_hour = np.zeros(X.shape[1], dtype=bool)
        self.fill_values_ = []
        for j in range(X.shape[1]):
            parsed = parse_datetimes(column_at(X, j))
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
        X = check_2d(self, X, reset=False)
        blocks = []
        for j in range(X.shape[1]):
            parts = _date_parts(parse_datetimes(column_at(X, j)), self.with_hour_[j])
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
        for j, column in enumerate(input_feature_names(self, input_features)):
            parts = list(_DATE_PARTS) + (["hour"] if self.with_hour_[j] else [])
            if self.missing_indicator:
                parts.append("missing")
            names.extend(f"{column}_{part}" for part in parts)
        return np.asarray(names, dtype=object)
