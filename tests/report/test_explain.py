"""Tests for ``permutation_importances`` and ``plot_importances`` in ``autopipe.report``."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from autopipe import AutoClassifier
from autopipe.report import permutation_importances, plot_importances

FAST = dict(time_budget=None, generations=1, population_size=4, search_space="light", cv=3, random_state=0)
COLUMNS = ["feature", "importance_mean", "importance_std"]


@pytest.fixture(scope="module")
def signal_data() -> tuple[pd.DataFrame, np.ndarray]:
    """Only column "signal" carries the target; the two noise columns are independent of it."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame({name: rng.normal(size=120) for name in ["signal", "noise1", "noise2"]})
    y = (X["signal"] > 0).to_numpy().astype(int)
    return X, y


@pytest.fixture(scope="module")
def auto(signal_data: tuple[pd.DataFrame, np.ndarray]) -> AutoClassifier:
    X, y = signal_data
    return AutoClassifier(**FAST).fit(X, y)


def test_signal_ranks_first_for_an_auto_estimator(
    auto: AutoClassifier, signal_data: tuple[pd.DataFrame, np.ndarray]
) -> None:
    X, y = signal_data
    table = permutation_importances(auto, X, y, random_state=0)
    assert list(table.columns) == COLUMNS
    assert len(table) == 3
    assert table["feature"].iloc[0] == "signal"
    assert table["importance_mean"].iloc[0] > 0.1
    noise = table.set_index("feature").loc[["noise1", "noise2"], "importance_mean"]
    assert (noise.abs() < 0.05).all()
    assert (table["importance_std"] >= 0).all()
    assert table["importance_mean"].is_monotonic_decreasing


def test_scoring_and_reproducibility(auto: AutoClassifier, signal_data: tuple[pd.DataFrame, np.ndarray]) -> None:
    X, y = signal_data
    own = permutation_importances(auto, X, y, n_repeats=3, random_state=0)
    same = permutation_importances(auto, X, y, scoring=auto.scorer_, n_repeats=3, random_state=0)
    pd.testing.assert_frame_equal(own, same)  # None means the estimator's score, which uses scorer_
    balanced = permutation_importances(auto, X, y, scoring="balanced_accuracy", n_repeats=3, random_state=0)
    assert balanced["feature"].iloc[0] == "signal"


def test_array_input_gets_positional_names(signal_data: tuple[pd.DataFrame, np.ndarray]) -> None:
    X, y = signal_data
    model = LogisticRegression().fit(X.to_numpy(), y)
    table = permutation_importances(model, X.to_numpy(), y, n_repeats=3, random_state=0)
    assert sorted(table["feature"]) == ["x0", "x1", "x2"]
    assert table["feature"].iloc[0] == "x0"
    assert table["importance_mean"].iloc[0] > 0.1


def test_array_input_takes_feature_names_in_(signal_data: tuple[pd.DataFrame, np.ndarray]) -> None:
    X, y = signal_data
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    table = permutation_importances(model, X.to_numpy(), y, n_repeats=3, random_state=0)
    assert sorted(table["feature"]) == ["noise1", "noise2", "signal"]
    assert table["feature"].iloc[0] == "signal"


def test_regression_with_any_sklearn_estimator() -> None:
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"a": rng.normal(size=80), "b": rng.normal(size=80)})
    y = 3 * X["b"].to_numpy()
    table = permutation_importances(Ridge().fit(X, y), X, y, scoring="r2", n_repeats=2, random_state=0)
    assert table["feature"].tolist() == ["b", "a"]


def test_rejects_bad_input(signal_data: tuple[pd.DataFrame, np.ndarray]) -> None:
    X, y = signal_data
    with pytest.raises(NotFittedError):
        permutation_importances(LogisticRegression(), X, y)
    model = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="single scorer"):
        permutation_importances(model, X, y, scoring=["accuracy", "roc_auc"])
    with pytest.raises(ValueError, match="n_repeats"):
        permutation_importances(model, X, y, n_repeats=0)


# --------------------------------------------------------------- plot_importances
@pytest.fixture
def plt() -> Iterator[object]:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot

    yield pyplot
    pyplot.close("all")


def _bars(ax: object) -> object:
    from matplotlib.container import BarContainer

    (bars,) = [c for c in ax.containers if isinstance(c, BarContainer)]  # type: ignore[attr-defined]
    return bars


@pytest.fixture
def table() -> pd.DataFrame:
    names = [f"c{i}" for i in range(30)]
    return pd.DataFrame({"feature": names, "importance_mean": np.linspace(0.0, 0.29, 30),
                         "importance_std": np.full(30, 0.01)})


def test_plot_importances_top_features(plt: object, table: pd.DataFrame) -> None:
    from matplotlib.axes import Axes

    ax = plot_importances(table, top=5)
    assert isinstance(ax, Axes)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["c29", "c28", "c27", "c26", "c25"]
    assert ax.get_ylim()[0] > ax.get_ylim()[1]  # first row (the most important) on top
    bars = ax.patches
    assert len(bars) == 5
    np.testing.assert_allclose([b.get_width() for b in bars], [0.29, 0.28, 0.27, 0.26, 0.25])
    assert _bars(ax).errorbar is not None  # error bars from importance_std
    assert ax.get_title() == "Permutation importance (top 5 of 30 columns)"
    assert ax.get_xlabel()
    assert len(plot_importances(table).patches) == 20  # default top


def test_plot_importances_of_a_real_table(
    plt: object, auto: AutoClassifier, signal_data: tuple[pd.DataFrame, np.ndarray]
) -> None:
    X, y = signal_data
    table = permutation_importances(auto, X, y, n_repeats=2, random_state=0)
    _, given = plt.subplots()  # type: ignore[attr-defined]
    ax = plot_importances(table, ax=given)
    assert ax is given
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "signal"
    assert ax.get_title() == "Permutation importance (3 columns)"
    ax.figure.canvas.draw()


def test_plot_importances_without_std_and_bad_input(plt: object, table: pd.DataFrame) -> None:
    ax = plot_importances(table.drop(columns="importance_std"), top=3)
    assert _bars(ax).errorbar is None
    with pytest.raises(ValueError, match="top"):
        plot_importances(table, top=0)
    with pytest.raises(ValueError, match="lacks the column"):
        plot_importances(table.drop(columns="feature"))
    with pytest.raises(ValueError, match="empty"):
        plot_importances(table.iloc[:0])


def test_plot_importances_without_matplotlib(monkeypatch: pytest.MonkeyPatch, table: pd.DataFrame) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"plotting needs matplotlib: pip install 'autopipe\[plot\]'"):
        plot_importances(table)
