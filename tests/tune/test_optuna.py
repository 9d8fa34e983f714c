"""Bayesian tuning of one pipeline structure with Optuna: ask/tell, seeding, pruning on lower fidelities."""

from __future__ import annotations

import math

import optuna
import pytest

from autopipe._utils.deadline import Deadline
from autopipe.evaluate import EvaluationResult, Status
from autopipe.genome import Genome
from autopipe.space import build_space
from autopipe.tune import StructureTuner, resource, tune

SPACE = build_space("default", "classification")


def _lr(C=1.0):
    return Genome.from_steps(SPACE, ["StandardScaler", ("LogisticRegression", {"C": C})])


def _score(genome: Genome) -> float:
    """A smooth objective over log10(C) with its best at C = 100."""
    c = next(h.value for h in genome.hyperparameters() if h.param == "C")
    return 1.0 - (math.log10(c) - 2.0) ** 2 / 100


def _evaluate(calls):
    def evaluate(genomes, fidelities):
        assert len(set(fidelities)) == 1  # one structure: one plan
        fidelity = fidelities[0]
        calls.append((len(genomes), fidelity))
        # lower fidelities see the same ranking, a little lower
        return [EvaluationResult(key=g.key, status=Status.OK, score=_score(g) - (1 - fidelity) * 0.01,
                                 fold_scores=(0.0,), fidelity=fidelity) for g in genomes]
    return evaluate


def test_trials_keep_the_structure_and_stay_in_the_distributions():
    tuner = StructureTuner(_lr(), seed=0)
    for _ in range(5):
        trial, genome = tuner.ask()
        assert genome.operator_names == _lr().operator_names
        for h in genome.hyperparameters():
            assert h.distribution.contains(h.value)
        tuner.tell(trial, EvaluationResult(key=genome.key, status=Status.OK, score=_score(genome)))
    assert tuner.n_trials == 5


def test_known_scores_of_the_same_structure_seed_the_study():
    other = Genome.from_steps(SPACE, ["MinMaxScaler", "LogisticRegression"])
    tuner = StructureTuner(_lr(), known=[(_lr(0.5), 0.7), (_lr(3.0), 0.8), (other, 0.99)])
    assert tuner.n_trials == 2 and tuner.study.best_value == 0.8


@pytest.mark.parametrize("sampler", ["tpe", "gp"])
def test_tuning_finds_a_better_setting_than_the_start(sampler):
    start = _lr(0.01)
    tuner = StructureTuner(start, sampler=sampler, seed=0, known=[(start, _score(start))])
    calls = []
    told = tune([tuner], _evaluate(calls), batch_size=4, deadline=_after_trials(tuner, 30))
    assert told >= 29
    assert tuner.study.best_value > _score(start) + 0.1
    assert all(n <= 4 and f == 1.0 for n, f in calls)


def test_trials_seen_before_are_told_without_evaluating():
    tuner = StructureTuner(_lr(), seed=0)
    calls = []
    told = tune([tuner], _evaluate(calls), batch_size=2, deadline=_after_trials(tuner, 6),
                known=lambda g: EvaluationResult(key=g.key, status=Status.OK, score=0.5))
    assert told >= 6 and calls == []


def test_lower_fidelities_prune_the_weak_trials():
    pruner = optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3)
    tuner = StructureTuner(_lr(), seed=0, pruner=pruner)
    calls = []
    tune([tuner], _evaluate(calls), rungs=(1 / 3, 1.0), batch_size=6, deadline=_after_trials(tuner, 30))
    states = [t.state for t in tuner.study.trials]
    pruned = states.count(optuna.trial.TrialState.PRUNED)
    complete = states.count(optuna.trial.TrialState.COMPLETE)
    assert pruned > 0 and complete > 0
    low = sum(n for n, f in calls if f < 1)
    full = sum(n for n, f in calls if f == 1)
    assert full < low  # only the survivors are scored on all rows
    assert resource(1 / 3, (1 / 3, 1.0)) == 1 and resource(1.0, (1 / 3, 1.0)) == 3


def _net(epochs: int = 40) -> Genome:
    pytest.importorskip("skorch")
    return Genome.from_steps(SPACE, ["StandardScaler", ("NeuralNetClassifier", {"max_epochs": epochs})])


def _epochs(genome: Genome) -> int:
    return next(h.value for h in genome.hyperparameters() if h.param == "max_epochs")


def test_a_network_climbs_rungs_of_epochs_on_all_rows():
    tuner = StructureTuner(_net(), seed=0)
    assert tuner.budget_slot is not None and tuner.budget_slot.endswith("NeuralNetClassifier.max_epochs")
    assert StructureTuner(_lr()).budget_slot is None
    budget = (1 / 9, 1 / 3, 1.0)
    assert tuner.plan((1 / 3, 1.0), budget) == (budget, True)
    assert tuner.plan((1 / 3, 1.0), (1.0,)) == ((1 / 3, 1.0), False)  # no rungs of epochs: rows as usual
    assert StructureTuner(_lr()).plan((1 / 3, 1.0), budget) == ((1 / 3, 1.0), False)
    shown, rows = tuner.at(_net(40), 1 / 3, of_budget=True)
    assert rows == 1.0 and _epochs(shown) == 13
    assert _epochs(tuner.at(_net(20), 1 / 9, of_budget=True)[0]) == 5  # never below the range's low end
    assert tuner.at(_net(20), 1.0, of_budget=True)[0].key == _net(20).key
    assert tuner.at(_net(20), 1 / 3, of_budget=False) == (_net(20), 1 / 3)


