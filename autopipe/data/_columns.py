"""Inference of what each column of a raw table holds (numbers, categories, dates, text...)."""

from __future__ import annotations

import enum
from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd

from ._datetimes import parse_datetimes

__all__ = ["ColumnKind", "infer_column_kinds"]

#: Rows looked at when parsing dates and judging free text.
_SAMPLE_SIZE = 500
#: Share of sampled values that must parse as dates for a DATETIME column.
_DATE_SHARE = 0.9
#: Share of values that must be numbers when the rest is one placeholder ("?", "-").
_NUMERIC_SHARE = 0.95
#: Mean length, share of values with a space and share of distinct values of free text.
_TEXT_MEAN_LENGTH = 30
_TEXT_SPACE_SHARE = 0.5
_TEXT_UNIQUE_SHARE = 0.5


class ColumnKind(str, enum.Enum):
    """What a column holds, which decides how it is turned into numbers.

    Attributes
    ----------
    NUMERIC : str
        Numbers (or numeric-looking strings): imputed and passed on.
    BOOLEAN : str
        True/False values: encoded as 0/1.
    CATEGORICAL : str
        Labels from a finite set: one-hot or frequency + ordinal + target encoded.
    DATETIME : str
        Dates or timestamps (dtype or parseable strings): calendar parts.
    TEXT : str
        Free text: TF-IDF term weights.
    CONSTANT : str
        A single value (or nothing): carries no information and is dropped.
    """

    NUMERIC = "numeric"
    BOOLEAN = "boolean"
    CATEGORICAL = "categorical"
    DATETIME = "datetime"
    TEXT = "text"
    CONSTANT = "constant"


def _sample(values: pd.Series) -> pd.Series:
    """At most ``_SAMPLE_SIZE`` values, drawn reproducibly."""
    if len(values) <= _SAMPLE_SIZE:
        return values
    return values.sample(n=_SAMPLE_SIZE, random_state=0)


def _n_unique(values: pd.Series) -> int:
    """Distinct non-missing values, tolerating unhashable ones (lists, dicts)."""
    try:
        return int(values.nunique(dropna=True))
    except TypeError:
        return int(values.astype(str).nunique(dropna=True))


def _is_bool_values(present: pd.Series) -> bool:
    """Whether every value is a Python or numpy boolean."""
    return all(isinstance(value, (bool, np.bool_)) for value in present.to_numpy(dtype=object))


def _looks_numeric(present: pd.Series) -> bool:
    """Numbers, or numbers with at most one distinct placeholder such as ``"?"``."""
    try:
        parsed = pd.to_numeric(present, errors="coerce")
    except (TypeError, ValueError):
        return False
    ok = parsed.notna().to_numpy()
    if ok.all():
        return True
    if ok.mean() < _NUMERIC_SHARE:
        return False
    return _n_unique(present[~ok]) == 1


def _looks_datetime(sample: pd.Series) -> bool:
    """Most values contain a digit and parse as dates that have an explicit year."""
    text = sample.astype(str)
    if text.str.contains(r"\d", regex=True).mean() < _DATE_SHARE:
        return False
    unique = pd.Series(pd.unique(text), dtype=object)
    parsed = parse_datetimes(unique)
    # dateutil fills in year 1 for values without a year ("May", "1-2", "10:30").
    good = parsed.notna() & (parsed.dt.year > 1)
    good_by_value = dict(zip(unique, good.to_numpy(), strict=True))
    return float(text.map(good_by_value).astype(bool).mean()) >= _DATE_SHARE


def _looks_like_text(sample: pd.Series) -> bool:
    """Long, mostly multi-word and mostly distinct strings."""
    text = sample.astype(str)
    return bool(
        text.str.len().mean() > _TEXT_MEAN_LENGTH
        and text.str.contains(" ", regex=False).mean() >= _TEXT_SPACE_SHARE
        and text.nunique() >= _TEXT_UNIQUE_SHARE * len(text)
    )


