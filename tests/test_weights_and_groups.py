"""``fit(sample_weight=, groups=)``: routing, weighted scores, ensembles, group-aware folds, errors."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.ensemble import VotingClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import accuracy_score, get_scorer
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from autopipe import AutoClassifier, AutoRegressor
from autopipe._utils.weights import fit_weighted, scorer_takes_sample_weight
from autopipe.ensemble import oof_scorer, stacking_oof_score
from autopipe.evaluate import Evaluator
from autopipe.space import StackingTransformer
from autopipe.testing import make_tiny_classification

SETTINGS = dict(time_budget=None, generations=1, population_size=6, search_space="light", cv=3, random_state=0)


def _data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)) * [1.0, 10.0, 0.1, 5.0] + [0.0, 50.0, -3.0, 1.0]
    y = (X[:, 0] + 0.1 * X[:, 1] - 5 + rng.normal(0, 0.5, n) > 0).astype(int)
    w = rng.uniform(0.1, 5.0, n)
    return X, y, w


def _has_requests(obj, seen=None):
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return False
    seen.add(id(obj))
    if hasattr(obj, "__dict__") and "_metadata_request" in obj.__dict__:
        return True
    children = obj.__dict__.values() if hasattr(obj, "get_params") else obj if isinstance(obj, (list, tuple)) else []
    return any(_has_requests(c, seen) for c in children if isinstance(c, (list, tuple)) or hasattr(c, "get_params"))


# ----------------------------------------------------------------- routing
def test_weights_reach_every_step_that_takes_them():
    X, y, w = _data()
    routed = fit_weighted(make_pipeline(StandardScaler(), LogisticRegression()), X, y, w)
    by_hand = make_pipeline(StandardScaler(), LogisticRegression()).fit(
        X, y, standardscaler__sample_weight=w, logisticregression__sample_weight=w
    )
    unweighted = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    np.testing.assert_allclose(routed[0].mean_, by_hand[0].mean_)
    np.testing.assert_allclose(routed[-1].coef_, by_hand[-1].coef_, rtol=1e-6)
    assert not np.allclose(routed[0].mean_, unweighted[0].mean_)


def test_weights_are_routed_through_column_transformers_stacking_steps_and_voting():
    X, y, w = _data()
    frame = pd.DataFrame(X, columns=list("abcd"))

    def member():
        return make_pipeline(
            make_column_transformer((StandardScaler(), ["a", "b"]), remainder="passthrough"),
            StackingTransformer(LogisticRegression()),
            LogisticRegression(),
        )

    voting = fit_weighted(VotingClassifier([("m0", member()), ("m1", member())], voting="soft"), frame, y, w)
    fitted = voting.estimators_[0]
    scaler = fitted[0].named_transformers_["standardscaler"]
    np.testing.assert_allclose(scaler.mean_, np.average(X[:, :2], axis=0, weights=w))
    inner = fitted[1].estimator_
    manual = LogisticRegression().fit(fitted[0].transform(frame), y, sample_weight=w)
    np.testing.assert_allclose(inner.coef_, manual.coef_, rtol=1e-6)


def test_fitted_models_keep_no_routing_requests():
    X, y, w = _data()
    model = fit_weighted(VotingClassifier([("a", make_pipeline(StandardScaler(), LogisticRegression()))]), X, y, w)
    assert not _has_requests(model)
    pickle.loads(pickle.dumps(model))


def test_scorer_signature_check():
    assert scorer_takes_sample_weight(get_scorer("accuracy"))
    assert not scorer_takes_sample_weight(lambda est, X, y: 0.0)
    assert scorer_takes_sample_weight(lambda est, X, y, **kw: 0.0)


# ------------------------------------------------------------- evaluation
def test_fold_scores_are_weighted_and_fits_use_the_weights():
    X, y, w = _data()
    splits = list(KFold(3, shuffle=True, random_state=0).split(X))
    pipe = make_pipeline(StandardScaler(), LogisticRegression(C=0.01))
    with Evaluator(X, y, splits=splits, scorer=get_scorer("accuracy"), is_classifier=True, sample_weight=w) as ev:
        (result,) = ev.evaluate([("p", pipe)])
    expected = []
    for train, test in splits:
        model = make_pipeline(StandardScaler(), LogisticRegression(C=0.01)).fit(
            X[train], y[train], standardscaler__sample_weight=w[train], logisticregression__sample_weight=w[train]
        )
        expected.append(accuracy_score(y[test], model.predict(X[test]), sample_weight=w[test]))
    np.testing.assert_allclose(result.fold_scores, expected)


def test_ensemble_scores_are_weighted():
    y = np.array([0, 1, 1, 0])
    proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.4, 0.6]])
    w = np.array([1.0, 1.0, 0.0, 0.0])
    assert oof_scorer(get_scorer("accuracy"), y, np.array([0, 1]))(proba) == 0.5
    assert oof_scorer(get_scorer("accuracy"), y, np.array([0, 1]), w)(proba) == 1.0
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 60)
    oofs = [np.c_[1 - p, p] for p in (np.clip(y + rng.normal(0, 0.6, 60), 0, 1) for _ in range(2))]
    splits = list(KFold(3).split(y))
    plain = stacking_oof_score(oofs, y, get_scorer("accuracy"), splits, np.array([0, 1]))
    weighted = stacking_oof_score(oofs, y, get_scorer("accuracy"), splits, np.array([0, 1]), rng.uniform(0, 3, 60))
    assert 0 <= plain <= 1 and 0 <= weighted <= 1 and plain != weighted


# ------------------------------------------------------------ the facade
def test_zero_weights_make_rows_invisible():
    # Half of the rows carry the opposite relation; with weight 0 they must not count.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 1))
    y = 3 * X[:, 0]
    y[200:] = -y[200:]
    w = np.r_[np.ones(200), np.zeros(200)]
    space = {"sklearn.linear_model.LinearRegression": None, "StandardScaler": None}
    settings = dict(time_budget=None, generations=0, population_size=2, search_space=space, cv=3, random_state=0)
    weighted = AutoRegressor(**settings).fit(X, y, sample_weight=w)
    plain = AutoRegressor(**settings).fit(X, y)
    assert weighted.leaderboard_["score"].iloc[0] > 0.999
    assert plain.leaderboard_["score"].iloc[0] < 0.1
    assert weighted.score(X[:200], y[:200]) > 0.999
    assert weighted.score(X, y, sample_weight=w) > 0.999


@pytest.mark.parametrize("ensemble", ["selection", "stacking"])
def test_weighted_fit_with_ensembles_and_string_labels(ensemble):
    X, y = make_tiny_classification(n_samples=150, n_classes=3)
    labels = np.array(["red", "green", "blue"])[y]
    w = np.random.default_rng(1).uniform(0.5, 2.0, len(y))
    est = AutoClassifier(**{**SETTINGS, "ensemble": ensemble}).fit(X, labels, sample_weight=w)
    assert set(est.predict(X)) <= set(labels)
    assert est.predict_proba(X).shape == (150, 3)
    assert not _has_requests(est.fitted_pipeline_)
    pickle.loads(pickle.dumps(est))
    assert est.ensemble_report_.reason


def test_models_that_cannot_take_weights_are_left_out():
    X, y, w = _data()
    space = {"KNeighborsClassifier": None, "LogisticRegression": None}
    est = AutoClassifier(**{**SETTINGS, "search_space": space}).fit(X, y, sample_weight=w)
    assert not est.leaderboard_["pipeline"].str.contains("KNeighbors").any()
    unweighted = AutoClassifier(**{**SETTINGS, "search_space": space}).fit(X, y)
    assert unweighted.leaderboard_["pipeline"].str.contains("KNeighbors").any()
    with pytest.raises(ValueError, match="no model in the search space accepts it"):
        AutoClassifier(**{**SETTINGS, "search_space": {"KNeighborsClassifier": None}}).fit(X, y, sample_weight=w)


def test_a_scorer_without_sample_weight_is_a_clear_error():
    X, y, w = _data()
    est = AutoClassifier(**{**SETTINGS, "scoring": lambda est, X, y: 0.0})
    with pytest.raises(ValueError, match="does not accept a sample_weight"):
        est.fit(X, y, sample_weight=w)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (lambda n: np.ones(n - 1), "has 299 values but X has 300 rows"),
        (lambda n: -np.ones(n), "must not be negative"),
        (lambda n: np.r_[np.nan, np.ones(n - 1)], "missing or infinite"),
        (lambda n: np.zeros(n), "zero for every row"),
        (lambda n: np.ones((n, 2)), "1-dimensional"),
        (lambda n: np.array(["a"] * n), "must hold numbers"),
        (lambda n: 2.0, "one weight per row"),
    ],
)
def test_bad_sample_weight_is_named(weights, message):
    X, y, _ = _data()
    with pytest.raises(ValueError, match=message):
        AutoClassifier(**SETTINGS).fit(X, y, sample_weight=weights(len(y)))


# ----------------------------------------------------------------- groups
def _duplicated_rows(n_groups=60, copies=5, seed=0):
    """Random labels; each group is one row repeated: memorizing wins only if a group leaks."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(n_groups, 3))
    labels = rng.integers(0, 2, n_groups)
    X = np.repeat(base, copies, axis=0) + rng.normal(0, 1e-6, (n_groups * copies, 3))
    return X, np.repeat(labels, copies), np.repeat(np.arange(n_groups), copies)