def test_tuning_a_network_prunes_on_fewer_epochs():
    pruner = optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3)
    tuner = StructureTuner(_net(), seed=0, pruner=pruner)
    calls = []

    def evaluate(genomes, fidelities):
        calls.append(list(zip(genomes, fidelities)))
        # more epochs score higher, and so does a learning rate near 1e-2
        return [EvaluationResult(key=g.key, status=Status.OK, fold_scores=(0.0,), score=_epochs(g) / 40 - abs(
            math.log10(next(h.value for h in g.hyperparameters() if h.param == "lr")) + 2) / 10) for g in genomes]

    tune([tuner], evaluate, rungs=(1.0,), budget_rungs=(1 / 9, 1 / 3, 1.0), batch_size=6,
         deadline=_after_trials(tuner, 24))
    seen = [pair for call in calls for pair in call]
    assert {f for _, f in seen} == {1.0}  # every rung on all rows
    states = [t.state for t in tuner.study.trials]
    assert states.count(optuna.trial.TrialState.PRUNED) > 0
    assert states.count(optuna.trial.TrialState.COMPLETE) > 0
    asked = {t.params[tuner.budget_slot] for t in tuner.study.trials}
    shortened = [g for g, _ in seen if _epochs(g) not in asked]
    assert shortened and all(5 <= _epochs(g) < 40 for g in shortened)


@pytest.mark.parametrize("pruner", ["halving", "hyperband"])
def test_the_estimator_tunes_a_network_on_fewer_epochs_first(pruner):
    from autopipe import AutoClassifier
    from autopipe.space import FloatDistribution, IntDistribution
    from autopipe.testing import make_tiny_classification

    pytest.importorskip("skorch")
    X, y = make_tiny_classification(n_samples=120, random_state=0)  # too few rows for rungs of rows
    space = {"StandardScaler": {}, "NeuralNetClassifier": {
        "max_epochs": IntDistribution(5, 15), "lr": FloatDistribution(1e-3, 0.3, log=True), "width": [16],
        "n_layers": [1], "early_stopping": [False]}}
    params = dict(search_space=space, time_budget=None, generations=0, population_size=4, tune_share=0.2,
                  ensemble=None, rescore_top=0, random_state=0, tune_pruner=pruner)
    report = AutoClassifier(**params).fit(X, y).tuning_report_
    assert report.trials >= 10 and report.pruned > 0
    if pruner == "halving":
        assert AutoClassifier(**params, successive_halving=False).fit(X, y).tuning_report_.pruned == 0


def test_several_structures_take_turns():
    a, b = StructureTuner(_lr(), seed=0), StructureTuner(
        Genome.from_steps(SPACE, ["MinMaxScaler", "LogisticRegression"]), seed=1)
    tune([a, b], _evaluate([]), batch_size=2, deadline=_after_trials(a, 5))
    assert a.n_trials >= 5 and b.n_trials >= 4


def _after_trials(tuner: StructureTuner, n: int) -> Deadline:
    """A deadline that expires once ``tuner`` has ``n`` trials."""

    class AfterTrials(Deadline):
        def expired(self) -> bool:
            return tuner.n_trials >= n

    return AfterTrials(None)


def test_the_estimator_tunes_its_best_structures_after_the_search():
    from autopipe import AutoClassifier
    from autopipe.testing import make_tiny_classification

    X, y = make_tiny_classification(n_samples=120, random_state=0)
    est = AutoClassifier(search_space="light", time_budget=None, generations=1, population_size=6, tune_share=0.2,
                         ensemble=None, rescore_top=0, random_state=0).fit(X, y)
    report = est.tuning_report_
    assert 1 <= len(report.structures) <= 3
    assert report.trials == 10 * len(report.structures)
    assert report.best_after >= report.best_before
    tuned = est.leaderboard_[est.leaderboard_.generation == est.leaderboard_.generation.max()]
    assert len(tuned) > 0
    assert AutoClassifier(search_space="light", time_budget=None, generations=0, population_size=3,
                          random_state=0).fit(X, y).tuning_report_ is None


def test_tuning_takes_its_share_of_the_budget_with_the_gp_sampler():
    from autopipe import AutoClassifier
    from autopipe.testing import make_tiny_classification

    X, y = make_tiny_classification(n_samples=120, random_state=0)
    est = AutoClassifier(search_space="light", time_budget=12, population_size=6, tune_share=0.4, tune_sampler="gp",
                         ensemble=None, random_state=0, n_jobs=2).fit(X, y)
    assert est.tuning_report_.trials > 0
    assert est.fit_time_ <= 12 * 1.1 + 2


def test_float_trials_have_the_precision_of_the_search_space():
    tuner = StructureTuner(_lr(), seed=0)
    for _ in range(3):
        trial, genome = tuner.ask()
        c = next(h.value for h in genome.hyperparameters() if h.param == "C")
        assert c == float(f"{c:.4g}")
        tuner.tell(trial, EvaluationResult(key=genome.key, status=Status.OK, score=_score(genome)))


def test_the_gp_sampler_without_pytorch_names_the_extra(monkeypatch):
    import sys

    from autopipe.tune import make_sampler

    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    with pytest.raises(ImportError, match=r'autopipe\[gp\]'):
        make_sampler("gp", seed=0)


def test_asking_for_the_gp_sampler_without_pytorch_fails_before_the_search(monkeypatch):
    import sys

    from autopipe import AutoClassifier
    from autopipe.testing import make_tiny_classification

    monkeypatch.setitem(sys.modules, "torch", None)
    X, y = make_tiny_classification(n_samples=40, random_state=0)
    with pytest.raises(ImportError, match="needs PyTorch"):
        AutoClassifier(time_budget=5, tune_share=0.2, tune_sampler="gp").fit(X, y)
