"""The leaderboard: one row per evaluated candidate, best first."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..evaluate import Status
from ..search import SearchHistory

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


def make_leaderboard(history: SearchHistory, *, ensemble: dict[str, Any] | None = None) -> pd.DataFrame:
    """A DataFrame of every candidate in ``history``, best first.

    Successful candidates are ranked by score (ties: fewer operators first);
    the others follow with their status (the value of a
    :class:`~autopipe.evaluate.Status`: ``"error"``, ``"timeout"``,
    ``"cancelled"`` or ``"skipped"``) and error text, and no rank. The
    candidates re-scored on a second set of folds before the final choice
    come first, ranked by the mean of both sets' fold scores; their
    ``check_score`` is the second set's mean (NaN for the others).

    Parameters
    ----------
    history : SearchHistory
        The search's record.
    ensemble : dict, optional
        An ensemble row (``pipeline``, ``score``, ``note``, ``used``) with
        status ``"ensemble"``: placed first when the ensemble is the final
        model, last otherwise; its ``note`` says why.
    """
    rows = []
    checks = getattr(history, "checks", {})
    for entry in history.ranked(fidelity=None):
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
