"""Bayesian refinement of one pipeline structure's hyperparameters with Optuna, by ask and tell."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from .._utils.deadline import Deadline
from .._utils.optuna import import_optuna
from ..evaluate import EvaluationResult
from ..genome import Genome, Hyperparameter
from ..space import Categorical, Distribution, FloatDistribution, IntDistribution

logger = logging.getLogger(__name__)

#: ``evaluate(genomes, fidelity) -> results`` (``None`` for a candidate never started).
EvaluateFn = Callable[[Sequence[Genome], float], list[EvaluationResult | None]]

SAMPLERS = ("tpe", "gp")


def _optuna() -> Any:
    return import_optuna("Bayesian tuning")


def _to_optuna(dist: Distribution) -> Any:
    """The Optuna distribution of an autopipe one (categorical choices as their indices)."""
    optuna = _optuna()
    if isinstance(dist, Categorical):
        # choices may be any objects (callables, estimators): Optuna sees their positions
        return optuna.distributions.CategoricalDistribution(list(range(len(dist.choices))))
    if isinstance(dist, IntDistribution):
        return optuna.distributions.IntDistribution(dist.low, dist.high, log=dist.log)
    if isinstance(dist, FloatDistribution):
        return optuna.distributions.FloatDistribution(dist.low, dist.high, log=dist.log)
    raise TypeError(f"no Optuna distribution for {dist!r}")


def _to_internal(h: Hyperparameter, value: Any) -> Any:
    if isinstance(h.distribution, Categorical):
        return next(i for i, c in enumerate(h.distribution.choices) if Categorical((c,)).contains(value))
    return value


def _from_internal(h: Hyperparameter, value: Any) -> Any:
    if isinstance(h.distribution, Categorical):
        return h.distribution.choices[int(value)]
    if isinstance(h.distribution, FloatDistribution):
        # the precision the search's own values have, so that near-identical trials share one key
        return h.distribution.snap(value)
    return value


def make_sampler(name: str, seed: int) -> Any:
    """Optuna's TPE (``"tpe"``, multivariate) or Gaussian-process (``"gp"``) sampler, seeded."""
    optuna = _optuna()
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed, multivariate=True, n_startup_trials=5)
    if name == "gp":
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
    """

    def __init__(self, genome: Genome, *, sampler: str = "tpe", seed: int = 0,
                 known: Sequence[tuple[Genome, float]] = (), pruner: Any = None) -> None:
        optuna = _optuna()
        self.genome = genome
        self.slots = genome.hyperparameters()
        self.distributions = {h.slot: _to_optuna(h.distribution) for h in self.slots}
        self.study = optuna.create_study(direction="maximize", sampler=make_sampler(sampler, seed), pruner=pruner)
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
            values = {h.slot: _to_internal(h, h.value) for h in other.hyperparameters()}
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
        values = {h.slot: _from_internal(h, trial.params[h.slot]) for h in self.slots}
        genome = self.genome.with_values(values)
        self._seen.add(genome.key)
        return trial, genome

    def tell(self, trial: Any, result: EvaluationResult | None, *, pruned: bool = False) -> None:
        """Record a trial's full-fidelity result (or that it failed or was pruned)."""
        optuna = _optuna()
        if pruned:
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
    next rung. ``known(genome)`` returns a full-fidelity result measured
    before (the trial is told it without evaluating again). ``max_trials``
    ends the tuning after that many trials (all tuners together),
    ``max_batches`` after that many evaluated batches.

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
        alive = batch
        for fidelity in rungs:
            if not alive or deadline.expired():
                break
            results = evaluate([g for _, _, g in alive], fidelity)
            survivors = []
            for (tuner, trial, genome), result in zip(alive, results):
                if result is None:  # never started before the deadline
                    tuner.tell(trial, None)
                elif fidelity >= 1.0 or not result.ok:
                    tuner.tell(trial, result)
                else:
                    trial.report(result.score, resource(fidelity, rungs))
                    if trial.should_prune():
                        tuner.tell(trial, result, pruned=True)
                    else:
                        survivors.append((tuner, trial, genome))
                        continue
                told += 1
            alive = survivors
        for tuner, trial, _ in alive:  # cut off by the deadline between rungs
            tuner.tell(trial, None)
            told += 1
    return told
