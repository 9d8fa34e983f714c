"""Successive halving, the rungs it uses and the budget-aware choice of folds."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import get_scorer
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier

from autopipe.evaluate import Evaluator, choose_folds, halving_rungs, successive_halving
from autopipe.testing import SlowClassifier, make_tiny_classification


@pytest.mark.parametrize(
    ("rows", "rung_rows"),
    [(500, ()), (2_999, ()), (3_000, (1_000,)), (8_999, (1_000,)), (9_000, (1_000, 3_000)), (30_000, (3_000, 10_000)),
     (1_000_000, (30_000, 100_000, 300_000))],
)
def test_rungs_are_round_row_counts_of_at_least_a_thousand(rows, rung_rows):
    assert halving_rungs(rows) == pytest.approx(tuple(r / rows for r in rung_rows) + (1.0,))


@pytest.mark.parametrize(
    ("rows", "budget", "folds"),
    [(1_000, 10, 5), (4_000, 10, 5), (4_001, 10, 3), (24_000, 60, 5), (36_000, 60, 3), (36_000, 600, 5),
     (10**7, None, 5)],
)
def test_folds_by_rows_and_budget(rows, budget, folds):
    assert choose_folds(rows, budget) == folds


def _evaluator(n_samples=300, **kw):
    X, y = make_tiny_classification(n_samples=n_samples, n_classes=2, random_state=0)
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    return Evaluator(X, y, splits=splits, scorer=get_scorer("accuracy"), is_classifier=True, **kw)


def _candidates():
    # three good models and six that cannot beat the majority class
    good = [("lr", LogisticRegression()), ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
            ("knn", KNeighborsClassifier())]
    bad = [(f"dummy{i}", DummyClassifier(strategy="uniform", random_state=i)) for i in range(6)]
    return bad[:3] + good + bad[3:]


def test_the_best_third_is_promoted_to_all_rows():
    seen = []
    with _evaluator(n_jobs=2) as evaluator:
        results = successive_halving(evaluator, _candidates(), (1 / 3, 1.0), on_result=lambda i, r: seen.append(
            (i, r.fidelity)))
    full = {r.key for r in results if r.fidelity == 1.0}
    assert full == {"lr", "tree", "knn"}
    assert all(r.ok for r in results)
    # every candidate scored on a third of the rows, the promoted ones again on all of them
    assert sorted(seen) == sorted([(i, 1 / 3) for i in range(9)] + [(3, 1.0), (4, 1.0), (5, 1.0)])
    low = [r for r in results if r.fidelity < 1.0]
    # a lower rung fits on fewer rows but predicts every validation row
    assert all(r.oof.shape[0] == 300 and np.isfinite(r.oof).all() for r in low)
    assert all(np.isfinite(r.oof).all() for r in results if r.fidelity == 1.0)


def test_promoted_keys_go_straight_to_all_rows():
    seen = []
    with _evaluator() as evaluator:
        results = successive_halving(evaluator, _candidates(), (1 / 3, 1.0), promote={"dummy0"},
                                     on_result=lambda i, r: seen.append((r.key, r.fidelity)))
    assert ("dummy0", 1.0) in seen and ("dummy0", 1 / 3) not in seen
    assert seen[0] == ("dummy0", 1.0)  # first in the first batch
    assert results[0].fidelity == 1.0
    assert {r.key for r in results if r.fidelity == 1.0} == {"dummy0", "lr", "tree", "knn"}


def test_a_candidate_too_slow_for_the_next_rung_stays_below():
    candidates = [("slow", SlowClassifier(seconds=0.4)), ("lr", LogisticRegression())]
    # 3 folds x 0.4 s on a third of the rows: about 3.6 s on all of them, over the 2 s limit
    with _evaluator(max_eval_time=2.0) as evaluator:
        results = successive_halving(evaluator, candidates, (1 / 3, 1.0), eta=1)
    assert results[0].ok and results[0].fidelity == pytest.approx(1 / 3)
    assert results[1].fidelity == 1.0


def _shared_prefix_candidates():
    from sklearn.decomposition import PCA
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return [(f"lr{c}", make_pipeline(StandardScaler(), PCA(3, random_state=0), LogisticRegression(C=c)))
            for c in (0.01, 0.1, 1.0, 10.0)]


def test_candidates_with_the_same_transformers_reuse_their_fits():
    with _evaluator(n_jobs=1) as evaluator:
        cached = evaluator.evaluate(_shared_prefix_candidates())
        again = evaluator.evaluate(_shared_prefix_candidates(), fidelity=0.5)
    with _evaluator(n_jobs=1, cache_prefixes=False) as evaluator:
        plain = evaluator.evaluate(_shared_prefix_candidates())
    # the first candidate fits the scaler and PCA on each of the 3 folds; the others reuse them
    assert [r.cache_hits for r in cached] == [0, 3, 3, 3]
    assert [r.cache_hits for r in again] == [0, 3, 3, 3]  # other rows: fitted anew once
    assert [r.cache_hits for r in plain] == [0, 0, 0, 0]
    for a, b in zip(cached, plain):
        assert a.fold_scores == b.fold_scores
        np.testing.assert_allclose(a.oof, b.oof, rtol=1e-6)


def test_weighted_evaluations_do_not_share_transformer_fits():
    X, y = make_tiny_classification(n_samples=300, n_classes=2, random_state=0)
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    evaluator = Evaluator(X, y, splits=splits, scorer=get_scorer("accuracy"), is_classifier=True,
                          sample_weight=np.ones(len(y)))
    with evaluator:
        results = evaluator.evaluate(_shared_prefix_candidates())
    assert all(r.ok and r.cache_hits == 0 for r in results)


def test_pipelines_with_a_resampler_do_not_share_transformer_fits():
    from imblearn.over_sampling import RandomOverSampler
    from imblearn.pipeline import make_pipeline as make_imb_pipeline
    from sklearn.preprocessing import StandardScaler

    # a resampler changes the training rows and targets: its pipeline is never split into a cached prefix
    resampled = [(f"ros{c}", make_imb_pipeline(StandardScaler(), RandomOverSampler(random_state=0),
                                               LogisticRegression(C=c))) for c in (0.1, 1.0)]
    # an imblearn pipeline without one shares its transformers like any other
    plain = [(f"imb{c}", make_imb_pipeline(StandardScaler(), LogisticRegression(C=c))) for c in (0.1, 1.0)]
    with _evaluator(n_jobs=1) as evaluator:
        with_resampler = evaluator.evaluate(resampled)
        without = evaluator.evaluate(plain)
    assert all(r.ok for r in with_resampler + without)
    assert [r.cache_hits for r in with_resampler] == [0, 0]
    assert [r.cache_hits for r in without] == [0, 3]  # the second reuses the scaler fitted on each of 3 folds
