"""Tuning rounds during and after a search: one set of Optuna studies over the search's best structures."""

from __future__ import annotations

import time
from dataclasses import dataclass
from collections.abc import Callable, Sequence

from .._utils.deadline import Deadline
from ..evaluate import EvaluationResult
from ..genome import Genome
from ..search import SearchCallback, SearchHistory, SearchState, SearchStrategy
from ._optuna import StructureTuner, make_pruner, tune

#: ``evaluate(genomes, fidelities, deadline) -> results``: one row fraction per genome (``None`` for a
#: candidate never started).
ScheduleEvaluateFn = Callable[[Sequence[Genome], Sequence[float], Deadline], list[EvaluationResult | None]]


@dataclass(frozen=True)
class TuningReport:
    """What Bayesian tuning did in one fit (the estimator's ``tuning_report_``).

    Attributes
    ----------
    structures : tuple of str
        Keys of the structures tuned, in the order they were first picked.
    trials : int
        Trials told over all rounds.
    pruned : int
        Trials a pruner stopped on a lower rung.
    rounds : int
        Rounds run.
    seconds : float
        Wall-clock seconds spent tuning.
    improvements : int
        Trials whose full-fidelity score beat the best score of their moment.
    best_before, best_after : float
        The best full-fidelity score when tuning began and at the end.
    """

    structures: tuple[str, ...]
    trials: int
    pruned: int
    rounds: int
    seconds: float
    improvements: int
    best_before: float
    best_after: float