def _infer_kind(column: pd.Series) -> ColumnKind:
    """The :class:`ColumnKind` of one column; see :func:`infer_column_kinds` for the rules.

    Parameters
    ----------
    column : Series
        The column.

    Returns
    -------
    kind : ColumnKind
        What the column holds.
    """
    missing = column.isna()
    present = column[~missing]
    n_unique = _n_unique(present)
    if n_unique == 0 or (n_unique == 1 and not missing.any()):
        return ColumnKind.CONSTANT
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
        return ColumnKind.BOOLEAN
    if dtype.kind == "M" or isinstance(dtype, pd.DatetimeTZDtype):
        return ColumnKind.DATETIME
    if pd.api.types.is_numeric_dtype(dtype) or dtype.kind == "m":
        return ColumnKind.NUMERIC
    is_category = isinstance(dtype, pd.CategoricalDtype)
    values = present.astype(object) if is_category else present
    if dtype == object and _is_bool_values(values):
        return ColumnKind.BOOLEAN
    sample = _sample(values)
    if not is_category and _looks_numeric(sample) and _looks_numeric(values):
        return ColumnKind.NUMERIC
    if _looks_datetime(sample):
        return ColumnKind.DATETIME
    if not is_category and _looks_like_text(sample):
        return ColumnKind.TEXT
    return ColumnKind.CATEGORICAL


def infer_column_kinds(X: pd.DataFrame | Any) -> dict[Hashable, ColumnKind]:
    """Infer what each column of a raw table holds.

    The rules, applied in this order to each column:

    1. **CONSTANT** -- no non-missing value at all, or a single distinct value
       and no missing value. (A single value *plus* missing values is kept: the
       missingness is the information.)
    2. **BOOLEAN** -- a ``bool`` or ``boolean`` dtype.
    3. **DATETIME** -- a ``datetime64`` dtype, time zone-aware or not.
    4. **NUMERIC** -- any other numeric dtype (ints, floats, nullable
       ``Int64``/``Float64``; timedeltas too, as seconds). 0/1 integers stay
       numeric.
    5. For ``object``, ``str`` (pandas' ``StringDtype``) and ``category``
       columns, looking at the non-missing values:

       a. **BOOLEAN** when all of them are ``True``/``False`` objects (e.g. a
          bool column with ``None`` read back as ``object``);
       b. **NUMERIC** when all of them are numbers or numeric-looking strings
          (``"3.5"``, ``"1e3"``) that :func:`pandas.to_numeric` accepts -- or
          at least 95% are and the rest is a single placeholder such as
          ``"?"``, which becomes missing. Not applied to ``category`` columns:
          declared categories stay categorical;
       c. **DATETIME** when, in a reproducible sample of up to 500 values, at
          least 90% contain a digit and parse with
          ``pd.to_datetime(..., errors="coerce", format="mixed")`` to a date
          with an explicit year (plain numbers were taken by rule b; month or
          weekday names alone and ``"1-2"`` do not count);
       d. **TEXT** when the sampled strings are long (mean length above 30
          characters), mostly contain a space (at least half) and are mostly
          distinct (at least half of the sample) -- free text rather than
          labels. Not applied to ``category`` columns;
       e. **CATEGORICAL** otherwise.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_features)
        The raw features. Column labels may be any hashable (strings, ints);
        arrays get the labels ``0, 1, ...``.

    Returns
    -------
    kinds : dict
        Column label -> :class:`ColumnKind`, in column order.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"age": [22, 38, None], "city": ["Oslo", "Rome", "Oslo"],
    ...                   "when": ["2024-01-02", "2024-03-04", None], "id": [1, 1, 1]})
    >>> {name: kind.value for name, kind in infer_column_kinds(X).items()}
    {'age': 'numeric', 'city': 'categorical', 'when': 'datetime', 'id': 'constant'}
    """
    if not isinstance(X, pd.DataFrame):
        X = pd.DataFrame(np.asarray(X) if not hasattr(X, "shape") else X)
    return {label: _infer_kind(X.iloc[:, j]) for j, label in enumerate(X.columns)}