def test_groups_stop_duplicates_from_inflating_the_cv_score():
    X, y, groups = _duplicated_rows()
    space = {"KNeighborsClassifier": {"n_neighbors": [1]}}
    settings = dict(time_budget=None, generations=0, population_size=1, search_space=space, cv=3, random_state=0)
    leaky = AutoClassifier(**settings).fit(X, y)
    grouped = AutoClassifier(**settings).fit(X, y, groups=groups)
    assert leaky.leaderboard_["score"].iloc[0] > 0.95
    assert grouped.leaderboard_["score"].iloc[0] < 0.75


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_group_folds_keep_each_group_on_one_side(task):
    X, y, groups = _duplicated_rows()
    from autopipe.run import make_splits

    target = y if task == "classification" else y.astype(float)
    splits = make_splits(3, 3, X, target, is_classifier=task == "classification", seed=0, groups=groups)
    assert len(splits) == 3
    for train, test in splits:
        assert not set(groups[train]) & set(groups[test])
    assert sorted(np.concatenate([test for _, test in splits])) == list(range(len(y)))


@pytest.mark.filterwarnings("ignore:The groups parameter is ignored")
def test_a_splitter_that_ignores_groups_is_refused():
    X, y, groups = _duplicated_rows()
    with pytest.raises(ValueError, match="put a group on both sides"):
        AutoClassifier(**{**SETTINGS, "cv": KFold(3, shuffle=True, random_state=0)}).fit(X, y, groups=groups)


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        (lambda n: np.zeros(n), "single group"),
        (lambda n: np.r_[None, np.arange(n - 1)].astype(object), "missing values"),
        (lambda n: np.arange(n + 1), "has 301 values but X has 300 rows"),
    ],
)
def test_bad_groups_are_named(groups, message):
    X, y, _ = _data()
    with pytest.raises(ValueError, match=message):
        AutoClassifier(**SETTINGS).fit(X, y, groups=groups(len(y)))


def test_lower_fidelity_folds_respect_groups():
    X, y, groups = _duplicated_rows()
    splits = [(tr, te) for tr, te in KFold(3).split(X)]
    ev = Evaluator(X, y, splits=splits, scorer=get_scorer("accuracy"), is_classifier=True, groups=groups)
    folds = ev.payload.view(0.5)
    for (train, test), (full_train, full_test) in zip(folds, splits):
        assert not set(groups[train]) & set(groups[test])
        assert set(train) < set(full_train) and np.array_equal(test, full_test)


def test_linear_regression_in_voting_takes_weights():
    X = np.arange(10.0).reshape(-1, 1)
    y = np.r_[np.arange(5.0), np.full(5, 100.0)]
    w = np.r_[np.ones(5), np.zeros(5)]
    model = fit_weighted(make_pipeline(LinearRegression()), X, y, w)
    np.testing.assert_allclose(model.predict([[7.0]]), [7.0])
