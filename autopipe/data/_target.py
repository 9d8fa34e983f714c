"""Checks of the target ``y`` and inference of the learning task from it."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from sklearn.exceptions import DataConversionWarning
from sklearn.utils.multiclass import check_classification_targets, type_of_target

TASKS = ("classification", "regression")


def _missing_mask(y: np.ndarray) -> np.ndarray:
    if y.dtype.kind in "fc":
        return ~np.isfinite(y)
    return np.asarray(pd.isna(pd.Series(y, dtype=object)))


def check_target(y: Any, n_samples: int) -> np.ndarray:
    """``y`` as a 1-d array, with a clear error for missing or non-finite values."""
    if y is None:
        raise ValueError("y is required: autopipe learns a supervised task from X and y.")
    if isinstance(y, (pd.Series, pd.DataFrame)):
        y = y.to_numpy()
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected; it was raveled.",
            DataConversionWarning,
            stacklevel=3,
        )
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(f"y must be 1-dimensional (one target column); got shape {y.shape}.")
    if len(y) != n_samples:
        raise ValueError(f"X and y have inconsistent numbers of rows: X has {n_samples}, y has {len(y)}.")
    if y.dtype.kind not in "biufcUSO":
        raise ValueError(f"y has unsupported dtype {y.dtype}.")
    bad = _missing_mask(y)
    if bad.any():
        raise ValueError(
            f"y contains {int(bad.sum())} missing or non-finite value(s) (NaN, inf or None) out of "
            f"{len(y)} rows; drop those rows or fill in the target before fitting."
        )
    return y


def infer_task(y: np.ndarray) -> str:
    """``'classification'`` or ``'regression'`` from the values of ``y``.

    Strings, booleans and categories mean classification; floats with a
    fractional part mean regression; whole numbers are classes when there are
    at most 30 distinct values (and fewer than half the rows), else a quantity.
    """
    if y.dtype.kind in "bUSO":
        return "classification"
    kind = type_of_target(y)
    if kind == "continuous":
        return "regression"
    n_unique = len(np.unique(y))
    if y.dtype.kind in "iu" or kind in ("binary", "multiclass"):
        return "classification" if n_unique <= 30 and n_unique <= max(2, len(y) // 2) else "regression"
    return "regression"


def check_classes(y: np.ndarray) -> np.ndarray:
    """The sorted classes of a classification target; at least two are needed."""
    check_classification_targets(y)
    classes = np.unique(y)
    if len(classes) < 2:
        raise ValueError(
            f"y has a single class ({classes[0]!r}); classification needs at least 2 classes."
        )
    return classes
