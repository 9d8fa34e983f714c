"""Checks of the target ``y`` and inference of the learning task from it."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from numbers import Integral, Number
from typing import Any

import numpy as np
import pandas as pd
from sklearn.exceptions import DataConversionWarning
from sklearn.metrics import get_scorer, get_scorer_names
from sklearn.utils.multiclass import check_classification_targets, type_of_target

from .._utils.sklearn_shim import metric_module

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
    if isinstance(y, (list, tuple)) and any(isinstance(v, str) for v in y):
        # object, not numpy's str dtype: that would strip trailing "\0" from labels
        # (merging "a" and "a\0") and turn numbers mixed with strings into strings.
        y = np.asarray(y, dtype=object)
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
    at most 30 distinct values (and fewer than half the rows), else a quantity
    (:func:`choose_task` gives the reason too).
    """
    return choose_task(y).task


#: Whole-number targets with more distinct values than this are read as quantities.
MAX_INTEGER_CLASSES = 30
_METRIC_TASKS = {
    "sklearn.metrics._classification": "classification",
    "sklearn.metrics._ranking": "classification",
    "sklearn.metrics._regression": "regression",
}


def scoring_task(scoring: Any) -> str | None:
    """The task a scorer's metric belongs to: ``"classification"``, ``"regression"`` or None (unknown).

    Parameters
    ----------
    scoring : str, callable or None
        A scorer name from :func:`sklearn.metrics.get_scorer_names`, a scorer
        made by :func:`sklearn.metrics.make_scorer`, or any other callable
        (whose task is unknown).

    Returns
    -------
    task : str or None
    """
    if scoring is None:
        return None
    if isinstance(scoring, str):
        if scoring not in get_scorer_names():
            return None
        scoring = get_scorer(scoring)
    return _METRIC_TASKS.get(metric_module(scoring) or "")


@dataclass(frozen=True)
class TaskChoice:
    """The task chosen for a target, why, and, when whole numbers decided it, how many distinct ones."""

    task: str
    reason: str
    whole_numbers: int | None = None


