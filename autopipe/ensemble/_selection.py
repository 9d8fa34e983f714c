"""Greedy ensemble selection (Caruana et al., 2004) over recorded out-of-fold predictions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin

from .._utils.weights import call_scorer


class _BlendClassifier(ClassifierMixin, BaseEstimator):
    """Serves fixed class probabilities to an sklearn scorer."""

    def __init__(self, proba: np.ndarray, classes: np.ndarray) -> None:
        self.proba = proba
        self.classes = classes
        self.classes_ = classes

    def predict_proba(self, X: Any) -> np.ndarray:
        return self.proba

    def predict(self, X: Any) -> np.ndarray:
        return self.classes[np.argmax(self.proba, axis=1)]


class _BlendRegressor(RegressorMixin, BaseEstimator):
    """Serves fixed predictions to an sklearn scorer."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = values

    def predict(self, X: Any) -> np.ndarray:
        return self.values[:, 0]


def _labels_metric(per_row: Callable[..., float]) -> Callable[..., float]:
    """A metric on class indices, applied to the argmax of blended probabilities."""

    def metric(blend: np.ndarray, y_index: np.ndarray, w: np.ndarray, n_classes: int) -> float:
        return per_row(np.argmax(blend, axis=1), y_index, w, n_classes)

    return metric


def _accuracy(pred: np.ndarray, y: np.ndarray, w: np.ndarray, n_classes: int) -> float:
    return float(np.dot(w, pred == y) / w.sum())


def _balanced_accuracy(pred: np.ndarray, y: np.ndarray, w: np.ndarray, n_classes: int) -> float:
    true = np.bincount(y, weights=w, minlength=n_classes)
    hit = np.bincount(y, weights=w * (pred == y), minlength=n_classes)
    present = true > 0
    return float(np.mean(hit[present] / true[present]))


def _r2(blend: np.ndarray, y: np.ndarray, w: np.ndarray, n_classes: int) -> float:
    residual = np.dot(w, (y - blend[:, 0]) ** 2)
    total = np.dot(w, (y - np.average(y, weights=w)) ** 2)
    if total == 0:
        return 1.0 if residual == 0 else 0.0
    return float(1.0 - residual / total)


def _neg_mse(blend: np.ndarray, y: np.ndarray, w: np.ndarray, n_classes: int) -> float:
    return -float(np.average((y - blend[:, 0]) ** 2, weights=w))


def _neg_rmse(blend: np.ndarray, y: np.ndarray, w: np.ndarray, n_classes: int) -> float:
    return -float(np.sqrt(np.average((y - blend[:, 0]) ** 2, weights=w)))


def _neg_mae(blend: np.ndarray, y: np.ndarray, w: np.ndarray, n_classes: int) -> float:
    return -float(np.average(np.abs(y - blend[:, 0]), weights=w))


# Scorer names whose value on blended predictions is computed here with numpy. Selection
# scores thousands of blends; through sklearn's scorers each costs milliseconds of input
# checks, here microseconds. tests/test_ensemble.py checks they agree with sklearn.
FAST_CLASSIFICATION = {"accuracy": _labels_metric(_accuracy), "balanced_accuracy": _labels_metric(_balanced_accuracy)}
FAST_REGRESSION = {"r2": _r2, "neg_mean_squared_error": _neg_mse, "neg_root_mean_squared_error": _neg_rmse,
                   "neg_mean_absolute_error": _neg_mae}


def oof_scorer(
    scorer: Callable[..., float], y: np.ndarray, classes: np.ndarray | None,
    sample_weight: np.ndarray | None = None, name: str | None = None,
) -> Callable[[np.ndarray], float]:
    """A function scoring blended out-of-fold predictions with any sklearn scorer.

    With ``sample_weight``, the scorer is called with those weights, as the
    fold scores of a weighted search are. When ``name`` is one of the scorer
    names in ``FAST_CLASSIFICATION`` or ``FAST_REGRESSION`` (for the task),
    the same value is computed directly with numpy, which is much faster.
    """
    fast = (FAST_CLASSIFICATION if classes is not None else FAST_REGRESSION).get(name or "")
    if fast is not None:
        w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        target = np.searchsorted(classes, y) if classes is not None else np.asarray(y, dtype=float)
        n_classes = 0 if classes is None else len(classes)
        return lambda blend: fast(blend, target, w, n_classes)
    rows = np.zeros((len(y), 1))

    def score(blend: np.ndarray) -> float:
        model = _BlendClassifier(blend, classes) if classes is not None else _BlendRegressor(blend)
        return call_scorer(scorer, model, rows, y, sample_weight)

    return score


