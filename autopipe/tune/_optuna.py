"""Bayesian refinement of one pipeline structure's hyperparameters with Optuna, by ask and tell."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from .._utils.deadline import Deadline
from ..evaluate import EvaluationResult
from ..genome import Genome
from ..space import IntDistribution, from_optuna_value, import_optuna, to_optuna, to_optuna_value

logger = logging.getLogger(__name__)

#: ``evaluate(genomes, fidelities) -> results``: one row fraction per genome (``None`` for a candidate never started).
EvaluateFn = Callable[[Sequence[Genome], Sequence[float]], list[EvaluationResult | None]]

SAMPLERS = ("tpe", "gp")


def _optuna() -> Any:
    return import_optuna("Bayesian tuning")


def check_sampler(name: str) -> None:
    """Raise an ``ImportError`` naming the extra when sampler ``name`` needs a library that is missing.

    Optuna's Gaussian-process sampler (``"gp"``) models with PyTorch.
    """
    if name != "gp":
        return
    try:
        import torch  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            "tune_sampler='gp' uses Optuna's GPSampler, which needs PyTorch; install it with "
            "pip install \"autopipe[gp]\" (or pip install torch), or use tune_sampler='tpe'."
        ) from exc


def make_sampler(name: str, seed: int) -> Any:
    """Optuna's TPE (``"tpe"``, multivariate) or Gaussian-process (``"gp"``, needs PyTorch) sampler, seeded."""
    optuna = _optuna()
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed, multivariate=True, n_startup_trials=5)
    if name == "gp":
        check_sampler(name)
        return optuna.samplers.GPSampler(seed=seed, n_startup_trials=5)
    raise ValueError(f"unknown sampler {name!r}; choose one of {SAMPLERS}")


class StructureTuner:
    """An Optuna study over the hyperparameters of one pipeline structure.

    The structure (operators and their arrangement) of ``genome`` is kept;
    its searched hyperparameters (:meth:`Genome.hyperparameters`) are the
    study's parameters. Evaluations already made of pipelines with this
    structure seed the study, so the sampler starts from what the search
    learned.

    Parameters
    ----------
    genome : Genome
        The pipeline whose hyperparameters are tuned.
    sampler : {"tpe", "gp"}, default="tpe"
        Optuna's sampler: tree-structured Parzen estimator or Gaussian process.
    seed : int, default=0
        Seed of the sampler.
    known : sequence of (Genome, float)
        Scores already measured on all rows; those of the same structure
        become completed trials.
    pruner : optuna pruner or None
        Decides, from the scores reported on the lower fidelities, which
        trials stop early (see :func:`tune`).

    Attributes
    ----------
    budget_slot : str or None
        The slot of the searched training length (the ``budget_param`` of
        its operator, e.g. a network's ``max_epochs``), or None: the
        fidelity :func:`tune` can lower instead of the rows.
    n_pruned : int
        Trials the pruner stopped on a lower rung.
    """

    def __init__(self, genome: Genome, *, sampler: str = "tpe", seed: int = 0,
                 known: Sequence[tuple[Genome, float]] = (), pruner: Any = None) -> None:
        optuna = _optuna()
        self.genome = genome
        self.slots = genome.hyperparameters()
        self.distributions = {h.slot: to_optuna(h.distribution) for h in self.slots}
        self.study = optuna.create_study(direction="maximize", sampler=make_sampler(sampler, seed), pruner=pruner)
        self.budget_slot = next((h.slot for h in self.slots if isinstance(h.distribution, IntDistribution)
                                 and genome.space[h.operator].budget_param == h.param), None)
        self.n_pruned = 0
        self._seen: set[str] = set()
        self.learn(known)

    def learn(self, known: Sequence[tuple[Genome, float]]) -> int:
        """Add the scores of this structure not seen before as completed trials; returns how many."""
        optuna = _optuna()
        structure = self.structure(self.genome)
        added = 0
        for other, score in known:
            if other.key in self._seen or self.structure(other) != structure:
                continue
            values = {h.slot: to_optuna_value(h.distribution, h.value) for h in other.hyperparameters()}
            if set(values) == set(self.distributions):
                self._seen.add(other.key)
                self.study.add_trial(optuna.trial.create_trial(
                    params=values, distributions=self.distributions, value=float(score)))
                added += 1
        return added

    @staticmethod
    def structure(genome: Genome) -> tuple[str, ...]:
        """What stays fixed while tuning: the operators and the slots of their hyperparameters."""
        return (*genome.operator_names, *(h.slot for h in genome.hyperparameters()))

    @property
    def n_trials(self) -> int:
        """Trials so far, the seeded ones included."""
        return len(self.study.trials)

    def ask(self) -> tuple[Any, Genome]:
        """A new trial and the pipeline it proposes."""
        trial = self.study.ask(self.distributions)
        # floats at the precision the search's own values have, so that near-identical trials share one key
        values = {h.slot: from_optuna_value(h.distribution, trial.params[h.slot], snap=True) for h in self.slots}
        genome = self.genome.with_values(values)
        self._seen.add(genome.key)
        return trial, genome

    def plan(self, rungs: Sequence[float], budget_rungs: Sequence[float] = (1.0,)) -> tuple[tuple[float, ...], bool]:
        """The rungs of this structure's trials, and whether they are fractions of the training length.

        ``budget_rungs`` (fractions of the training length, on all rows) when
        the structure has a budget slot and there are several of them, else
        ``rungs`` (fractions of the rows).
        """
        if self.budget_slot is not None and len(budget_rungs) > 1:
            return tuple(budget_rungs), True
        return tuple(rungs), False

    def at(self, genome: Genome, fraction: float, of_budget: bool) -> tuple[Genome, float]:
        """What a trial's ``genome`` is scored as on one rung: the pipeline and its row fraction.

        A fraction ``of_budget`` trains for that fraction of the pipeline's
        training length (rounded and kept inside the parameter's range, so it
        is a pipeline of the search space) on all rows.
        """
        if not of_budget or fraction >= 1.0:
            return genome, fraction
        h = next(h for h in genome.hyperparameters() if h.slot == self.budget_slot)
        dist = h.distribution
        return genome.with_values({h.slot: min(dist.high, max(dist.low, round(h.value * fraction)))}), 1.0

    def tell(self, trial: Any, result: EvaluationResult | None, *, pruned: bool = False) -> None:
        """Record a trial's full-fidelity result (or that it failed, or was pruned after scoring ``result``
        on a lower rung; pruned without a result: a duplicate never scored)."""
        optuna = _optuna()
        if pruned:
            self.n_pruned += result is not None
            self.study.tell(trial, state=optuna.trial.TrialState.PRUNED)
        elif result is not None and result.ok:
            self.study.tell(trial, result.score)
        else:
            self.study.tell(trial, state=optuna.trial.TrialState.FAIL)


