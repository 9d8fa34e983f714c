"""Ensembles when the folds' test sets cover only some rows: a holdout split, a time-ordered splitter."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.ensemble import StackingClassifier, StackingRegressor, VotingClassifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import get_scorer
from sklearn.model_selection import KFold, TimeSeriesSplit
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsRegressor
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from autopipe import AutoClassifier, AutoRegressor
from autopipe.ensemble import (
    EnsembleProblem,
    SelectionEnsembler,
    StackingEnsembler,
    stacking_oof_score,
)
from autopipe.evaluate import EvaluationResult, Status
from autopipe.genome import Genome
from autopipe.search import SearchHistory
from autopipe.space import build_space
from autopipe.testing import make_tiny_classification, make_tiny_regression

N = 1000
CLASSES = np.array([0, 1])


def _holdout(n=N, test_share=0.3, seed=0):
    """One (train, test) split: a random ``test_share`` of the rows is tested."""
    order = np.random.default_rng(seed).permutation(n)
    cut = int(n * (1 - test_share))
    return [(np.sort(order[:cut]), np.sort(order[cut:]))]


def _untested_are_nan(oof, splits):
    """The out-of-fold record the search keeps: NaN on the rows no test set holds."""
    tested = np.zeros(len(oof), dtype=bool)
    for _, test in splits:
        tested[test] = True
    out = np.asarray(oof, dtype=np.float32).copy()
    out[~tested] = np.nan
    return out


def _probabilities(y, rng, members=5):
    """Probabilities right on average, with independent noise: a blend beats each of them."""
    out = []
    for _ in range(members):
        p = np.clip(np.where(y == 1, 0.6, 0.4) + rng.normal(0, 0.3, len(y)), 0, 1)
        out.append(np.c_[1 - p, p])
    return out


def _predictions(y, rng, members=5):
    """Predictions with independent noise: their average is closer to ``y`` than each."""
    return [(y + rng.normal(0, 1.0, len(y))).reshape(-1, 1) for _ in range(members)]


def _entries(oofs, task):
    """Successful history entries, best first, with the given out-of-fold records."""
    space = build_space("light", task)
    kind = "proba" if task == "classification" else "predict"
    history = SearchHistory()
    for i, oof in enumerate(oofs):
        g = Genome.random(space, np.random.default_rng(i))
        history.add(g, EvaluationResult(key=g.key, status=Status.OK, score=1.0 - i / 100, fold_scores=(1.0,),
                                        oof=oof, oof_kind=kind, fit_time=0.01), 0, 0.0)
    return [e for e in history.ranked() if e.result.ok]


def _everything(candidates, factor, lanes):
    return list(candidates)


def _classification(splits, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, N)
    oofs = [_untested_are_nan(o, splits) for o in _probabilities(y, rng)]
    problem = EnsembleProblem(y, CLASSES, get_scorer("accuracy"), "accuracy", splits, seed=seed)
    return problem, _entries(oofs, "classification")


def _regression(splits, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.normal(0, 1.0, N)
    oofs = [_untested_are_nan(o, splits) for o in _predictions(y, rng)]
    problem = EnsembleProblem(y, None, get_scorer("r2"), "r2", splits, seed=seed)
    return problem, _entries(oofs, "regression")


@pytest.mark.parametrize("make", [_classification, _regression])
def test_selection_on_a_holdout_split_is_judged_on_the_tested_rows(make):
    splits = _holdout()
    problem, ranked = make(splits)
    report = SelectionEnsembler().plan(problem, ranked, _everything, n_workers=1).report
    assert len(report.members) >= 2, report.reason
    assert report.used, report.reason
    assert math.isfinite(report.checked_score) and math.isfinite(report.checked_single_score)
    assert report.checked_score > report.checked_single_score
    assert "judged on the 300 of 1000 rows" in report.reason


def test_only_candidates_not_finite_on_tested_rows_are_left_out():
    splits = _holdout()
    problem, ranked = _classification(splits)
    poisoned = ranked[0].result.oof
    poisoned[splits[0][1][0]] = np.inf  # a tested row
    report = SelectionEnsembler().plan(problem, ranked, _everything, n_workers=1).report
    keys = {key for _, key, _ in report.members}
    assert ranked[0].genome.key not in keys
    assert len(keys) >= 2  # the others are NaN only where no fold tests


@pytest.mark.parametrize("n_splits", [3, 4])
def test_selection_on_time_ordered_folds(n_splits):
    splits = [(np.asarray(tr), np.asarray(te)) for tr, te in TimeSeriesSplit(n_splits).split(np.zeros(N))]
    problem, ranked = _classification(splits, seed=1)
    report = SelectionEnsembler().plan(problem, ranked, _everything, n_workers=1).report
    assert len(report.members) >= 2, report.reason
    assert math.isfinite(report.checked_score) and math.isfinite(report.checked_single_score)
    tested = n_splits * (N // (n_splits + 1))
    assert f"judged on the {tested} of {N} rows" in report.reason


def test_ensembles_on_all_rows_say_nothing_of_coverage():
    splits = [(np.asarray(tr), np.asarray(te)) for tr, te in KFold(4, shuffle=True, random_state=0).split(np.zeros(N))]
    problem, ranked = _classification(splits)
    report = SelectionEnsembler().plan(problem, ranked, _everything, n_workers=1).report
    assert report.reason and "judged on" not in report.reason


def test_a_sample_of_many_rows_is_named_in_the_reason():
    rng = np.random.default_rng(4)
    n = 12_000
    y = rng.integers(0, 2, n)
    splits = [(np.asarray(tr), np.asarray(te)) for tr, te in KFold(3, shuffle=True, random_state=0).split(y)]
    problem = EnsembleProblem(y, CLASSES, get_scorer("accuracy"), "accuracy", splits, seed=0)
    ranked = _entries([o.astype(np.float32) for o in _probabilities(y, rng, members=3)], "classification")
    report = SelectionEnsembler(size=10).plan(problem, ranked, _everything, n_workers=1).report
    assert "judged on a sample of 10000 of the 12000 rows" in report.reason, report.reason


@pytest.mark.parametrize("make", [_classification, _regression])
def test_stacking_on_a_holdout_split(make):
    problem, ranked = make(_holdout())
    report = StackingEnsembler().plan(problem, ranked, _everything, n_workers=1).report
    assert len(report.members) >= 2 and math.isfinite(report.score), report.reason
    assert "judged on the 300 of 1000 rows" in report.reason


def test_stacking_score_uses_only_tested_rows():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, N)
    oofs = _probabilities(y, rng, members=3)
    time_ordered = [(np.asarray(tr), np.asarray(te)) for tr, te in TimeSeriesSplit(4).split(np.zeros(N))]
    for splits in (_holdout(), time_ordered):
        partial = [_untested_are_nan(o, splits) for o in oofs]
        score = stacking_oof_score(partial, y, get_scorer("accuracy"), splits, CLASSES, seed=0)
        assert 0.5 < score <= 1.0
        assert score == stacking_oof_score(partial, y, get_scorer("accuracy"), splits, CLASSES, seed=0)


def test_stacking_score_keeps_a_class_the_tested_rows_lack():
    rng = np.random.default_rng(3)
    y = rng.integers(1, 3, N)
    splits = _holdout()
    y[splits[0][0][:5]] = 0  # the first class, on untested rows only
    oofs = [np.c_[np.zeros(N), o] for o in _probabilities(y - 1, rng, members=3)]
    partial = [_untested_are_nan(o, splits) for o in oofs]
    score = stacking_oof_score(partial, y, get_scorer("accuracy"), splits, np.array([0, 1, 2]), seed=0)
    assert 0.5 < score <= 1.0


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_stacking_on_a_holdout_split_is_fitted_with_k_fold_on_all_rows(task):
    """The final stacking model cannot cross-validate on a single split: it uses scikit-learn's k-fold."""
    splits = _holdout(n=150)
    if task == "classification":
        X, y = make_tiny_classification(n_samples=150, random_state=0)
        models = [LogisticRegression(), GaussianNB(), DecisionTreeClassifier(max_depth=3, random_state=0)]
        problem = EnsembleProblem(y, np.unique(y), get_scorer("accuracy"), "accuracy", splits, seed=0)
        expected = StackingClassifier
    else:
        X, y = make_tiny_regression(n_samples=150, random_state=0)
        models = [Ridge(), KNeighborsRegressor(), DecisionTreeRegressor(max_depth=3, random_state=0)]
        problem = EnsembleProblem(y, None, get_scorer("r2"), "r2", splits, seed=0)
        expected = StackingRegressor
    method = "predict_proba" if task == "classification" else "predict"
    train, test = splits[0]
    oofs = []
    for model in models:
        pred = getattr(clone(model).fit(X[train], y[train]), method)(X[test])
        oof = np.full((len(y), pred.reshape(len(test), -1).shape[1]), np.nan, dtype=np.float32)
        oof[test] = pred.reshape(len(test), -1)
        oofs.append(oof)
    ranked = _entries(oofs, task)
    by_key = {e.genome.key: m for e, m in zip(ranked, models)}
    ensembler = StackingEnsembler()
    plan = ensembler.plan(problem, ranked, _everything, n_workers=1)
    assert len(plan.chosen) == 3, plan.report.reason
    single = clone(models[0]).fit(X, y)
    model, failure = ensembler.fit(
        plan, single, ranked[0].genome.key, problem, lambda genome: clone(by_key[genome.key]),
        lambda jobs: [(clone(est).fit(X, y), "") for _, est in jobs], X,
    )
    assert failure == "" and isinstance(model, expected)
    assert model.cv is None  # scikit-learn's default k-fold over all rows
    assert model.predict(X).shape == (len(y),)


