"""``check_strategy``: the conformance suite every search strategy must pass."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Sequence

import numpy as np

from ..evaluate import EvaluationResult, Status
from ..genome import Genome
from ..search import SearchContext, SearchHistory
from ..space import build_space


def _fake_results(genomes: Sequence[Genome], *, fail: bool = False) -> list[EvaluationResult]:
    """Deterministic pseudo-scores that prefer short pipelines with some operators."""
    out = []
    for g in genomes:
        if fail:
            out.append(EvaluationResult.failed(g.key, Status.ERROR, "ValueError: injected"))
            continue
        score = 1.0 / (1 + g.complexity) + (0.3 if "Forest" in g.key else 0.0) + (len(g.key) % 7) / 100
        out.append(EvaluationResult(key=g.key, status=Status.OK, score=score, score_std=0.0, fold_scores=(score,)))
    return out


def _drive(strategy: object, seed: int, rounds: int, n: int, space: object = "light",
           task: str = "classification") -> list[str]:
    space = build_space(space, task)
    history = SearchHistory()
    context = SearchContext(space, np.random.default_rng(seed), history)
    strategy.setup(context)  # type: ignore[attr-defined]
    keys: list[str] = []
    for gen in range(rounds):
        genomes = strategy.ask(n)  # type: ignore[attr-defined]
        results = _fake_results(genomes)
        for g, r in zip(genomes, results):
            history.add(g, r, gen, 0.0)
        strategy.tell(genomes, results)  # type: ignore[attr-defined]
        keys += [g.key for g in genomes]
    return keys


def check_strategy(make_strategy: Callable[[], object], space: str | dict = "light") -> None:
    """Assert that a search strategy follows the ask/tell protocol.

    Checks that it respects ``n``, never proposes an evaluated or duplicate
    candidate, is deterministic for a seed, survives a batch where every
    candidate failed, takes results of pipelines it did not propose (tuning
    rounds tell it theirs), can be pickled mid-run, and works in a tiny space.

    Parameters
    ----------
    make_strategy : callable
        Returns a fresh, unfitted strategy.
    space : str or dict, default="light"
        The search space it is driven in (for classification and regression):
        a preset name or a dict as :func:`autopipe.space.build_space` takes.

    Raises
    ------
    AssertionError
        Naming the first property that does not hold.
    """
    keys = _drive(make_strategy(), seed=0, rounds=4, n=6, space=space)
    assert len(keys) == len(set(keys)), "a candidate was proposed twice"
    assert _drive(make_strategy(), seed=0, rounds=4, n=6, space=space) == keys, "not deterministic for a seed"
    assert _drive(make_strategy(), seed=1, rounds=4, n=6, space=space) != keys, "ignores the random generator"

    strategy = make_strategy()
    history = SearchHistory()
    strategy.setup(SearchContext(build_space(space, "regression"), np.random.default_rng(0), history))  # type: ignore[attr-defined]
    for n in (1, 3, 5):
        batch = strategy.ask(n)  # type: ignore[attr-defined]
        assert 0 < len(batch) <= n, f"ask({n}) returned {len(batch)} candidates"
        results = _fake_results(batch, fail=True)
        for g, r in zip(batch, results):
            history.add(g, r, 0, 0.0)
        strategy.tell(batch, results)  # type: ignore[attr-defined]
    assert strategy.ask(4), "no candidates after an all-failed batch"  # type: ignore[attr-defined]

    other = make_strategy()
    other.setup(SearchContext(build_space(space, "regression"), np.random.default_rng(99), SearchHistory()))  # type: ignore[attr-defined]
    foreign = [g for g in other.ask(3) if g.key not in history]  # type: ignore[attr-defined]
    results = _fake_results(foreign)
    for g, r in zip(foreign, results):
        history.add(g, r, 1, 0.0)
    strategy.tell(foreign, results)  # type: ignore[attr-defined]
    after = strategy.ask(4)  # type: ignore[attr-defined]
    assert after, "no candidates after being told pipelines it did not propose"
    assert not {g.key for g in after} & {g.key for g in foreign}, "proposed a pipeline it was told about"

    clone = pickle.loads(pickle.dumps(strategy))
    assert [g.key for g in clone.ask(3)] == [g.key for g in strategy.ask(3)], "pickled copy diverges"

    tiny = build_space({"GaussianNB": {}}, "classification")
    small = make_strategy()
    small.setup(SearchContext(tiny, np.random.default_rng(0), SearchHistory()))  # type: ignore[attr-defined]
    batch = small.ask(5)  # type: ignore[attr-defined]
    assert len({g.key for g in batch}) == len(batch) <= 5