def choose_task(y: np.ndarray, scoring: Any = None) -> TaskChoice:
    """The task for ``y`` and a sentence saying why: the scorer's kind first, then the values of ``y``.

    A classification metric (``"balanced_accuracy"``, ``"f1_macro"``,
    ``"roc_auc_ovr"``, ``"neg_log_loss"``, ...) means classification and a
    regression metric means regression, whatever the number of distinct
    values; without one, :func:`infer_task` decides from ``y``.

    Returns
    -------
    choice : TaskChoice

    Raises
    ------
    ValueError
        If a classification metric is asked for a target with fractional values.
    """
    by_scorer = scoring_task(scoring)
    if by_scorer == "classification" and y.dtype.kind in "fc" and type_of_target(y) == "continuous":
        raise ValueError(
            f"scoring={_scoring_name(scoring)} is a classification metric, but y holds numbers with fractional "
            "parts; pass class labels as y, or a regression scoring such as 'r2'."
        )
    if by_scorer is not None:
        return TaskChoice(by_scorer, f"scoring={_scoring_name(scoring)} is a {by_scorer} metric")
    if y.dtype.kind in "bUSO":
        return TaskChoice("classification", "y holds labels, not numbers")
    kind = type_of_target(y)
    if kind not in ("binary", "multiclass") and not (y.dtype.kind in "iu" and kind != "continuous"):
        return TaskChoice("regression", "y holds numbers with fractional parts")
    n_unique = len(np.unique(y))
    if n_unique <= MAX_INTEGER_CLASSES and n_unique <= max(2, len(y) // 2):
        return TaskChoice("classification", f"y holds {n_unique} distinct whole numbers, read as classes", n_unique)
    return TaskChoice("regression", (
        f"y holds {n_unique} distinct whole numbers, read as a quantity (more than {MAX_INTEGER_CLASSES}, or "
        "more than half the rows); pass task='classification' or a classification scoring such as "
        "'balanced_accuracy' to treat them as classes"
    ), n_unique)


def check_task_scoring(task: str, scoring: Any) -> None:
    """Refuse a scorer whose metric belongs to the other task, naming both.

    Raises
    ------
    ValueError
        If ``scoring`` is a classification metric and ``task`` regression, or the reverse.
    """
    by_scorer = scoring_task(scoring)
    if by_scorer is not None and by_scorer != task:
        raise ValueError(
            f"scoring={_scoring_name(scoring)} is a {by_scorer} metric, but the task is {task}; pass a "
            f"{task} scoring, or task='{by_scorer}'."
        )


def _scoring_name(scoring: Any) -> str:
    return repr(scoring) if isinstance(scoring, str) else getattr(scoring, "__name__", type(scoring).__name__)


def _label_type(value: Any) -> str:
    """``"number"`` (booleans too), ``"str"`` (numpy's too) or the type name of one label."""
    if isinstance(value, Number):
        return "number"
    return "str" if isinstance(value, str) else type(value).__name__


def _label_types(y: np.ndarray) -> list[str]:
    """The sorted kinds of the labels in an object ``y`` (see :func:`_label_type`)."""
    return sorted({_label_type(v) for v in y})


def check_classes(y: np.ndarray) -> np.ndarray:
    """The sorted classes of a classification target; at least two are needed.

    Labels of mixed types (e.g. ``1`` and ``"a"`` in one object array) are
    refused with a message naming the types, instead of sklearn's "Unknown
    label type: unknown".

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        The target, as :func:`check_target` returns it.

    Returns
    -------
    classes : ndarray
        The distinct labels, sorted.

    Raises
    ------
    ValueError
        If the labels mix types, are not a classification target, or hold a
        single class.
    """
    if y.dtype == object:
        types = _label_types(y)
        if len(types) > 1:
            raise ValueError(
                f"y mixes label types {types}; class labels must all be numbers or all strings, "
                "e.g. convert them with y.astype(str)."
            )
    check_classification_targets(y)
    classes = np.unique(y)
    if len(classes) < 2:
        raise ValueError(
            f"y has a single class ({_plain(classes[0])!r}); classification needs at least 2 classes."
        )
    return classes


#: Largest |y| for regression: out-of-fold predictions are kept as float32 (max 3.4e38),
#: with room for predictions that overshoot the target's range.
REGRESSION_TARGET_LIMIT = float(np.finfo(np.float32).max) / 10


def check_regression_target(y: np.ndarray) -> np.ndarray:
    """A regression target as numbers, refusing values too large for the search's arithmetic.

    Two limits apply, and the smaller one counts:

    - every evaluation keeps its out-of-fold predictions as float32 (max
      about 3.4e38), which the ensemble step scores: a larger target would
      make them infinite, so ``max(|y|)`` must stay below
      :data:`REGRESSION_TARGET_LIMIT` (3.4e37);
    - scores such as r2 and mean squared error sum squared errors in
      float64: ``4 * n_samples * max(|y|)**2`` must stay below the largest
      float64 (about 1.8e308), otherwise every fold score is NaN.

    Booleans and numbers are returned as they are; other values are converted
    to float64.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        A regression target from :func:`check_target`.

    Returns
    -------
    y : ndarray of shape (n_samples,)
        The same values, as numbers.

    Raises
    ------
    ValueError
        If ``y`` cannot be converted to numbers, or is too large in magnitude.
    """
    if y.dtype.kind not in "biuf":
        try:
            y = y.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"regression needs a numeric y; could not convert it: {exc}") from None
    largest = float(np.max(np.abs(y.astype(np.float64))))
    limit = min(REGRESSION_TARGET_LIMIT, math.sqrt(np.finfo(np.float64).max / (4 * len(y))))
    if largest > limit:
        raise ValueError(
            f"y holds values too large in magnitude (max |y| = {largest:.3g}, limit {limit:.3g}): "
            "out-of-fold predictions are kept as float32 and squared errors summed in float64; "
            "rescale the target, e.g. divide it by a constant or take its logarithm."
        )
    return y


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds (for readable messages)."""
    return value.item() if isinstance(value, np.generic) else value


#: A training fold holding a single class is refused when at least this likely.
SINGLE_CLASS_FOLD_RISK = 1e-4


def _log_comb(n: int, k: int) -> float:
    """``log(C(n, k))``, without computing huge integers."""
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def single_class_fold_risk(counts: np.ndarray, n_splits: int) -> float:
    """Chance that shuffled k-fold leaves some training fold with a single class (union bound).

    A training fold holds class ``c`` alone exactly when its test fold takes
    every row outside ``c``. With ``m`` such rows and a test fold of ``t``
    rows drawn at random from ``n``, that happens with probability
    ``C(n - m, t - m) / C(n, t)``; the chances are summed over classes and
    folds (sizes as :class:`~sklearn.model_selection.KFold` makes them).

    Parameters
    ----------
    counts : ndarray of int
        Rows per class.
    n_splits : int
        Number of folds.

    Returns
    -------
    risk : float
        An upper bound of the chance, at most 1.
    """
    n = int(counts.sum())
    sizes = [n // n_splits + (1 if f < n % n_splits else 0) for f in range(n_splits)]
    risk = 0.0
    for count in counts:
        m = n - int(count)
        for t in sizes:
            if t >= m:
                risk += math.exp(_log_comb(n - m, t - m) - _log_comb(n, t))
    return min(risk, 1.0)


def check_cv_rows(y: np.ndarray, *, task: str, cv: Any, scoring: Any) -> None:
    """Refuse a target that integer ``cv`` folds cannot score, before any candidate runs.

    With an int ``cv``, the estimator makes ``min(cv, n_samples)`` folds:
    stratified for classification when every class has at least 2 members,
    plain shuffled k-fold otherwise (see ``AutoEstimator._make_splits``).
    Two cases would make every candidate fail, so they are errors here:

    - regression scored by r2 (the default) with fewer than ``2 * cv`` rows: a
      test fold would hold a single row, where r2 is undefined (NaN);
    - classification with a single-member class (so plain k-fold) when a
      training fold would hold a single class, which no classifier learns
      from, with a chance of at least :data:`SINGLE_CLASS_FOLD_RISK` (see
      :func:`single_class_fold_risk`; a binary target with a single-member
      class always does). Otherwise the search runs, and a training fold
      that merely lacks some rare classes is fine.

    A cross-validation splitter object is the caller's responsibility and is
    not checked.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        The target.
    task : {"classification", "regression"}
        The task.
    cv : int or object
        The estimator's ``cv``: only an int is checked.
    scoring : str, callable or None
        The estimator's ``scoring``: ``None`` and ``"r2"`` mean r2 for
        regression.

    Raises
    ------
    ValueError
        In the two cases above, with what to change.
    """
    if not isinstance(cv, Integral) or isinstance(cv, bool):
        return
    n = len(y)
    if task == "regression":
        if scoring in (None, "r2") and n < 2 * cv:
            raise ValueError(
                f"Found n_samples = {n} with cv={cv}: a test fold would hold a single row, where the "
                f"r2 score is undefined; pass at least {2 * cv} rows, fewer folds (cv) or another scoring."
            )
        return
    labels, counts = np.unique(y, return_counts=True)
    if counts.min() >= 2:
        return
    n_splits = min(int(cv), n)
    risk = single_class_fold_risk(counts, n_splits)
    if risk >= SINGLE_CLASS_FOLD_RISK:
        singles = [_plain(v) for v in labels[counts == 1]]
        raise ValueError(
            f"y has class(es) with a single member {singles[:10]}, so the {n_splits} folds cannot be "
            f"stratified, and with so few rows outside the largest class "
            f"{_plain(labels[counts.argmax()])!r} a training fold would hold one class only "
            f"(chance {risk:.2g}), which no classifier can learn from. Add rows of the rare classes, "
            "drop the single-member classes, or use more folds (cv)."
        )
