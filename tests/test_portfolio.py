"""The portfolio: shipped with the package, evaluated first (after the floor), fitted to the search space."""

from __future__ import annotations

import pytest
from sklearn.datasets import make_classification, make_regression

from autopipe import AutoClassifier, AutoRegressor
from autopipe.genome import genome_from_sklearn
from autopipe.run import portfolio_pipelines
from autopipe.space import build_space

SETTINGS = dict(time_budget=None, generations=0, cv=3, random_state=0, ensemble=None, rescore_top=0, n_jobs=1)


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_the_shipped_portfolio_fits_the_default_space(task: str) -> None:
    pipelines = portfolio_pipelines(task)
    assert 20 <= len(pipelines) <= 40
    space = build_space("default", task)
    keys = [genome_from_sklearn(space, steps).key for steps in pipelines]
    assert len(set(keys)) == len(keys)  # each pipeline once


def _first_keys(model: object, n: int) -> set[str]:
    board = model.leaderboard_.sort_values("elapsed")
    return set(board["pipeline"].iloc[:n])


def test_a_search_evaluates_the_floor_then_the_portfolio() -> None:
    X, y = make_classification(n_samples=200, n_features=6, random_state=0)
    model = AutoClassifier(**SETTINGS, population_size=6).fit(X, y)
    space = build_space("default", "classification")
    floor = genome_from_sklearn(space, [["HistGradientBoostingClassifier", {}]]).key
    expected = [floor] + [genome_from_sklearn(space, s).key for s in portfolio_pipelines("classification")]
    expected = list(dict.fromkeys(expected))[:6]
    assert set(model.leaderboard_["pipeline"]) == set(expected)


def test_without_the_portfolio_the_fixed_starters_come_first() -> None:
    X, y = make_regression(n_samples=200, n_features=6, noise=1.0, random_state=0)
    model = AutoRegressor(**SETTINGS, population_size=4, portfolio=False).fit(X, y)
    names = {p.split("(")[0] for p in model.leaderboard_["pipeline"]}
    assert names == {"HistGradientBoostingRegressor", "LGBMRegressor", "Ridge", "RandomForestRegressor"}


def test_a_narrower_space_keeps_the_members_it_can_express() -> None:
    X, y = make_classification(n_samples=200, n_features=6, random_state=0)
    space = {"StandardScaler": None, "LogisticRegression": None, "HistGradientBoostingClassifier": None}
    model = AutoClassifier(**SETTINGS, population_size=10, search_space=space).fit(X, y)
    for pipeline in model.leaderboard_["pipeline"]:
        assert pipeline.split("(")[0] in {"LogisticRegression", "HistGradientBoostingClassifier"}
