"""Checks for the per-row arguments of ``fit``: sample weights and groups."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def _as_1d(values: Any, name: str, n_samples: int) -> np.ndarray:
    if isinstance(values, (pd.Series, pd.DataFrame)):
        values = values.to_numpy()
    array = np.asarray(values)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array.ravel()
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-dimensional, one value per row; got shape {array.shape}.")
    if array.shape[0] != n_samples:
        raise ValueError(f"{name} has {array.shape[0]} values but X has {n_samples} rows.")
    return array


def check_sample_weight(sample_weight: Any, n_samples: int) -> np.ndarray | None:
    """``sample_weight`` as a float array, or None; a ``ValueError`` naming any problem.

    Weights must be finite, non-negative numbers, one per row, and not all zero.

    Parameters
    ----------
    sample_weight : array-like of shape (n_samples,) or None
        The weights passed to ``fit``.
    n_samples : int
        Rows of ``X``.

    Returns
    -------
    weights : ndarray of float64 or None
        The weights, or None when none were given.

    Raises
    ------
    ValueError
        If the weights are not one finite, non-negative number per row, or
        are all zero.
    """
    if sample_weight is None:
        return None
    if np.isscalar(sample_weight):
        raise ValueError(f"sample_weight must hold one weight per row, got the single value {sample_weight!r}.")
    array = _as_1d(sample_weight, "sample_weight", n_samples)
    try:
        weights = array.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"sample_weight must hold numbers; got values of dtype {array.dtype}.") from None
    bad = ~np.isfinite(weights)
    if bad.any():
        raise ValueError(
            f"sample_weight holds {int(bad.sum())} missing or infinite values (first at row {int(np.argmax(bad))})."
        )
    if (weights < 0).any():
        raise ValueError(f"sample_weight must not be negative; found {int((weights < 0).sum())} negative values.")
    if not weights.any():
        raise ValueError("sample_weight is zero for every row; at least one row needs a positive weight.")
    return weights


def check_groups(groups: Any, n_samples: int) -> np.ndarray | None:
    """``groups`` as a 1-d array of at least two distinct labels, or None.

    Parameters
    ----------
    groups : array-like of shape (n_samples,) or None
        The group labels passed to ``fit``.
    n_samples : int
        Rows of ``X``.

    Returns
    -------
    groups : ndarray or None
        The labels, or None when none were given.

    Raises
    ------
    ValueError
        If a label is missing, the labels are not one per row, or there is
        a single group.
    """
    if groups is None:
        return None
    array = _as_1d(groups, "groups", n_samples)
    if pd.isna(array).any():
        raise ValueError("groups holds missing values; every row needs a group label.")
    if len(pd.unique(array)) < 2:
        raise ValueError("groups holds a single group; group-aware folds need at least 2 groups.")
    return array
