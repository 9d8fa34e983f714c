"""The ask/tell protocol every search strategy implements, and its base class."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
from sklearn.base import BaseEstimator

from .._utils.deadline import Deadline
from ..evaluate import EvaluationResult
from ..genome import Genome
from ..space import SearchSpace
from ._history import SearchHistory


@dataclass
class SearchContext:
    """What a strategy receives at ``setup``.

    Attributes
    ----------
    space : SearchSpace
        The operators available.
    rng : numpy.random.Generator
        The strategy's own random generator.
    history : SearchHistory
        Every evaluated candidate (read only for strategies).
    initial : list of Genome
        Pipelines that should be part of the first batch (strong defaults and
        user-given baselines).
    deadline : Deadline or None
        When the current batch's evaluation must end; :func:`run_search`
        updates it before each ``ask``. A strategy whose proposals take
        noticeable time stops proposing once it has passed (candidates
        proposed after it would not be evaluated).
    """

    space: SearchSpace
    rng: np.random.Generator
    history: SearchHistory
    initial: list[Genome] = field(default_factory=list)
    deadline: Deadline | None = None


@runtime_checkable
class SearchStrategy(Protocol):
    """Proposes candidates and learns from their results; never fits anything."""

    def setup(self, context: SearchContext) -> None:
        """Receive the space, random generator and history; create working state."""

    def ask(self, n: int) -> list[Genome]:
        """Up to ``n`` new candidates not yet evaluated (possibly fewer)."""

    def tell(self, genomes: Sequence[Genome], results: Sequence[EvaluationResult]) -> None:
        """Learn from the results of candidates returned by ``ask``."""


class BaseStrategy(BaseEstimator):
    """Convenience base: sklearn ``get_params``/``set_params`` and de-duplication helpers."""

    def setup(self, context: SearchContext) -> None:
        """Store the context."""
        self.context_ = context

    def tell(self, genomes: Sequence[Genome], results: Sequence[EvaluationResult]) -> None:
        """Default: learn nothing."""

    def _initial(self, n: int, taken: set[str]) -> list[Genome]:
        """Up to ``n`` of the queued initial genomes (``pending_``) not evaluated yet, popped."""
        out: list[Genome] = []
        pending = getattr(self, "pending_", [])
        while pending and len(out) < n:
            genome = pending.pop(0)
            if self._is_new(genome, taken):
                out.append(genome)
                taken.add(genome.key)
        return out

    def _fill(self, out: list[Genome], n: int, taken: set[str],
              propose: Callable[[set[str]], Genome | None]) -> list[Genome]:
        """Append ``propose(taken)`` to ``out`` until it holds ``n`` (or ``propose`` returns None)."""
        while len(out) < n:
            genome = propose(taken)
            if genome is None:
                break
            out.append(genome)
            taken.add(genome.key)
        return out

    def _is_new(self, genome: Genome, taken: set[str]) -> bool:
        return genome.key not in taken and genome.key not in self.context_.history

    def _first_new(self, make: Callable[[], Genome], taken: set[str], tries: int) -> Genome | None:
        """The first of ``tries`` genomes ``make()`` returns that is not evaluated yet and not in ``taken``."""
        for _ in range(tries):
            genome = make()
            if self._is_new(genome, taken):
                return genome
        return None

    def _fresh_random(self, taken: set[str], tries: int = 50) -> Genome | None:
        """A random genome not evaluated yet and not in ``taken``."""
        ctx = self.context_
        return self._first_new(lambda: Genome.random(ctx.space, ctx.rng), taken, tries)

    def _new_child(self, make: Callable[[np.random.Generator], Genome], taken: set[str]) -> Genome | None:
        """A new genome from ``make(rng)`` (20 tries), else a fresh random one."""
        rng = self.context_.rng
        child = self._first_new(lambda: make(rng), taken, 20)
        return child if child is not None else self._fresh_random(taken)
