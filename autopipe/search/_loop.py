"""``run_search``: drive any strategy through ask/evaluate/tell under a time budget."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

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
AskFn = Callable[[], "Genome | None"]
RecordFn = Callable[[Genome, EvaluationResult], None]
TellFn = Callable[[Sequence[Genome], Sequence["EvaluationResult | None"]], None]


@runtime_checkable
class Evaluations(Protocol):
    """What evaluates the candidates of :func:`run_search` as a stream (the never-waiting loop).

    ``run(ask, record, tell)`` calls ``ask()`` for a new candidate whenever a
    worker can take one, until it returns None and nothing is running;
    ``record(genome, result)`` for every result (a candidate may be scored
    more than once, e.g. on more rows), and ``tell([genome], [result])`` once
    per candidate asked, with its first result (None if it never started).
    """

    def run(self, ask: AskFn, record: RecordFn, tell: TellFn) -> None:
        """Evaluate what ``ask`` gives until it gives nothing and nothing runs."""


class _BatchEvaluations:
    """A batch function (``evaluate(genomes, on_result)``) seen as :class:`Evaluations`: one batch per run."""

    def __init__(self, evaluate: EvaluateFn) -> None:
        self.evaluate = evaluate

    def run(self, ask: AskFn, record: RecordFn, tell: TellFn) -> None:
        genomes = []
        while (genome := ask()) is not None:
            genomes.append(genome)
        if not genomes:
            return
        results = self.evaluate(genomes, lambda i, result: record(genomes[i], result))
        tell(genomes, results)


def run_search(
    strategy: SearchStrategy,
    context: SearchContext,
    evaluate: EvaluateFn | Evaluations,
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

    ``evaluate`` is either a batch function ``evaluate(genomes, on_result)``
    (each generation is asked for, evaluated and told as one batch) or an
    :class:`Evaluations` stream, which asks for one candidate whenever a
    worker frees and tells each result as it arrives: generations then
    overlap, and a generation ends (``on_batch_end``) when all its candidates
    were told. A callback that needs the workers idle between generations
    (``needs_idle_workers``, such as tuning during the search) makes the
    stream end at every generation.
    """
    evaluations = evaluate if isinstance(evaluate, Evaluations) else _BatchEvaluations(evaluate)
    steady = isinstance(evaluate, Evaluations) and not any(
        getattr(cb, "needs_idle_workers", False) for cb in callbacks
    )
    loop = _Loop(strategy, context, state, callbacks, population_size=population_size,
                 offspring_size=offspring_size, generations=generations, steady=steady)
    strategy.setup(context)
    _call(callbacks, "on_search_begin", state)
    try:
        while not loop.stopped:
            evaluations.run(loop.ask, loop.record, loop.tell)
            loop.end_segment()
    except StopSearch as stop:
        state.stop_reason = str(stop) or "stopped by a callback"
    except KeyboardInterrupt:
        state.interrupted = True
        state.stop_reason = "interrupted"
    finally:
        loop.close()
        for cb in callbacks:
            cb.on_search_end(state)
    logger.info("search stopped: %s (%d candidates)", state.stop_reason, len(state.history))
    return state


class _Loop:
    """The generation bookkeeping of :func:`run_search`: what to ask, when a generation ends, when to stop.

    In steady mode one stream runs the whole search and generations overlap;
    otherwise every generation is one segment (asked, evaluated, told, then
    ``on_batch_end``).
    """

    def __init__(self, strategy: SearchStrategy, context: SearchContext, state: SearchState,
                 callbacks: Sequence[SearchCallback], *, population_size: int, offspring_size: int,
                 generations: int | None, steady: bool) -> None:
        self.strategy, self.context, self.state, self.callbacks = strategy, context, state, callbacks
        self.population_size, self.offspring_size = population_size, offspring_size
        self.generations, self.steady = generations, steady
        self.asking = state.generation  # the generation candidates are asked for
        self.ended = state.generation  # the first generation whose end was not announced
        self.asked: Counter[int] = Counter()
        self.told: Counter[int] = Counter()
        self.generation_of: dict[str, int] = {}
        self.buffer: list[Genome] = []  # asked of the strategy, not handed out yet
        self.stopped = False  # no more asks, ever
        self.paused = False  # no more asks in this segment

    # -- asked by the evaluations
    def ask(self) -> Genome | None:
        """The next candidate, or None when this segment (or the search) asks for nothing more."""
        if self.stopped or self.paused:
            return None
        state = self.state
        if state.deadline.expired():
            return self._stop("time budget reached")
        if not self.buffer:
            if self.asked[self.asking] >= (1 if not self.steady else self._size(self.asking)):
                if not self.steady:  # the generation is handed out: evaluate it first
                    self.paused = True
                    return None
                self.asking += 1
            if self.generations is not None and self.asking - state.first_generation > self.generations:
                return self._stop(f"{self.generations} generations done")
            self.context.deadline = state.deadline
            state.generation = self.asking
            self.buffer = list(self.strategy.ask(1 if self.steady else self._size(self.asking)))
            if not self.buffer:
                return self._stop("search space exhausted")
        genome = self.buffer.pop(0)
        self.asked[self.asking] += 1
        self.generation_of[genome.key] = self.asking
        return genome

    def record(self, genome: Genome, result: EvaluationResult) -> None:
        """Record a result in the history (in the generation its candidate was asked in)."""
        generation = self.generation_of.get(genome.key, self.state.generation)
        entry = self.state.history.add(genome, result, generation, self.state.deadline.elapsed())
        _call(self.callbacks, "on_result", self.state, entry)

    def tell(self, genomes: Sequence[Genome], results: Sequence[EvaluationResult | None]) -> None:
        """Tell the strategy the results (those that started); in steady mode, end the generations complete."""
        told = [(g, r) for g, r in zip(genomes, results) if r is not None]
        self.strategy.tell([g for g, _ in told], [r for _, r in told])
        for genome in genomes:
            self.told[self.generation_of.get(genome.key, self.asking)] += 1
        if self.steady:
            try:
                self._end_complete_generations()
            except StopSearch as stop:  # let the candidates running finish; ask for no more
                self._stop(str(stop) or "stopped by a callback")

    # -- segments and generations
    def end_segment(self) -> None:
        """After one run of the evaluations: announce the generation it evaluated, or stop."""
        if self.steady:
            if not self.stopped:
                self._stop(self.state.stop_reason or "time budget reached")
            return
        if self.paused and self.asked[self.asking]:
            self.paused = False
            _call(self.callbacks, "on_batch_end", self.state)
            self.asking += 1
            self.state.generation = self.asking
            return
        if not self.stopped:
            self._stop(self.state.stop_reason or "search space exhausted")

    def close(self) -> None:
        """Leave ``state.generation`` after the last generation asked for (where tuning records its trials)."""
        if self.asked[self.asking]:
            self.state.generation = self.asking + 1

    def _size(self, generation: int) -> int:
        return self.population_size if generation == self.state.first_generation else self.offspring_size

    def _end_complete_generations(self) -> None:
        while (self.ended < self.asking or self.asked[self.ended] >= self._size(self.ended)) \
                and self.asked[self.ended] and self.told[self.ended] >= self.asked[self.ended]:
            self.ended += 1
            _call(self.callbacks, "on_batch_end", self.state)

    def _stop(self, reason: str) -> None:
        if not self.stopped:
            self.stopped = True
            self.state.stop_reason = self.state.stop_reason or reason


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