def make_pruner(rungs: Sequence[float], kind: str = "halving") -> Any:
    """An Optuna pruner over the rungs' fidelities (None with a single rung).

    ``"halving"``: successive halving, each rung keeping the best third of
    the trials that reached it; ``"hyperband"``: Hyperband, several
    successive-halving brackets with different aggressiveness.
    """
    if len(rungs) < 2:
        return None
    optuna = _optuna()
    top = resource(rungs[-1], rungs)
    if kind == "halving":
        return optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3)
    if kind == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource=top, reduction_factor=3)
    raise ValueError(f"unknown pruner {kind!r}; choose 'halving' or 'hyperband'")


def resource(fidelity: float, rungs: Sequence[float]) -> int:
    """The integer step a fidelity is reported at: its rows in units of the lowest rung's."""
    return max(1, round(fidelity / rungs[0]))


def tune(
    tuners: Sequence[StructureTuner],
    evaluate: EvaluateFn,
    *,
    rungs: Sequence[float] = (1.0,),
    budget_rungs: Sequence[float] = (1.0,),
    batch_size: int = 1,
    deadline: Deadline | None = None,
    known: Callable[[Genome], EvaluationResult | None] | None = None,
    max_trials: int | None = None,
    max_batches: int | None = None,
) -> int:
    """Refine several structures at once until ``deadline``: batches of trials, round robin.

    Each batch holds ``batch_size`` trials, taken from the tuners in turn.
    With several ``rungs`` (fractions of the rows, lowest first), trials are
    scored on the lowest first and each reports its score to its study at
    step :func:`resource`; the study's pruner (successive halving or
    Hyperband) stops the trials that fall behind, and the others go on to the
    next rung. A structure with a training length to lower (a network's
    epochs, :attr:`StructureTuner.budget_slot`) climbs ``budget_rungs``
    instead, when there are several: fractions of its training length, on all
    rows. ``known(genome)`` returns a full-fidelity result measured before
    (the trial is told it without evaluating again). ``max_trials`` ends the
    tuning after that many trials (all tuners together), ``max_batches``
    after that many evaluated batches.

    Returns the number of trials told.
    """
    deadline = deadline or Deadline(None)
    told = batches = 0
    turn = 0
    while tuners and not deadline.expired() and (max_trials is None or told < max_trials) \
            and (max_batches is None or batches < max_batches):
        batch: list[tuple[StructureTuner, Any, Genome]] = []
        for _ in range(batch_size * 3):  # a few more tries when proposals were seen before
            if len(batch) == batch_size:
                break
            tuner = tuners[turn % len(tuners)]
            turn += 1
            trial, genome = tuner.ask()
            previous = known(genome) if known is not None else None
            if previous is not None:
                tuner.tell(trial, previous)
                told += 1
            elif any(genome.key == g.key for _, _, g in batch):
                tuner.tell(trial, None, pruned=True)
                told += 1
            else:
                batch.append((tuner, trial, genome))
        if not batch:
            continue
        batches += 1
        told += _climb(batch, evaluate, rungs, budget_rungs, deadline)
    return told


def _climb(batch: list[tuple[StructureTuner, Any, Genome]], evaluate: EvaluateFn, rungs: Sequence[float],
           budget_rungs: Sequence[float], deadline: Deadline) -> int:
    """Take one batch of trials up their rungs together (each its own plan); returns the trials told."""
    told = 0
    # (tuner, trial, genome, its rungs, whether they are fractions of the training length, next rung)
    alive = [(tuner, trial, genome, *tuner.plan(rungs, budget_rungs), 0) for tuner, trial, genome in batch]
    while alive and not deadline.expired():
        scored = [tuner.at(genome, plan[level], of_budget) for tuner, _, genome, plan, of_budget, level in alive]
        unique = {g.key: (g, f) for g, f in scored}  # two trials may share a shortened pipeline
        results = dict(zip(unique, evaluate([g for g, _ in unique.values()], [f for _, f in unique.values()])))
        survivors = []
        for (tuner, trial, genome, plan, of_budget, level), (shown, _) in zip(alive, scored):
            result = results[shown.key]
            if result is None:  # never started before the deadline
                tuner.tell(trial, None)
            elif level == len(plan) - 1 or not result.ok:
                tuner.tell(trial, result)
            else:
                trial.report(result.score, resource(plan[level], plan))
                if trial.should_prune():
                    tuner.tell(trial, result, pruned=True)
                else:
                    survivors.append((tuner, trial, genome, plan, of_budget, level + 1))
                    continue
            told += 1
        alive = survivors
    for tuner, trial, *_ in alive:  # cut off by the deadline between rungs
        tuner.tell(trial, None)
        told += 1
    return told
