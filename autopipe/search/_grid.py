"""``GridStrategy``: every pipeline of a small, finite search space, in a seeded random order."""

from __future__ import annotations

import itertools
import math
from typing import Any

from ..genome import Genome
from ..space import Categorical, Distribution, FloatDistribution, IntDistribution, Operator, Role, SearchSpace
from ._base import BaseStrategy, SearchContext


def _values(op: Operator, name: str, dist: Distribution) -> tuple[Any, ...]:
    if isinstance(dist, Categorical):
        return dist.choices
    if isinstance(dist, IntDistribution):
        return tuple(range(dist.low, dist.high + 1))
    if isinstance(dist, FloatDistribution) and dist.low == dist.high:
        return (dist.low,)
    raise ValueError(
        f"grid search needs a finite set of values for every hyperparameter, but {op.name}.{name} is "
        f"{dist}; give it a list of values in the search space"
    )


def _settings(op: Operator) -> list[dict[str, Any]]:
    names = sorted(op.params)
    grids = [_values(op, name, op.params[name]) for name in names]
    return [dict(zip(names, combo)) for combo in itertools.product(*grids)]


def grid_size(space: SearchSpace) -> int:
    """Number of pipelines :class:`GridStrategy` enumerates for ``space``.

    Every model with every combination of its hyperparameter values, alone or
    after one preprocessing step (transformer or selector, with every
    combination of its values). Raises ``ValueError`` when a hyperparameter
    has infinitely many values.
    """
    for op in [*space.models, *_steps(space)]:
        for name, dist in op.params.items():
            _values(op, name, dist)  # a continuous one raises

    def count(op: Operator) -> float:
        return math.prod(op.params[n].size for n in op.params)

    steps = sum(count(op) for op in _steps(space))
    # a model that only takes the raw input is never preceded by a step
    return int(sum(count(m) * (1 + (0 if m.input_only else steps)) for m in space.models))


def _steps(space: SearchSpace) -> list[Operator]:
    return [op for op in space if op.role in (Role.TRANSFORMER, Role.SELECTOR)]


class GridStrategy(BaseStrategy):
    """Grid search over a small search space.

    The grid is every model with every combination of its hyperparameter
    values, alone and after each single preprocessing step with every
    combination of that step's values (:func:`grid_size` counts them). The
    order is shuffled with the search's random generator, so that a search
    cut short by its budget sees an unbiased part of the grid; the context's
    initial pipelines come first. The search ends when the grid is done.

    Parameters
    ----------
    max_size : int, default=10_000
        Largest grid accepted. A larger space, or one with a continuous
        hyperparameter, is a ``ValueError`` at the start of ``fit`` that
        gives its size (or the continuous parameter).

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.preprocessing import StandardScaler
    >>> from autopipe import AutoClassifier
    >>> space = {LogisticRegression: {"C": [0.1, 1.0, 10.0]}, StandardScaler: {}}
    >>> clf = AutoClassifier(search_space=space, strategy="grid", time_budget=None)
    """

    def __init__(self, max_size: int = 10_000) -> None:
        self.max_size = max_size

    def setup(self, context: SearchContext) -> None:
        """Enumerate the grid (or refuse a space too large to enumerate)."""
        super().setup(context)
        space = context.space
        size = grid_size(space)
        if size > self.max_size:
            raise ValueError(
                f"grid search: this search space holds {size:,} pipelines, more than max_size="
                f"{self.max_size:,}; give fewer hyperparameter values, use fewer operators, or choose "
                "another strategy"
            )
        genomes = []
        for model in space.models:
            for params in _settings(model):
                genomes.append(Genome.from_steps(space, [(model.name, params)]))
                for step in [] if model.input_only else _steps(space):
                    for step_params in _settings(step):
                        genomes.append(Genome.from_steps(space, [(step.name, step_params), (model.name, params)]))
        order = context.rng.permutation(len(genomes))
        self.grid_ = [*context.initial, *(genomes[int(i)] for i in order)]

    def ask(self, n: int) -> list[Genome]:
        """The next ``n`` pipelines of the grid not evaluated yet (none: the grid is done)."""
        def next_in_grid(taken: set[str]) -> Genome | None:
            while self.grid_:
                genome = self.grid_.pop(0)
                if self._is_new(genome, taken):
                    return genome
            return None

        return self._fill([], n, set(), next_in_grid)
