"""``SearchHistory``: every candidate evaluated so far, in evaluation order."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace

from ..evaluate import EvaluationResult
from ..genome import Genome


@dataclass(frozen=True)
class HistoryEntry:
    """One evaluated candidate: its genome, result, generation and finishing time."""

    genome: Genome
    result: EvaluationResult
    generation: int
    elapsed: float

    @property
    def sort_key(self) -> tuple[float, int]:
        """Best first: higher score, then fewer operators (sorting is stable: then earlier)."""
        score = self.result.score if self.result.ok else -math.inf
        return (-score, self.genome.complexity)


class SearchHistory:
    """The record of a search; checkpoints serialize exactly this object.

    Entries are appended as results arrive; a key is recorded once per fidelity.

    Parameters
    ----------
    max_oof_bytes : int, default=256 MiB
        Memory for out-of-fold predictions. Only the best full-fidelity results
        keep theirs: when the stored predictions would exceed this bound, those
        of the worst-scoring result are dropped (its ``oof`` becomes ``None``).
        At least 5 results always keep their predictions.
    """

    def __init__(self, max_oof_bytes: int = 256 * 2**20) -> None:
        self.max_oof_bytes = max_oof_bytes
        self.entries: list[HistoryEntry] = []
        self._index: dict[tuple[str, float], int] = {}
        self._keys: set[str] = set()
        self._with_oof: list[int] = []

    def add(self, genome: Genome, result: EvaluationResult, generation: int, elapsed: float) -> HistoryEntry:
        """Record one result (dropping the worst stored out-of-fold predictions if over the bound)."""
        entry = HistoryEntry(genome, result, generation, elapsed)
        self._index[(genome.key, result.fidelity)] = len(self.entries)
        self._keys.add(genome.key)
        self.entries.append(entry)
        if result.oof is not None:
            self._with_oof.append(len(self.entries) - 1)
            self._bound_oof(result.oof.nbytes)
        return entry

    def _bound_oof(self, nbytes: int) -> None:
        keep = max(5, self.max_oof_bytes // max(1, nbytes))
        while len(self._with_oof) > keep:
            worst = min(self._with_oof, key=self._oof_rank)
            self._with_oof.remove(worst)
            old = self.entries[worst]
            self.entries[worst] = HistoryEntry(old.genome, replace(old.result, oof=None), old.generation, old.elapsed)

    def _oof_rank(self, i: int) -> float:
        """Which stored predictions to drop first: low-fidelity, failed, then low scores."""
        result = self.entries[i].result
        return result.score if result.ok and result.fidelity == 1.0 else -math.inf

    def copy(self) -> SearchHistory:
        """A new history holding the same entries."""
        new = SearchHistory()
        for e in self.entries:
            new.add(e.genome, e.result, e.generation, e.elapsed)
        return new

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def seen(self, key: str, fidelity: float = 1.0) -> bool:
        """Whether ``key`` was evaluated at ``fidelity``."""
        return (key, fidelity) in self._index

    def keys(self) -> set[str]:
        """Every key evaluated at any fidelity."""
        return set(self._keys)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[HistoryEntry]:
        return iter(self.entries)

    def ranked(self, *, fidelity: float | None = 1.0) -> list[HistoryEntry]:
        """Entries best first (failures last); only ``fidelity`` if given."""
        chosen = [e for e in self.entries if fidelity is None or e.result.fidelity == fidelity]
        return sorted(chosen, key=lambda e: e.sort_key)

    def best(self, *, fidelity: float | None = 1.0) -> HistoryEntry | None:
        """The best successful entry, or ``None``."""
        ranked = self.ranked(fidelity=fidelity)
        return ranked[0] if ranked and ranked[0].result.ok else None

    def best_score(self) -> float:
        """Best full-fidelity score so far (``-inf`` if none)."""
        best = self.best()
        return best.result.score if best else -math.inf

    def pareto_front(self) -> list[HistoryEntry]:
        """Successful full-fidelity entries not dominated in (score up, complexity down)."""
        front: list[HistoryEntry] = []
        best_score = -math.inf
        ok = [e for e in self.ranked() if e.result.ok]
        for entry in sorted(ok, key=lambda e: (e.genome.complexity, -e.result.score)):
            if entry.result.score > best_score:
                front.append(entry)
                best_score = entry.result.score
        return front
