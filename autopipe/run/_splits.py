"""The folds candidates are scored on, from the ``cv`` parameter, the task and the groups."""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import (
    GroupKFold,
    GroupShuffleSplit,
    KFold,
    ShuffleSplit,
    StratifiedGroupKFold,
    StratifiedKFold,
    StratifiedShuffleSplit,
    check_cv,
)

from ..evaluate import choose_folds, holdout_fraction

Splits = list[tuple[np.ndarray, np.ndarray]]


def n_folds(cv: Any, n_rows: int, time_budget: float | None, n_columns: int = 1) -> int | None:
    """The integer number of folds ``cv`` asks for (``"auto"`` resolved; 1: one holdout split), or None
    for a splitter."""
    if isinstance(cv, str):
        return choose_folds(n_rows, time_budget, n_columns)
    if isinstance(cv, Integral):
        return int(cv)
    return None


def make_splits(
    cv: Any, folds: int | None, X: Any, y: np.ndarray, *, is_classifier: bool, seed: int,
    groups: np.ndarray | None = None,
) -> Splits:
    """Folds from ``cv``: shuffled (stratified) k-fold when ``folds`` is an int, else ``cv``'s own.

    ``folds=1`` is one shuffled (stratified) holdout split that validates on
    :func:`~autopipe.evaluate.holdout_fraction` of the rows. With ``groups``,
    no group is on both sides of a fold.
    """
    if folds == 1:
        return [_holdout(X, y, is_classifier=is_classifier, seed=seed, groups=groups)]
    if groups is not None:
        return _group_splits(cv, folds, X, y, is_classifier=is_classifier, seed=seed, groups=groups)
    if folds is not None:
        n_splits = min(folds, X.shape[0])
        splitter: Any = KFold(n_splits, shuffle=True, random_state=seed)
        if is_classifier:
            smallest = int(np.unique(y, return_counts=True)[1].min())
            if smallest >= 2:
                splitter = StratifiedKFold(min(n_splits, smallest), shuffle=True, random_state=seed)
    else:
        splitter = check_cv(cv, y, classifier=is_classifier)
    return [(np.asarray(tr), np.asarray(te)) for tr, te in splitter.split(X, y)]


def _group_splits(
    cv: Any, folds: int | None, X: Any, y: np.ndarray, *, is_classifier: bool, seed: int, groups: np.ndarray
) -> Splits:
    """Folds that keep every group on one side."""
    if folds is not None:
        n_splits = min(folds, len(pd.unique(groups)))
        splitter: Any = GroupKFold(n_splits, shuffle=True, random_state=seed)
        if is_classifier:
            smallest = int(np.unique(y, return_counts=True)[1].min())
            if smallest >= n_splits:
                splitter = StratifiedGroupKFold(n_splits, shuffle=True, random_state=seed)
    else:
        splitter = check_cv(cv, y, classifier=is_classifier)
    splits = [(np.asarray(tr), np.asarray(te)) for tr, te in splitter.split(X, y, groups)]
    for train, test in splits:
        if np.intersect1d(groups[train], groups[test]).size:
            raise ValueError(
                f"The cv splitter {splitter!r} put a group on both sides of a fold although groups were "
                "given; use a group-aware splitter such as GroupKFold."
            )
    return splits


def _holdout(X: Any, y: np.ndarray, *, is_classifier: bool, seed: int,
             groups: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """One train/validation split: by groups, stratified when every class has 2 rows, else shuffled."""
    size = holdout_fraction(len(y))
    splitter: Any = ShuffleSplit(1, test_size=size, random_state=seed)
    if groups is not None:
        splitter = GroupShuffleSplit(1, test_size=size, random_state=seed)
    elif is_classifier and int(np.unique(y, return_counts=True)[1].min()) >= 2:
        splitter = StratifiedShuffleSplit(1, test_size=size, random_state=seed)
    try:
        train, test = next(splitter.split(X, y, groups))
    except ValueError:  # more classes than validation rows: a plain shuffled split
        train, test = next(ShuffleSplit(1, test_size=size, random_state=seed).split(X, y))
    return np.sort(train), np.sort(test)