class TuningSchedule:
    """Bayesian tuning of the best distinct structures of a search history, in rounds.

    Each round picks the ``structures`` best distinct structures of the
    history as it is then (a structure already tuned keeps its study and
    learns the scores the search measured since), and runs
    :func:`~autopipe.tune.tune` on them. Rounds can be run between the
    generations of a search (:class:`TuneDuringSearch`) and after it.

    Parameters
    ----------
    history : SearchHistory
        The search's history: where the best structures come from, and the
        scores that seed their studies.
    evaluate : callable
        ``evaluate(genomes, fidelities, deadline)``: scores the trials, each
        on its fraction of the rows (and records them in the history);
        candidates not started before ``deadline`` get ``None``.
    rungs : sequence of float, default=(1.0,)
        The fidelities (row fractions) of successive halving, lowest first.
    budget_rungs : sequence of float, default=(1.0,)
        The fidelities of structures with a training length to lower (a
        network's epochs): fractions of it, on all rows (see
        :func:`~autopipe.tune.tune`).
    batch_size : int, default=1
        Trials evaluated together (one per worker).
    sampler : {"tpe", "gp"}, default="tpe"
        Optuna's sampler.
    pruner : {"halving", "hyperband"}, default="halving"
        Optuna's pruner over the rungs.
    structures : int, default=3
        Distinct structures tuned per round.
    seed : int, default=0
        Seed of the first study's sampler (the next ones count up).

    Attributes
    ----------
    trials_ : int
        Trials told over all rounds.
    seconds_ : float
        Wall-clock seconds spent in rounds.
    rounds_ : int
        Rounds run.
    tuned_ : list of str
        Keys of the structures' genomes tuned, in the order they were first picked.
    best_before_ : float
        The history's best score when the first round began.
    improvements_ : int
        Trials whose full-fidelity score beat the history's best of the moment.
    """

    def __init__(self, history: SearchHistory, evaluate: ScheduleEvaluateFn, *, rungs: Sequence[float] = (1.0,),
                 budget_rungs: Sequence[float] = (1.0,), batch_size: int = 1, sampler: str = "tpe",
                 pruner: str = "halving", structures: int = 3, seed: int = 0) -> None:
        self.history = history
        self.evaluate = evaluate
        self.rungs = tuple(rungs)
        self.budget_rungs = tuple(budget_rungs)
        self.batch_size = batch_size
        self.sampler = sampler
        self.pruner = pruner
        self.structures = structures
        self.seed = seed
        self.trials_ = 0
        self.seconds_ = 0.0
        self.rounds_ = 0
        self.tuned_: list[str] = []
        self.best_before_ = float("nan")
        self.improvements_ = 0
        self._tuners: dict[tuple[str, ...], StructureTuner] = {}

    def pick(self) -> list[StructureTuner]:
        """The tuners of the best distinct structures that have hyperparameters, best first."""
        done = [e for e in self.history.ranked() if e.result.ok]
        known = [(e.genome, e.result.score) for e in done]
        picked: list[StructureTuner] = []
        for entry in done:
            structure = StructureTuner.structure(entry.genome)
            if any(StructureTuner.structure(t.genome) == structure for t in picked) \
                    or not entry.genome.hyperparameters():
                continue
            tuner = self._tuners.get(structure)
            if tuner is None:
                tuner = StructureTuner(entry.genome, sampler=self.sampler, seed=self.seed + len(self._tuners),
                                       known=known)
                tuner.study.pruner = make_pruner(tuner.plan(self.rungs, self.budget_rungs)[0], self.pruner)
                self._tuners[structure] = tuner
                self.tuned_.append(entry.genome.key)
            else:
                tuner.learn(known)
            picked.append(tuner)
            if len(picked) == self.structures:
                break
        return picked

    def run(self, deadline: Deadline, *, trials_per_structure: int | None = None,
            max_batches: int | None = None) -> list[tuple[Genome, EvaluationResult]]:
        """One round: batches of trials until ``deadline``, ``max_batches``, or ``trials_per_structure``
        trials for each structure picked. Returns the pipelines scored on all rows (those of shortened
        training included), with their results."""
        start = time.monotonic()
        full: list[tuple[Genome, EvaluationResult]] = []

        def evaluate(genomes: Sequence[Genome], fidelities: Sequence[float]) -> list[EvaluationResult | None]:
            best = self.history.best_score()
            results = self.evaluate(genomes, fidelities, deadline)
            on_all_rows = [(g, r) for g, r, f in zip(genomes, results, fidelities) if r is not None and f >= 1.0]
            full.extend(on_all_rows)
            self.improvements_ += sum(r.ok and r.score > best for _, r in on_all_rows)
            return results

        def previous(genome: Genome) -> EvaluationResult | None:
            entry = self.history.get(genome.key)
            return None if entry is None else entry.result

        if not self.rounds_:
            self.best_before_ = self.history.best_score()
        tuners = self.pick()
        if tuners:
            max_trials = None if trials_per_structure is None else trials_per_structure * len(tuners)
            self.trials_ += tune(tuners, evaluate, rungs=self.rungs, budget_rungs=self.budget_rungs,
                                 batch_size=self.batch_size, deadline=deadline, known=previous,
                                 max_trials=max_trials, max_batches=max_batches)
            self.rounds_ += 1
        self.seconds_ += time.monotonic() - start
        return full

    def report(self) -> TuningReport:
        """What the rounds did: the estimator's ``tuning_report_``."""
        return TuningReport(structures=tuple(self.tuned_), trials=self.trials_,
                            pruned=sum(t.n_pruned for t in self._tuners.values()), rounds=self.rounds_,
                            seconds=round(self.seconds_, 2), improvements=self.improvements_,
                            best_before=self.best_before_, best_after=self.history.best_score())


class TuneDuringSearch(SearchCallback):
    """After each generation, tune until tuning has had ``share`` of the search's time so far.

    Rounds start once the first generation is done and a candidate
    succeeded. Each batch of trials scored on all rows is told to
    ``strategy`` as well, so the search breeds from the tuned pipelines.

    Parameters
    ----------
    schedule : TuningSchedule
        The studies (kept for the tuning after the search).
    strategy : SearchStrategy
        The search strategy told the tuned results.
    share : float
        Share of the elapsed search time that goes to tuning.
    """

    needs_idle_workers = True  # its tuning rounds run on the search's workers

    def __init__(self, schedule: TuningSchedule, strategy: SearchStrategy, share: float) -> None:
        self.schedule = schedule
        self.strategy = strategy
        self.share = share

    def on_batch_end(self, state: SearchState) -> None:
        if state.history.best() is None:
            return
        while not state.deadline.expired() and self.schedule.seconds_ < self.share * state.deadline.elapsed():
            before = self.schedule.trials_
            told = self.schedule.run(state.deadline, max_batches=1)
            if told:
                self.strategy.tell([g for g, _ in told], [r for _, r in told])
            if self.schedule.trials_ == before:  # nothing left to propose
                return

