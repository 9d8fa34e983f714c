"""Data checks run before the search: columns to drop, likely leaks, class imbalance."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.metrics import balanced_accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from .._utils.log import logger
from ._columns import ColumnKind, _infer_kind, _n_unique
from ._target import _plain

#: Columns with fewer rows are not judged ID-like (a tiny table has unique values by chance).
ID_MIN_ROWS = 20
#: A single column scoring at least this much on its own is flagged as a likely leak.
LEAK_SCORE = 0.99
#: Rows and columns the leak check looks at (a sample keeps it cheap on large tables).
LEAK_MAX_ROWS, LEAK_MAX_COLUMNS = 3000, 200
#: The smallest class holding less than this share of the rows is reported as imbalance.
IMBALANCE_SHARE = 0.10

REPORT_COLUMNS = ["check", "column", "action", "detail"]


@dataclass
class DataReport:
    """What :func:`check_data` found: a table of findings and the columns to drop."""

    findings: list[dict[str, Any]] = field(default_factory=list)
    drop: list[Any] = field(default_factory=list)

    def add(self, check: str, column: Any, action: str, detail: str) -> None:
        self.findings.append({"check": check, "column": column, "action": action, "detail": detail})
        if action == "dropped":
            self.drop.append(column)

    @property
    def table(self) -> pd.DataFrame:
        """One row per finding: ``check``, ``column``, ``action``, ``detail``."""
        frame = pd.DataFrame(self.findings, columns=REPORT_COLUMNS)
        # object, so that integer column labels print as 0, not 0.0, and "no column" stays None, not NaN
        frame["column"] = pd.Series([f["column"] for f in self.findings], index=frame.index, dtype=object)
        return frame


def _is_id_like(column: pd.Series, kind: ColumnKind) -> bool:
    n = len(column)
    if n < ID_MIN_ROWS or column.isna().any() or _n_unique(column) != n:
        return False
    if kind is ColumnKind.CATEGORICAL:
        return True
    if kind is ColumnKind.NUMERIC and pd.api.types.is_integer_dtype(column.dtype):
        # Unique integers that fill a range are row numbers; other unique integers may be measurements.
        return int(column.max()) - int(column.min()) + 1 == n
    return False


def _duplicate_of(frame: pd.DataFrame) -> dict[Any, Any]:
    """For each column equal to an earlier one, that earlier column's label."""
    seen: dict[int, list[Any]] = {}
    found = {}
    for label in frame.columns:
        column = frame[label]
        try:
            key = int(pd.util.hash_pandas_object(column, index=False).sum())
        except TypeError:
            continue
        for earlier in seen.get(key, []):
            if column.equals(frame[earlier]):
                found[label] = earlier
                break
        else:
            seen.setdefault(key, []).append(label)
    return found


def _single_column_score(column: pd.Series, y: np.ndarray, task: str, seed: int) -> float:
    """Held-out score (a third of the rows) of a small tree that sees only ``column``."""
    if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        values = pd.factorize(column.astype(str))[0].astype(np.float64)
        values[column.isna().to_numpy()] = np.nan
    values = values.reshape(-1, 1)
    if task == "classification":
        if int(np.unique(y, return_counts=True)[1].min()) < 3:
            return float("nan")
        parts = train_test_split(values, y, test_size=1 / 3, random_state=seed, stratify=y)
        tree: Any = DecisionTreeClassifier(max_depth=4, random_state=seed).fit(parts[0], parts[2])
        return float(balanced_accuracy_score(parts[3], tree.predict(parts[1])))
    parts = train_test_split(values, y, test_size=1 / 3, random_state=seed)
    tree = DecisionTreeRegressor(max_depth=6, random_state=seed).fit(parts[0], parts[2])
    return float(r2_score(parts[3], tree.predict(parts[1])))


