"""The rows an ensemble is chosen and judged on, and the folds over them.

The search's folds need not test every row: a holdout split tests one part,
a time-ordered splitter never tests the first rows. Out-of-fold predictions
exist only on the rows some test set covers, so the ensemble is chosen and
judged on those.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.model_selection import KFold, StratifiedKFold

Splits = list[tuple[np.ndarray, np.ndarray]]

#: Rows ensemble selection scores blends on (a seeded subsample beyond).
SELECTION_ROWS = 10_000
#: Folds of the meta-learner's own cross-validation when the search's folds do not serve.
META_FOLDS = 5
#: Folds scikit-learn's stacking estimators use when given ``cv=None``.
DEFAULT_CV_FOLDS = 5


def covered_rows(splits: Splits, n_rows: int) -> np.ndarray:
    """The rows in at least one test set, in ascending order."""
    tested = np.zeros(n_rows, dtype=bool)
    for _, test in splits:
        tested[np.asarray(test)] = True
    return np.flatnonzero(tested)


def partitions(splits: Splits, n_rows: int) -> bool:
    """Whether the test sets hold every one of ``n_rows`` rows exactly once.

    Only such folds can serve ``cross_val_predict`` (hence a stacking
    estimator's ``cv``).
    """
    counts = np.zeros(n_rows, dtype=int)
    for _, test in splits:
        counts[np.unique(test)] += 1
    return bool(len(splits) >= 2 and (counts == 1).all())


def final_cv_folds(splits: Splits, n_rows: int) -> Splits | None:
    """The folds a cross-validated final fit uses: the search's when they partition the rows, else None.

    ``None`` stands for scikit-learn's default k-fold over all rows.
    """
    return splits if partitions(splits, n_rows) else None


def selection_rows(rows: np.ndarray, seed: int) -> np.ndarray:
    """``rows``, or a seeded subsample of ``SELECTION_ROWS`` of them, in ascending order.

    Each blend is scored with the user's scorer, whose cost grows with the
    rows; beyond ten thousand rows the choice of weights barely changes.
    """
    if len(rows) <= SELECTION_ROWS:
        return rows
    return np.sort(np.random.default_rng(seed).choice(rows, SELECTION_ROWS, replace=False))


def restrict_splits(splits: Splits, rows: np.ndarray) -> Splits:
    """The folds re-indexed to positions within ``rows`` (rows elsewhere are dropped)."""
    position = np.full(int(rows.max()) + 1, -1)
    position[rows] = np.arange(len(rows))
    out = []
    for train, test in splits:
        train, test = np.asarray(train), np.asarray(test)
        tr, te = position[train[train <= rows.max()]], position[test[test <= rows.max()]]
        out.append((tr[tr >= 0], te[te >= 0]))
    return out


def halves(splits: Splits, rows: np.ndarray, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Positions within ``rows`` (tested rows) split in two non-empty, disjoint halves.

    With two or more test folds among ``rows``, the folds alternate between
    the halves (first, third, ... fold on one side), so that rows of a fold
    stay together. With a single fold (a holdout split), the rows are split
    at random, seeded by ``seed``. ``rows`` needs two rows at least.
    """
    fold_of = np.full(int(rows.max()) + 1, -1)
    for i, (_, test) in enumerate(splits):
        test = np.asarray(test)
        fold_of[test[test <= rows.max()]] = i
    folds = fold_of[rows]
    present = np.unique(folds)
    if len(present) >= 2:
        # numbered among the folds present, so both halves get at least one fold
        parity = np.searchsorted(present, folds) % 2
        return np.flatnonzero(parity == 0), np.flatnonzero(parity == 1)
    order = np.random.default_rng(seed).permutation(len(rows))
    middle = len(rows) // 2
    return np.sort(order[:middle]), np.sort(order[middle:])


def meta_folds(splits: Splits, y: np.ndarray, *, is_classifier: bool, seed: int) -> Splits:
    """Folds over all of ``y``'s rows for cross-validating a meta-learner.

    The given ``splits`` (positions within ``y``) serve when at least two of
    them can train a model (rows to fit on, of two classes at least for a
    classifier) and the test sets of those partition the rows. Otherwise
    (a holdout split; a time-ordered splitter, whose first fold trains on
    rows no fold tests), a k-fold of at most ``META_FOLDS`` folds, shuffled
    with ``seed`` and stratified when the classes allow, is used instead.
    """
    n = len(y)

    def trainable(train: np.ndarray, test: np.ndarray) -> bool:
        if len(train) == 0 or len(test) == 0:
            return False
        return not is_classifier or len(np.unique(y[train])) >= 2

    usable = [(train, test) for train, test in splits if trainable(train, test)]
    if partitions(usable, n):
        return usable
    k = min(META_FOLDS, n)
    splitter: Any = KFold(k, shuffle=True, random_state=seed)
    if is_classifier:
        smallest = int(np.unique(y, return_counts=True)[1].min())
        if smallest >= 2:
            splitter = StratifiedKFold(min(k, smallest), shuffle=True, random_state=seed)
    return [(train, test) for train, test in splitter.split(np.zeros((n, 1)), y)]
