"""Ensembles from recorded out-of-fold predictions: selection, stacking, and when they are used."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.ensemble import StackingClassifier, VotingClassifier, VotingRegressor
from sklearn.metrics import get_scorer

from autopipe import AutoClassifier, AutoRegressor
from autopipe.ensemble import CrossCheck, cross_check, oof_scorer, select_ensemble
from autopipe.evaluate import EvaluationResult, Status
from autopipe.genome import Genome
from autopipe.search import SearchHistory
from autopipe.space import build_space
from autopipe.testing import assert_same_params, make_tiny_classification, make_tiny_regression

SETTINGS = dict(time_budget=None, generations=1, population_size=6, search_space="light", cv=3, random_state=0)


def _independent_errors(rng, n=400, members=5):
    """Binary labels and members whose probabilities are right on average, with independent noise."""
    y = rng.integers(0, 2, n)
    oofs = []
    for _ in range(members):
        p = np.clip(np.where(y == 1, 0.6, 0.4) + rng.normal(0, 0.3, n), 0, 1)
        oofs.append(np.c_[1 - p, p])
    return y, oofs


def test_selection_beats_its_members_on_independent_errors():
    rng = np.random.default_rng(0)
    y, oofs = _independent_errors(rng)
    score = oof_scorer(get_scorer("accuracy"), y, np.array([0, 1]))
    selection = select_ensemble(oofs, score, rounds=25)
    assert selection.score > max(score(o) for o in oofs) + 0.05
    assert selection.weights.sum() <= 25 and (selection.weights > 0).sum() >= 3
    assert selection.score == max(selection.trace)


def test_selection_of_one_dominant_candidate_keeps_it_alone():
    y = np.arange(100) % 2
    perfect = np.eye(2)[y]
    noise = np.full((100, 2), 0.5)
    selection = select_ensemble([perfect, noise], oof_scorer(get_scorer("accuracy"), y, np.array([0, 1])), rounds=10)
    assert list(selection.weights) == [1, 0]


@pytest.mark.parametrize("n_classes", [2, 3])
def test_voting_ensemble_for_classification(n_classes):
    X, y = make_tiny_classification(n_samples=120, n_classes=n_classes, random_state=1)
    labels = np.array(["ant", "bee", "cat"])[y]  # string labels
    est = AutoClassifier(**SETTINGS).fit(X, labels)
    report = est.ensemble_report_
    assert report.kind == "selection" and report.reason
    assert report.build_time >= 0
    if report.used:
        assert isinstance(est.fitted_pipeline_, VotingClassifier)
        assert est.leaderboard_.iloc[0]["status"] == "ensemble"
        assert "beats" in est.leaderboard_.iloc[0]["note"]
    proba = est.predict_proba(X)
    assert proba.shape == (len(y), n_classes) and np.allclose(proba.sum(axis=1), 1)
    assert set(est.predict(X)) <= set(labels)
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.predict(X), est.predict(X))


def test_ensemble_is_exported_as_code():
    X, y = make_tiny_regression(n_samples=120, random_state=2)
    est = AutoRegressor(**SETTINGS).fit(X, y)
    namespace: dict = {}
    exec(est.export(), namespace)
    assert_same_params(namespace["pipeline"], est.fitted_pipeline_)
    if est.ensemble_report_.used:
        assert isinstance(est.fitted_pipeline_, VotingRegressor)
        assert "VotingRegressor" in est.export()


def test_stacking_and_none():
    X, y = make_tiny_classification(n_samples=120, random_state=3)
    stacked = AutoClassifier(**SETTINGS, ensemble="stacking").fit(X, y)
    assert stacked.ensemble_report_.kind == "stacking"
    if stacked.ensemble_report_.used:
        assert isinstance(stacked.fitted_pipeline_, StackingClassifier)
    single = AutoClassifier(**SETTINGS, ensemble=None).fit(X, y)
    assert single.fitted_pipeline_ is single.best_pipeline_
    assert (single.leaderboard_.status != "ensemble").all()


def _force_plan(monkeypatch, ensemble_score, single_score):
    """Make selection pick the two best candidates and the cross-check return the given scores."""
    import autopipe.ensemble._ensembler as module  # where the ensembler looks them up
    from autopipe.ensemble import Selection

    def two_best(oofs, score, rounds, patience=None):
        weights = np.zeros(len(oofs), dtype=int)
        weights[:2] = 1
        return Selection(weights=weights, score=score((oofs[0] + oofs[1]) / 2), trace=(0.0,))

    monkeypatch.setattr(module, "select_ensemble", two_best)
    monkeypatch.setattr(module, "cross_check", lambda *args, **kwargs: CrossCheck(ensemble_score, single_score))


def test_ensemble_not_used_when_it_does_not_beat_the_best_on_held_out_rows(monkeypatch):
    X, y = make_tiny_classification(n_samples=120, random_state=4)
    _force_plan(monkeypatch, 0.5, 0.6)  # whatever the selection's own score, the cross-check decides
    est = AutoClassifier(**SETTINGS).fit(X, y)
    report = est.ensemble_report_
    assert not report.used
    assert "does not beat" in report.reason and "held out" in report.reason
    assert (report.checked_score, report.checked_single_score) == (0.5, 0.6)
    assert est.fitted_pipeline_ is est.best_pipeline_
    last = est.leaderboard_.iloc[-1]
    assert last["status"] == "ensemble" and "does not beat" in last["note"]


def test_cross_check_sees_through_selection_that_fits_noise():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    score = oof_scorer(get_scorer("accuracy"), y, np.array([0, 1]))
    noise = [np.c_[1 - p, p] for p in rng.random((20, 300))]
    selection = select_ensemble(noise, score, rounds=30)
    halves = (np.arange(0, 300, 2), np.arange(1, 300, 2))

    def make_score(rows):
        return oof_scorer(get_scorer("accuracy"), y[rows], np.array([0, 1]))

    check = cross_check(noise, make_score, halves, rounds=30)
    assert selection.score > 0.6  # on the rows it chose on, the blend of noise looks good
    assert check.ensemble_score < 0.56  # on the other rows it is a coin toss


def test_cross_check_keeps_an_ensemble_that_really_helps():
    rng = np.random.default_rng(1)
    y, oofs = _independent_errors(rng)
    halves = (np.arange(0, 400, 2), np.arange(1, 400, 2))

    def make_score(rows):
        return oof_scorer(get_scorer("accuracy"), y[rows], np.array([0, 1]))

    check = cross_check(oofs, make_score, halves, rounds=25, patience=10)
    assert check.ensemble_score > check.single_score + 0.03


def test_patience_stops_selection_without_changing_its_result():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 200)
    score = oof_scorer(get_scorer("accuracy"), y, np.array([0, 1]))
    oofs = [np.c_[1 - p, p] for p in np.clip(y + rng.normal(0, 0.6, (8, 200)), 0, 1)]
    full = select_ensemble(oofs, score, rounds=50)
    patient = select_ensemble(oofs, score, rounds=50, patience=10)
    n = len(patient.trace)
    assert n < len(full.trace)
    assert patient.trace == full.trace[:n]  # the same rounds, cut short
    assert n - 1 - int(np.argmax(patient.trace)) == 10  # ten rounds without a better blend
    assert patient.score == max(patient.trace) and patient.weights.sum() == int(np.argmax(patient.trace)) + 1


def test_a_member_that_cannot_be_refitted_in_time_drops_the_ensemble(monkeypatch):
    from autopipe.evaluate import Evaluator

    original = Evaluator.fit

    def last_member_times_out(self, jobs, **kwargs):
        fitted = original(self, jobs, **kwargs)
        fitted[len(fitted) - 1] = (None, "stopped at the deadline after 9.0 s")
        return fitted

    monkeypatch.setattr(Evaluator, "fit", last_member_times_out)
    X, y = make_tiny_classification(n_samples=150, random_state=6)
    _force_plan(monkeypatch, 0.9, 0.5)
    est = AutoClassifier(**SETTINGS).fit(X, y)
    report = est.ensemble_report_
    assert not report.used and "refitting on all rows failed" in report.reason and "deadline" in report.reason
    assert est.fitted_pipeline_ is est.best_pipeline_
    np.testing.assert_array_equal(est.predict(X), est.best_pipeline_.predict(X))


def test_ensemble_members_are_fitted_and_refit_from_scratch_when_cloned(monkeypatch):
    from sklearn.base import clone

    _force_plan(monkeypatch, 0.9, 0.5)
    X, y = make_tiny_classification(n_samples=150, random_state=7)
    # only models with predict_proba, so that the best pipeline is the first member
    space = {"LogisticRegression": {}, "GaussianNB": {}, "DecisionTreeClassifier": {}, "StandardScaler": {}}
    est = AutoClassifier(**{**SETTINGS, "search_space": space}).fit(X, y)
    assert est.ensemble_report_.used, est.ensemble_report_.reason
    model = est.fitted_pipeline_
    assert isinstance(model, VotingClassifier)
    for (name, unfitted), fitted in zip(model.estimators, model.estimators_):
        assert unfitted is not fitted and model.named_estimators_[name] is fitted
        assert hasattr(fitted, "classes_")
    # the best single pipeline, refitted first, is the member it is, not fitted twice
    assert est.best_candidate_ == est.history_.best().genome.key
    assert any(fitted is est.best_pipeline_ for fitted in model.estimators_)
    again = clone(model).fit(X, y)
    np.testing.assert_allclose(again.predict_proba(X), model.predict_proba(X), atol=1e-6)


def test_history_bounds_the_memory_of_out_of_fold_predictions():
    space = build_space("light", "regression")
    rng = np.random.default_rng(0)
    history = SearchHistory(max_oof_bytes=10 * 1000 * 4)
    for i in range(30):
        g = Genome.random(space, rng)
        oof = np.zeros((1000, 1), dtype=np.float32)
        history.add(g, EvaluationResult(key=g.key, status=Status.OK, score=float(i), oof=oof, oof_kind="predict"),
                    0, 0.0)
    kept = [e for e in history if e.result.oof is not None]
    assert len(kept) == 10
    assert {e.result.score for e in kept} == set(map(float, range(20, 30)))  # the best keep theirs


def _ranked_entries(y, oofs):
    """History entries, best first, with the given out-of-fold probabilities."""
    history = SearchHistory()
    for i, oof in enumerate(oofs):
        g = Genome.random(build_space("light", "classification"), np.random.default_rng(i))
        history.add(g, EvaluationResult(key=g.key, status=Status.OK, score=1.0 - i / 100, fold_scores=(1.0, 1.0),
                                        oof=oof.astype(np.float32), oof_kind="proba", fit_time=0.01), 0, 0.0)
    return [e for e in history.ranked() if e.result.ok]


def _problem(y):
    from autopipe.ensemble import EnsembleProblem

    splits = [(np.arange(len(y))[i % 2 == 1::2], np.arange(len(y))[i % 2::2]) for i in range(2)]
    return EnsembleProblem(y, np.array([0, 1]), get_scorer("accuracy"), "accuracy", splits, seed=0)


def test_candidates_with_non_finite_predictions_are_left_out():
    from autopipe.ensemble import SelectionEnsembler

    y, oofs = _independent_errors(np.random.default_rng(0), members=5)
    for oof in oofs[:2]:
        oof[0, 0] = np.inf
    ranked = _ranked_entries(y, oofs)
    plan = SelectionEnsembler().plan(_problem(y), ranked, lambda c, factor, lanes: list(c), n_workers=2)
    poisoned = {e.genome.key for e in ranked[:2]}
    assert plan.report.members and not {key for _, key, _ in plan.report.members} & poisoned


def test_the_ensemble_is_left_out_when_its_fits_do_not_fit_the_time_left():
    from autopipe._utils.deadline import Deadline
    from autopipe.ensemble import SelectionEnsembler
    from autopipe.run import BudgetPlan

    y, oofs = _independent_errors(np.random.default_rng(1), members=4)
    ranked = _ranked_entries(y, oofs)
    build = Deadline(0.0)  # no time at all for the ensemble

    def afford(candidates, factor, lanes):
        return BudgetPlan.affordable(candidates, build, factor, lanes)

    report = SelectionEnsembler().plan(_problem(y), ranked, afford, n_workers=2).report
    assert not report.used and "time left" in report.reason and not report.members


@pytest.mark.parametrize("name", ["accuracy", "balanced_accuracy"])
@pytest.mark.parametrize("weighted", [False, True])
def test_fast_classification_scores_agree_with_sklearn(name, weighted):
    rng = np.random.default_rng(3)
    classes = np.array(["ant", "bee", "cat", "dog"])
    y = classes[rng.integers(0, 3, 200)]  # "dog" never occurs, as in a fold without a class
    w = rng.random(200) if weighted else None
    blend = rng.random((200, 4))
    slow = oof_scorer(get_scorer(name), y, classes, w)
    fast = oof_scorer(get_scorer(name), y, classes, w, name=name)
    assert fast(blend) == pytest.approx(slow(blend), abs=1e-12)


@pytest.mark.parametrize("name", ["r2", "neg_mean_squared_error", "neg_root_mean_squared_error",
                                  "neg_mean_absolute_error"])
@pytest.mark.parametrize("weighted", [False, True])
def test_fast_regression_scores_agree_with_sklearn(name, weighted):
    rng = np.random.default_rng(4)
    y = rng.normal(size=150)
    w = rng.random(150) if weighted else None
    blend = (y + rng.normal(size=150)).reshape(-1, 1)
    slow = oof_scorer(get_scorer(name), y, None, w)
    fast = oof_scorer(get_scorer(name), y, None, w, name=name)
    assert fast(blend) == pytest.approx(slow(blend), rel=1e-10)
    constant = np.full(150, 2.0)
    assert oof_scorer(get_scorer(name), constant, None, w, name=name)(constant.reshape(-1, 1)) == pytest.approx(
        oof_scorer(get_scorer(name), constant, None, w)(constant.reshape(-1, 1)))
