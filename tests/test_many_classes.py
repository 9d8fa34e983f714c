"""Classification with many classes, some of them with a row or two: folds, re-scoring, ensembles, memory."""

from __future__ import annotations

import numpy as np

from autopipe import AutoClassifier

#: Fast operators, so that a search over 120 classes takes seconds.
SPACE = {"StandardScaler": {}, "MinMaxScaler": {}, "LogisticRegression": {"C": [0.3, 1.0, 3.0]}, "GaussianNB": {},
         "KNeighborsClassifier": {"n_neighbors": [5, 15]}}


def test_one_hundred_twenty_classes_some_with_one_to_three_rows():
    rng = np.random.default_rng(0)
    n_classes = 120
    counts = np.r_[np.full(100, 28), np.tile([1, 2, 3], 7)[:20]]  # 20 classes with fewer rows than folds
    y = rng.permutation(np.repeat(np.arange(n_classes), counts))
    X = rng.normal(size=(n_classes, 10))[y] * 3 + rng.normal(size=(len(y), 10))
    est = AutoClassifier(time_budget=None, generations=1, population_size=6, search_space=SPACE, cv=3, n_jobs=2,
                         random_state=0).fit(X, y)
    board = est.leaderboard_
    assert (board["status"] == "ok").sum() >= 6 and board["check_score"].notna().any()
    assert est.classes_.tolist() == list(range(n_classes))
    proba = est.predict_proba(X[:50])
    assert proba.shape == (50, n_classes) and np.allclose(proba.sum(axis=1), 1)
    assert est.score(X, y) > 0.9
    kept = [e.result.oof for e in est.history_ if e.result.oof is not None]
    assert kept and all(o.shape == (len(y), n_classes) for o in kept)
    assert est.history_.oof_nbytes() <= est.history_.max_oof_bytes
    report = est.ensemble_report_
    assert report.kind == "selection" and report.members and report.reason
