"""The work done inside a worker process: cross-validate a pipeline, or fit it on all rows."""

from __future__ import annotations

import time
import uuid
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils.metaestimators import available_if

from .._utils.weights import call_scorer, fit_weighted
from ..space import TrainingHooks
from . import _prefix_cache


def _take(X: Any, rows: np.ndarray) -> Any:
    return X.iloc[rows] if hasattr(X, "iloc") else X[rows]


@dataclass
class CVPayload:
    """The data every worker holds for one fit: rows, target, folds and scorer.

    ``sample_weight`` (optional) weights both the fits and the fold scores;
    ``groups`` (optional) are the rows' group labels; the folds of every
    fidelity are the caller's ``splits`` (which keep each group on one side),
    fitted on fewer of their training rows at lower fidelities.
    ``check_splits`` (optional) are a second, differently shuffled set of
    full-data folds on which the best candidates are re-scored.
    ``cache_prefixes`` lets candidates that begin with the same transformers
    share their fitted output per fold (see ``_prefix_cache``; not with
    ``sample_weight``, which transformers may take). ``hooks`` are the search
    space's training hooks (median stopping, weight inheritance; default: the
    no-op), kept with the data in each worker. ``token`` identifies the data
    in the workers' caches.

    In a worker, ``X``, ``y`` and the other arrays may be read-only memory
    maps shared by all workers (see :class:`~autopipe.evaluate.WorkerPool`):
    the tasks below never write into them, and give estimators the rows of
    a fold as copies (fancy indexing), or all rows as they are.
    """

    X: Any
    y: np.ndarray
    splits: list[tuple[np.ndarray, np.ndarray]]
    scorer: Callable[..., float]
    is_classifier: bool
    classes: np.ndarray | None
    random_state: int = 0
    sample_weight: np.ndarray | None = None
    groups: np.ndarray | None = None
    check_splits: list[tuple[np.ndarray, np.ndarray]] | None = None
    cache_prefixes: bool = True
    hooks: TrainingHooks = field(default_factory=TrainingHooks)
    token: str = field(default_factory=lambda: uuid.uuid4().hex)
    _views: dict[float, list[tuple[np.ndarray, np.ndarray]]] = field(default_factory=dict, repr=False)

    def view(self, fidelity: float, check: bool = False) -> list[tuple[np.ndarray, np.ndarray]]:
        """The folds for a fidelity: the share of each fold's training rows fitted on.

        Every fidelity scores on the same validation rows (the whole test
        fold), so the scores of all rungs are comparable and the folds are
        those of the caller's splitter (a time-ordered splitter stays time
        ordered); a lower fidelity fits on a random share of each fold's
        training rows that keeps at least one row of every class they hold.
        ``check=True`` gives the ``check_splits`` instead.
        """
        if check:
            if self.check_splits is None:
                raise ValueError("this payload has no check_splits")
            return self.check_splits
        if fidelity >= 1.0:
            return self.splits
        if fidelity not in self._views:
            self._views[fidelity] = self._subsample(fidelity)
        return self._views[fidelity]

    def _subsample(self, fidelity: float) -> list[tuple[np.ndarray, np.ndarray]]:
        rng = np.random.default_rng(self.random_state)
        folds = []
        for train, test in self.splits:
            order = rng.permutation(train)
            keep = order[: max(2, round(len(train) * fidelity))]
            if self.is_classifier:
                _, first = np.unique(self.y[order], return_index=True)
                keep = np.union1d(keep, order[first])
            folds.append((np.sort(keep), test))
        return folds


@dataclass(frozen=True)
class CVReport:
    """What cross-validating one pipeline in a worker measured (the reply of :func:`cross_validate_pipeline`).

    ``fold_scores`` has one score per fold; ``oof`` the out-of-fold
    predictions (float32) of the rows used and ``oof_kind`` their kind;
    ``fit_time`` and ``score_time`` are seconds summed over folds;
    ``curves`` the validation-loss curves of the networks trained;
    ``stopped_early`` how many network fits median stopping ended,
    ``inherited`` how many started from inherited weights and
    ``cache_hits`` how many folds reused a cached fitted prefix.
    """

    fold_scores: tuple[float, ...]
    oof: np.ndarray | None
    oof_kind: str
    fit_time: float
    score_time: float
    curves: list[np.ndarray]
    stopped_early: int
    inherited: int
    cache_hits: int


def _has(method: str) -> Callable[[Any], bool]:
    return lambda self: hasattr(self._estimator, method)


