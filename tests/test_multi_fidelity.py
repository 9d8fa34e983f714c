"""Successive halving and the budget-aware folds, through the estimator."""

from __future__ import annotations

import pytest

from autopipe import AutoClassifier, AutoRegressor
from autopipe.testing import make_tiny_classification, make_tiny_regression

_STARTERS = {"HistGradientBoostingClassifier", "RandomForestClassifier", "LogisticRegression"}


@pytest.fixture(scope="module")
def halved():
    X, y = make_tiny_classification(n_samples=4000, random_state=0)
    est = AutoClassifier(time_budget=None, generations=1, population_size=9, search_space="light", random_state=0,
                         n_jobs=2, ensemble=None, rescore_top=0)
    return est.fit(X, y)


def test_candidates_start_on_a_thousand_training_rows(halved):
    lb = halved.leaderboard_
    # 5 folds of 4,000 rows train on 3,200 rows each; the lower rung fits on 1,000 of them
    assert halved.fidelities_ == pytest.approx((1000 / 3200, 1.0))
    low, full = lb[lb.fidelity < 1], lb[lb.fidelity == 1]
    assert len(low) > len(full) > 0
    # the best third of a rung reaches all rows, and only full-fidelity scores rank first
    assert set(full.pipeline) <= set(low.pipeline) | {p for p in full.pipeline if p.split("(")[0] in _STARTERS}
    assert lb.iloc[0].fidelity == 1.0 and halved.best_candidate_ in set(full.pipeline)
    assert all(e.result.fidelity == 1.0 for e in halved.history_.pareto_front())


def test_the_floor_skips_the_lower_rungs(halved):
    lb = halved.leaderboard_
    low = set(lb[lb.fidelity < 1].pipeline)
    straight = [p for p in lb[lb.fidelity == 1].pipeline if p not in low]
    assert [p.split("(")[0] for p in straight] == ["HistGradientBoostingClassifier"]
    # the other default pipelines climb the rungs like any candidate
    assert any(p.startswith("LogisticRegression(StandardScaler(input)") for p in low)


def test_without_successive_halving_every_candidate_sees_all_rows():
    X, y = make_tiny_classification(n_samples=3000, random_state=0)
    est = AutoClassifier(time_budget=None, generations=0, population_size=5, search_space="light", random_state=0,
                         successive_halving=False, ensemble=None, rescore_top=0).fit(X, y)
    assert est.fidelities_ == (1.0,)
    assert (est.leaderboard_.fidelity == 1.0).all()


def test_small_data_is_never_subsampled():
    X, y = make_tiny_regression(n_samples=200, random_state=0)
    est = AutoRegressor(time_budget=None, generations=0, population_size=4, search_space="light", random_state=0,
                        ensemble=None).fit(X, y)
    assert est.fidelities_ == (1.0,) and est.n_splits_ == 5


def test_auto_folds_follow_rows_and_budget():
    X, y = make_tiny_regression(n_samples=2500, random_state=0)
    # 2,500 rows > 400 rows per second x 5 s: three folds
    est = AutoRegressor(time_budget=5, population_size=4, search_space="light", random_state=0, ensemble=None,
                        successive_halving=False).fit(X, y)
    assert est.n_splits_ == 3
    assert len(est.history_.best().result.fold_scores) == 3
    assert AutoRegressor(cv=4, time_budget=5, population_size=4, search_space="light", random_state=0,
                         ensemble=None, successive_halving=False).fit(X, y).n_splits_ == 4
