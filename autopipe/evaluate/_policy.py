"""Budget-aware estimation: k-fold, fewer folds, or one holdout split, by the size of the work."""

from __future__ import annotations

#: Rows per second of budget up to which candidates get 5 folds; beyond, 3.
ROWS_PER_SECOND_FOR_5_FOLDS = 400
#: Cells (rows x columns) per second of budget beyond which one holdout split replaces k-fold.
CELLS_PER_SECOND_FOR_CV = 100_000
#: Rows from which one holdout split is used whatever the budget.
HOLDOUT_ROWS = 100_000
#: Validation rows a holdout split keeps on large data (at least 10% of the rows).
HOLDOUT_VALIDATION_ROWS = 20_000


def choose_folds(n_rows: int, time_budget: float | None, n_columns: int = 1) -> int:
    """The number of folds ``cv="auto"`` uses: 5, 3, or 1 (one holdout split) for data large for its budget.

    Five folds train each candidate on 80% of the rows five times; three train
    it on 67% three times, about half the work (2.0 n rows fitted instead of
    4.0 n). When a data set has more than ``400 * time_budget`` rows (24,000
    rows at 60 s, 120,000 at 5 min), the candidates a search can afford to see
    matter more than the lower variance of five folds. When it has
    100,000 rows or more, or more than ``100,000 * time_budget`` cells (rows
    times the featurized columns: 6 million at 60 s), a single holdout split
    (see :func:`holdout_fraction`) fits each candidate once: on data that
    large one validation set of thousands of rows measures a candidate well,
    and k-fold would leave time for a handful of candidates. Without a budget,
    always 5.

    Examples
    --------
    >>> choose_folds(5_000, 60)
    5
    >>> choose_folds(36_000, 60)
    3
    >>> choose_folds(36_000, 600)
    5
    >>> choose_folds(400_000, 60, n_columns=30)
    1
    >>> choose_folds(50_000, 10, n_columns=40)
    1
    """
    if time_budget is None:
        return 5
    if n_rows >= HOLDOUT_ROWS or n_rows * max(1, n_columns) > CELLS_PER_SECOND_FOR_CV * time_budget:
        return 1
    if n_rows <= ROWS_PER_SECOND_FOR_5_FOLDS * time_budget:
        return 5
    return 3


def holdout_fraction(n_rows: int) -> float:
    """The share of rows a holdout split validates on: 20%, or 20,000 rows (at least 10%) on large data.

    Examples
    --------
    >>> holdout_fraction(50_000)
    0.2
    >>> holdout_fraction(400_000)
    0.1
    """
    if n_rows <= HOLDOUT_ROWS:
        return 0.2
    return max(0.1, HOLDOUT_VALIDATION_ROWS / n_rows)
