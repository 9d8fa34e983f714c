"""``RandomStrategy``: random pipelines; the reference implementation of the protocol."""

from __future__ import annotations

from ..genome import Genome
from ._base import BaseStrategy, SearchContext


class RandomStrategy(BaseStrategy):
    """Random search over pipelines: each candidate is an independent random genome.

    The first batch starts with the context's initial pipelines.

    Examples
    --------
    >>> from autopipe import AutoClassifier
    >>> from autopipe.search import RandomStrategy
    >>> est = AutoClassifier(strategy=RandomStrategy(), time_budget=5)
    """

    def setup(self, context: SearchContext) -> None:
        """Queue the initial pipelines."""
        super().setup(context)
        self.pending_ = list(context.initial)

    def ask(self, n: int) -> list[Genome]:
        """Up to ``n`` unseen random genomes."""
        taken: set[str] = set()
        return self._fill(self._initial(n, taken), n, taken, self._fresh_random)
