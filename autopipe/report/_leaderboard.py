"""The leaderboard: one row per evaluated candidate, best first."""

from __future__ import annotations

import pandas as pd

from ..search import SearchHistory

COLUMNS = [
    "rank",
    "pipeline",
    "score",
    "score_std",
    "complexity",
    "fit_time",
    "status",
    "generation",
    "fidelity",
    "elapsed",
    "error",
]


def make_leaderboard(history: SearchHistory) -> pd.DataFrame:
    """A DataFrame of every candidate in ``history``, best first.

    Successful candidates are ranked by score (ties: fewer operators first);
    failed ones follow with their status and error text, and no rank.
    """
    rows = []
    for entry in history.ranked(fidelity=None):
        r = entry.result
        rows.append(
            {
                "pipeline": entry.genome.key,
                "score": r.score,
                "score_std": r.score_std,
                "complexity": entry.genome.complexity,
                "fit_time": r.fit_time,
                "status": r.status.value,
                "generation": entry.generation,
                "fidelity": r.fidelity,
                "elapsed": entry.elapsed,
                "error": r.error,
            }
        )
    frame = pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "rank"])
    ok = (frame["status"] == "ok").to_numpy()
    rank = pd.array([pd.NA] * len(frame), dtype="Int64")
    rank[ok] = range(1, int(ok.sum()) + 1)
    frame.insert(0, "rank", rank)
    return frame.reset_index(drop=True)
