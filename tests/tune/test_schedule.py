"""Tuning rounds during and after a search: kept studies, pacing, and the strategy told the tuned pipelines."""

from __future__ import annotations

import math
import time

import pytest

from autopipe._utils.deadline import Deadline
from autopipe.evaluate import EvaluationResult, Status
from autopipe.genome import Genome
from autopipe.search import SearchHistory, SearchState
from autopipe.space import build_space
from autopipe.tune import TuneDuringSearch, TuningSchedule

SPACE = build_space("default", "classification")


def _lr(C=1.0):
    return Genome.from_steps(SPACE, ["StandardScaler", ("LogisticRegression", {"C": C})])


def _score(genome: Genome) -> float:
    c = next((h.value for h in genome.hyperparameters() if h.param == "C"), 1.0)
    return 1.0 - (math.log10(c) - 2.0) ** 2 / 100


def _recording(history: SearchHistory, calls: list, pause: float = 0.0):
    def evaluate(genomes, fidelities, deadline):
        calls.append((len(genomes), min(fidelities, default=1.0)))
        time.sleep(pause)
        results = [EvaluationResult(key=g.key, status=Status.OK, score=_score(g), fold_scores=(0.0,),
                                    fidelity=f) for g, f in zip(genomes, fidelities)]
        for g, r in zip(genomes, results):
            history.add(g, r, 0, 0.0)
        return results
    return evaluate


def _history(*genomes: Genome) -> SearchHistory:
    history = SearchHistory()
    for g in genomes:
        history.add(g, EvaluationResult(key=g.key, status=Status.OK, score=_score(g), fold_scores=(0.0,)), 0, 0.0)
    return history


def test_rounds_keep_each_structures_study_and_learn_what_the_search_found_since():
    start = _lr(0.01)
    history = _history(start)
    schedule = TuningSchedule(history, _recording(history, []), batch_size=2, seed=0)
    schedule.run(Deadline(None), max_batches=2)
    (tuner,) = schedule.pick()
    trials = tuner.n_trials
    assert trials == 1 + 4 and schedule.rounds_ == 1
    found = _lr(50.0)  # the search finds a better setting of the same structure between rounds
    history.add(found, EvaluationResult(key=found.key, status=Status.OK, score=_score(found)), 1, 0.0)
    assert schedule.pick() == [tuner]
    assert tuner.n_trials == trials + 1 and tuner.study.best_value == pytest.approx(_score(found))
    schedule.run(Deadline(None), max_batches=1)
    report = schedule.report()
    assert report.rounds == 2 and report.trials == 6
    assert report.best_before == pytest.approx(_score(start))
    assert report.best_after >= _score(found)
    assert report.structures == (start.key,)


def test_the_best_distinct_structures_are_tuned_and_those_without_hyperparameters_skipped():
    other = Genome.from_steps(SPACE, ["MinMaxScaler", "LogisticRegression"])
    fixed = Genome.from_steps(SPACE, ["GaussianNB"]) if "GaussianNB" in SPACE else None
    genomes = [_lr(0.5), _lr(3.0), other] + ([fixed] if fixed is not None and not fixed.hyperparameters() else [])
    schedule = TuningSchedule(_history(*genomes), lambda g, f, d: [], structures=3)
    picked = schedule.pick()
    assert [t.genome.operator_names for t in picked] == [_lr().operator_names, other.operator_names]
    assert picked[0].n_trials == 2  # both scores of its structure seed the study


class _Strategy:
    def __init__(self):
        self.told = []

    def tell(self, genomes, results):
        self.told.extend(zip(genomes, results))


def test_during_the_search_tuning_keeps_pace_and_the_strategy_is_told():
    history = _history(_lr(0.01))
    schedule = TuningSchedule(history, _recording(history, [], pause=0.05), batch_size=2, seed=0)
    strategy = _Strategy()
    callback = TuneDuringSearch(schedule, strategy, share=0.5)
    deadline = Deadline(30)
    time.sleep(0.4)  # the search has run 0.4 s: tuning is owed 0.2 s
    state = SearchState(history, deadline, 30)
    callback.on_batch_end(state)
    assert schedule.seconds_ >= 0.5 * 0.4
    assert schedule.seconds_ < 0.5 * deadline.elapsed() + 0.2  # one batch at most past its share
    assert len(strategy.told) == schedule.trials_ > 0
    assert all(r.ok and r.fidelity == 1.0 for _, r in strategy.told)
    # Paid up: the milliseconds since the last batch (telling the strategy, returning) can owe
    # at most one more batch, never a round that runs past the share.
    before = schedule.trials_
    callback.on_batch_end(state)
    assert schedule.trials_ - before <= 2
    assert schedule.seconds_ < 0.5 * deadline.elapsed() + 0.2


def test_no_round_before_a_candidate_succeeded_or_after_the_deadline():
    calls = []
    history = SearchHistory()
    schedule = TuningSchedule(history, _recording(history, calls), batch_size=2)
    callback = TuneDuringSearch(schedule, _Strategy(), share=0.9)
    time.sleep(0.05)
    callback.on_batch_end(SearchState(history, Deadline(30), 30))
    history = _history(_lr())
    schedule = TuningSchedule(history, _recording(history, calls), batch_size=2)
    TuneDuringSearch(schedule, _Strategy(), share=0.9).on_batch_end(SearchState(history, Deadline(0), 0))
    assert calls == [] and schedule.rounds_ == 0


def test_the_estimator_tunes_during_the_search_and_after_it():
    from autopipe import AutoClassifier
    from autopipe.testing import make_tiny_classification

    X, y = make_tiny_classification(n_samples=150, random_state=1)
    est = AutoClassifier(search_space="light", time_budget=14, population_size=6, tune_share=0.3,
                         ensemble=None, random_state=0, n_jobs=2).fit(X, y)
    report = est.tuning_report_
    assert report.rounds >= 2 and report.trials > 0  # one round at most after the search
    assert 0 < report.seconds <= 0.3 * 14 + 2
    assert est.fit_time_ <= 14 * 1.1 + 2
