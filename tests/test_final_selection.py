"""Honest final selection: the best candidates are re-scored on other folds before the final choice."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.model_selection import KFold

from autopipe import AutoClassifier, AutoRegressor
from autopipe.testing import make_tiny_classification, make_tiny_regression


def _fit(cls, X, y, **kw):
    params = dict(time_budget=None, generations=1, population_size=6, search_space="light", cv=3,
                  random_state=0, ensemble=None)
    return cls(**{**params, **kw}).fit(X, y)


def test_best_candidates_are_rescored_and_ranked_by_pooled_score():
    X, y = make_tiny_classification(n_samples=150, random_state=0)
    est = _fit(AutoClassifier, X, y, rescore_top=3)
    lb = est.leaderboard_
    checked = lb[lb["check_score"].notna()]
    assert len(checked) == 3 and list(checked.index) == [0, 1, 2]
    history = est.history_
    pooled = [history.checked_score(e) for e in history.ranked()[:3]]
    assert pooled == sorted(pooled, reverse=True)
    assert est.best_candidate_ == lb.loc[0, "pipeline"]
    # the check folds are not the search's: every check has its own fold scores
    for e in history.ranked()[:3]:
        check = history.checks[e.genome.key]
        assert len(check.fold_scores) == 3 and check.fold_scores != e.result.fold_scores


@pytest.mark.parametrize("kw", [{"rescore_top": 0}, {"cv": KFold(3, shuffle=True, random_state=0)}])
def test_no_rescoring_when_off_or_with_a_user_splitter(kw):
    X, y = make_tiny_regression(n_samples=120, random_state=0)
    est = _fit(AutoRegressor, X, y, **kw)
    assert est.leaderboard_["check_score"].isna().all()
    assert est.best_candidate_ == est.leaderboard_.loc[0, "pipeline"]


def test_rescoring_is_skipped_when_the_budget_leaves_no_time():
    from autopipe.testing import SlowClassifier

    X, y = make_tiny_classification(n_samples=60, random_state=0)
    # each cross-validation takes about 1 s, more than the 10% of a 6 s budget kept for re-scoring
    space = {SlowClassifier: {"seconds": [0.3, 0.35, 0.4]}}
    est = AutoClassifier(time_budget=6, max_eval_time=10, search_space=space, cv=3, n_jobs=1, random_state=0, ensemble=None,
                         population_size=3, rescore_top=3).fit(X, y)
    assert len(est.history_) >= 2
    assert est.leaderboard_["check_score"].isna().all()


def test_rescore_top_is_validated():
    X, y = make_tiny_classification(n_samples=60, random_state=0)
    with pytest.raises(ValueError, match="rescore_top"):
        AutoClassifier(rescore_top=-1).fit(X, y)
