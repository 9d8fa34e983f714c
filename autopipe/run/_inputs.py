"""The training data checked into one value, and the input schema that aligns columns at predict time."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.utils.validation import validate_data

from ..data import check_classes, check_cv_rows, check_groups, check_regression_target, check_sample_weight
from ..data import check_target, check_task_scoring, choose_task

#: Whole-number targets read as classes with more distinct values than this get a note in the data report.
MANY_INTEGER_CLASSES = 10

#: Most cells a sparse input may have to be densified.
MAX_DENSE_CELLS = 50_000_000


@dataclass(frozen=True)
class InputSchema:
    """What ``fit`` saw of ``X``: the training table's column labels, or None for arrays.

    At predict time (:meth:`check`) a DataFrame's columns are matched to the
    training columns by label, so a shuffled column order gives the same
    predictions; extra columns are dropped and missing ones are added as all
    missing, with a warning. An array, sparse matrix or object array given to
    an estimator fitted on a DataFrame is read by position as the training
    columns, after sklearn's feature-count check.
    """

    columns: tuple[Any, ...] | None

    @classmethod
    def learn(cls, estimator: Any, X: Any) -> tuple[InputSchema, Any]:
        """Check training ``X`` (setting ``estimator``'s ``n_features_in_``); returns the schema and ``X``."""
        from_table = isinstance(X, pd.DataFrame)
        X = _check_X(estimator, X, reset=True, train=None)
        return cls(tuple(X.columns) if from_table else None), X

    def check(self, estimator: Any, X: Any) -> Any:
        """Check ``X`` at predict time against the training columns."""
        from_table = isinstance(X, pd.DataFrame)
        X = _check_X(estimator, X, reset=False, train=self.columns if from_table else None)
        if not from_table and self.columns is not None:
            X = X if isinstance(X, pd.DataFrame) else pd.DataFrame(X)
            X = X.set_axis(list(self.columns), axis=1)
        return X


@dataclass(frozen=True)
class TrainingData:
    """Training rows as the search uses them: checked ``X`` and ``y``, the task, weights and groups."""

    X: Any
    y: np.ndarray
    task: str
    schema: InputSchema
    classes: np.ndarray | None = None
    sample_weight: np.ndarray | None = None
    groups: np.ndarray | None = None
    task_note: str | None = None

    @property
    def n_rows(self) -> int:
        """Number of training rows."""
        return int(self.X.shape[0])

    @property
    def is_classifier(self) -> bool:
        """Whether the task is classification."""
        return self.task == "classification"


def validate_training_data(
    estimator: Any, X: Any, y: Any, *, task: str, scoring: Any, n_folds: Any,
    sample_weight: Any = None, groups: Any = None,
) -> TrainingData:
    """Check ``X``, ``y``, weights and groups, and settle the task.

    ``task`` is ``"auto"`` (a classification or regression ``scoring``
    decides, else the values of ``y``: see :func:`autopipe.data.choose_task`),
    ``"classification"`` or ``"regression"`` (a ``scoring`` of the other task
    is refused); ``n_folds(n_rows)`` gives the number of folds the search will
    use (None for a splitter), which every class must fill. When whole
    numbers without a scorer's hint were read as a quantity, or as many
    classes, ``task_note`` says so for the data report.
    """
    if y is None:
        raise ValueError(f"{type(estimator).__name__} requires y to be passed, but the target y is None.")
    schema, X = InputSchema.learn(estimator, X)
    y = check_target(y, X.shape[0])
    if X.shape[0] < 2:
        raise ValueError(f"Found n_samples = {X.shape[0]}: at least 2 samples are required to search pipelines.")
    note = None
    if task == "auto":
        choice = choose_task(y, scoring)
        task = choice.task
        many = choice.whole_numbers is not None and choice.whole_numbers > MANY_INTEGER_CLASSES
        if choice.whole_numbers is not None and (task == "regression" or many):
            note = choice.reason
    else:
        check_task_scoring(task, scoring)
    classes = None
    if task == "classification":
        classes = check_classes(y)
    else:
        y = check_regression_target(y)
    check_cv_rows(y, task=task, cv=n_folds(len(y)), scoring=scoring)
    return TrainingData(
        X, y, task, schema, classes,
        sample_weight=check_sample_weight(sample_weight, X.shape[0]),
        groups=check_groups(groups, X.shape[0]),
        task_note=note,
    )


def _check_X(estimator: Any, X: Any, *, reset: bool, train: tuple[Any, ...] | None) -> Any:
    """Check ``X``; DataFrames (and object arrays) stay tables, the rest becomes a dense array.

    Column names that mix strings and other labels become strings at fit
    time; at predict time, non-string names become strings when the training
    names (``train``) were all strings. Duplicated names (also after that
    conversion) are a ``ValueError`` naming them.

    Infinity: numeric arrays and sparse matrices holding inf are rejected by
    sklearn's check; tables are featurized, and the featurizer turns inf into
    a missing value that is imputed like NaN.
    """
    if isinstance(X, np.ndarray) and X.dtype == object and X.ndim == 2:
        X = pd.DataFrame(X)
    if not isinstance(X, pd.DataFrame):
        # lil, dok, dia and bsr matrices become csr first: sklearn's finiteness check reads
        # ``X.data``, which for lil and dok does not hold the values, so inf would slip through.
        X = validate_data(estimator, X, accept_sparse=["csr", "csc", "coo"], ensure_all_finite="allow-nan",
                          reset=reset)
        return _densify(X)
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X has shape {X.shape}: found 0 samples or 0 features; a non-empty table is required.")
    names = list(X.columns)
    if train is None:  # fit, or no training table: mixed names become strings
        converted = len({isinstance(c, str) for c in names}) > 1
    else:  # predict: labels take the type of the training labels, to be matched by label
        converted = all(isinstance(c, str) for c in train) and not all(isinstance(c, str) for c in names)
    if converted:
        X = X.set_axis([str(c) for c in names], axis=1)
    if not X.columns.is_unique:
        duplicated = list(dict.fromkeys(X.columns[X.columns.duplicated()]))
        note = " (after converting the column names to strings)" if converted else ""
        raise ValueError(f"X has duplicated column names {duplicated}{note}; rename them to be unique.")
    if train is not None:
        X = _align_columns(X, list(train))
    validate_data(estimator, X, skip_check_array=True, reset=reset)
    return X


def _align_columns(X: pd.DataFrame, expected: list[Any]) -> pd.DataFrame:
    """``X`` with the training columns, in training order, matched by label.

    Extra columns are dropped. Missing columns are added as all-missing (NaN)
    with a ``UserWarning``; the featurizer imputes them, but a pipeline fitted
    without one (on a complete numeric table) may then raise sklearn's "Input
    X contains NaN". A table that has none of the training columns is a
    ``ValueError`` naming the expected columns.
    """
    if list(X.columns) == expected:
        return X
    present = set(X.columns)
    missing = [c for c in expected if c not in present]
    if len(missing) == len(expected):
        raise ValueError(
            f"X has none of the {len(expected)} columns seen in fit (expected e.g. {expected[:10]}, "
            f"got {list(X.columns)[:10]}); pass a table with the training column names."
        )
    if missing:
        warnings.warn(
            f"{len(missing)} training column(s) missing from X were filled with missing values: {missing[:10]}",
            UserWarning,
            stacklevel=6,
        )
    return X.reindex(columns=expected)


def _densify(X: Any) -> Any:
    if not sp.issparse(X):
        return X
    cells = X.shape[0] * X.shape[1]
    if cells > MAX_DENSE_CELLS:
        raise TypeError(
            f"sparse input of shape {X.shape} is too large to densify ({cells} cells); autopipe's "
            f"operators need dense data beyond {MAX_DENSE_CELLS} cells."
        )
    return X.toarray()
