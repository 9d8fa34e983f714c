"""The task follows the scorer, then the target; a search whose first candidates fail alike stops at once."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import make_scorer, mean_absolute_error

from autopipe import AutoClassifier, AutoEstimator, AutoRegressor
from autopipe.data import choose_task, scoring_task
from autopipe.exceptions import AllCandidatesFailedError, DataQualityWarning

FAST = dict(time_budget=None, generations=0, population_size=3, search_space="light", cv=3, random_state=0,
            ensemble=None, rescore_top=0, n_jobs=1)


def _integer_classes(n_classes: int = 40, n: int = 480) -> tuple[np.ndarray, np.ndarray]:
    """Integer-coded classes, each with the same number of rows, that the first column separates."""
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(n_classes), n // n_classes)
    X = np.c_[y + rng.normal(0, 0.2, len(y)), rng.normal(size=(len(y), 3))]
    return X, y


@pytest.mark.parametrize(("scoring", "task"), [
    ("balanced_accuracy", "classification"), ("f1_macro", "classification"), ("roc_auc_ovr", "classification"),
    ("neg_log_loss", "classification"), ("accuracy", "classification"), ("r2", "regression"),
    ("neg_mean_absolute_error", "regression"), (make_scorer(mean_absolute_error), "regression"),
    (None, None), (lambda est, X, y: 0.0, None), ("adjusted_rand_score", None),
])
def test_a_scorer_names_its_task(scoring, task):
    assert scoring_task(scoring) == task


def test_many_integer_classes_with_a_classification_scorer_are_classes():
    X, y = _integer_classes()
    est = AutoEstimator(**FAST, scoring="balanced_accuracy").fit(X, y)
    assert est.task_ == "classification" and len(est.classes_) == 40
    assert est.score(X, y) > 0.5
    assert "task" not in set(est.data_report_["check"])  # the scorer said it: nothing to report


def test_many_integer_values_with_a_regression_scorer_are_a_quantity():
    X, y = _integer_classes()
    est = AutoEstimator(**FAST, scoring="neg_mean_absolute_error").fit(X, y)
    assert est.task_ == "regression" and not hasattr(est, "classes_")


def test_many_integer_values_without_a_scorer_are_a_quantity_and_the_report_says_why():
    X, y = _integer_classes()
    with pytest.warns(DataQualityWarning, match="40 distinct whole numbers, read as a quantity"):
        est = AutoEstimator(**FAST).fit(X, y)
    assert est.task_ == "regression"
    row = est.data_report_[est.data_report_["check"] == "task"].iloc[0]
    assert row["action"] == "regression" and "task='classification'" in row["detail"]


def test_choose_task_gives_the_reason():
    y = np.array([0, 1, 2, 1, 0, 2])
    assert choose_task(y).task == "classification" and choose_task(y).whole_numbers == 3
    assert choose_task(y, "r2").reason == "scoring='r2' is a regression metric"
    assert choose_task(np.array(["a", "b", "a"])).reason == "y holds labels, not numbers"


def test_a_scorer_of_the_other_task_is_refused_before_the_search():
    X, y = _integer_classes(n_classes=3, n=60)
    with pytest.raises(ValueError, match="scoring='r2' is a regression metric, but the task is classification"):
        AutoClassifier(**FAST, scoring="r2").fit(X, y)
    with pytest.raises(ValueError, match="'balanced_accuracy' is a classification metric, but the task is regression"):
        AutoRegressor(**FAST, scoring="balanced_accuracy").fit(X, y.astype(float))


def test_a_classification_scorer_on_fractional_targets_is_refused():
    X = np.random.default_rng(0).normal(size=(60, 3))
    with pytest.raises(ValueError, match="classification metric, but y holds numbers with fractional parts"):
        AutoEstimator(**FAST, scoring="balanced_accuracy").fit(X, X[:, 0])


def _broken_scorer(estimator, X, y):
    raise ValueError("the scorer cannot read these labels")


def test_a_search_whose_first_candidates_fail_alike_stops_with_their_error():
    X, y = _integer_classes(n_classes=3, n=90)
    # with a time budget of a minute: the fit must stop at the third failure, not at the budget
    est = AutoClassifier(time_budget=60, search_space="default", scoring=_broken_scorer, random_state=0, n_jobs=1)
    with pytest.raises(AllCandidatesFailedError, match="The 3 default pipelines, .* all failed with the same "
                                                       "error") as info:
        est.fit(X, y)
    assert "the scorer cannot read these labels" in str(info.value)


def test_failures_of_one_model_alone_do_not_stop_the_search():
    from autopipe.testing import RaisingClassifier

    X, y = _integer_classes(n_classes=3, n=90)
    space = {RaisingClassifier: {"message": ["nope"]}, "GaussianNB": {}}
    with pytest.warns(Warning, match="candidate pipelines failed"):
        est = AutoClassifier(**{**FAST, "population_size": 8, "generations": 1, "search_space": space}).fit(X, y)
    assert est.best_candidate_.startswith("GaussianNB")