def check_data(
    X: Any, y: np.ndarray, *, task: str, scoring: Any = None, random_state: int = 0, time_limit: float | None = None
) -> DataReport:
    """Find columns to drop and problems to report before searching.

    - **ID-like columns** (a distinct value on every row: strings, or integers
      that fill a range, with at least 20 rows) are dropped: they cannot
      generalize to new rows.
    - **Constant columns** (one value, or only missing values) are dropped.
    - **Duplicate columns** (equal to an earlier column) are dropped.
    - **Likely leaks**: a column that predicts the target almost perfectly on
      its own (a depth-limited tree on that column alone reaches a held-out
      balanced accuracy or r2 of 0.99, on up to 3000 rows) is flagged, not
      dropped: it may be legitimate, but usually it is known only after the
      target is.
    - **Class imbalance**: the smallest class under 10% of the rows is noted,
      with a scorer that suits it when ``scoring`` is accuracy.

    Parameters
    ----------
    X : DataFrame, ndarray or sparse matrix
        The training features (sparse matrices are not checked column by column).
    y : ndarray of shape (n_samples,)
        The validated target.
    task : {"classification", "regression"}
    scoring : str, callable or None
        The scoring the search uses (for the imbalance advice).
    random_state : int
        Seed of the leak check's row sample and split.
    time_limit : float or None
        Seconds the leak check may take; the columns not reached in time are
        not checked (logged).

    Returns
    -------
    report : DataReport
    """
    report = DataReport()
    if not sparse.issparse(X):
        frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))
        _check_columns(frame, y, task, random_state, report, time_limit)
    if task == "classification":
        classes, counts = np.unique(y, return_counts=True)
        share = counts.min() / counts.sum()
        if share < IMBALANCE_SHARE:
            advice = ""
            if scoring in (None, "accuracy"):
                advice = "; accuracy rewards predicting the majority: consider scoring='balanced_accuracy' or 'f1_macro'"
            report.add(
                "class imbalance", None, "noted",
                f"class {_plain(classes[np.argmin(counts)])!r} has {counts.min()} of {counts.sum()} rows ({share:.1%}){advice}",
            )
    return report


def _check_columns(
    frame: pd.DataFrame, y: np.ndarray, task: str, seed: int, report: DataReport, time_limit: float | None
) -> None:
    kinds = {label: _infer_kind(frame[label]) for label in frame.columns}
    for label, kind in kinds.items():
        if kind is ColumnKind.CONSTANT:
            report.add("constant column", label, "dropped", "a single value (or only missing values)")
        elif _is_id_like(frame[label], kind):
            report.add("ID-like column", label, "dropped", f"a distinct value on each of the {len(frame)} rows")
    if set(report.drop) == set(frame.columns):
        # Nothing would be left to learn from: keep the columns (and say so).
        for finding in report.findings:
            finding["action"] = "kept"
            finding["detail"] += "; kept because no other column is left"
        report.drop = []
    dropped = set(report.drop)
    for label, earlier in _duplicate_of(frame[[c for c in frame.columns if c not in dropped]]).items():
        report.add("duplicate column", label, "dropped", f"equal to column {earlier!r}")
    dropped = set(report.drop)
    candidates = [c for c in frame.columns if c not in dropped][:LEAK_MAX_COLUMNS]
    rows = np.arange(len(frame))
    if len(rows) > LEAK_MAX_ROWS:
        rows = np.sort(np.random.default_rng(seed).choice(len(frame), LEAK_MAX_ROWS, replace=False))
    sample, target = frame.iloc[rows], y[rows]
    start = time.perf_counter()
    for i, label in enumerate(candidates):
        if time_limit is not None and time.perf_counter() - start > time_limit:
            logger.info("leak check stopped after %d of %d columns (time limit %.1f s)", i, len(candidates), time_limit)
            break
        try:
            score = _single_column_score(sample[label], target, task, seed)
        except (TypeError, ValueError):
            continue
        if score >= LEAK_SCORE:
            metric = "balanced accuracy" if task == "classification" else "r2"
            report.add(
                "likely leak", label, "kept",
                f"predicts the target on its own ({metric} {score:.3f} on held-out rows); "
                "check that it is known before the target is",
            )



