"""The candidate runner: genomes become pipelines, the evaluator scores them, the history records them."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from typing import Any

from .._utils.deadline import Deadline
from ..evaluate import EvaluationResult, Evaluator, Job, Status, successive_halving
from ..genome import Genome
from ..search import HistoryEntry, SearchState
from ._asha import AsyncHalving, predicted_seconds
from ._context import FitContext


class CandidateRunner:
    """One way from genomes to recorded results, used alike by the search, tuning and re-scoring.

    As the search's :class:`~autopipe.search.Evaluations`, it keeps every
    worker busy: a new candidate starts on the lowest rung of successive
    halving the moment a worker frees, and a candidate that ranks in the top
    third of its rung goes on to more rows (asynchronous successive halving,
    :class:`AsyncHalving`), with a time limit that follows its predicted
    cost.

    Parameters
    ----------
    context : FitContext
        Compiles genomes (featurization first, seeded).
    evaluator : Evaluator
        Scores compiled pipelines in the workers.
    state : SearchState
        The live search state: its history records every result, at its
        current generation.
    fidelities : tuple of float
        Successive halving's rungs (shares of the training rows); ``(1.0,)``
        scores every candidate on all rows.
    promote : collection of str
        Keys of candidates that go straight to the top rung (the floor and
        the user's starting pipelines).
    promoted_time : float or None
        The time limit of those candidates (None: the evaluator's).
    search_deadline : callable or None
        Returns the search's current end (it moves as the reserves of the
        steps after the search are learned); None: ``state.deadline``.
    """

    def __init__(self, context: FitContext, evaluator: Evaluator, state: SearchState, *,
                 fidelities: tuple[float, ...] = (1.0,), promote: Collection[str] = (),
                 promoted_time: float | None = None,
                 search_deadline: Callable[[], Deadline] | None = None) -> None:
        self.context = context
        self.evaluator = evaluator
        self.state = state
        self.fidelities = fidelities
        self.promote = set(promote)
        self.promoted_time = promoted_time
        self.search_deadline = search_deadline or (lambda: self.state.deadline)
        self.halving = AsyncHalving(fidelities)
        self._genomes: dict[str, Genome] = {}

    def run(self, ask: Callable[[], Genome | None], record: Callable[[Genome, EvaluationResult], None],
            tell: Callable[[Sequence[Genome], Sequence[EvaluationResult | None]], None]) -> None:
        """Evaluate the candidates ``ask`` gives and the promotions they earn until both run out.

        A candidate that could only fail on the sign of its input is not
        evaluated: it gets a ``SKIPPED`` result naming the conflict.
        """
        told: set[str] = set()

        def next_job() -> Job | None:
            promoted = self.halving.promotion(self._fits)
            if promoted is not None:
                key, fidelity = promoted
                return self._job(self._genomes[key], fidelity)
            while (genome := ask()) is not None:
                conflict = genome.sign_conflict(self.context.input_nonnegative)
                if conflict is None:
                    self._genomes[genome.key] = genome
                    start = self.fidelities[-1] if genome.key in self.promote else self.halving.lowest
                    return self._job(genome, start)
                skipped = EvaluationResult.failed(genome.key, Status.SKIPPED, conflict)
                record(genome, skipped)
                told.add(genome.key)
                tell([genome], [skipped])
            return None

        def on_result(job: Job, result: EvaluationResult | None) -> None:
            genome = job.tag
            if result is not None:
                record(genome, result)
                self.halving.record(genome.key, result)
            if genome.key not in told:
                told.add(genome.key)
                # the history keeps the out-of-fold predictions within its bound; the strategy needs none
                tell([genome], [result if result is None or result.oof is None else replace(result, oof=None)])

        def deadline() -> Deadline:
            self.state.deadline = self.search_deadline()
            return self.state.deadline

        self.evaluator.stream(next_job, on_result, deadline=deadline)

    def search_batch(self, genomes: Sequence[Genome], on_result: Callable[[int, EvaluationResult], None],
                     ) -> list[EvaluationResult | None]:
        """Score one generation as a batch, rung by rung (synchronous successive halving).

        The reproducible alternative to :meth:`run` for a search bounded by
        generations rather than time: which candidates are promoted does not
        depend on the order in which the workers finish.
        """
        results: list[EvaluationResult | None] = [None] * len(genomes)
        if self.state.deadline.expired():
            return results
        todo = []
        for i, genome in enumerate(genomes):
            conflict = genome.sign_conflict(self.context.input_nonnegative)
            if conflict is None:
                todo.append(i)
            else:
                results[i] = EvaluationResult.failed(genome.key, Status.SKIPPED, conflict)
                on_result(i, results[i])
        candidates = [(genomes[i].key, self.context.compile(genomes[i])) for i in todo]

        def record(j: int, result: EvaluationResult) -> None:
            on_result(todo[j], result)

        done = successive_halving(self.evaluator, candidates, self.fidelities, deadline=self.state.deadline,
                                  on_result=record, promote=self.promote, return_oof=False)
        for i, result in zip(todo, done):
            results[i] = result
        return results

    def _job(self, genome: Genome, fidelity: float) -> Job:
        """The evaluation of ``genome`` at ``fidelity``, with its time limit."""
        timeout = None
        if genome.key in self.promote:
            timeout = self.promoted_time
        else:
            lower = self.state.history.get(genome.key, self._below(fidelity))
            if lower is not None and lower.result.ok:
                timeout = self._limit(predicted_seconds(lower.result, fidelity))
        return Job(genome.key, self.context.compile(genome), fidelity, timeout, tag=genome)

    def _below(self, fidelity: float) -> float:
        i = self.fidelities.index(fidelity)
        return self.fidelities[max(0, i - 1)]

    def _limit(self, predicted: float) -> float | None:
        """A promotion's time limit: twice its predicted seconds plus one, within the evaluator's limit."""
        cap = self.evaluator.max_eval_time
        limit = 2.0 * predicted + 1.0
        return limit if cap is None else min(cap, limit)

    def _fits(self, result: EvaluationResult, fidelity: float) -> bool:
        """Whether a promotion's predicted time fits the evaluator's limit and the search's time left."""
        predicted = predicted_seconds(result, fidelity)
        cap = self.evaluator.max_eval_time
        return (cap is None or predicted <= cap) and predicted <= self.state.deadline.remaining()

    def trials(self, genomes: Sequence[Genome], fidelities: Sequence[float],
               deadline: Deadline) -> list[EvaluationResult | None]:
        """Score tuning trials, each on its row fraction, and record them (a trial seen before is not rerun)."""
        history = self.state.history
        results: list[EvaluationResult | None] = [None] * len(genomes)
        todo = []
        for i, (genome, fidelity) in enumerate(zip(genomes, fidelities)):
            seen = history.get(genome.key, fidelity)
            if seen is not None:
                results[i] = seen.result
            else:
                todo.append(i)

        def record(j: int, result: EvaluationResult) -> None:
            history.add(genomes[todo[j]], result, self.state.generation, deadline.elapsed())

        candidates = [(genomes[i].key, self.context.compile(genomes[i])) for i in todo]
        done = self.evaluator.evaluate(candidates, deadline=deadline, fidelity=[fidelities[i] for i in todo],
                                       on_result=record, return_oof=False)
        for i, result in zip(todo, done):
            results[i] = result
        return results

    def rescore(self, entries: Sequence[HistoryEntry], deadline: Deadline) -> bool:
        """Score ``entries`` on the check folds and record those scores; False when the deadline cut it off.

        A partial check would demote the candidates it missed, so none is kept then.
        """
        candidates = [(e.genome.key, self.context.compile(e.genome)) for e in entries]
        results = self.evaluator.evaluate(candidates, deadline=deadline, check=True, return_oof=False)
        if any(r is None or r.status is Status.CANCELLED for r in results):
            return False
        for entry, result in zip(entries, results):
            self.state.history.add_check(entry.genome.key, result)
        return True

    def fit_all_rows(self, jobs: list[tuple[str, Any]], deadline: Deadline,
                     limit: float | None) -> list[tuple[Any, str]]:
        """Fit ``(key, estimator)`` jobs on all rows in the workers, each within ``limit`` seconds."""
        return self.evaluator.fit(jobs, deadline=deadline, timeouts=[limit] * len(jobs))
