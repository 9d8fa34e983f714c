"""The candidate runner: genomes become pipelines, the evaluator scores them, the history records them."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

from .._utils.deadline import Deadline
from ..evaluate import EvaluationResult, Evaluator, Status, successive_halving
from ..genome import Genome
from ..search import HistoryEntry, SearchState
from ._context import FitContext

OnResult = Callable[[int, EvaluationResult], None]


class CandidateRunner:
    """One way from genomes to recorded results, used alike by the search, tuning and re-scoring.

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
        Successive halving's rungs (row fractions); ``(1.0,)`` scores every
        candidate on all rows.
    promote : collection of str
        Keys of candidates that go straight to the top rung.
    """

    def __init__(self, context: FitContext, evaluator: Evaluator, state: SearchState, *,
                 fidelities: tuple[float, ...] = (1.0,), promote: Collection[str] = ()) -> None:
        self.context = context
        self.evaluator = evaluator
        self.state = state
        self.fidelities = fidelities
        self.promote = set(promote)

    def search_batch(self, genomes: Sequence[Genome], on_result: OnResult) -> list[EvaluationResult | None]:
        """Score a batch the search asked for, before ``state.deadline``; the search loop records them.

        A candidate that could only fail on the sign of its input is not
        evaluated: it gets a ``SKIPPED`` result naming the conflict.
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

        if len(self.fidelities) > 1:
            done = successive_halving(self.evaluator, candidates, self.fidelities, deadline=self.state.deadline,
                                      on_result=record, promote=self.promote, return_oof=False)
        else:
            done = self.evaluator.evaluate(candidates, deadline=self.state.deadline, on_result=record,
                                           return_oof=False)
        for i, result in zip(todo, done):
            results[i] = result
        return results

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
