"""The folds candidates are scored on, from the ``cv`` parameter, the task and the groups."""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold, KFold, StratifiedGroupKFold, StratifiedKFold, check_cv

from ..evaluate import choose_folds

Splits = list[tuple[np.ndarray, np.ndarray]]


def n_folds(cv: Any, n_rows: int, time_budget: float | None) -> int | None:
    """The integer number of folds ``cv`` asks for (``"auto"`` resolved), or None for a splitter."""
    if isinstance(cv, str):
        return choose_folds(n_rows, time_budget)
    if isinstance(cv, Integral):
        return int(cv)
    return None


def make_splits(
    cv: Any, folds: int | None, X: Any, y: np.ndarray, *, is_classifier: bool, seed: int,
    groups: np.ndarray | None = None,
) -> Splits:
    """Folds from ``cv``: shuffled (stratified) k-fold when ``folds`` is an int, else ``cv``'s own.

    With ``groups``, no group is on both sides of a fold.
    """
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
