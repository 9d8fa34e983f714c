"""The automatic featurization step that turns a raw table into a numeric matrix."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline, make_union
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

from ._columns import ColumnKind, _infer_kind, _n_unique
from ._converters import ToNumeric, ToString
from ._datetimes import DateTimeFeatures
from ._encoders import FrequencyEncoder, OneVsRestTargetEncoder

__all__ = ["describe_columns", "make_featurizer"]

#: Label given to missing categories before encoding.
MISSING_CATEGORY = "__missing__"
#: Vocabulary size of the TF-IDF encoding of each free-text column.
TEXT_MAX_FEATURES = 200
#: Free-text columns with fewer non-missing values are encoded as categories: a
#: cross-validation fold without any text would leave TF-IDF with no vocabulary.
TEXT_MIN_PRESENT = 10

# Groups of columns that share one ColumnTransformer entry, in output order.
_NUMERIC, _BOOLEAN, _ONEHOT, _FREQUENCY, _DATETIME, _TEXT, _DROP = (
    "numeric",
    "boolean",
    "onehot",
    "frequency",
    "datetime",
    "text",
    "drop",
)


@dataclass(frozen=True)
class _Column:
    """How one input column is read and encoded."""

    label: Hashable
    position: int
    dtype: str
    kind: ColumnKind
    n_missing: int
    n_unique: int
    group: str


def _as_frame(X: Any) -> tuple[pd.DataFrame, bool]:
    """``X`` as a DataFrame, and whether it was one already."""
    if isinstance(X, pd.DataFrame):
        return X, True
    array = np.asarray(X)
    if array.ndim != 2:
        raise ValueError(f"X must be 2-dimensional (n_samples, n_features); got shape {array.shape}.")
    return pd.DataFrame(array), False


def _check_labels(X: pd.DataFrame) -> None:
    """Refuse column labels that scikit-learn cannot select by: duplicates, mixed types."""
    if not X.columns.is_unique:
        duplicated = list(dict.fromkeys(X.columns[X.columns.duplicated()]))
        raise ValueError(f"X has duplicated column names {duplicated}; rename them to be unique.")
    n_str = sum(isinstance(label, str) for label in X.columns)
    if 0 < n_str < X.shape[1]:
        raise TypeError(
            "X mixes string and non-string column names, which scikit-learn does not "
            "support; convert them all to strings first, e.g. X.columns = X.columns.astype(str)."
        )


def _plan(X: pd.DataFrame, max_onehot: int, drop: frozenset[Any] = frozenset()) -> list[_Column]:
    """The kind and encoding group of every column of ``X``."""
    columns = []
    for j, label in enumerate(X.columns):
        column = X.iloc[:, j]
        kind = _infer_kind(column)
        n_unique = _n_unique(column)
        n_missing = int(column.isna().sum())
        if label in drop:
            group = _DROP
        elif kind is ColumnKind.TEXT and len(column) - n_missing < TEXT_MIN_PRESENT:
            group = _FREQUENCY
        elif kind is ColumnKind.CATEGORICAL:
            group = _ONEHOT if n_unique <= max_onehot else _FREQUENCY
        else:
            group = {
                ColumnKind.NUMERIC: _NUMERIC,
                ColumnKind.BOOLEAN: _BOOLEAN,
                ColumnKind.DATETIME: _DATETIME,
                ColumnKind.TEXT: _TEXT,
                ColumnKind.CONSTANT: _DROP,
            }[kind]
        columns.append(
            _Column(
                label=label,
                position=j,
                dtype=str(column.dtype),
                kind=kind,
                n_missing=n_missing,
                n_unique=n_unique,
                group=group,
            )
        )
    return columns


def _needs_nothing(X: Any) -> bool:
    """A sparse matrix, or numbers only (numpy dtypes, booleans too), all finite."""
    if sparse.issparse(X):
        return True
    if isinstance(X, pd.DataFrame):
        if not all(isinstance(dtype, np.dtype) and dtype.kind in "biuf" for dtype in X.dtypes):
            return False
        values = X.to_numpy(dtype=np.float64)
    else:
        values = np.asarray(X)
        if values.ndim != 2:
            raise ValueError(f"X must be 2-dimensional (n_samples, n_features); got shape {values.shape}.")
        if values.dtype.kind not in "biuf":
            return False
    return bool(np.isfinite(values).all())


def _numeric_array_featurizer(X: np.ndarray) -> BaseEstimator | None:
    """Imputation for a numeric array with NaN (and inf); ``None`` when it is all finite."""
    finite = np.isfinite(X)
    if finite.all():
        return None
    imputer = SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True)
    if np.isinf(X[~finite]).any():
        return make_pipeline(ToNumeric(), imputer)
    return imputer


def _min_frequency(n_rows: int) -> int:
    """Categories rarer than this many training rows are pooled into one "infrequent" column."""
    return int(min(10, max(2, n_rows // 100)))


def _transformer_name(label: Hashable, used: set[str]) -> str:
    """A valid, unique ColumnTransformer entry name for the text column ``label``."""
    base = "text_" + "_".join(str(label).split()).replace("__", "_")
    name, k = base, 1
    while name in used:
        k += 1
        name = f"{base}_{k}"
    used.add(name)
    return name


def _build(columns: list[_Column], n_rows: int, max_onehot: int, by_label: bool) -> ColumnTransformer:
    """The ColumnTransformer that encodes every group of ``columns``."""

    def select(group: str) -> list[Any]:
        """The labels (or positions) of the columns in ``group``."""
        return [c.label if by_label else c.position for c in columns if c.group == group]

    transformers: list[tuple[str, Any, Any]] = []
    if cols := select(_NUMERIC):
        imputer = SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True)
        transformers.append((_NUMERIC, make_pipeline(ToNumeric(), imputer), cols))
    if cols := select(_BOOLEAN):
        imputer = SimpleImputer(strategy="most_frequent", add_indicator=True, keep_empty_features=True)
        transformers.append((_BOOLEAN, make_pipeline(ToNumeric(), imputer), cols))
    if cols := select(_ONEHOT):
        encoder = OneHotEncoder(
            handle_unknown="infrequent_if_exist",
            min_frequency=_min_frequency(n_rows),
            max_categories=max_onehot,
            sparse_output=False,
        )
        transformers.append((_ONEHOT, make_pipeline(ToString(fill_value=MISSING_CATEGORY), encoder), cols))
    if cols := select(_FREQUENCY):
        ordinal = OrdinalEncoder(
            handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-1
        )
        # The target encoder cross-fits inside fit_transform: the rows it is fitted on get
        # encodings learnt without their own target, so a model cannot memorise them.
        encoders = make_union(FrequencyEncoder(), ordinal, OneVsRestTargetEncoder())
        to_string = ToString(fill_value=MISSING_CATEGORY)
        transformers.append((_FREQUENCY, make_pipeline(to_string, encoders), cols))
    if cols := select(_DATETIME):
        transformers.append((_DATETIME, DateTimeFeatures(), cols))
    used = {name for name, _, _ in transformers}
    for column in columns:
        if column.group == _TEXT:
            vectorizer = TfidfVectorizer(max_features=TEXT_MAX_FEATURES, sublinear_tf=True)
            transformers.append(
                (
                    _transformer_name(column.label, used),
                    make_pipeline(ToString(fill_value=""), vectorizer),
                    column.label if by_label else column.position,
                )
            )
    return ColumnTransformer(
        transformers, remainder="drop", sparse_threshold=0.0, verbose_feature_names_out=True
    )


def make_featurizer(
    X: pd.DataFrame | np.ndarray, *, max_onehot: int = 15, drop: Any = ()
) -> BaseEstimator | None:
    """An unfitted transformer that turns raw ``X`` into a dense float64 matrix.

    The column kinds are inferred from ``X`` (see
    :func:`~autopipe.data.infer_column_kinds`); the returned transformer only
    *records* the columns and how to encode them. Its statistics (medians,
    categories, frequencies, vocabularies) are learnt when it is fitted, so
    inside a pipeline it is refitted on each cross-validation fold without
    leakage.

    Encodings, one :class:`~sklearn.compose.ColumnTransformer` entry per group
    (columns are selected by name when they are all strings, else by
    position; other columns, including constant ones, are dropped):

    - ``numeric``: :class:`~autopipe.data.ToNumeric` (numeric
      strings are parsed, inf becomes NaN), then
      ``SimpleImputer(strategy="median", add_indicator=True,
      keep_empty_features=True)``. Every numeric column is imputed, so a
      missing value at prediction time never fails.
    - ``boolean``: ``ToNumeric`` (0/1), then a most-frequent ``SimpleImputer``
      with a missing indicator for columns that had missing values.
    - ``onehot``: categorical columns with at most ``max_onehot`` distinct
      values: :class:`~autopipe.data.ToString` (uniform labels,
      missing as ``"__missing__"``), then ``OneHotEncoder(
      handle_unknown="infrequent_if_exist", min_frequency=...,
      max_categories=max_onehot, sparse_output=False)``; unseen categories
      go to the infrequent column (or all zeros).
    - ``frequency``: other categorical columns: ``ToString``, then
      :class:`~autopipe.data.FrequencyEncoder` alongside
      ``OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1,
      encoded_missing_value=-1)`` and
      :class:`~autopipe.data.OneVsRestTargetEncoder` (the
      smoothed mean target per category, one column per class for
      multiclass targets; cross-fitted, so the rows it is fitted on are
      encoded without their own target). The featurizer then needs ``y`` in
      ``fit``.
    - ``datetime``: :class:`~autopipe.data.DateTimeFeatures`.
    - ``text_<column>``: one per free-text column: ``ToString(fill_value="")``,
      then ``TfidfVectorizer(max_features=200, sublinear_tf=True)``. A text
      column with fewer than 10 non-missing values goes to ``frequency``
      instead (a fold without any text would leave TF-IDF no vocabulary).

    Parameters
    ----------
    X : DataFrame or ndarray of shape (n_samples, n_features)
        The raw training features.
    max_onehot : int, default=15
        Categorical columns with at most this many distinct values are one-hot
        encoded; also the cap on one-hot columns per feature.
    drop : sequence, default=()
        Column labels (positions for arrays) to leave out, e.g. the ID-like
        and duplicate columns :func:`check_data` finds.

    Returns
    -------
    featurizer : estimator or None
        An unfitted transformer whose output is a dense float64 array, or
        ``None`` when ``X`` needs nothing: a sparse matrix, a numeric array or
        an all-numeric DataFrame (numpy dtypes) without missing or infinite
        values. A numeric array with NaN gets just the median imputer.

    Raises
    ------
    ValueError
        If ``X`` is not 2-d, has duplicated column names, or has no column
        that carries information (all are constant).
    TypeError
        If ``X`` mixes string and non-string column names.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"age": [22.0, None, 30.0], "sex": ["m", "f", "f"]})
    >>> featurizer = make_featurizer(X)
    >>> featurizer.fit_transform(X).shape
    (3, 4)
    >>> make_featurizer(X[["age"]].fillna(0)) is None
    True
    """
    if isinstance(X, pd.DataFrame):
        _check_labels(X)
    drop = frozenset(drop)
    if not drop and _needs_nothing(X):
        return None
    if not drop and not isinstance(X, pd.DataFrame):
        array = np.asarray(X)
        if array.dtype.kind in "biuf":
            return _numeric_array_featurizer(array.astype(np.float64, copy=False))
    frame, is_frame = _as_frame(X)
    columns = _plan(frame, max_onehot, drop)
    if all(c.group == _DROP for c in columns):
        raise ValueError(
            f"None of the {frame.shape[1]} columns of X carries information: each holds a "
            "single value or only missing values."
        )
    by_label = is_frame and all(isinstance(label, str) for label in frame.columns)
    return _build(columns, frame.shape[0], max_onehot, by_label)


def _encoding(column: _Column, max_onehot: int) -> str:
    """A short description of how ``column`` is encoded."""
    indicator = " + missing indicator" if column.n_missing else ""
    if column.group == _NUMERIC:
        parse = "to_numeric, " if column.dtype in ("object", "str", "string") else ""
        return f"{parse}median impute{indicator}"
    if column.group == _BOOLEAN:
        return f"0/1, most-frequent impute{indicator}"
    if column.group == _ONEHOT:
        missing = " + missing category" if column.n_missing else ""
        return f"one-hot ({min(column.n_unique, max_onehot)} values{missing})"
    if column.group == _FREQUENCY:
        return "frequency + ordinal + target"
    if column.group == _DATETIME:
        return "date parts + missing indicator"
    if column.group == _TEXT:
        return f"tf-idf ({TEXT_MAX_FEATURES} terms max)"
    return "dropped (constant)" if column.kind is ColumnKind.CONSTANT else "dropped (see data_report_)"


def describe_columns(X: pd.DataFrame | np.ndarray, *, max_onehot: int = 15) -> pd.DataFrame:
    """One row per input column: what it holds and how :func:`make_featurizer` encodes it.

    Parameters
    ----------
    X : DataFrame or ndarray of shape (n_samples, n_features)
        The raw features.
    max_onehot : int, default=15
        As in :func:`make_featurizer`.

    Returns
    -------
    report : DataFrame
        Columns ``name`` (the column label; the position for arrays),
        ``dtype``, ``kind`` (a :class:`~autopipe.data.ColumnKind` value),
        ``n_missing``, ``n_unique`` (distinct non-missing values) and
        ``encoding`` (a short description; ``"passthrough"`` for every column
        when :func:`make_featurizer` returns ``None``).

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"age": [22.0, None, 30.0], "sex": ["m", "f", "f"]})
    >>> describe_columns(X)[["name", "kind", "encoding"]]
      name         kind                           encoding
    0  age      numeric  median impute + missing indicator
    1  sex  categorical                 one-hot (2 values)
    """
    passthrough = _needs_nothing(X)
    if sparse.issparse(X):
        X = X.toarray()
    frame, _ = _as_frame(X)
    columns = _plan(frame, max_onehot)
    return pd.DataFrame(
        {
            "name": pd.Series([c.label for c in columns], dtype=object),
            "dtype": [c.dtype for c in columns],
            "kind": [c.kind.value for c in columns],
            "n_missing": np.array([c.n_missing for c in columns], dtype=np.int64),
            "n_unique": np.array([c.n_unique for c in columns], dtype=np.int64),
            "encoding": [
                "passthrough" if passthrough else _encoding(c, max_onehot) for c in columns
            ],
        }
    )
