"""What the command line prints: the fit summary and leaderboards as text or markdown tables."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from ..estimator import AutoEstimator

TEXT_WIDTH = 100  # longest pipeline, note or error in a text leaderboard (csv and markdown keep all)
_TEXT_COLUMNS = ["rank", "score", "score_std", "complexity", "fit_time", "status", "pipeline"]
_NUMERIC_COLUMNS = frozenset({"rank", "score", "score_std", "complexity", "fit_time"})


# ------------------------------------------------------------------ fit summary
def fit_summary(estimator: AutoEstimator, data: str, shape: tuple[int, int], wall: float, budget: float,
                destination: Path) -> str:
    """The lines ``autopipe fit`` prints once the model is saved.

    Parameters
    ----------
    estimator : AutoEstimator
        The fitted estimator.
    data : str
        The training file, as given on the command line.
    shape : tuple of int
        Rows and feature columns the estimator was fitted on.
    wall : float
        Seconds the fit took.
    budget : float
        The time budget, in seconds.
    destination : Path
        The model file written.

    Returns
    -------
    str
        A headline and one aligned ``label  value`` line per fact.
    """
    board = estimator.leaderboard_
    ok = board[board["status"] == "ok"]
    best = ok.iloc[0]
    statuses = board["status"].value_counts()
    outcome = f"{len(ok) + statuses.get('error', 0) + statuses.get('timeout', 0)} evaluated: {len(ok)} ok"
    if statuses.get("error", 0):
        outcome += f", {statuses['error']} failed"
    if statuses.get("timeout", 0):
        outcome += f", {statuses['timeout']} timed out"
    if statuses.get("cancelled", 0):
        outcome += f"; {statuses['cancelled']} cut off by the time budget"
    summary = [
        ("candidates", outcome),
        ("best pipeline", str(best["pipeline"])),
        (f"cv {scoring_label(estimator)}", f"{best['score']:.4f} ± {best['score_std']:.4f}"),
        ("final model", _final_model(estimator, str(best["pipeline"]))),
        ("wall time", f"{wall:.1f} s (budget {budget:g} s)"),
        ("saved to", str(destination)),
    ]
    width = max(len(label) for label, _ in summary) + 2
    headline = f"Fitted a {estimator.task_} model on {shape[0]} rows x {shape[1]} columns of {data}\n"
    return headline + "".join(f"  {label:<{width}}{value}\n" for label, value in summary)


def _final_model(estimator: AutoEstimator, best_key: str) -> str:
    """What ``predict`` uses: the best pipeline, an ensemble, or a fallback pipeline."""
    report = estimator.ensemble_report_
    if report.used:
        return (
            f"{report.kind} ensemble of {len(report.members)} pipelines, out-of-fold "
            f"{scoring_label(estimator)} {report.score:.4f}"
        )
    refitted = getattr(estimator, "best_candidate_", best_key)
    if refitted != best_key:
        return f"{refitted} (the best pipeline could not be refitted in time)"
    return "the best pipeline"


def scoring_label(estimator: AutoEstimator) -> str:
    """The name of the score the search maximised."""
    if isinstance(estimator.scoring, str):
        return estimator.scoring
    if estimator.scoring is None:
        return "accuracy" if estimator.task_ == "classification" else "r2"
    return "score"


# ------------------------------------------------------------------ leaderboards
def _markdown_cell(value: Any) -> str:
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def markdown_table(frame: pd.DataFrame) -> str:
    """``frame`` as a markdown table, numeric columns aligned to the right."""
    header = "| " + " | ".join(map(_markdown_cell, frame.columns)) + " |"
    rule = "|" + "|".join("---:" if c in _NUMERIC_COLUMNS else "---" for c in frame.columns) + "|"
    rows = ["| " + " | ".join(_markdown_cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *rows]) + "\n"


def text_table(frame: pd.DataFrame) -> str:
    """``frame`` (of strings) as aligned columns: numbers to the right, text to the left."""
    columns = [[str(c), *map(str, frame[c])] for c in frame.columns]
    widths = [max(map(len, cells)) for cells in columns]
    lines = []
    for i in range(len(frame) + 1):
        cells = [
            col[i].rjust(w) if name in _NUMERIC_COLUMNS else col[i].ljust(w)
            for name, col, w in zip(frame.columns, columns, widths, strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


def display_frame(board: pd.DataFrame, max_width: int | None = None) -> pd.DataFrame:
    """The leaderboard columns a person reads, numbers rounded, missing values blank.

    Text longer than ``max_width`` characters (pipelines, notes, errors) is cut short.
    """
    import pandas as pd

    columns = list(_TEXT_COLUMNS)
    for extra in ("note", "error"):
        if extra in board and board[extra].fillna("").astype(str).str.strip().any():
            columns.append(extra)
    shown = board[columns].copy()
    shown["score"] = shown["score"].map(lambda v: "" if pd.isna(v) else f"{v:.4f}")
    shown["score_std"] = shown["score_std"].map(lambda v: "" if pd.isna(v) else f"{v:.4f}")
    shown["fit_time"] = shown["fit_time"].map(lambda v: "" if pd.isna(v) else f"{v:.2f}")
    for column in ("rank", "complexity"):
        shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else str(int(v)))
    for extra in ("note", "error"):
        if extra in shown:
            shown[extra] = shown[extra].fillna("").astype(str).map(_first_line)
    if max_width is not None:
        for column in ("pipeline", "note", "error"):
            if column in shown:
                shown[column] = shown[column].map(lambda v: v if len(v) <= max_width else v[: max_width - 3] + "...")
    return shown


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")
