"""Plots of a finished search: score over time and the score/complexity Pareto front."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..evaluate import Status

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_history", "plot_pareto"]

_MISSING_MATPLOTLIB = "plotting needs matplotlib: pip install 'autopipe[plot]'"
_HISTORY_X = ("elapsed", "generation")
_X_LABELS = {"elapsed": "seconds since the search started", "generation": "generation"}
_LABEL_WIDTH = 60
# Horizontal jitter of candidates in plot_pareto, in complexity units (operators are integers).
_JITTER = 0.12


def _pyplot() -> Any:
    """Import and return ``matplotlib.pyplot``, or raise an ImportError that says how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(_MISSING_MATPLOTLIB) from exc
    return plt


def _get_ax(ax: Axes | None, *, figsize: tuple[float, float] = (7.0, 4.5)) -> Axes:
    """``ax`` itself, or the Axes of a new figure when ``ax`` is None (matplotlib must be importable)."""
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _integer_ticks(axis: Any) -> None:
    """Put ticks on whole numbers only (generations, operator counts)."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _check_columns(
    frame: pd.DataFrame, needed: list[str], name: str, *, such_as: str = " (such as leaderboard_)",
    remedy: str | None = None,
) -> None:
    """Raise unless ``frame`` is a DataFrame with the ``needed`` columns; ``remedy`` ends the missing-column error."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame{such_as}, got {type(frame).__name__}.")
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        if remedy is None:
            remedy = f"pass a leaderboard such as AutoEstimator.leaderboard_ (columns: {list(frame.columns)})"
        raise ValueError(f"{name} lacks the column(s) {missing}; {remedy}.")


