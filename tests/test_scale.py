"""Scaling with the data: budget-aware estimation, rungs in absolute rows, asynchronous halving, the floor,
and a search loop that never waits for a straggler."""

from __future__ import annotations

import time

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.metrics import get_scorer

from autopipe import AutoClassifier
from autopipe.evaluate import (
    EvaluationResult,
    Evaluator,
    Job,
    Status,
    choose_folds,
    halving_rungs,
)
from autopipe.genome import Genome
from autopipe.run import AsyncHalving, floor_is_final, make_splits, predicted_seconds
from autopipe.search import SearchHistory
from autopipe.space import build_space
from autopipe.testing import SlowClassifier


# -- how candidates are scored, by the size of the work
@pytest.mark.parametrize(("rows", "columns", "budget", "folds"), [
    (2_000, 20, 60, 5),
    (36_000, 20, 60, 3),
    (36_000, 20, 600, 5),
    (100_000, 5, 3600, 1),  # from 100,000 rows whatever the budget
    (50_000, 40, 10, 1),  # 2 million cells > 100,000 x 10 s
    (50_000, 40, 60, 3),
    (500_000, 30, None, 5),  # no budget: always 5 folds
])
def test_estimation_follows_rows_columns_and_budget(rows, columns, budget, folds):
    assert choose_folds(rows, budget, columns) == folds


def test_a_holdout_split_validates_on_a_stratified_fifth():
    y = np.r_[np.zeros(900), np.ones(100)].astype(int)
    X = np.zeros((1000, 2))
    (train, test), = make_splits("auto", 1, X, y, is_classifier=True, seed=0)
    assert len(test) == 200 and len(train) == 800 and not set(train) & set(test)
    assert np.mean(y[test]) == pytest.approx(0.1)


def test_rungs_are_absolute_rows():
    assert [round(f * 360_000) for f in halving_rungs(360_000)] == [10_000, 30_000, 100_000, 360_000]
    assert [round(f * 30_000) for f in halving_rungs(30_000)] == [3_000, 10_000, 30_000]
    assert halving_rungs(2_900) == (1.0,)


def test_lower_fidelities_fit_on_fewer_rows_and_score_on_the_same_ones():
    X, y = make_classification(n_samples=600, n_classes=3, n_informative=4, random_state=0)
    splits = make_splits("auto", 3, X, y, is_classifier=True, seed=0)
    ev = Evaluator(X, y, splits=splits, scorer=get_scorer("accuracy"), is_classifier=True)
    for (train, test), (full_train, full_test) in zip(ev.payload.view(0.25), splits):
        assert np.array_equal(test, full_test)
        assert set(train) < set(full_train) and len(train) == pytest.approx(0.25 * len(full_train), abs=3)
        assert set(y[train]) == set(y[full_train])  # every class the fold trains on stays


# -- asynchronous successive halving
def _result(key: str, score: float, fidelity: float, fit_time: float = 1.0) -> EvaluationResult:
    return EvaluationResult(key=key, status=Status.OK, score=score, fold_scores=(score,), fit_time=fit_time,
                            score_time=0.1, fidelity=fidelity)


def test_asha_promotes_the_top_third_without_waiting_for_the_rung():
    halving = AsyncHalving((0.1, 0.3, 1.0))
    always = lambda result, fidelity: True
    halving.record("a", _result("a", 0.5, 0.1))
    halving.record("b", _result("b", 0.9, 0.1))
    assert halving.promotion(always) is None  # two results: none is in the top third yet
    halving.record("c", _result("c", 0.7, 0.1))
    assert halving.promotion(always) == ("b", 0.3)
    assert halving.promotion(always) is None  # b is promoted once
    halving.record("b", _result("b", 0.9, 0.3))
    for key in "defgh":
        halving.record(key, _result(key, 0.1, 0.1))
    # 8 results on the lowest rung: its top two; the higher rung first once it has 3 results
    assert halving.promotion(always) == ("c", 0.3)


def test_asha_never_promotes_what_would_not_fit():
    halving = AsyncHalving((0.1, 1.0))
    for key, score in zip("abc", (0.9, 0.5, 0.4)):
        halving.record(key, _result(key, score, 0.1, fit_time=5.0))
    assert halving.promotion(lambda result, fidelity: predicted_seconds(result, fidelity) < 10) is None
    # 5 s on a tenth of the rows predicts more than 50 s on all of them, plus the same scoring time
    assert predicted_seconds(_result("a", 0.9, 0.1, fit_time=5.0), 1.0) > 50