@dataclass(frozen=True)
class Selection:
    """The outcome of ensemble selection.

    Attributes
    ----------
    weights : numpy.ndarray of int
        How many times each candidate was picked (its voting weight).
    score : float
        Score of the weighted blend of out-of-fold predictions.
    trace : tuple of float
        Blend score after each round.
    """

    weights: np.ndarray
    score: float
    trace: tuple[float, ...]


def select_ensemble(
    oofs: Sequence[np.ndarray], score: Callable[[np.ndarray], float], *, rounds: int = 50,
    patience: int | None = None,
) -> Selection:
    """Greedy forward selection with replacement.

    Each round adds the candidate whose inclusion gives the best score of the
    averaged predictions (ties: the earlier candidate, so put the best first).
    The returned weights are those of the best round, so selection never ends
    on a worse blend than it saw.

    Parameters
    ----------
    oofs : sequence of ndarray of shape (n_samples, n_outputs)
        Out-of-fold predictions of each candidate on the same rows and folds.
    score : callable
        Scores a blend (greater is better), e.g. from :func:`oof_scorer`.
    rounds : int, default=50
        Number of selection rounds (the ensemble size bound).
    patience : int or None, default=None
        Stop after this many rounds without a better blend (None: run all
        ``rounds``). The result is the same whenever the blend would not have
        improved later; it saves scorer calls on large data.

    Returns
    -------
    selection : Selection
    """
    stack = np.stack([np.asarray(o, dtype=np.float64) for o in oofs])
    total = np.zeros_like(stack[0])
    picks: list[int] = []
    trace: list[float] = []
    for r in range(1, rounds + 1):
        scores = [score((total + member) / r) for member in stack]
        best = int(np.argmax(scores))
        picks.append(best)
        trace.append(scores[best])
        total += stack[best]
        if patience is not None and r - 1 - int(np.argmax(trace)) >= patience:
            break
    stop = int(np.argmax(trace)) + 1
    weights = np.bincount(picks[:stop], minlength=len(stack))
    return Selection(weights=weights, score=trace[stop - 1], trace=tuple(trace))


def _blend(oofs: Sequence[np.ndarray], weights: np.ndarray) -> np.ndarray:
    """The weighted average of out-of-fold predictions."""
    used = [(o, w) for o, w in zip(oofs, weights) if w > 0]
    return sum(np.asarray(o, dtype=np.float64) * w for o, w in used) / sum(w for _, w in used)


@dataclass(frozen=True)
class CrossCheck:
    """Selection and single-best choice, each scored on rows it was not chosen on.

    Attributes
    ----------
    ensemble_score, single_score : float
        Mean over the halves of the score of the ensemble selected on the
        other half, and of the single candidate that scored best on it.
    """

    ensemble_score: float
    single_score: float


def cross_check(
    oofs: Sequence[np.ndarray], make_score: Callable[[np.ndarray], Callable[[np.ndarray], float]],
    halves: tuple[np.ndarray, np.ndarray], *, rounds: int = 50, patience: int | None = None,
) -> CrossCheck:
    """Compare ensemble selection with picking the best single candidate, honestly.

    Selecting from the same out-of-fold predictions that then score the
    selection favours the ensemble: it has more freedom to fit those rows.
    Here each procedure chooses on one half of the rows and is scored on the
    other half, in both directions.

    Parameters
    ----------
    oofs : sequence of ndarray of shape (n_samples, n_outputs)
        Out-of-fold predictions of each candidate.
    make_score : callable
        ``make_score(rows)`` returns a function scoring a blend of those rows.
    halves : tuple of two ndarray
        Disjoint row indices.
    rounds, patience : int
        As in :func:`select_ensemble`.

    Returns
    -------
    check : CrossCheck
    """
    ens, single = [], []
    for fit_rows, eval_rows in (halves, halves[::-1]):
        fit_score, eval_score = make_score(fit_rows), make_score(eval_rows)
        parts = [np.asarray(o)[fit_rows] for o in oofs]
        selection = select_ensemble(parts, fit_score, rounds=rounds, patience=patience)
        ens.append(eval_score(_blend([np.asarray(o)[eval_rows] for o in oofs], selection.weights)))
        best = int(np.argmax([fit_score(p) for p in parts]))
        single.append(eval_score(np.asarray(oofs[best])[eval_rows]))
    return CrossCheck(float(np.mean(ens)), float(np.mean(single)))
