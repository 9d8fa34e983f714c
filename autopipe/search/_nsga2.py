"""``EvolutionStrategy``: NSGA-II genetic programming over (score, complexity)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from deap import base, tools

from ..evaluate import EvaluationResult
from ..genome import Genome
from ._base import BaseStrategy, SearchContext
from ._surrogate import SurrogateModel


class _Fitness(base.Fitness):
    weights = (1.0, -1.0)  # maximize score, minimize complexity


class _Individual:
    """A genome with the DEAP fitness that NSGA-II selection reads."""

    __slots__ = ("fitness", "genome")

    def __init__(self, genome: Genome, score: float) -> None:
        self.genome = genome
        self.fitness = _Fitness((score, float(genome.complexity)))


def select_nsga2(genomes: Sequence[Genome], scores: Sequence[float], k: int) -> list[Genome]:
    """The ``k`` best genomes by NSGA-II (non-dominated sorting, then crowding distance)."""
    individuals = [_Individual(g, s) for g, s in zip(genomes, scores)]
    return [ind.genome for ind in tools.selNSGA2(individuals, min(k, len(individuals)))]


class EvolutionStrategy(BaseStrategy):
    """Multi-objective genetic programming (NSGA-II) over pipeline trees.

    Each generation, offspring are made from the current population by
    crossover (swapping typed subtrees) or mutation (insert, remove or replace
    a step, or change a hyperparameter); parents and offspring are then reduced
    to ``population_size`` by NSGA-II selection on (CV score, complexity).
    Offspring that were evaluated before are never proposed again.

    Parameters
    ----------
    population_size : int, default=20
        Number of pipelines kept between generations (and size of generation 0).
    offspring_size : int or None, default=None
        Offspring per generation; ``None`` means ``population_size``.
    mutation_rate : float, default=0.9
        Probability that an offspring is made by mutation.
    crossover_rate : float, default=0.1
        Probability that an offspring is made by crossover. ``mutation_rate +
        crossover_rate`` must not exceed 1; the rest are fresh random pipelines.
    surrogate : bool, default=False
        Surrogate-assisted evolution: once the history holds 20 successful
        results, a performance predictor (:class:`SurrogateModel`, gradient
        boosting on pipeline encodings, refitted at every generation) screens
        ``screen_factor`` times more offspring than are asked for, and only
        the most promising are proposed; a share ``explore`` of each batch is
        drawn at random from the rest, so the predictor keeps learning about
        what it ranks low.
    screen_factor : int, default=4
        Offspring made per offspring proposed, with ``surrogate``.
    explore : float, default=0.2
        Share of each screened batch chosen at random, with ``surrogate``.

    Attributes
    ----------
    population_ : list of Genome
        The current population.
    screened_ : int
        Offspring the surrogate kept from evaluation.
    """

    def __init__(
        self,
        population_size: int = 20,
        offspring_size: int | None = None,
        mutation_rate: float = 0.9,
        crossover_rate: float = 0.1,
        surrogate: bool = False,
        screen_factor: int = 4,
        explore: float = 0.2,
    ) -> None:
        self.population_size = population_size
        self.offspring_size = offspring_size
        self.mutation_rate = mutation_rate
        self.crossover_rate = crossover_rate
        self.surrogate = surrogate
        self.screen_factor = screen_factor
        self.explore = explore

    def setup(self, context: SearchContext) -> None:
        """Start from the history's best (empty at first: then ``ask`` makes generation 0)."""
        super().setup(context)
        # A resumed search starts from the best of what was already evaluated.
        done = [e for e in context.history.ranked() if e.result.ok]
        self.scores_: dict[str, float] = {e.genome.key: e.result.score for e in done}
        self.population_: list[Genome] = select_nsga2(
            [e.genome for e in done], [e.result.score for e in done], self.population_size
        )
        self.pending_ = list(context.initial)
        self.screened_ = 0
        self.surrogate_ = (SurrogateModel(context.space, random_state=int(context.rng.integers(2**31 - 1)))
                           if self.surrogate else None)

    def ask(self, n: int) -> list[Genome]:
        """``n`` new genomes: generation 0 at first, offspring of the population after."""
        taken: set[str] = set()
        out = self._initial(n, taken)
        screening = self.surrogate_ is not None and self.population_ and len(out) < n
        if screening and self.surrogate_.fit(self.context_.history):  # type: ignore[union-attr]
            return out + self._screened(n - len(out), taken)
        return self._fill(out, n, taken, self._offspring if self.population_ else self._fresh_random)

    def _screened(self, n: int, taken: set[str]) -> list[Genome]:
        """The ``n`` most promising of ``screen_factor * n`` offspring, a share ``explore`` of them at random."""
        rng = self.context_.rng
        pool = self._fill([], max(n, self.screen_factor * n), taken, self._offspring)
        if len(pool) <= n:
            return pool
        predicted = self.surrogate_.predict(pool)  # type: ignore[union-attr]
        n_explore = int(round(self.explore * n))
        order = list(np.argsort(-predicted, kind="stable"))
        best, rest = order[: n - n_explore], order[n - n_explore:]
        extra = [rest[int(i)] for i in rng.choice(len(rest), size=min(n_explore, len(rest)), replace=False)]
        self.screened_ += len(pool) - n
        return [pool[int(i)] for i in [*best, *extra]]

    def _offspring(self, taken: set[str]) -> Genome | None:
        pop = self.population_

        def make(rng: np.random.Generator) -> Genome:
            r = rng.random()
            if r < self.crossover_rate and len(pop) > 1:
                i, j = rng.choice(len(pop), size=2, replace=False)
                child = pop[int(i)].crossover(pop[int(j)], rng)[0]
                return child if self._is_new(child, taken) else child.mutate(rng)
            if r < self.crossover_rate + self.mutation_rate:
                return pop[int(rng.integers(len(pop)))].mutate(rng)
            return Genome.random(self.context_.space, rng)

        return self._new_child(make, taken)

    def tell(self, genomes: Sequence[Genome], results: Sequence[EvaluationResult]) -> None:
        """Merge successful offspring into the population and select survivors."""
        for genome, result in zip(genomes, results):
            if result.ok:
                self.scores_[genome.key] = result.score
        pool = {g.key: g for g in [*self.population_, *genomes] if g.key in self.scores_}
        candidates = list(pool.values())
        scores = [self.scores_[g.key] for g in candidates]
        self.population_ = select_nsga2(candidates, scores, self.population_size)
