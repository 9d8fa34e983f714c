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
    Before the final choice the best candidates may be re-scored on other
    folds (:meth:`add_check`): from then on they rank first, by their score
    pooled over both sets of folds, so that a candidate lucky on one split
    does not win by chance.

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
        self.checks: dict[str, EvaluationResult] = {}

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

    def add_check(self, key: str, result: EvaluationResult) -> None:
        """Record a re-score of the full-fidelity candidate ``key`` on a second set of folds."""
        self.checks[key] = result

    def clear_checks(self) -> None:
        """Forget every re-score (a continued search re-checks its own best)."""
        self.checks = {}

    def checked_score(self, entry: HistoryEntry) -> float | None:
        """Mean of ``entry``'s fold scores pooled with its re-score's, or ``None`` if not re-scored."""
        check = getattr(self, "checks", {}).get(entry.genome.key)
        if check is None or not check.ok or not entry.result.ok or entry.result.fidelity != 1.0:
            return None
        folds = entry.result.fold_scores + check.fold_scores
        return float(sum(folds) / len(folds))

    def _rank_key(self, entry: HistoryEntry) -> tuple[int, float, int]:
        pooled = self.checked_score(entry)
        if pooled is None:
            return (1, *entry.sort_key)
        return (0, -pooled, entry.genome.complexity)

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
        new.checks = dict(getattr(self, "checks", {}))
        return new

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def seen(self, key: str, fidelity: float = 1.0) -> bool:
        """Whether ``key`` was evaluated at ``fidelity``."""
        return (key, fidelity) in self._index

    def get(self, key: str, fidelity: float = 1.0) -> HistoryEntry | None:
        """The entry of ``key`` at ``fidelity``, or None."""
        i = self._index.get((key, fidelity))
        return None if i is None else self.entries[i]

    def keys(self) -> set[str]:
        """Every key evaluated at any fidelity."""
        return set(self._keys)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[HistoryEntry]:
        return iter(self.entries)

    def ranked(self, *, fidelity: float | None = 1.0) -> list[HistoryEntry]:
        """Entries best first (re-scored ones first, failures last); only ``fidelity`` if given."""
        chosen = [e for e in self.entries if fidelity is None or e.result.fidelity == fidelity]
        return sorted(chosen, key=self._rank_key)

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
