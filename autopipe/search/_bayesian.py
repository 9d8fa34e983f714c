"""``BayesianStrategy``: Optuna's TPE over a flattened, conditional pipeline space."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

from ..evaluate import EvaluationResult
from ..genome import Genome
from ..space import Distribution, Operator, Role, import_optuna, suggest_value, to_optuna, to_optuna_value
from ._base import BaseStrategy, SearchContext

_NONE = "none"


def _optuna() -> Any:
    return import_optuna("strategy='bayesian'")


class _Replay:
    """Answers a proposal's questions from an evaluated chain, recording them as an Optuna trial would."""

    def __init__(self, space: Any, genome: Genome) -> None:
        names = genome.operator_names
        self.space, self.model, self.chain = space, names[0], names[:0:-1]  # prefix order: the model first
        self.values = {f"{h.operator}.{h.param}": h.value for h in genome.hyperparameters()}
        self.params: dict[str, Any] = {}
        self.distributions: dict[str, Any] = {}

    def _record(self, name: str, value: Any, distribution: Any) -> Any:
        self.params[name], self.distributions[name] = value, distribution
        return value

    def _distribution(self, name: str) -> Distribution:
        """The space's distribution of the hyperparameter ``name`` (``operator.param``)."""
        op, _, param = name.partition(".")
        return self.space[op].params[param]

    def suggest_categorical(self, name: str, choices: list[Any]) -> Any:
        distribution = _optuna().distributions.CategoricalDistribution(choices)
        if name == "model":
            value = [op.name for op in self.space.models].index(self.model)
        elif name.startswith("step") and name[4:].isdigit():
            k = int(name[4:])
            value = self.chain[k] if k < len(self.chain) else _NONE
        else:  # an operator's categorical hyperparameter, offered by position
            value = to_optuna_value(self._distribution(name), self.values[name])
        choices.index(value)  # a ValueError if the trial would not offer it
        return self._record(name, value, distribution)

    def suggest_int(self, name: str, low: int, high: int, log: bool = False) -> int:
        return self._record(name, int(self.values[name]), to_optuna(self._distribution(name)))

    def suggest_float(self, name: str, low: float, high: float, log: bool = False) -> float:
        return self._record(name, float(self.values[name]), to_optuna(self._distribution(name)))


