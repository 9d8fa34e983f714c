"""A fitted search's candidates by leaderboard position, as source code and as notebooks."""

from __future__ import annotations

from collections.abc import Iterable
from numbers import Integral
from pathlib import Path
from typing import Any

import pandas as pd

from ._export import estimator_to_code
from ._notebook import candidate_notebook, write_notebook


def successful_row(leaderboard: pd.DataFrame, candidate: Any) -> pd.Series:
    """The leaderboard's ``candidate``-th successful row (status ``"ok"``), best first.

    Raises
    ------
    IndexError
        If there is no successful candidate at that position.
    """
    ok = leaderboard[leaderboard["status"] == "ok"]
    if isinstance(candidate, bool) or not isinstance(candidate, Integral) or not 0 <= candidate < len(ok):
        raise IndexError(
            f"candidate must be an int in [0, {len(ok)}): the leaderboard has {len(ok)} "
            f"successful candidates; got {candidate!r}"
        )
    return ok.iloc[int(candidate)]


def candidate_genome(leaderboard: pd.DataFrame, entries: Iterable[Any], candidate: Any) -> Any:
    """The genome of the ``candidate``-th successful leaderboard row, found among history ``entries``."""
    key = successful_row(leaderboard, candidate)["pipeline"]
    return next(e.genome for e in entries if e.genome.key == key and e.result.ok)


def export_code(estimator: Any, leaderboard: pd.DataFrame, scorer_name: str, path: str | Path | None = None) -> str:
    """Source that rebuilds ``estimator`` (unfitted), headed by the search's best score; also written to ``path``."""
    best = leaderboard.iloc[0]
    header = (
        f"# autopipe: best of {len(leaderboard)} candidates, "
        f"cross-validated {scorer_name} = {best['score']:.4f}\n"
    )
    code = header + estimator_to_code(estimator)
    if path is not None:
        Path(path).write_text(code)
    return code


def export_candidate_notebook(
    path: str | Path, pipeline: Any, row: pd.Series, *, scorer_name: str, task: str, n_splits: int,
    random_state: Any, data_path: str | Path | None = None, target: str | None = None,
) -> Path:
    """Write the notebook of one candidate (see :func:`candidate_notebook`); returns ``path``.

    A callable scorer cannot be written into a notebook: the task's default
    metric is used instead, without the search's score.
    """
    scoring, cv_score = scorer_name, float(row["score"])
    if scoring == "score":
        scoring, cv_score = ("accuracy" if task == "classification" else "r2"), None
    notebook = candidate_notebook(
        estimator_to_code(pipeline),
        title=str(row["pipeline"]),
        cv_score=cv_score,
        scoring=scoring,
        task=task,
        data_path=None if data_path is None else str(data_path),
        target=target,
        cv=n_splits,
        random_state=int(random_state) if isinstance(random_state, Integral) else 0,
    )
    return write_notebook(notebook, path)
