"""The leaderboard: one row per evaluated candidate, best first."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

import pandas as pd

from ..evaluate import Status

if TYPE_CHECKING:
    from ..evaluate import EvaluationResult
    from ..genome import Genome

COLUMNS = [
    "rank",
    "pipeline",
    "score",
    "score_std",
    "check_score",
    "complexity",
    "fit_time",
    "status",
    "generation",
    "fidelity",
    "elapsed",
    "error",
    "note",
]


class CandidateRecord(Protocol):
    """One evaluated candidate as the leaderboard reads it (a search history's entries are such records)."""

    @property
    def genome(self) -> Genome:
        """The candidate pipeline."""

    @property
    def result(self) -> EvaluationResult:
        """Its evaluation."""

    @property
    def generation(self) -> int:
        """The generation (batch) it was proposed in."""

    @property
    def elapsed(self) -> float:
        """Seconds from the start of the search to its result."""


def _pooled_score(record: CandidateRecord, check: EvaluationResult | None) -> float | None:
    """Mean of the record's fold scores and its re-score's, or None when it was not re-scored."""
    result = record.result
    if check is None or not check.ok or not result.ok or result.fidelity != 1.0:
        return None
    folds = result.fold_scores + check.fold_scores
    return float(sum(folds) / len(folds))


def _ranked(records: Iterable[CandidateRecord], checks: Mapping[str, EvaluationResult]) -> list[CandidateRecord]:
    """Re-scored candidates first by their pooled score, then by score; ties: fewer operators, then earlier."""

    def key(record: CandidateRecord) -> tuple[int, float, int]:
        pooled = _pooled_score(record, checks.get(record.genome.key))
        if pooled is not None:
            return (0, -pooled, record.genome.complexity)
        return (1, -(record.result.score if record.result.ok else -math.inf), record.genome.complexity)

    return sorted(records, key=key)


def make_leaderboard(
    records: Iterable[CandidateRecord],
    *,
    checks: Mapping[str, EvaluationResult] | None = None,
    ensemble: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """A DataFrame of every evaluated candidate, best first.

    Successful candidates are ranked by score (ties: fewer operators first,
    then the earlier record); failed ones follow with their status and error
    text, and no rank. The candidates re-scored on a second set of folds
    before the final choice come first, ranked by the mean of both sets'
    fold scores; their ``check_score`` is the second set's mean (NaN for the
    others). A failed row's status is the value of a
    :class:`~autopipe.evaluate.Status`: ``"error"``, ``"timeout"``,
    ``"cancelled"`` or ``"skipped"``.

    Parameters
    ----------
    records : iterable of records
        The evaluated candidates in the order they finished, each with a
        ``genome``, its ``result`` (an
        :class:`~autopipe.evaluate.EvaluationResult`), a ``generation`` and
        ``elapsed`` seconds: a search history's entries
        (:class:`~autopipe.search.HistoryEntry`), or the history itself.
    checks : mapping of str to EvaluationResult, optional
        The re-scores on a second set of folds, by pipeline key. By default,
        the ``checks`` attribute of ``records`` when it has one (a
        :class:`~autopipe.search.SearchHistory` does), else none.
    ensemble : dict, optional
        An ensemble row (``pipeline``, ``score``, ``note``, ``used``) with
        status ``"ensemble"``: placed first when the ensemble is the final
        model, last otherwise; its ``note`` says why.

    Returns
    -------
    pandas.DataFrame
        One row per record (and the ensemble's), with the columns ``rank``,
        ``pipeline``, ``score``, ``score_std``, ``check_score``,
        ``complexity``, ``fit_time``, ``status``, ``generation``,
        ``fidelity``, ``elapsed``, ``error`` and ``note``.
    """
    if checks is None:
        checks = getattr(records, "checks", None) or {}
    rows = []
    for entry in _ranked(records, checks):
        r = entry.result
        check = checks.get(entry.genome.key) if r.fidelity == 1.0 else None
        rows.append(
            {
                "pipeline": entry.genome.key,
                "score": r.score,
                "score_std": r.score_std,
                "check_score": check.score if check is not None and check.ok else float("nan"),
                "complexity": entry.genome.complexity,
                "fit_time": r.fit_time,
                "status": r.status.value,
                "generation": entry.generation,
                "fidelity": r.fidelity,
                "elapsed": entry.elapsed,
                "error": r.error,
                "note": "",
            }
        )
    frame = pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "rank"])
    ok = (frame["status"] == Status.OK.value).to_numpy()
    rank = pd.array([pd.NA] * len(frame), dtype="Int64")
    rank[ok] = range(1, int(ok.sum()) + 1)
    frame.insert(0, "rank", rank)
    if ensemble is not None:
        row = pd.DataFrame([{k: v for k, v in ensemble.items() if k != "used"}])
        row.insert(0, "rank", pd.array([pd.NA], dtype="Int64"))
        parts = [row, frame] if ensemble.get("used") else [frame, row]
        frame = pd.concat([p.astype(object) if p.empty else p for p in parts], ignore_index=True)[COLUMNS]
    return frame.reset_index(drop=True)