class _CachedPredictions:
    """Wraps a fitted estimator so that a scorer's call on the test rows is made once."""

    def __init__(self, estimator: BaseEstimator, X: Any) -> None:
        self._estimator = estimator
        self._X = X
        self.cache: dict[str, np.ndarray] = {}
        if hasattr(estimator, "classes_"):
            self.classes_ = estimator.classes_

    def __sklearn_tags__(self) -> Any:
        return self._estimator.__sklearn_tags__()

    def call(self, method: str, X: Any = None) -> np.ndarray:
        """``method(X)`` of the wrapped estimator, cached for the test rows."""
        if X is not None and X is not self._X:
            return getattr(self._estimator, method)(X)
        if method not in self.cache:
            self.cache[method] = getattr(self._estimator, method)(self._X)
        return self.cache[method]

    def predict(self, X: Any) -> np.ndarray:
        return self.call("predict", X)

    @available_if(_has("predict_proba"))
    def predict_proba(self, X: Any) -> np.ndarray:
        return self.call("predict_proba", X)

    @available_if(_has("predict_log_proba"))
    def predict_log_proba(self, X: Any) -> np.ndarray:
        return self.call("predict_log_proba", X)

    @available_if(_has("decision_function"))
    def decision_function(self, X: Any) -> np.ndarray:
        return self.call("decision_function", X)


def _oof_block(cached: _CachedPredictions, payload: CVPayload) -> tuple[np.ndarray, str]:
    """Out-of-fold predictions of one fold, columns aligned with ``payload.classes``."""
    est = cached._estimator
    if not payload.is_classifier:
        return np.asarray(cached.call("predict"), dtype=np.float32).reshape(len(cached._X), -1), "predict"
    classes = payload.classes
    assert classes is not None
    if hasattr(est, "predict_proba"):
        proba = np.asarray(cached.call("predict_proba"), dtype=np.float32)
        out = np.zeros((proba.shape[0], len(classes)), dtype=np.float32)
        out[:, np.searchsorted(classes, est.classes_)] = proba
        return out, "proba"
    labels = cached.call("predict")
    return np.searchsorted(classes, labels).astype(np.float32).reshape(-1, 1), "label"


def cross_validate_pipeline(
    payload: CVPayload, pipeline: BaseEstimator, fidelity: float, check: bool = False,
    curves: Sequence[np.ndarray] | None = None, inherit: bool = False,
) -> CVReport:
    """Fit and score ``pipeline`` on every fold (of ``check_splits`` if ``check``); the function workers run.

    The folds are fitted inside ``payload.hooks.fitting``: ``curves`` are
    validation-loss curves of candidates evaluated before, which the
    iteratively trained steps of ``pipeline`` (networks) stop training when
    they fall behind (median stopping); ``inherit`` lets them start from the
    weights of compatible steps this worker trained before on the same fold.

    Returns a :class:`CVReport`. Raises ``ValueError`` when a fold score is
    not finite.
    """
    folds = payload.view(fidelity, check)
    X, y, w = payload.X, payload.y, payload.sample_weight
    oof: np.ndarray | None = None
    kind = ""
    scores: list[float] = []
    fit_time = score_time = 0.0
    new_curves: list[np.ndarray] = []
    stopped = inherited = hits = 0
    prefix, final = _prefix_cache.split_prefix(pipeline) if payload.cache_prefixes and w is None else (None, pipeline)
    prefix_id = None if prefix is None else _prefix_cache.prefix_key(prefix)
    if prefix_id is None:
        prefix = None
    hooks = payload.hooks
    with warnings.catch_warnings(), hooks.fitting(pipeline, reference=curves, inherit=inherit):
        warnings.simplefilter("ignore")
        for fold, (train, test) in enumerate(folds):
            X_test = _take(X, test)
            t0 = time.perf_counter()
            if prefix is None:
                est = clone(pipeline)
                fit_weighted(est, _take(X, train), y[train], None if w is None else w[train])
                prefix_time = 0.0
            else:
                key = (payload.token, fidelity, check, fold, prefix_id)
                Xt_train, X_test, prefix_time, hit = _prefix_cache.transformed(
                    prefix, key, _take(X, train), y[train], X_test
                )
                hits += hit
                t0 = time.perf_counter()
                est = clone(final)
                est.fit(Xt_train, y[train])
            t1 = time.perf_counter()
            report = hooks.report(est)
            new_curves.extend(report.curves)
            stopped += report.stopped_early
            inherited += report.inherited
            cached = _CachedPredictions(est, X_test)
            score = call_scorer(payload.scorer, cached, X_test, y[test], None if w is None else w[test])
            if not np.isfinite(score):
                raise ValueError(f"the fold score is {score}")
            block, kind = _oof_block(cached, payload)
            if oof is None:
                oof = np.full((len(y), block.shape[1]), np.nan, dtype=np.float32)
            oof[test] = block
            scores.append(score)
            score_time += time.perf_counter() - t1
            # a cached prefix counts as fitted: fit times also plan the refits
            fit_time += t1 - t0 + prefix_time
    return CVReport(
        fold_scores=tuple(scores),
        oof=oof,
        oof_kind=kind,
        fit_time=fit_time,
        score_time=score_time,
        curves=new_curves,
        stopped_early=stopped,
        inherited=inherited,
        cache_hits=hits,
    )


def fit_on_all_rows(payload: CVPayload, pipeline: BaseEstimator) -> tuple[BaseEstimator, float]:
    """Fit a clone of ``pipeline`` on every row (weighted if the payload is); the function workers run.

    Returns the fitted estimator and the seconds its fit took.
    """
    est = clone(pipeline)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit_weighted(est, payload.X, payload.y, payload.sample_weight)
    return est, time.perf_counter() - start
