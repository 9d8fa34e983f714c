"""Tests for ``plot_history`` and ``plot_pareto`` in ``autopipe.report``."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

from autopipe import AutoClassifier  # noqa: E402
from autopipe.report import make_leaderboard, plot_history, plot_pareto  # noqa: E402
from autopipe.testing import make_tiny_classification  # noqa: E402

FAST = dict(time_budget=None, generations=1, population_size=4, search_space="light", cv=3, random_state=0)
LONG_PIPELINE = "ExtraTreesClassifier(MinMaxScaler(Binarizer(input, threshold=0.9025)), n_estimators=50)"
LABEL_WIDTH = 60  # plot_pareto's label shows at most this many characters of the pipeline


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def fitted() -> AutoClassifier:
    X, y = make_tiny_classification()
    return AutoClassifier(**FAST).fit(X, y)


@pytest.fixture
def with_failures() -> pd.DataFrame:
    """A hand-made leaderboard over two generations with one error and one timeout."""
    rows = [
        # pipeline, score, complexity, status, generation, elapsed, error
        ("LogisticRegression(StandardScaler(input))", 0.95, 2, "ok", 1, 4.0, ""),
        (LONG_PIPELINE, 0.95, 3, "ok", 0, 2.0, ""),
        ("HistGradientBoostingClassifier(input)", 0.93, 1, "ok", 0, 1.0, ""),
        ("GaussianNB(input)", 0.80, 1, "ok", 1, 3.0, ""),
        ("SVC(input)", 0.70, 1, "ok", 0, 1.5, ""),
        ("RaisingClassifier(input)", np.nan, 1, "error", 0, 2.5, "ValueError: boom"),
        ("SlowClassifier(input)", np.nan, 1, "timeout", 1, 5.0, "TimeoutError: over 1 s"),
    ]
    frame = pd.DataFrame(rows, columns=["pipeline", "score", "complexity", "status", "generation", "elapsed", "error"])
    frame["score_std"] = np.where(frame["status"] == "ok", 0.01, np.nan)
    frame["check_score"] = np.nan
    frame["fit_time"] = 0.1
    frame["fidelity"] = 1.0
    frame["note"] = ""
    rank = pd.array([1, 2, 3, 4, 5, pd.NA, pd.NA], dtype="Int64")
    frame.insert(0, "rank", rank)
    return frame[list(make_leaderboard([]).columns)]  # the leaderboard's columns, in its order


def _legend_texts(ax: Axes) -> list[str]:
    legend = ax.get_legend()
    assert legend is not None
    return [t.get_text() for t in legend.get_texts()]


# ------------------------------------------------------------------ plot_history
@pytest.mark.parametrize("x", ["elapsed", "generation"])
def test_history_of_a_real_search(fitted: AutoClassifier, x: str) -> None:
    board = fitted.leaderboard_
    ax = plot_history(board, x=x)
    assert isinstance(ax, Axes)
    assert ax.get_title() == f"Search history: {len(board[board.status != 'ensemble'])} candidates"
    assert ax.get_ylabel() == "cross-validated score"
    assert ax.get_xlabel() == ("seconds since the search started" if x == "elapsed" else "generation")
    texts = _legend_texts(ax)
    assert "best so far" in texts
    assert not any(t.startswith("failed") for t in texts)
    best_line = next(line for line in ax.get_lines() if line.get_label() == "best so far")
    assert np.max(best_line.get_ydata()) == pytest.approx(board[board.status == "ok"]["score"].max())
    ax.figure.canvas.draw()  # renders without error


def test_history_best_so_far_and_running_median_over_time(with_failures: pd.DataFrame) -> None:
    ax = plot_history(with_failures)
    lines = {line.get_label(): line for line in ax.get_lines()}
    # successes ordered by elapsed: 0.93 (1.0 s), 0.70 (1.5), 0.95 (2.0), 0.80 (3.0), 0.95 (4.0)
    np.testing.assert_allclose(lines["best so far"].get_xdata(), [1.0, 1.5, 2.0, 3.0, 4.0])
    np.testing.assert_allclose(lines["best so far"].get_ydata(), [0.93, 0.93, 0.95, 0.95, 0.95])
    np.testing.assert_allclose(lines["running median"].get_ydata(), [0.93, 0.815, 0.93, 0.865, 0.93])
    assert lines["failed (2)"].get_xdata().tolist() == [2.5, 5.0]
    assert ax.get_title() == "Search history: 7 candidates (2 failed)"
    assert set(_legend_texts(ax)) == {"candidates (5)", "best so far", "running median", "failed (2)"}


def test_history_per_generation(with_failures: pd.DataFrame) -> None:
    ax = plot_history(with_failures, x="generation")
    lines = {line.get_label(): line for line in ax.get_lines()}
    np.testing.assert_allclose(lines["best of generation"].get_ydata(), [0.95, 0.95])
    np.testing.assert_allclose(lines["median of generation"].get_ydata(), [0.93, 0.875])
    np.testing.assert_allclose(lines["best so far"].get_xdata(), [0, 1])
    assert "failed (2)" in _legend_texts(ax)
    assert ax.get_xlabel() == "generation"
    ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
    assert all(float(t).is_integer() for t in ticks)


def test_history_ignores_row_order_and_partial_fidelity(with_failures: pd.DataFrame) -> None:
    shuffled = with_failures.sample(frac=1.0, random_state=1)
    partial = pd.DataFrame([{**with_failures.iloc[0].to_dict(), "score": 0.99, "elapsed": 0.5, "fidelity": 0.25}])
    board = pd.concat([shuffled, partial], ignore_index=True)
    lines = {line.get_label(): line for line in plot_history(board).get_lines()}
    np.testing.assert_allclose(lines["best so far"].get_ydata(), [0.93, 0.93, 0.95, 0.95, 0.95])


def test_history_when_every_candidate_failed(with_failures: pd.DataFrame) -> None:
    failed = with_failures[with_failures["status"] != "ok"]
    ax = plot_history(failed)
    assert _legend_texts(ax) == ["failed (2)"]
    assert ax.get_title() == "Search history: 2 candidates (2 failed)"


def test_history_draws_on_the_given_axes(with_failures: pd.DataFrame) -> None:
    fig, (left, right) = plt.subplots(1, 2)
    assert plot_history(with_failures, ax=right) is right
    assert plot_history(with_failures, x="generation", ax=left) is left
    assert len(fig.axes) == 2
    assert right.get_title() and left.get_title()


def test_history_rejects_bad_input(with_failures: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="x must be one of"):
        plot_history(with_failures, x="time")
    with pytest.raises(ValueError, match="lacks the column"):
        plot_history(with_failures.drop(columns="elapsed"))
    with pytest.raises(ValueError, match="empty"):
        plot_history(with_failures.iloc[:0])
    with pytest.raises(TypeError, match="DataFrame"):
        plot_history(with_failures.to_dict())  # type: ignore[arg-type]


# ------------------------------------------------------------------- plot_pareto
def test_pareto_of_a_real_search(fitted: AutoClassifier) -> None:
    board, front = fitted.leaderboard_, fitted.pareto_front_
    ax = plot_pareto(board, front)
    assert isinstance(ax, Axes)
    assert ax.get_title() == f"Score vs. complexity: {len(board[board.status != 'ensemble'])} candidates, {len(front)} on the Pareto front"
    assert ax.get_xlabel() == "complexity (number of operators)"
    assert ax.get_ylabel() == "cross-validated score"
    assert set(_legend_texts(ax)) == {f"candidates ({len(board[board.status != 'ensemble'])})", f"Pareto front ({len(front)})"}
    (label,) = ax.texts
    best = board[board.status == "ok"].iloc[0]
    pipeline = best["pipeline"]
    if len(pipeline) <= LABEL_WIDTH:
        assert label.get_text() == "best: " + pipeline
    else:
        assert label.get_text() == "best: " + pipeline[: LABEL_WIDTH - 1] + "\u2026"
    assert label.xy == (best["complexity"], best["score"])
    ax.figure.canvas.draw()


def test_pareto_points_front_and_annotation(with_failures: pd.DataFrame) -> None:
    front = with_failures.iloc[[2, 0, 1]].iloc[:2]  # complexities 1 and 2, given out of order
    ax = plot_pareto(with_failures, front)
    candidates, highlighted = ax.collections
    offsets = candidates.get_offsets()
    assert len(offsets) == 5  # failures are not drawn
    ok = with_failures[with_failures["status"] == "ok"]
    jitter = offsets[:, 0] - ok["complexity"].to_numpy()
    assert np.all(np.abs(jitter) < 0.25) and np.ptp(jitter) > 0  # jittered, but only slightly
    np.testing.assert_allclose(offsets[:, 1], ok["score"])
    np.testing.assert_allclose(highlighted.get_offsets(), [[1, 0.93], [2, 0.95]])
    (step,) = ax.get_lines()
    assert step.get_drawstyle() == "steps-post"
    np.testing.assert_allclose(step.get_xydata(), [[1, 0.93], [2, 0.95]])
    (label,) = ax.texts
    assert label.get_text() == "best: LogisticRegression(StandardScaler(input))"  # 0.95 with fewest operators
    assert label.xy == (2, 0.95)
    assert ax.get_title() == "Score vs. complexity: 5 candidates, 2 on the Pareto front"


def test_pareto_shortens_long_pipelines(with_failures: pd.DataFrame) -> None:
    board = with_failures.copy()
    board.loc[1, "score"] = 0.99  # the long pipeline is now the best
    board.loc[[0, 1], "rank"] = [2, 1]
    ax = plot_pareto(board, board.iloc[[2, 1]])
    text = ax.texts[0].get_text()
    assert text.startswith("best: ExtraTreesClassifier(") and text.endswith("\u2026")
    assert len(text) == len("best: ") + LABEL_WIDTH
    assert text == "best: " + LONG_PIPELINE[: LABEL_WIDTH - 1] + "\u2026"


@pytest.mark.parametrize("length", [LABEL_WIDTH, LABEL_WIDTH + 1])
def test_pareto_shortens_only_labels_over_the_width(with_failures: pd.DataFrame, length: int) -> None:
    board = with_failures.copy()
    name = ("ExtraTreesClassifier(input, n_estimators=" + "9" * length)[:length]
    board.loc[0, "pipeline"] = name  # the best candidate (rank 1)
    text = plot_pareto(board, board.iloc[[2, 0]]).texts[0].get_text()
    if length <= LABEL_WIDTH:
        assert text == "best: " + name  # exactly the width: kept whole
    else:
        assert text == "best: " + name[: LABEL_WIDTH - 1] + "\u2026"


def test_pareto_annotates_rank_one_even_below_the_highest_score(with_failures: pd.DataFrame) -> None:
    # after re-scoring on other folds, rank 1 may have a lower first score than another candidate
    board = with_failures.copy()
    board.loc[[0, 2], "rank"] = [3, 1]
    board.loc[1, "rank"] = 2
    text = plot_pareto(board, board.iloc[[2, 1]]).texts[0].get_text()
    assert text == "best: HistGradientBoostingClassifier(input)"
    assert plot_pareto(board.drop(columns="rank"), board.iloc[[2, 1]]).texts[0].get_text().startswith(
        "best: LogisticRegression(")


def test_pareto_with_empty_front_and_given_axes(with_failures: pd.DataFrame) -> None:
    _, ax = plt.subplots()
    assert plot_pareto(with_failures, with_failures.iloc[:0], ax=ax) is ax
    assert len(ax.collections) == 1 and not ax.get_lines()
    assert ax.get_title().endswith("0 on the Pareto front")


def test_pareto_rejects_bad_input(with_failures: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="no successful candidate"):
        plot_pareto(with_failures[with_failures["status"] != "ok"], with_failures.iloc[:0])
    with pytest.raises(ValueError, match="lacks the column"):
        plot_pareto(with_failures.drop(columns="complexity"), with_failures)


# ------------------------------------------------------------ without matplotlib
@pytest.mark.parametrize(
    "call",
    [
        lambda board: plot_history(board),
        lambda board: plot_history(board, x="generation"),
        lambda board: plot_pareto(board, board.iloc[:1]),
    ],
    ids=["history", "history-generation", "pareto"],
)
def test_missing_matplotlib_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, with_failures: pd.DataFrame, call: object
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"plotting needs matplotlib: pip install 'autopipe\[plot\]'"):
        call(with_failures)  # type: ignore[operator]