def test_time_ordered_folds_let_the_fit_consider_an_ensemble():
    # noisy labels, where a blend of a few pipelines tends to beat each of them
    X, y = make_classification(n_samples=300, n_features=10, n_informative=5, flip_y=0.1, random_state=0)
    est = AutoClassifier(time_budget=None, generations=1, population_size=6, search_space="light",
                         cv=TimeSeriesSplit(n_splits=4), random_state=0, n_jobs=1).fit(X, y)
    report = est.ensemble_report_
    assert report.kind == "selection"
    assert not report.reason.startswith("not used: fewer than 2 candidates"), report.reason
    assert report.members and math.isfinite(report.score), report.reason
    if len(report.members) >= 2:
        assert "judged on the 240 of 300 rows" in report.reason  # the first fifth is never tested
    if report.used:
        assert isinstance(est.fitted_pipeline_, VotingClassifier)
    assert est.predict(X).shape == (len(y),)


def test_stacking_with_a_holdout_cv_is_fitted_on_all_rows(monkeypatch):
    # the verdict is forced so that the final stacking fit (in the workers) runs
    monkeypatch.setattr(StackingEnsembler, "_verdict_scores", lambda self, report: (1.0, 0.0))
    X, y = make_tiny_regression(n_samples=200, random_state=6)
    est = AutoRegressor(time_budget=None, generations=1, population_size=6, search_space="light",
                        cv=_holdout(n=200), ensemble="stacking", random_state=0, n_jobs=1).fit(X, y)
    report = est.ensemble_report_
    assert report.used, report.reason
    assert "judged on the 60 of 200 rows" in report.reason
    assert isinstance(est.fitted_pipeline_, StackingRegressor) and est.fitted_pipeline_.cv is None
    assert est.predict(X).shape == (len(y),)
    assert "StackingRegressor" in est.export()