# -- the floor
def _history_with(floor: Genome, floor_status: Status | None, other_score: float = 0.9) -> SearchHistory:
    space = build_space("light", "classification")
    other = Genome.from_steps(space, ["StandardScaler", "LogisticRegression"])
    history = SearchHistory()
    history.add(other, _result(other.key, other_score, 1.0), 0, 1.0)
    if floor_status is Status.OK:
        history.add(floor, _result(floor.key, 0.8, 1.0), 0, 1.0)
    elif floor_status is not None:
        history.add(floor, EvaluationResult.failed(floor.key, floor_status, "x"), 0, 1.0)
    return history


def test_the_floor_is_final_when_the_budget_ended_before_it_was_scored():
    floor = Genome.from_steps(build_space("light", "classification"), ["HistGradientBoostingClassifier"])
    assert floor_is_final(_history_with(floor, None), floor)  # never started
    assert floor_is_final(_history_with(floor, Status.CANCELLED), floor)
    # scored on all rows: the ranking decides; failed or too slow: never used
    assert not floor_is_final(_history_with(floor, Status.OK), floor)
    assert not floor_is_final(_history_with(floor, Status.ERROR), floor)
    assert not floor_is_final(_history_with(floor, Status.TIMEOUT), floor)
    assert not floor_is_final(_history_with(floor, None), None)


def test_the_floor_is_scored_on_all_rows_first():
    X, y = make_classification(n_samples=5_000, n_features=20, random_state=0)
    est = AutoClassifier(time_budget=None, generations=0, population_size=6, n_jobs=2, random_state=0,
                         search_space="light", ensemble=None, rescore_top=0).fit(X, y)
    assert len(est.fidelities_) > 1
    floor = [e.result for e in est.history_ if e.genome.key.startswith("HistGradientBoostingClassifier(input, "
                                                                      "learning_rate=0.1, max_leaf_nodes=31")]
    assert [(r.fidelity, r.ok) for r in floor] == [(1.0, True)]


def test_large_data_for_the_budget_is_scored_on_a_holdout():
    X, y = make_classification(n_samples=30_000, n_features=40, n_informative=10, random_state=0)
    est = AutoClassifier(time_budget=10, n_jobs=2, random_state=0, search_space="light").fit(X, y)
    assert est.n_splits_ == 1  # 1.2 million cells > 100,000 x 10 s
    assert est.fidelities_[0] * 24_000 == pytest.approx(1_000)
    full = [e for e in est.history_ if e.result.ok and e.result.fidelity == 1.0]
    assert full and all(len(e.result.fold_scores) == 1 for e in full)
    assert est.score(X, y) > 0.8


# -- a loop that never waits
def test_a_freed_worker_takes_the_next_job_while_a_straggler_runs():
    X, y = make_classification(n_samples=200, random_state=0)
    splits = make_splits("auto", 2, X, y, is_classifier=True, seed=0)
    jobs = [Job("slow", SlowClassifier(seconds=3.0))] + [Job(f"fast{i}", SlowClassifier(seconds=0.05))
                                                          for i in range(6)]
    finished: list[tuple[str, float]] = []
    start = time.monotonic()
    with Evaluator(X, y, splits=splits, scorer=get_scorer("accuracy"), is_classifier=True, n_jobs=2) as ev:
        ev.stream(lambda: jobs.pop(0) if jobs else None,
                  lambda job, result: finished.append((job.key, time.monotonic() - start)))
    order = [key for key, _ in finished]
    assert order[-1] == "slow" and sorted(order[:-1]) == sorted(f"fast{i}" for i in range(6))


def test_a_stream_stops_what_runs_at_its_deadline():
    from autopipe._utils.deadline import Deadline

    X, y = make_classification(n_samples=200, random_state=0)
    splits = make_splits("auto", 2, X, y, is_classifier=True, seed=0)
    jobs = [Job(f"slow{i}", SlowClassifier(seconds=30.0)) for i in range(4)]
    results: dict[str, EvaluationResult | None] = {}
    with Evaluator(X, y, splits=splits, scorer=get_scorer("accuracy"), is_classifier=True, n_jobs=2) as ev:
        started = time.monotonic()
        ev.stream(lambda: jobs.pop(0) if jobs else None, lambda job, r: results.__setitem__(job.key, r),
                  deadline=Deadline(2.0))
        assert time.monotonic() - started < 10
    assert {r.status for r in results.values() if r is not None} == {Status.CANCELLED}
