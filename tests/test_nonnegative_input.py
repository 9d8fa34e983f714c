"""Pipelines that could hand ``MultinomialNB`` negative values are recorded as skipped, never fitted."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from autopipe import AutoClassifier
from autopipe.evaluate import Status
from autopipe.exceptions import AllCandidatesFailedError, CandidateFailureWarning
from autopipe.testing import make_tiny_classification

SPACE = {"MultinomialNB": {}, "MinMaxScaler": {}, "PCA": {}}
SETTINGS = dict(time_budget=None, generations=0, population_size=3, search_space=SPACE, cv=3,
                random_state=0, ensemble=None)


def test_pipelines_that_would_fail_on_the_sign_are_skipped():
    X, y = make_tiny_classification(n_samples=90, random_state=0)  # centred: negative values
    assert X.min() < 0
    mine = [make_pipeline(PCA(), MultinomialNB()), make_pipeline(MinMaxScaler(), MultinomialNB()), MultinomialNB()]
    with warnings.catch_warnings():
        warnings.simplefilter("error", CandidateFailureWarning)
        est = AutoClassifier(**SETTINGS, initial_pipelines=mine).fit(X, y)
    board = est.leaderboard_
    skipped = board[board["status"] == Status.SKIPPED.value]
    reasons = dict(zip(skipped["pipeline"].str.partition(",")[0], skipped["error"]))
    assert reasons == {
        "MultinomialNB(PCA(input": "MultinomialNB needs non-negative input, but PCA can output negative values",
        "MultinomialNB(input": "MultinomialNB needs non-negative input, but the input data holds negative values",
    }
    assert np.isnan(skipped["score"]).all()
    assert est.best_candidate_.startswith("MultinomialNB(MinMaxScaler(input)")


def test_non_negative_data_lets_multinomialnb_see_the_input():
    X, y = make_tiny_classification(n_samples=90, random_state=0)
    X = X - X.min()
    est = AutoClassifier(**SETTINGS, initial_pipelines=[MultinomialNB()]).fit(X, y)
    rows = est.leaderboard_[est.leaderboard_["pipeline"].str.startswith("MultinomialNB(input")]
    assert len(rows) >= 1 and (rows["error"] == "").all()


def test_nothing_left_to_evaluate_is_a_clear_error():
    X, y = make_tiny_classification(n_samples=90, random_state=0)
    est = AutoClassifier(**{**SETTINGS, "search_space": {"MultinomialNB": {}}})
    with pytest.raises(AllCandidatesFailedError, match="MultinomialNB needs non-negative input"):
        est.fit(X, y)
