"""``SearchHistory``: every candidate evaluated so far, in evaluation order."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..evaluate import EvaluationResult
from ..genome import Genome

#: Default of ``SearchHistory(max_oof_bytes=...)``.
MAX_OOF_BYTES = 256 * 2**20
#: Default of ``SearchHistory(max_oof_results=...)``: the most candidates an
#: ensemble considers (``MAX_CANDIDATES`` of the ensemblers).
MAX_OOF_RESULTS = 20
#: The kinds of out-of-fold predictions an ensemble uses (class probabilities, regression predictions).
ENSEMBLE_OOF_KINDS = ("proba", "predict")


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

    Out-of-fold predictions are kept only for the candidates that can still
    enter an ensemble: successful full-fidelity results whose predictions are
    finite class probabilities (``oof_kind="proba"``) or regression
    predictions (``"predict"``), the best ``max_oof_results`` of them in the
    order of :meth:`ranked`, and of those only as many, best first, as fit in
    ``max_oof_bytes`` together. Every other recorded result has ``oof=None``:
    its predictions are dropped when it is recorded, or when better results
    push it out (it never gets them back). The bound holds after every
    :meth:`add`. Re-scores (:meth:`add_check`) keep no predictions.

    Parameters
    ----------
    max_oof_bytes : int, default=256 MiB
        Memory for the kept out-of-fold predictions, in bytes. With ``n``
        rows and ``c`` classes one result's take ``4 * n * c`` bytes
        (float32). If the best result's predictions alone exceed it, none
        are kept, and no ensemble is built.
    max_oof_results : int, default=20
        The most results that keep their predictions: the ensemblers
        consider the 20 best candidates at most.
    """

    def __init__(self, max_oof_bytes: int = MAX_OOF_BYTES, max_oof_results: int = MAX_OOF_RESULTS) -> None:
        for name, value in (("max_oof_bytes", max_oof_bytes), ("max_oof_results", max_oof_results)):
            if isinstance(value, bool) or int(value) != value or value < 0:
                raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
        self.max_oof_bytes = int(max_oof_bytes)
        self.max_oof_results = int(max_oof_results)
        self.entries: list[HistoryEntry] = []
        self._index: dict[tuple[str, float], int] = {}
        self._keys: set[str] = set()
        self._with_oof: list[int] = []
        self.checks: dict[str, EvaluationResult] = {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("checks", {})
        if "max_oof_results" not in state:  # pickled (a checkpoint) before the bound counted results
            self.max_oof_results = MAX_OOF_RESULTS
            for i in self._with_oof:
                if not _ensemble_ready(self.entries[i].result):
                    self._drop_oof(i)
            self._with_oof = [i for i in self._with_oof if self.entries[i].result.oof is not None]
            self._bound_oof()

    def add(self, genome: Genome, result: EvaluationResult, generation: int, elapsed: float) -> HistoryEntry:
        """Record one result; returns its entry as stored (``oof`` None unless an ensemble may use it)."""
        keep = result.oof is not None and _ensemble_ready(result)
        if result.oof is not None and not keep:
            result = replace(result, oof=None)
        index = len(self.entries)
        self._index[(genome.key, result.fidelity)] = index
        self._keys.add(genome.key)
        self.entries.append(HistoryEntry(genome, result, generation, elapsed))
        if keep:
            self._with_oof.append(index)
            self._bound_oof()
        return self.entries[index]

    def add_check(self, key: str, result: EvaluationResult) -> None:
        """Record a re-score of the full-fidelity candidate ``key`` on a second set of folds (without predictions)."""
        self.checks[key] = result if result.oof is None else replace(result, oof=None)

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

    def _bound_oof(self) -> None:
        """Keep the predictions of the best results, as many as ``max_oof_results`` and ``max_oof_bytes`` allow."""
        best_first = sorted(self._with_oof, key=lambda i: (self._rank_key(self.entries[i]), i))
        kept: list[int] = []
        total = 0
        for i in best_first:
            nbytes = self.entries[i].result.oof.nbytes  # type: ignore[union-attr]
            if len(kept) == self.max_oof_results or total + nbytes > self.max_oof_bytes:
                break  # this one and every worse one go
            kept.append(i)
            total += nbytes
        for i in best_first[len(kept):]:
            self._drop_oof(i)
        self._with_oof = kept

    def _drop_oof(self, i: int) -> None:
        old = self.entries[i]
        self.entries[i] = HistoryEntry(old.genome, replace(old.result, oof=None), old.generation, old.elapsed)

    def oof_nbytes(self) -> int:
        """Bytes of the out-of-fold predictions the history keeps (at most ``max_oof_bytes``)."""
        return sum(e.result.oof.nbytes for e in self.entries if e.result.oof is not None)

    def copy(self) -> SearchHistory:
        """A new history holding the same entries, with the same bounds."""
        new = SearchHistory(self.max_oof_bytes, self.max_oof_results)
        new.checks = dict(getattr(self, "checks", {}))  # first: re-scores rank entries for the bound
        for e in self.entries:
            new.add(e.genome, e.result, e.generation, e.elapsed)
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


def _ensemble_ready(result: EvaluationResult) -> bool:
    """Whether an ensemble could use the result's out-of-fold predictions."""
    return (result.ok and result.fidelity == 1.0 and result.oof is not None
            and result.oof_kind in ENSEMBLE_OOF_KINDS and not np.isinf(result.oof).any()
            and bool(np.isfinite(result.oof).any()))  # NaN where the folds do not test (holdout, time order)