class BayesianStrategy(BaseStrategy):
    """Bayesian optimization (Optuna's TPE) over a flattened, conditional pipeline space.

    A pipeline is a chain of up to ``max_steps`` preprocessing steps and a
    model. Each trial chooses, in order, the model, then for each step slot
    an operator or ``"none"``, then the hyperparameters of the chosen
    operators only (conditional parameters, suggested define-by-run: a
    parameter of an operator that is not chosen does not exist in that trial).
    The multivariate, grouped TPE sampler models these choices jointly, so
    good models and good preprocessing for them are proposed together. The
    context's initial pipelines are evaluated first; their scores do not seed
    the sampler (they are trees outside the flattened space when they hold
    unions or stacked models). A search that continues a history
    (``warm_start``, a checkpoint) starts the sampler from every chain of that
    history the flattened space can express, so it goes on learning where it
    stopped.

    The sampler is rebuilt from the finished trials at every ``ask``, seeded
    from the search's random generator, so the strategy pickles and resumes
    deterministically. TPE's cost per proposal grows with the trials it
    models, so a long search models at most ``max_trials`` of them: the best
    half and the most recent ones.

    Parameters
    ----------
    max_steps : int, default=2
        Preprocessing step slots before the model.
    n_startup_trials : int, default=10
        Random trials before TPE starts modelling.
    max_trials : int, default=400
        Finished trials the sampler models at most: the ``max_trials // 2``
        best, then the most recent until there are ``max_trials``. TPE's
        "good" group is at most the best 25 trials, so it is unchanged; only
        the model of the rest thins out. Must exceed ``n_startup_trials``.

    Attributes
    ----------
    trials_ : list of (dict, dict, float)
        Finished trials: their parameters, Optuna distributions and score.
    """

    def __init__(self, max_steps: int = 2, n_startup_trials: int = 10, max_trials: int = 400) -> None:
        self.max_steps = max_steps
        self.n_startup_trials = n_startup_trials
        self.max_trials = max_trials

    def setup(self, context: SearchContext) -> None:
        """Queue the initial pipelines; trials from the chains of a continued history."""
        super().setup(context)
        if self.max_steps < 0 or self.n_startup_trials < 0 or self.max_trials <= self.n_startup_trials:
            raise ValueError(
                "BayesianStrategy needs max_steps >= 0, n_startup_trials >= 0 and max_trials > n_startup_trials, "
                f"got {self.max_steps}, {self.n_startup_trials} and {self.max_trials}"
            )
        _optuna()
        self.trials_: list[tuple[dict[str, Any], dict[str, Any], float]] = []
        self.asked_: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        self.pending_ = list(context.initial)
        for entry in context.history:
            result = entry.result
            if result.ok and result.fidelity == 1.0 and math.isfinite(result.score):
                replayed = self._replay(entry.genome)
                if replayed is not None:
                    self.trials_.append((*replayed, float(result.score)))

    def _replay(self, genome: Genome) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The trial parameters and distributions that propose ``genome``, or None if no trial can."""
        replay = _Replay(self.context_.space, genome)
        try:
            proposed = self._propose(replay)
            _optuna().trial.create_trial(params=replay.params, distributions=replay.distributions, value=0.0)
        except (KeyError, ValueError, IndexError):  # a tree, a longer chain, a value outside the space
            return None
        return (replay.params, replay.distributions) if proposed.key == genome.key else None

    def _study(self) -> Any:
        optuna = _optuna()
        seed = int(self.context_.rng.integers(2**31 - 1))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)  # `multivariate`, `group`
            sampler = optuna.samplers.TPESampler(seed=seed, multivariate=True, group=True,
                                                 n_startup_trials=self.n_startup_trials)
        study = optuna.create_study(direction="maximize", sampler=sampler)
        for params, distributions, value in self._modelled_trials():
            study.add_trial(optuna.trial.create_trial(params=params, distributions=distributions, value=value))
        return study

    def _modelled_trials(self) -> list[tuple[dict[str, Any], dict[str, Any], float]]:
        """The trials the sampler learns from, in the order they finished: all, or the best and the latest."""
        if len(self.trials_) <= self.max_trials:
            return self.trials_
        by_score = sorted(range(len(self.trials_)), key=lambda i: -self.trials_[i][2])
        keep = set(by_score[: self.max_trials // 2])
        for i in reversed(range(len(self.trials_))):
            if len(keep) == self.max_trials:
                break
            keep.add(i)
        return [self.trials_[i] for i in sorted(keep)]

    def _propose(self, trial: Any) -> Genome:
        space = self.context_.space
        models = list(space.models)
        steps = [op for op in space if op.role in (Role.TRANSFORMER, Role.SELECTOR)]
        model = models[trial.suggest_categorical("model", list(range(len(models))))]
        chain: list[Operator] = []
        if not model.input_only:
            names = [_NONE, *(op.name for op in steps)]
            for k in range(self.max_steps):
                choice = trial.suggest_categorical(f"step{k}", names)
                if choice == _NONE or (space[choice].input_only and chain):
                    break  # an operator that only takes the raw input cannot follow another step
                chain.append(space[choice])
        plan = []
        for op in [*chain, model]:
            # parameters are named by operator (shared across slots), so TPE learns them per operator
            params = {p: suggest_value(trial, f"{op.name}.{p}", d) for p, d in op.params.items() if d.size > 1}
            plan.append((op.name, params))
        return Genome.from_steps(space, plan)

    def ask(self, n: int) -> list[Genome]:
        """Initial pipelines first, then ``n`` new TPE proposals (seen ones are told their score and skipped).

        Fewer when the context's deadline passes while proposing (at least one).
        """
        taken: set[str] = set()
        out = self._initial(n, taken)
        if len(out) == n:
            return out
        study = self._study()
        deadline = self.context_.deadline
        for _ in range(max(20, 5 * n)):
            if len(out) == n:
                break
            if out and deadline is not None and deadline.expired():
                return out  # each proposal takes milliseconds: none after the batch's time is up
            trial = study.ask()
            genome = self._propose(trial)
            entry = self.context_.history.get(genome.key)
            if entry is not None or genome.key in taken:
                # a pipeline seen before: the sampler learns its score (or that it was a repeat) at once
                value = entry.result.score if entry is not None and entry.result.ok else None
                if value is not None and math.isfinite(value):
                    self.trials_.append((dict(trial.params), dict(trial.distributions), float(value)))
                    study.tell(trial, value)
                else:
                    study.tell(trial, state=_optuna().trial.TrialState.FAIL)
                continue
            self.asked_[genome.key] = (dict(trial.params), dict(trial.distributions))
            out.append(genome)
            taken.add(genome.key)
        # the sampler keeps proposing pipelines seen before: fall back to random ones
        return self._fill(out, n, taken, self._fresh_random)

    def tell(self, genomes: Sequence[Genome], results: Sequence[EvaluationResult]) -> None:
        """Finish the trials of successful candidates (failures teach the sampler nothing)."""
        for genome, result in zip(genomes, results):
            asked = self.asked_.pop(genome.key, None)
            if asked is not None and result.ok and math.isfinite(result.score):
                self.trials_.append((asked[0], asked[1], float(result.score)))
