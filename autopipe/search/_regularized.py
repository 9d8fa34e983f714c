"""``RegularizedEvolutionStrategy``: aging evolution, tournament selection and the oldest removed."""

from __future__ import annotations

import collections
from collections.abc import Sequence

import numpy as np

from ..evaluate import EvaluationResult
from ..genome import Genome
from ._base import BaseStrategy, SearchContext


class RegularizedEvolutionStrategy(BaseStrategy):
    """Regularized (aging) evolution over pipeline trees.

    The population is a queue. Each new candidate is a mutation of the best of
    ``sample_size`` pipelines drawn at random from the population (tournament
    selection); once evaluated it joins the queue and the **oldest** pipeline
    leaves it, however good it is. A pipeline therefore survives only through
    its offspring, which favours pipelines whose good score is reproduced by
    their mutations over one lucky evaluation (the regularization that
    aging brings, after Real et al., 2019, "Regularized evolution for image
    classifier architecture search"). Until the population is full, new
    candidates are random pipelines (after the context's initial ones).

    Parameters
    ----------
    population_size : int, default=50
        Length of the queue (the "cycle" of the original paper).
    sample_size : int, default=10
        Pipelines drawn for each tournament.

    Attributes
    ----------
    population_ : collections.deque of (Genome, float)
        The living pipelines with their scores, oldest first.

    Examples
    --------
    >>> from autopipe import AutoClassifier
    >>> clf = AutoClassifier(strategy="regularized-evolution", time_budget=10)
    """

    def __init__(self, population_size: int = 50, sample_size: int = 10) -> None:
        self.population_size = population_size
        self.sample_size = sample_size

    def setup(self, context: SearchContext) -> None:
        """Start from the latest successful pipelines of the history (a resumed search), else empty."""
        super().setup(context)
        if self.population_size < 1 or not 1 <= self.sample_size:
            raise ValueError(
                f"RegularizedEvolutionStrategy needs population_size >= 1 and sample_size >= 1, got "
                f"{self.population_size} and {self.sample_size}"
            )
        done = [(e.genome, e.result.score) for e in context.history if e.result.ok and e.result.fidelity == 1.0]
        self.population_: collections.deque[tuple[Genome, float]] = collections.deque(
            done[-self.population_size:], maxlen=self.population_size
        )
        self.pending_ = list(context.initial)

    def ask(self, n: int) -> list[Genome]:
        """``n`` new genomes: initial ones, random ones while the population fills, then mutated tournament winners."""
        taken: set[str] = set()

        def propose(taken: set[str]) -> Genome | None:
            full = len(self.population_) >= min(self.population_size, self.sample_size)
            return self._child(taken) if full else self._fresh_random(taken)

        return self._fill(self._initial(n, taken), n, taken, propose)

    def _child(self, taken: set[str]) -> Genome | None:
        members = list(self.population_)

        def make(rng: np.random.Generator) -> Genome:
            drawn = rng.choice(len(members), size=min(self.sample_size, len(members)), replace=False)
            parent = max((members[int(i)] for i in drawn), key=lambda m: (m[1], -m[0].complexity))[0]
            return parent.mutate(rng)

        return self._new_child(make, taken)

    def tell(self, genomes: Sequence[Genome], results: Sequence[EvaluationResult]) -> None:
        """Append the successful candidates; the oldest leave the full queue."""
        for genome, result in zip(genomes, results):
            if result.ok:
                self.population_.append((genome, result.score))
