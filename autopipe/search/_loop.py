"""``run_search``: drive any strategy through ask/evaluate/tell under a time budget."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from ..evaluate import EvaluationResult, Status
from ..exceptions import StopSearch
from ..genome import Genome
from ._base import SearchContext, SearchStrategy
from ._callbacks import SearchCallback, SearchState

logger = logging.getLogger(__name__)

#: ``evaluate(genomes, on_result) -> results`` (``None`` for a candidate never started).
EvaluateFn = Callable[
    [Sequence[Genome], Callable[[int, EvaluationResult], None]], list[EvaluationResult | None]
]


def run_search(
    strategy: SearchStrategy,
    context: SearchContext,
    evaluate: EvaluateFn,
    state: SearchState,
    *,
    population_size: int,
    offspring_size: int,
    generations: int | None = None,
    callbacks: Sequence[SearchCallback] = (),
) -> SearchState:
    """Run the search until the budget, ``generations``, a callback or the space ends it.

    Generation 0 asks for ``population_size`` candidates, each later generation
    for ``offspring_size``. Results are recorded in ``state.history``. Ctrl-C
    ends the search and sets ``state.interrupted``; the best pipeline so far is
    kept.
    """
    strategy.setup(context)
    _call(callbacks, "on_search_begin", state)
    try:
        n = population_size
        while _run_batch(strategy, context, evaluate, state, n, callbacks):
            if generations is not None and state.generation - state.first_generation > generations:
                state.stop_reason = f"{generations} generations done"
                break
            n = offspring_size
    except StopSearch as stop:
        state.stop_reason = str(stop) or "stopped by a callback"
    except KeyboardInterrupt:
        state.interrupted = True
        state.stop_reason = "interrupted"
    finally:
        for cb in callbacks:
            cb.on_search_end(state)
    logger.info("search stopped: %s (%d candidates)", state.stop_reason, len(state.history))
    return state


def _run_batch(strategy: SearchStrategy, context: SearchContext, evaluate: EvaluateFn, state: SearchState,
               n: int, callbacks: Sequence[SearchCallback]) -> bool:
    """Ask for ``n`` candidates, evaluate and tell them; False (with the reason) when the search must stop."""
    if state.deadline.expired():
        state.stop_reason = "time budget reached"
        return False
    context.deadline = state.deadline
    genomes = strategy.ask(n)
    if not genomes:
        state.stop_reason = "search space exhausted"
        return False

    def on_result(i: int, result: EvaluationResult) -> None:
        entry = state.history.add(genomes[i], result, state.generation, state.deadline.elapsed())
        _call(callbacks, "on_result", state, entry)

    results = evaluate(genomes, on_result)
    told = [(g, r) for g, r in zip(genomes, results) if r is not None]
    strategy.tell([g for g, _ in told], [r for _, r in told])
    _call(callbacks, "on_batch_end", state)
    state.generation += 1
    return True


def _call(callbacks: Sequence[SearchCallback], hook: str, *args: object) -> None:
    for cb in callbacks:
        getattr(cb, hook)(*args)


def summarize_failures(results: Sequence[EvaluationResult]) -> dict[str, int]:
    """Failed results grouped by the first line of their error, with counts."""
    counts: dict[str, int] = {}
    for r in results:
        if r.status is Status.OK:
            continue
        lines = r.error.strip().splitlines() or [r.status.value]
        head = f"{r.status.value}: {lines[-1] if r.status is Status.ERROR else lines[0]}"
        counts[head] = counts.get(head, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))