def _candidates(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows that are candidates (the leaderboard's ``ensemble`` row is not one)."""
    if "status" not in frame.columns:
        return frame
    return frame[frame["status"].astype(str) != "ensemble"].reset_index(drop=True)


def _succeeded(frame: pd.DataFrame) -> np.ndarray:
    """Boolean mask of rows whose evaluation succeeded with a finite score."""
    score = pd.to_numeric(frame["score"], errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(score)
    if "status" in frame.columns:
        ok &= (frame["status"].astype(str) == Status.OK.value).to_numpy()
    return ok


def _full_fidelity(frame: pd.DataFrame) -> np.ndarray:
    """Boolean mask of rows evaluated on all rows (every row when there is no ``fidelity`` column)."""
    if "fidelity" not in frame.columns:
        return np.ones(len(frame), dtype=bool)
    fidelity = pd.to_numeric(frame["fidelity"], errors="coerce").to_numpy(dtype=float)
    return ~(fidelity < 1.0)  # NaN counts as full fidelity


def _shorten(text: str, width: int = _LABEL_WIDTH) -> str:
    """``text`` cut to at most ``width`` characters, ending in an ellipsis when cut."""
    text = str(text)
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _label_score_axes(ax: Axes, xlabel: str, title: str) -> Axes:
    """Finish a plot of scores: axis labels, title, grid and legend."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel("cross-validated score")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_history(leaderboard: pd.DataFrame, *, x: str = "elapsed", ax: Axes | None = None) -> Axes:
    """Plot how the best and the median score evolved during a search.

    With ``x="elapsed"`` the successful candidates are ordered by the time
    they finished: the best score so far is drawn as a step line and the
    running median of all successful scores so far as a second line. With
    ``x="generation"`` there is one point per generation: the best score of
    the generation, the median of the generation, and the best score so far.
    Failed candidates (errors, timeouts) are drawn as small marks on the
    x-axis, and their count is given in the legend. Candidates evaluated on
    a fraction of the rows (``fidelity`` below 1) are left out of the score
    lines, since their scores are not comparable with full evaluations.

    Parameters
    ----------
    leaderboard : pandas.DataFrame
        A search's leaderboard, such as ``AutoEstimator.leaderboard_`` (see
        :func:`autopipe.report.make_leaderboard`). Needs the columns
        ``score`` and ``x``; ``status`` (``"ok"`` for successes) and
        ``fidelity`` are used when present. Rows may be in any order.
    x : {"elapsed", "generation"}, default="elapsed"
        The horizontal axis: seconds since the search started (column
        ``elapsed``) or the generation (column ``generation``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created when None.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The Axes drawn on.

    Raises
    ------
    ImportError
        When matplotlib is not installed.
    ValueError
        When ``x`` is not one of the choices, a column is missing or the
        leaderboard is empty.

    See Also
    --------
    plot_pareto : Score against complexity of every candidate.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from autopipe.report import plot_history
    >>> board = pd.DataFrame({
    ...     "score": [0.91, 0.85, float("nan"), 0.88],
    ...     "status": ["ok", "ok", "error", "ok"],
    ...     "generation": [1, 0, 1, 0],
    ...     "elapsed": [3.2, 1.1, 2.5, 1.4],
    ... })
    >>> ax = plot_history(board)
    >>> ax.get_title()
    'Search history: 4 candidates (1 failed)'
    >>> ax = plot_history(board, x="generation")
    >>> ax.get_xlabel()
    'generation'
    """
    if x not in _HISTORY_X:
        raise ValueError(f"x must be one of {list(_HISTORY_X)}, got {x!r}.")
    _check_columns(leaderboard, ["score", x], "leaderboard")
    leaderboard = _candidates(leaderboard)
    if len(leaderboard) == 0:
        raise ValueError("leaderboard is empty: there is no search history to plot.")
    ax = _get_ax(ax)

    position = pd.to_numeric(leaderboard[x], errors="coerce").to_numpy(dtype=float)
    ok = _succeeded(leaderboard)
    good = ok & _full_fidelity(leaderboard) & np.isfinite(position)
    failed = ~ok
    frame = pd.DataFrame(
        {"x": position[good], "score": pd.to_numeric(leaderboard["score"], errors="coerce").to_numpy(float)[good]}
    ).sort_values("x", kind="stable")

    if x == "elapsed":
        if len(frame):
            ax.scatter(frame["x"], frame["score"], s=14, color="0.6", alpha=0.6, zorder=2,
                       label=f"candidates ({len(frame)})")
            ax.plot(frame["x"], frame["score"].cummax(), drawstyle="steps-post", color="C0", lw=2,
                    zorder=3, label="best so far")
            ax.plot(frame["x"], frame["score"].expanding().median(), color="C1", lw=1.5,
                    zorder=3, label="running median")
    else:
        per_generation = frame.groupby("x")["score"].agg(["max", "median"])
        if len(per_generation):
            gens = per_generation.index.to_numpy()
            ax.plot(gens, per_generation["max"].cummax(), drawstyle="steps-post", color="C0", lw=2,
                    zorder=3, label="best so far")
            ax.plot(gens, per_generation["max"], "o", color="C0", ms=5, zorder=4,
                    label="best of generation")
            ax.plot(gens, per_generation["median"], "s-", color="C1", ms=4, lw=1.5, zorder=3,
                    label="median of generation")
        _integer_ticks(ax.xaxis)

    n_failed = int(failed.sum())
    if n_failed:
        marks = position[failed & np.isfinite(position)]
        # y in axes coordinates: the marks sit on the x-axis whatever the score range
        ax.plot(marks, np.zeros(len(marks)), linestyle="none", marker="x", ms=5, color="C3", clip_on=False,
                transform=ax.get_xaxis_transform(), zorder=5, label=f"failed ({n_failed})")

    failed_note = f" ({n_failed} failed)" if n_failed else ""
    title = f"Search history: {_plural(len(leaderboard), 'candidate')}{failed_note}"
    return _label_score_axes(ax, _X_LABELS[x], title)


def plot_pareto(leaderboard: pd.DataFrame, front: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Plot score against complexity for every candidate, with the Pareto front.

    Every successful candidate is a point at (number of operators, score),
    jittered slightly to the side so that candidates of equal complexity do
    not hide each other. The Pareto front (rows of ``front``) is highlighted
    and joined by a step line: for each complexity, the best score reachable
    with at most that many operators. The best candidate (rank 1: the one
    chosen after the final re-scoring; without a ``rank`` column, the highest
    score) is annotated with its pipeline, shortened to about 60 characters. Failed candidates and
    those evaluated on a fraction of the rows are not drawn.

    Parameters
    ----------
    leaderboard : pandas.DataFrame
        A search's leaderboard, such as ``AutoEstimator.leaderboard_``. Needs
        the columns ``score``, ``complexity`` and ``pipeline``; ``status`` and
        ``fidelity`` are used when present.
    front : pandas.DataFrame
        The non-dominated rows, with the same columns, such as
        ``AutoEstimator.pareto_front_``; may be empty.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created when None.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The Axes drawn on.

    Raises
    ------
    ImportError
        When matplotlib is not installed.
    ValueError
        When a column is missing or no candidate succeeded.

    See Also
    --------
    plot_history : Best and median score over the course of the search.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from autopipe.report import plot_pareto
    >>> board = pd.DataFrame({
    ...     "pipeline": ["SVC(StandardScaler(input))", "LogisticRegression(input)", "GaussianNB(input)"],
    ...     "score": [0.93, 0.90, 0.84],
    ...     "complexity": [2, 1, 1],
    ...     "status": ["ok", "ok", "ok"],
    ... })
    >>> ax = plot_pareto(board, board.iloc[:2])
    >>> ax.get_title()
    'Score vs. complexity: 3 candidates, 2 on the Pareto front'
    """
    needed = ["score", "complexity", "pipeline"]
    _check_columns(leaderboard, needed, "leaderboard")
    _check_columns(front, ["score", "complexity"], "front")
    leaderboard = _candidates(leaderboard)
    complexity = pd.to_numeric(leaderboard["complexity"], errors="coerce").to_numpy(dtype=float)
    good = _succeeded(leaderboard) & _full_fidelity(leaderboard) & np.isfinite(complexity)
    if not good.any():
        raise ValueError("no successful candidate in the leaderboard: nothing to plot.")
    ax = _get_ax(ax)

    rows = leaderboard.loc[good]
    score = pd.to_numeric(rows["score"]).to_numpy(dtype=float)
    cx = complexity[good]
    jitter = np.random.default_rng(0).uniform(-_JITTER, _JITTER, size=len(rows))
    ax.scatter(cx + jitter, score, s=22, color="C0", alpha=0.55, edgecolors="none", zorder=2,
               label=f"candidates ({len(rows)})")

    on_front = front.loc[np.isfinite(pd.to_numeric(front["score"], errors="coerce").to_numpy(float))]
    if len(on_front):
        on_front = on_front.assign(
            complexity=pd.to_numeric(on_front["complexity"]), score=pd.to_numeric(on_front["score"])
        ).sort_values(["complexity", "score"], kind="stable")
        ax.plot(on_front["complexity"], on_front["score"].cummax(), drawstyle="steps-post", color="C3",
                lw=1.5, zorder=3)
        ax.scatter(on_front["complexity"], on_front["score"], s=70, color="C3", edgecolors="black",
                   linewidths=0.8, zorder=4, label=f"Pareto front ({len(on_front)})")

    # best: rank 1 (after re-scoring on other folds it need not be the highest point); without
    # ranks, the highest score, then fewest operators, then first listed
    ranks = pd.to_numeric(rows["rank"], errors="coerce").to_numpy(float) if "rank" in rows else np.array([])
    if (ranks == 1).any():
        best = int(np.flatnonzero(ranks == 1)[0])
    else:
        best = int(np.lexsort((np.arange(len(rows)), cx, -score))[0])
    # The label sits at the bottom centre of the axes, below the candidates, with an arrow up
    # to the best point: it never runs off the axes.
    ax.annotate(
        "best: " + _shorten(rows["pipeline"].iloc[best]),
        xy=(cx[best], score[best]),
        xytext=(0.5, 0.04),
        textcoords="axes fraction",
        ha="center",
        va="bottom",
        fontsize="small",
        bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "0.7", "alpha": 0.9},
        arrowprops={"arrowstyle": "->", "color": "0.3", "shrinkB": 6},
        zorder=5,
    )
    lo, hi = ax.get_xlim()
    ax.set_xlim(min(lo, np.min(cx) - 0.5), max(hi, np.max(cx) + 0.5))
    lo, hi = ax.get_ylim()
    ax.set_ylim(lo - 0.15 * (hi - lo), hi)  # room for the label below the lowest candidate

    _integer_ticks(ax.xaxis)
    title = f"Score vs. complexity: {_plural(len(rows), 'candidate')}, {len(on_front)} on the Pareto front"
    return _label_score_axes(ax, "complexity (number of operators)", title)
