"""``initial_pipelines=``: users' own pipelines join generation 0, validated against the space."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from autopipe import AutoClassifier
from autopipe.genome import genome_from_sklearn
from autopipe.space import StackingTransformer, build_space
from autopipe.testing import make_tiny_classification

SETTINGS = dict(time_budget=None, generations=0, population_size=4, search_space="light", cv=3, random_state=0)


@pytest.fixture(scope="module")
def space():
    return build_space("light", "classification")


def test_a_pipeline_becomes_the_same_genome(space):
    genome = genome_from_sklearn(space, make_pipeline(StandardScaler(), LogisticRegression(C=0.125)))
    assert genome.key.startswith("LogisticRegression(StandardScaler(input)")
    assert "C=0.125" in genome.key


def test_stacked_models_and_single_models(space):
    genome = genome_from_sklearn(space, make_pipeline(StackingTransformer(LogisticRegression()), KNeighborsClassifier()))
    assert genome.key.startswith("KNeighborsClassifier(Stack_LogisticRegression(input")
    assert genome_from_sklearn(space, LogisticRegression()).complexity == 1


def test_exported_code_round_trips():
    X, y = make_tiny_classification(n_samples=80)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    frame["color"] = np.where(X[:, 0] > 0, "red", "blue")
    first = AutoClassifier(**SETTINGS, ensemble=None).fit(frame, y)
    code = first.export()
    second = AutoClassifier(**{**SETTINGS, "population_size": 1}, initial_pipelines=[code]).fit(frame, y)
    assert first.leaderboard_["pipeline"].iloc[0] in set(second.leaderboard_["pipeline"])


def test_user_pipelines_are_evaluated_in_generation_zero():
    X, y = make_tiny_classification(n_samples=80)
    mine = make_pipeline(MinMaxScaler(), LogisticRegression(C=3.5))
    est = AutoClassifier(**SETTINGS, initial_pipelines=[mine]).fit(X, y)
    board = est.leaderboard_[est.leaderboard_["status"] != "ensemble"]
    row = board[board["pipeline"].str.contains("C=3.5") & board["pipeline"].str.contains("MinMaxScaler")]
    assert len(row) == 1 and row["generation"].iloc[0] == 0
    assert clone(est).get_params()["initial_pipelines"][0] is not mine  # cloned like any parameter


def test_step_lists_are_initial_pipelines():
    X, y = make_tiny_classification(n_samples=80)
    steps = [["MinMaxScaler", {}], ["LogisticRegression", {"C": 3.5}]]
    est = AutoClassifier(**SETTINGS, initial_pipelines=[steps]).fit(X, y)
    board = est.leaderboard_[est.leaderboard_["status"] != "ensemble"]
    row = board[board["pipeline"].str.contains("C=3.5") & board["pipeline"].str.contains("MinMaxScaler")]
    assert len(row) == 1 and row["generation"].iloc[0] == 0


@pytest.mark.parametrize(
    ("pipeline", "message"),
    [
        ([["MinMaxScaler", {}], ["LogisticRegresion", {}]], "'LogisticRegresion' is not an operator"),
        ([["LogisticRegression", {"gamma": 1.0}]], r"parameters the space does not search: \['gamma'\]"),
        (make_pipeline(StandardScaler(), RandomForestClassifier()), r"initial_pipelines\[0\].*RandomForestClassifier is not an operator"),
        (make_pipeline(LogisticRegression(), StandardScaler()), "the last step must be a model"),
        ("pipeline = LogisticRegresion()", "NameError"),
        ("x = 1", "defines no estimator"),
        (make_pipeline(FeatureUnion([("a", StandardScaler())]), LogisticRegression()), "FeatureUnion is not an operator"),
    ],
)
def test_pipelines_outside_the_space_are_named(pipeline, message):
    X, y = make_tiny_classification(n_samples=60)
    with pytest.raises(ValueError, match=message):
        AutoClassifier(**SETTINGS, initial_pipelines=[pipeline]).fit(X, y)


def test_wrong_types_are_named():
    X, y = make_tiny_classification(n_samples=60)
    with pytest.raises(TypeError, match=r"initial_pipelines\[0\].*got int"):
        AutoClassifier(**SETTINGS, initial_pipelines=[3]).fit(X, y)
    with pytest.raises((TypeError, ValueError), match="initial_pipelines"):
        AutoClassifier(**SETTINGS, initial_pipelines=LogisticRegression()).fit(X, y)
