"""Search strategies: protocol conformance, NSGA-II selection, history, loop and callbacks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autopipe._utils.deadline import Deadline
from autopipe.evaluate import EvaluationResult, Status
from autopipe.exceptions import StopSearch
from autopipe.genome import Genome
from autopipe.search import (
    EarlyStopping,
    BayesianStrategy,
    EvolutionStrategy,
    GridStrategy,
    RandomStrategy,
    RegularizedEvolutionStrategy,
    ReinforceStrategy,
    SearchCallback,
    SearchContext,
    SearchHistory,
    SearchState,
    run_search,
    select_nsga2,
    summarize_failures,
)
from autopipe.space import build_space
from autopipe.testing import check_strategy


@pytest.mark.parametrize(
    "factory",
    [RandomStrategy, lambda: EvolutionStrategy(population_size=6),
     lambda: RegularizedEvolutionStrategy(population_size=6, sample_size=3),
     lambda: BayesianStrategy(n_startup_trials=4),
     lambda: EvolutionStrategy(population_size=6, surrogate=True), ReinforceStrategy],
    ids=["random", "evolution", "regularized-evolution", "bayesian", "surrogate-evolution", "reinforce"],
)
def test_strategy_conformance(factory):
    check_strategy(factory)


#: a finite space, for grid search: 23 classifier settings (the registry adds LogisticRegression's class_weight,
#: KNN's weights and p), each alone or after one of two scalers
FINITE = {
    "GaussianNB": {}, "LogisticRegression": {"C": [0.01, 0.1, 1.0, 10.0, 100.0]},
    "KNeighborsClassifier": {"n_neighbors": [3, 5, 7]}, "Ridge": {"alpha": [0.1, 1.0]},
    "KNeighborsRegressor": {"n_neighbors": [3, 5, 7]}, "StandardScaler": {}, "MinMaxScaler": {},
}


def test_grid_conformance():
    check_strategy(GridStrategy, space=FINITE)


def _ok(g: Genome, score: float) -> EvaluationResult:
    return EvaluationResult(key=g.key, status=Status.OK, score=score, score_std=0.0, fold_scores=(score,))


def test_nsga2_keeps_the_pareto_front():
    space = build_space("default", "classification")
    simple = Genome.from_steps(space, ["GaussianNB"])
    complex_good = Genome.from_steps(space, ["StandardScaler", "PCA", "LogisticRegression"])
    dominated = Genome.from_steps(space, ["MinMaxScaler", "PCA", "GaussianNB"])
    chosen = select_nsga2([dominated, simple, complex_good], [0.5, 0.7, 0.9], 2)
    assert {g.key for g in chosen} == {simple.key, complex_good.key}


def test_history_ranking_and_front():
    space = build_space("default", "regression")
    h = SearchHistory()
    a = Genome.from_steps(space, ["Ridge"])
    b = Genome.from_steps(space, ["StandardScaler", "Ridge"])
    c = Genome.from_steps(space, ["StandardScaler", "PCA", "Ridge"])
    h.add(a, _ok(a, 0.5), 0, 0.1)
    h.add(b, _ok(b, 0.8), 0, 0.2)
    h.add(c, EvaluationResult.failed(c.key, Status.ERROR, "ValueError: x"), 0, 0.3)
    assert [e.genome.key for e in h.ranked()] == [b.key, a.key, c.key]
    assert h.best().genome.key == b.key
    assert [e.genome.key for e in h.pareto_front()] == [a.key, b.key]
    assert a.key in h and h.seen(a.key)
    assert summarize_failures([e.result for e in h]) == {"error: ValueError: x": 1}


def test_rescored_candidates_rank_first_by_their_pooled_score():
    space = build_space("default", "regression")
    h = SearchHistory()
    lucky = Genome.from_steps(space, ["Ridge"])
    steady = Genome.from_steps(space, ["StandardScaler", "Ridge"])
    unchecked = Genome.from_steps(space, ["StandardScaler", "PCA", "Ridge"])
    for g, s in [(lucky, 0.9), (steady, 0.85), (unchecked, 0.8)]:
        h.add(g, _ok(g, s), 0, 0.1)
    h.add_check(lucky.key, _ok(lucky, 0.6))  # pooled 0.75
    h.add_check(steady.key, _ok(steady, 0.84))  # pooled 0.845
    assert [e.genome.key for e in h.ranked()] == [steady.key, lucky.key, unchecked.key]
    assert h.checked_score(h.ranked()[0]) == pytest.approx(0.845)
    assert h.checked_score(h.ranked()[2]) is None
    # a failed re-score does not count as a check; copies keep the checks
    h.add_check(steady.key, EvaluationResult.failed(steady.key, Status.ERROR, "ValueError: x"))
    assert [e.genome.key for e in h.copy().ranked()] == [lucky.key, steady.key, unchecked.key]
    h.clear_checks()
    assert [e.genome.key for e in h.ranked()] == [lucky.key, steady.key, unchecked.key]


def _fake_evaluate(genomes, on_result):
    out = []
    for i, g in enumerate(genomes):
        r = _ok(g, 1.0 / g.complexity)
        on_result(i, r)
        out.append(r)
    return out


def _context(seed=0):
    space = build_space("light", "classification")
    return SearchContext(space, np.random.default_rng(seed), SearchHistory())


def test_run_search_respects_generations():
    ctx = _context()
    state = SearchState(ctx.history, Deadline(None), None)
    run_search(EvolutionStrategy(population_size=5), ctx, _fake_evaluate, state,
               population_size=5, offspring_size=3, generations=2)
    assert len(ctx.history) == 5 + 3 + 3
    assert state.generation == 3 and "generations" in state.stop_reason


def test_run_search_respects_deadline():
    ctx = _context()
    state = SearchState(ctx.history, Deadline(0.0), 0.0)
    run_search(RandomStrategy(), ctx, _fake_evaluate, state, population_size=5, offspring_size=5)
    assert len(ctx.history) == 0 and state.stop_reason == "time budget reached"


def test_early_stopping_and_callback_stop():
    ctx = _context()
    state = SearchState(ctx.history, Deadline(None), None)
    run_search(RandomStrategy(), ctx, _fake_evaluate, state, population_size=4, offspring_size=4,
               generations=100, callbacks=[EarlyStopping(2)])
    assert "no improvement" in state.stop_reason
    assert state.generation < 100

    class StopAfterFirst(SearchCallback):
        def on_batch_end(self, state):
            raise StopSearch("enough")

    ctx = _context()
    state = SearchState(ctx.history, Deadline(None), None)
    run_search(RandomStrategy(), ctx, _fake_evaluate, state, population_size=4, offspring_size=4,
               generations=10, callbacks=[StopAfterFirst()])
    assert state.stop_reason == "enough" and len(ctx.history) == 4


def test_keyboard_interrupt_keeps_results():
    calls = []

    def evaluate(genomes, on_result):
        if calls:
            raise KeyboardInterrupt
        calls.append(1)
        return _fake_evaluate(genomes, on_result)

    ctx = _context()
    state = SearchState(ctx.history, Deadline(None), None)
    run_search(RandomStrategy(), ctx, evaluate, state, population_size=3, offspring_size=3, generations=5)
    assert state.interrupted and len(ctx.history) == 3
    assert math.isfinite(ctx.history.best_score())


def test_evolution_improves_on_a_fake_objective():
    ctx = _context(seed=3)
    state = SearchState(ctx.history, Deadline(None), None)
    run_search(EvolutionStrategy(population_size=8), ctx, _fake_evaluate, state,
               population_size=8, offspring_size=8, generations=5)
    first = max(e.result.score for e in ctx.history if e.generation == 0)
    assert ctx.history.best_score() >= first
    assert ctx.history.best_score() == 1.0  # a one-operator pipeline is found


def test_regularized_evolution_removes_the_oldest_not_the_worst():
    ctx = _context(seed=0)
    strategy = RegularizedEvolutionStrategy(population_size=4, sample_size=2)
    strategy.setup(ctx)
    first = strategy.ask(4)  # random pipelines while the population fills
    strategy.tell(first, [_ok(g, 0.9 - 0.1 * i) for i, g in enumerate(first)])
    children = strategy.ask(2)
    strategy.tell(children, [_ok(g, 0.1) for g in children])
    living = [g.key for g, _ in strategy.population_]
    # the two oldest left, the best of them (0.9) included; the two weak children stay
    assert living == [first[2].key, first[3].key, children[0].key, children[1].key]


def test_regularized_evolution_mutates_tournament_winners():
    ctx = _context(seed=1)
    state = SearchState(ctx.history, Deadline(None), None)
    run_search(RegularizedEvolutionStrategy(population_size=8, sample_size=4), ctx, _fake_evaluate, state,
               population_size=8, offspring_size=8, generations=6)
    first = max(e.result.score for e in ctx.history if e.generation == 0)
    assert ctx.history.best_score() >= first
    assert ctx.history.best_score() == 1.0


def test_grid_enumerates_every_pipeline_once_then_stops():
    from autopipe.search import grid_size

    space = build_space(FINITE, "classification")
    assert grid_size(space) == (1 + 5 * 2 + 3 * 2 * 2) * 3
    ctx = SearchContext(space, np.random.default_rng(0), SearchHistory())
    state = SearchState(ctx.history, Deadline(None), None)
    run_search(GridStrategy(), ctx, _fake_evaluate, state, population_size=10, offspring_size=10)
    keys = [e.genome.key for e in ctx.history]
    assert len(keys) == len(set(keys)) == 69
    assert state.stop_reason == "search space exhausted"


def test_grid_refuses_a_large_or_continuous_space_with_its_size():
    ctx = SearchContext(build_space(FINITE, "classification"), np.random.default_rng(0), SearchHistory())
    with pytest.raises(ValueError, match="holds 69 pipelines, more than max_size=10"):
        GridStrategy(max_size=10).setup(ctx)
    with pytest.raises(ValueError, match=r"LogisticRegression\.C is .*give it a list of values"):
        GridStrategy().setup(_context())


def test_strategies_by_name_in_the_estimator():
    from autopipe import AutoClassifier
    from autopipe.testing import make_tiny_classification

    X, y = make_tiny_classification(n_samples=80, random_state=0)
    grid = AutoClassifier(search_space=FINITE, strategy="grid", time_budget=None, population_size=9,
                          ensemble=None, rescore_top=0, random_state=0).fit(X, y)
    assert grid.stop_reason_ == "search space exhausted" and len(grid.history_) == 69
    aging = AutoClassifier(strategy="regularized-evolution", search_space="light", time_budget=None, generations=2,
                           population_size=6, ensemble=None, random_state=0).fit(X, y)
    assert len(aging.history_) == 18
    with pytest.raises(ValueError, match="give it a list of values"):
        AutoClassifier(strategy="grid", search_space="light", time_budget=None, generations=1).fit(X, y)


def test_bayesian_search_learns_the_fake_objective():
    ctx = _context(seed=2)
    state = SearchState(ctx.history, Deadline(None), None)
    strategy = BayesianStrategy(n_startup_trials=8)
    run_search(strategy, ctx, _fake_evaluate, state, population_size=8, offspring_size=8, generations=5)
    assert len(strategy.trials_) >= 40
    # the objective prefers one-operator pipelines (no step before the model): a uniform choice among the
    # light space's 10 steps and "none" would give them 1 in 11; TPE learns to propose them far more often
    later = [params.get("step0") for params, _, _ in strategy.trials_[8:]]
    assert later.count("none") / len(later) > 0.2
    assert ctx.history.best_score() == 1.0


def test_bayesian_models_the_best_and_the_latest_trials_of_a_long_search(monkeypatch):
    import optuna

    ctx = _context(seed=0)
    state = SearchState(ctx.history, Deadline(None), None)
    strategy = BayesianStrategy(n_startup_trials=4, max_trials=20)
    run_search(strategy, ctx, _fake_evaluate, state, population_size=6, offspring_size=6, generations=8)
    trials = list(strategy.trials_)
    assert len(trials) > 40
    # what the strategy hands Optuna's sampler: the finished trials it adds to the study it asks
    studies, modelled = [], []
    create_study = optuna.create_study

    def recording_create_study(*args, **kwargs):
        study = create_study(*args, **kwargs)
        add_trial = study.add_trial

        def add(trial):
            modelled.append((trial.params, trial.value))
            add_trial(trial)

        study.add_trial = add
        studies.append(study)
        return study

    monkeypatch.setattr(optuna, "create_study", recording_create_study)
    assert len(strategy.ask(6)) == 6  # still proposes from the thinned model
    assert len(studies) == 1 and len(modelled) == 20  # max_trials of them
    finished = [(params, value) for params, _, value in trials]
    # in finishing order: a subsequence of the finished trials
    rest = iter(finished)
    assert all(any(m == f for f in rest) for m in modelled)
    # the latest: with the best max_trials // 2 = 10 kept, at least the 10 most recent fill the rest
    assert modelled[-10:] == finished[-10:]
    # the best half of max_trials
    assert sorted(v for _, v in modelled)[-10:] == sorted(v for _, v in finished)[-10:]


def test_bayesian_continues_from_the_chains_of_an_earlier_history():
    import optuna

    first = _context(seed=1)
    state = SearchState(first.history, Deadline(None), None)
    earlier = BayesianStrategy(n_startup_trials=4)
    run_search(earlier, first, _fake_evaluate, state, population_size=6, offspring_size=6, generations=4)
    stacked = Genome.from_steps(first.space, ["GaussianNB", "LogisticRegression"])  # a tree no trial proposes
    first.history.add(stacked, _ok(stacked, 0.5), 9, 0.0)

    resumed = BayesianStrategy(n_startup_trials=4)
    resumed.setup(SearchContext(first.space, np.random.default_rng(5), first.history))
    learned = {resumed._propose(optuna.trial.FixedTrial(p)).key: v for p, _, v in resumed.trials_}
    learned_before = {earlier._propose(optuna.trial.FixedTrial(p)).key: v for p, _, v in earlier.trials_}
    assert len(learned_before) > 10 and learned_before.items() <= learned.items()
    assert all(first.history.get(key).result.score == v for key, v in learned.items())
    assert stacked.key not in learned
    three_steps = Genome.from_steps(first.space, ["StandardScaler", "PCA", "MinMaxScaler", "GaussianNB"])
    assert resumed._replay(three_steps) is None  # longer than max_steps
    assert not {g.key for g in resumed.ask(6)} & {e.genome.key for e in first.history}


def test_bayesian_stops_proposing_when_the_batch_deadline_has_passed():
    ctx = _context(seed=3)
    state = SearchState(ctx.history, Deadline(None), None)
    strategy = BayesianStrategy(n_startup_trials=4)
    run_search(strategy, ctx, _fake_evaluate, state, population_size=6, offspring_size=6, generations=2)
    assert ctx.deadline is state.deadline  # the loop hands the strategy the batch's deadline
    ctx.deadline = Deadline(0.0)
    assert len(strategy.ask(6)) == 1
    ctx.deadline = Deadline(60.0)
    assert len(strategy.ask(6)) == 6


@pytest.mark.parametrize("params", [{"max_trials": 10, "n_startup_trials": 10}, {"max_steps": -1}])
def test_bayesian_rejects_bad_settings_by_name(params):
    with pytest.raises(ValueError, match="max_trials > n_startup_trials"):
        BayesianStrategy(**params).setup(_context())


def test_pipeline_encoding_counts_operators_and_reads_hyperparameters():
    from autopipe.search import PipelineEncoder

    space = build_space("light", "classification")
    encoder = PipelineEncoder(space)
    a = Genome.from_steps(space, ["StandardScaler", ("LogisticRegression", {"C": 100.0})])
    b = Genome.from_steps(space, ["GaussianNB"])
    X = encoder.encode([a, b], fidelities=[1 / 3, 1.0])
    assert X.shape == (2, encoder.n_columns)
    ops = dict(zip(encoder.operators, X[0, : len(encoder.operators)]))
    assert ops["StandardScaler"] == 1 and ops["LogisticRegression"] == 1 and ops["GaussianNB"] == 0
    c = encoder._param_col[("LogisticRegression", "C")]
    assert X[0, c] == pytest.approx(2.0)  # log10(100): C is searched on a log scale
    assert np.isnan(X[1, c])  # absent operator
    assert X[0, -1] == pytest.approx(1 / 3) and X[1, -2] == 1


def _hidden_objective(g: Genome) -> float:
    """A score that depends on hyperparameters, which a predictor can learn from encodings."""
    hs = {h.param: h.value for h in g.hyperparameters()}
    score = 0.5 - 0.1 * g.complexity
    if "C" in hs:
        score += 0.3 - 0.05 * abs(math.log10(hs["C"]) - 1)
    return score


def test_surrogate_ranks_unseen_pipelines_like_the_true_score():
    from scipy.stats import kendalltau

    from autopipe.search import SurrogateModel

    space = build_space("light", "classification")
    rng = np.random.default_rng(0)
    history = SearchHistory()
    for g in [Genome.random(space, rng) for _ in range(150)]:
        history.add(g, _ok(g, _hidden_objective(g)), 0, 0.0)
    model = SurrogateModel(space)
    assert model.fit(history)
    unseen = [Genome.random(space, rng) for _ in range(100)]
    tau = kendalltau(model.predict(unseen), [_hidden_objective(g) for g in unseen]).statistic
    assert tau > 0.5


def test_surrogate_screening_proposes_better_offspring():
    def run(surrogate):
        ctx = _context(seed=4)
        state = SearchState(ctx.history, Deadline(None), None)

        def evaluate(genomes, on_result):
            out = []
            for i, g in enumerate(genomes):
                r = _ok(g, _hidden_objective(g))
                on_result(i, r)
                out.append(r)
            return out

        strategy = EvolutionStrategy(population_size=10, surrogate=surrogate)
        run_search(strategy, ctx, evaluate, state, population_size=10, offspring_size=10, generations=6)
        later = [e.result.score for e in ctx.history if e.generation >= 3]
        return float(np.mean(later)), strategy

    plain, _ = run(False)
    screened, strategy = run(True)
    assert strategy.screened_ > 0
    assert screened > plain


@pytest.mark.parametrize("torch_controller", [True, False], ids=["gru", "factorized"])
def test_reinforce_learns_to_write_short_pipelines(torch_controller, monkeypatch):
    if torch_controller:
        pytest.importorskip("torch")
    else:
        import builtins

        real_import = builtins.__import__

        def no_torch(name, *args, **kwargs):
            if name == "torch":
                raise ImportError("hidden for this test")
            return real_import(name, *args, **kwargs)

        monkeypatch.setattr(builtins, "__import__", no_torch)
    ctx = _context(seed=5)
    state = SearchState(ctx.history, Deadline(None), None)
    strategy = ReinforceStrategy(learning_rate=0.1 if torch_controller else 2.0)
    run_search(strategy, ctx, _fake_evaluate, state, population_size=10, offspring_size=10, generations=14)
    assert strategy.uses_torch_ is torch_controller
    # the fake objective is 1 / complexity: the controller learns to stop after the model
    first = np.mean([1 / e.result.score for e in ctx.history if e.generation < 3])
    last = np.mean([1 / e.result.score for e in ctx.history if e.generation >= 12])
    assert last < first
    assert strategy.baseline_ is not None


def test_the_default_strategy_is_bayesian_optimization():
    from autopipe import AutoClassifier, AutoRegressor, AutoEstimator
    from autopipe.run import FitSettings

    for est in (AutoEstimator(), AutoClassifier(), AutoRegressor()):
        assert isinstance(FitSettings.of(est).make_strategy(), BayesianStrategy)
    screened = FitSettings.of(AutoClassifier(strategy="surrogate-evolution")).make_strategy()
    assert isinstance(screened, EvolutionStrategy) and screened.surrogate
    plain = FitSettings.of(AutoClassifier(strategy="evolution")).make_strategy()
    assert isinstance(plain, EvolutionStrategy) and not plain.surrogate
