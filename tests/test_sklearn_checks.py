"""sklearn's own estimator checks on both facades, with a tiny, generation-bounded search."""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

from autopipe import AutoClassifier, AutoRegressor

SETTINGS = dict(time_budget=None, generations=0, population_size=3, search_space="light", cv=3, random_state=0)


@parametrize_with_checks([AutoClassifier(**SETTINGS), AutoRegressor(**SETTINGS)])
def test_sklearn_compatible(estimator, check):
    check(estimator)
