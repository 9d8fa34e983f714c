"""The estimator's parameters as one typed value, checked together, that the fit run reads."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, clone

from .._utils.sklearn_shim import HasMethods, Interval, StrOptions, check_params
from ..ensemble import Ensembler, SelectionEnsembler, StackingEnsembler
from ..search import STRATEGIES, EvolutionStrategy, GridStrategy, SearchStrategy
from ..space import SearchSpace
from ..tune import check_sampler

#: What each parameter of the estimators may be (sklearn's parameter validation).
PARAMETER_CONSTRAINTS: dict[str, list[Any]] = {
    "task": [StrOptions({"auto", "classification", "regression"})],
    "scoring": [str, callable, None],
    "cv": [StrOptions({"auto"}), Interval(Integral, 2, None, closed="left"), HasMethods(["split", "get_n_splits"]),
           list],
    "time_budget": [Interval(Real, 0, None, closed="neither"), None],
    "generations": [Interval(Integral, 0, None, closed="left"), None],
    "population_size": [Interval(Integral, 1, None, closed="left")],
    "offspring_size": [Interval(Integral, 1, None, closed="left"), None],
    "mutation_rate": [Interval(Real, 0, 1, closed="both")],
    "crossover_rate": [Interval(Real, 0, 1, closed="both")],
    "search_space": [str, dict, SearchSpace],
    "strategy": [StrOptions(set(STRATEGIES)), HasMethods(["setup", "ask", "tell"])],
    "max_eval_time": [Interval(Real, 0, None, closed="neither"), None],
    "early_stop": [Interval(Integral, 1, None, closed="left"), None],
    "n_jobs": [Integral, None],
    "random_state": ["random_state", np.random.Generator],
    "verbose": ["verbose"],
    "memory": [str, Path, HasMethods(["cache"]), None],
    "memory_limit": [Interval(Real, 0, None, closed="neither"), None],
    "ensemble": [StrOptions({"selection", "stacking"}), None],
    "ensemble_size": [Interval(Integral, 1, None, closed="left")],
    "checkpoint": [str, Path, None],
    "warm_start": ["boolean"],
    "initial_pipelines": [list, None],
    "portfolio": ["boolean"],
    "rescore_top": [Interval(Integral, 0, None, closed="left")],
    "device": [StrOptions({"auto", "cpu", "cuda"})],
    "gpu_lanes": [Interval(Integral, 1, None, closed="left")],
    "successive_halving": ["boolean"],
    "tune_share": [Interval(Real, 0, 0.9, closed="both")],
    "tune_sampler": [StrOptions({"tpe", "gp"})],
    "tune_pruner": [StrOptions({"halving", "hyperband"})],
}


@dataclass(frozen=True)
class FitSettings:
    """The parameters of :class:`~autopipe.AutoEstimator` one ``fit`` runs with (see its docstring)."""

    owner: str
    task: str
    scoring: Any
    cv: Any
    time_budget: float | None
    generations: int | None
    population_size: int
    offspring_size: int | None
    mutation_rate: float
    crossover_rate: float
    search_space: Any
    strategy: Any
    max_eval_time: float | None
    early_stop: int | None
    n_jobs: int | None
    random_state: Any
    verbose: int
    memory: Any
    ensemble: str | None
    ensemble_size: int
    memory_limit: float | None
    checkpoint: str | Path | None
    warm_start: bool
    initial_pipelines: list[Any] | None
    portfolio: bool
    rescore_top: int
    device: str
    gpu_lanes: int
    successive_halving: bool
    tune_share: float
    tune_sampler: str
    tune_pruner: str

    @classmethod
    def of(cls, estimator: BaseEstimator, *, task: str | None = None) -> FitSettings:
        """The settings of ``estimator``'s parameters; ``task`` overrides its ``task`` (the fixed-task facades)."""
        params = estimator.get_params(deep=False)
        check_params(PARAMETER_CONSTRAINTS, params, type(estimator).__name__)
        names = {f.name for f in fields(cls)} - {"owner"}
        settings = cls(owner=type(estimator).__name__, **{k: v for k, v in params.items() if k in names})
        settings.check()
        return settings if task is None else replace(settings, task=task)

    def check(self) -> None:
        """Refuse combinations of parameters that cannot work, naming them."""
        ends_by_itself = self.strategy == "grid" or isinstance(self.strategy, GridStrategy)
        if self.time_budget is None and self.generations is None and self.early_stop is None and not ends_by_itself:
            raise ValueError(
                f"{self.owner}: time_budget, generations and early_stop are all None, so the "
                "search would never stop; set at least one of them."
            )
        if self.tune_share:
            check_sampler(self.tune_sampler)
        if self.mutation_rate + self.crossover_rate > 1:
            raise ValueError(
                f"{self.owner}: mutation_rate + crossover_rate must be at most 1, got "
                f"{self.mutation_rate} + {self.crossover_rate}."
            )

    def make_strategy(self) -> SearchStrategy:
        """The search strategy: a named one built from these settings, or a clone of the one given."""
        if isinstance(self.strategy, str):
            cls = STRATEGIES[self.strategy]
            if cls is EvolutionStrategy:
                return EvolutionStrategy(
                    population_size=self.population_size,
                    offspring_size=self.offspring_size,
                    mutation_rate=self.mutation_rate,
                    crossover_rate=self.crossover_rate,
                    surrogate=self.strategy == "surrogate-evolution",
                )
            return cls()
        return clone(self.strategy) if isinstance(self.strategy, BaseEstimator) else self.strategy

    def make_ensembler(self) -> Ensembler | None:
        """The ensembler ``ensemble`` names, or None."""
        if self.ensemble is None:
            return None
        return SelectionEnsembler(self.ensemble_size) if self.ensemble == "selection" else StackingEnsembler()
