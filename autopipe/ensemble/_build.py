"""Turn selected candidates into ordinary sklearn ensembles (voting or stacking)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.ensemble import StackingClassifier, StackingRegressor, VotingClassifier, VotingRegressor
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import cross_val_predict
from sklearn.utils import Bunch

from .._utils.weights import call_scorer
from ._rows import covered_rows, meta_folds, restrict_splits
from ._selection import _BlendClassifier, _BlendRegressor


def make_voting(members: Sequence[tuple[str, BaseEstimator]], weights: Sequence[float], *, is_classifier: bool) -> BaseEstimator:
    """An unfitted weighted ``VotingClassifier`` (soft voting) or ``VotingRegressor``."""
    if is_classifier:
        return VotingClassifier(list(members), voting="soft", weights=list(weights))
    return VotingRegressor(list(members), weights=list(weights))


def assemble_voting(
    members: Sequence[tuple[str, BaseEstimator]], fitted: Sequence[BaseEstimator], weights: Sequence[float],
    X: Any, y: np.ndarray, *, is_classifier: bool,
) -> BaseEstimator:
    """A fitted voting ensemble made of members that were already fitted (e.g. in worker processes).

    ``members`` are the unfitted ``(name, estimator)`` pairs the ensemble's
    parameters keep (so that cloning it and fitting again fits them anew);
    ``fitted`` are the same estimators fitted on ``X``, ``y``. The voting
    estimator is fitted around them without refitting them, so that it
    validates ``X`` and ``y`` and sets its own attributes as usual.
    """
    frozen = [(name, FrozenEstimator(est)) for (name, _), est in zip(members, fitted)]
    model = make_voting(frozen, weights, is_classifier=is_classifier)
    model.fit(X, y)
    model.estimators_ = [est.estimator if isinstance(est, FrozenEstimator) else est for est in model.estimators_]
    model.named_estimators_ = Bunch(**{name: est for (name, _), est in zip(members, model.estimators_)})
    model.set_params(estimators=list(members))
    return model


def _meta_learner(is_classifier: bool) -> BaseEstimator:
    return LogisticRegression(C=1.0, max_iter=1000) if is_classifier else RidgeCV()


def make_stacking(
    members: Sequence[tuple[str, BaseEstimator]], splits: list[tuple[np.ndarray, np.ndarray]] | None, *,
    is_classifier: bool,
) -> BaseEstimator:
    """An unfitted ``StackingClassifier``/``StackingRegressor`` over the search's own folds.

    With the same folds and seeds, the out-of-fold predictions it computes to
    train its meta-learner are the ones the search recorded. ``splits`` must
    partition the rows (each row in one test set); ``None`` uses
    scikit-learn's default 5-fold cross-validation instead, for folds that do
    not (a holdout split, a time-ordered splitter).
    """
    if is_classifier:
        return StackingClassifier(list(members), final_estimator=_meta_learner(True), cv=splits,
                                  stack_method="predict_proba")
    return StackingRegressor(list(members), final_estimator=_meta_learner(False), cv=splits)


def _meta_features(oofs: Sequence[np.ndarray], is_classifier: bool) -> np.ndarray:
    # Binary probabilities carry one column of information, as sklearn's stacking keeps it.
    blocks = [o[:, 1:] if is_classifier and o.shape[1] == 2 else o for o in oofs]
    return np.hstack(blocks).astype(np.float64)


def stacking_oof_score(
    oofs: Sequence[np.ndarray], y: np.ndarray, scorer: Any, splits: list[tuple[np.ndarray, np.ndarray]],
    classes: np.ndarray | None, sample_weight: np.ndarray | None = None, *, seed: int = 0,
) -> float:
    """Cross-validated score of the meta-learner trained on recorded out-of-fold predictions.

    Only the rows in some test set of ``splits`` have out-of-fold
    predictions: the meta-learner is cross-validated and scored on those.
    It uses the same folds when they can (each covered row tested once, at
    least two folds with rows to train on), else a k-fold over the covered
    rows shuffled with ``seed`` (a holdout split; a time-ordered splitter,
    whose first fold trains on rows no fold tests). ``sample_weight``
    weights the meta-learner's fits and the score.
    """
    is_classifier = classes is not None
    rows = covered_rows(splits, len(y))
    if len(rows) < 2:
        raise ValueError(f"the folds' test sets cover {len(rows)} row(s); stacking needs 2 at least")
    y = np.asarray(y)[rows]
    w = None if sample_weight is None else np.asarray(sample_weight)[rows]
    features = _meta_features([np.asarray(o)[rows] for o in oofs], is_classifier)
    folds = meta_folds(restrict_splits(splits, rows), y, is_classifier=is_classifier, seed=seed)
    meta = _meta_learner(is_classifier)
    method = "predict_proba" if is_classifier else "predict"
    params = {} if w is None else {"sample_weight": w}
    pred = cross_val_predict(meta, features, y, cv=folds, method=method, params=params)
    if is_classifier and pred.shape[1] < len(classes):
        # the covered rows lack a class: its probability column is zero
        full = np.zeros((len(y), len(classes)))
        full[:, np.searchsorted(classes, np.unique(y))] = pred
        pred = full
    placeholder = np.zeros((len(y), 1))
    model = _BlendClassifier(pred, classes) if is_classifier else _BlendRegressor(pred.reshape(-1, 1))
    return call_scorer(scorer, model, placeholder, y, w)
