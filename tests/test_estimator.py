"""The AutoEstimator facade: sklearn contract, outputs, reproducibility and input errors."""

from __future__ import annotations

import pickle
import time

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from autopipe import AutoClassifier, AutoEstimator, AutoRegressor
from autopipe.exceptions import AllCandidatesFailedError, SearchSpaceError
from autopipe.testing import assert_same_params, make_tiny_classification


def test_classification_end_to_end(clf_data, fast):
    X, y = clf_data
    est = AutoEstimator(**fast).fit(X, y)
    assert est.task_ == "classification"
    np.testing.assert_array_equal(est.classes_, [0, 1])
    assert est.predict(X).shape == (len(y),)
    proba = est.predict_proba(X)
    assert proba.shape == (len(y), 2) and np.allclose(proba.sum(axis=1), 1)
    assert 0.8 <= est.score(X, y) <= 1.0
    assert isinstance(est.best_pipeline_, Pipeline)
    lb = est.leaderboard_
    assert lb["status"].iloc[0] == "ensemble" if est.ensemble_report_.used else lb["status"].iloc[0] == "ok"
    for col in ["rank", "pipeline", "score", "score_std", "complexity", "fit_time", "status", "generation"]:
        assert col in lb.columns
    assert (lb.status != "ensemble").sum() == 8  # generation 0 (4) + one generation of 4 offspring
    ok = lb[lb.status == "ok"]
    assert list(ok["rank"]) == list(range(1, len(ok) + 1))
    # candidates re-scored on other folds come first (ranked by their pooled score), then the rest by score
    checked = ok.check_score.notna().to_numpy()
    assert not checked[checked.sum():].any() and ok[~checked].score.is_monotonic_decreasing
    assert est.n_features_in_ == X.shape[1]
    assert not est.pareto_front_.empty and est.pareto_front_.iloc[0]["complexity"] >= 1


def test_the_results_an_ensemble_may_use_keep_their_out_of_fold_predictions(clf_data, fast):
    X, y = clf_data
    est = AutoClassifier(**fast).fit(X, y)
    ok = [e for e in est.history_.ranked() if e.result.ok]
    assert all(len(e.result.fold_scores) == 3 for e in ok)
    usable = [e for e in ok if e.result.oof_kind == "proba"]
    assert usable and all(e.result.oof is not None for e in usable[:20])
    for entry in est.history_:
        if entry.result.oof is not None:
            assert entry.result.oof.shape == (len(y), 2) and entry.result.oof.dtype == np.float32
            assert entry.result.oof_kind == "proba" and entry.result.fidelity == 1.0


def test_regression_end_to_end(reg_data, fast):
    X, y = reg_data
    est = AutoEstimator(**fast).fit(X, y)
    assert est.task_ == "regression"
    assert est.score(X, y) > 0.5
    assert not hasattr(est, "classes_")
    assert not hasattr(est, "predict_proba")


def test_export_rebuilds_the_best_pipeline(clf_data, fast):
    X, y = clf_data
    est = AutoClassifier(**fast).fit(X, y)
    code = est.export()
    namespace: dict = {}
    exec(code, namespace)
    assert_same_params(namespace["pipeline"], est.fitted_pipeline_)
    rebuilt = namespace["pipeline"].fit(X, y)
    np.testing.assert_array_equal(rebuilt.predict(X), est.predict(X))


def test_export_writes_a_file(tmp_path, reg_data, fast):
    X, y = reg_data
    est = AutoRegressor(**fast).fit(X, y)
    path = tmp_path / "best.py"
    assert est.export(path) == path.read_text()


def test_clone_get_set_params_pickle(clf_data, fast):
    X, y = clf_data
    est = AutoClassifier(**fast)
    assert clone(est).get_params() == est.get_params()
    est.set_params(population_size=3)
    assert est.population_size == 3
    est.fit(X, y)
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.predict(X), est.predict(X))


def test_inside_pipeline_and_grid_search(reg_data, fast):
    X, y = reg_data
    fast.update(generations=0, population_size=2)
    pipe = make_pipeline(StandardScaler(), AutoRegressor(**fast))
    assert pipe.fit(X, y).score(X, y) > 0.5
    grid = GridSearchCV(AutoRegressor(**fast), {"search_space": ["light"], "population_size": [2, 3]}, cv=2)
    grid.fit(X, y)
    assert grid.best_params_["population_size"] in (2, 3)


def test_same_seed_same_leaderboard(clf_data, fast):
    X, y = clf_data
    a = AutoClassifier(**fast, n_jobs=1).fit(X, y)
    b = AutoClassifier(**fast, n_jobs=1).fit(X, y)
    assert list(a.leaderboard_.pipeline) == list(b.leaderboard_.pipeline)
    assert a.best_candidate_ == b.best_candidate_
    np.testing.assert_allclose(a.leaderboard_.score, b.leaderboard_.score)


def test_random_strategy_and_pandas_input(clf_data, fast):
    X, y = clf_data
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    est = AutoClassifier(**fast, strategy="random").fit(frame, pd.Series(y))
    assert list(est.feature_names_in_) == list(frame.columns)
    assert est.predict(frame).shape == (len(y),)


def test_string_labels(clf_data, fast):
    X, y = clf_data
    labels = np.array(["no", "yes"])[y]
    est = AutoEstimator(**fast).fit(X, labels)
    assert set(est.predict(X)) <= {"no", "yes"}
    np.testing.assert_array_equal(est.classes_, ["no", "yes"])


def test_time_budget_holds_with_slow_candidates(clf_data):
    X, y = clf_data
    space = {"SlowClassifier": {"seconds": [30.0]}, "GaussianNB": {}}
    est = AutoClassifier(search_space=_with_testing(space), time_budget=10, population_size=4, n_jobs=2, random_state=0,
                         max_eval_time=1.0)
    start = time.monotonic()
    est.fit(X, y)
    wall = time.monotonic() - start
    assert wall < 10 * 1.1 + 2 + 2  # generous: shared CI machines are noisy
    statuses = set(est.leaderboard_.status)
    assert "ok" in statuses and "timeout" in statuses
    assert "GaussianNB" in est.best_candidate_


def _with_testing(space: dict) -> dict:
    from autopipe.testing import SlowClassifier

    return {(SlowClassifier if k == "SlowClassifier" else k): v for k, v in space.items()}


def test_failing_candidates_do_not_stop_the_search(clf_data, fast):
    from autopipe.testing import CrashingClassifier, RaisingClassifier

    X, y = clf_data
    space = {RaisingClassifier: {}, CrashingClassifier: {}, "GaussianNB": {}, "StandardScaler": {}}
    fast.update(search_space=space, population_size=6, n_jobs=2)
    with pytest.warns(Warning, match="candidate pipelines failed"):
        est = AutoClassifier(**fast).fit(X, y)
    errors = " ".join(est.leaderboard_.error)
    assert "boom" in errors and "worker process died" in errors
    assert "GaussianNB" in est.best_candidate_


def test_all_candidates_failed(clf_data, fast):
    from autopipe.testing import RaisingClassifier

    X, y = clf_data
    fast.update(search_space={RaisingClassifier: {"message": ["nope"]}}, generations=0, population_size=2)
    with pytest.raises(AllCandidatesFailedError, match="nope"):
        AutoClassifier(**fast).fit(X, y)


@pytest.mark.parametrize(
    "X, y, match",
    [
        (np.zeros((5, 2)), np.zeros(4), "inconsistent numbers of rows"),
        (np.ones((6, 2)), np.array([0, 1, np.nan, 1, 0, 1]), "missing or non-finite"),
        (np.ones((6, 2)), np.array([0, 1, np.inf, 1, 0, 1.0]), "missing or non-finite"),
        (np.ones((6, 2)), np.zeros(6, dtype=int), "single class"),
        (np.empty((0, 3)), np.empty(0), "0 sample"),
        (np.ones((1, 3)), np.ones(1, dtype=int), "n_samples = 1"),
    ],
)
def test_bad_data_errors(X, y, match, fast):
    with pytest.raises(ValueError, match=match):
        AutoClassifier(**fast).fit(X, y)


def test_bad_parameter_errors(clf_data, fast):
    X, y = clf_data
    with pytest.raises(SearchSpaceError, match="Did you mean .light."):
        AutoClassifier(**{**fast, "search_space": "ligth"}).fit(X, y)
    with pytest.raises(ValueError, match="Did you mean 'accuracy'"):
        AutoClassifier(**{**fast, "scoring": "acuracy"}).fit(X, y)
    with pytest.raises(InvalidParameterError, match="population_size") as info:
        AutoClassifier(**{**fast, "population_size": 0, "cv": 1}).fit(X, y)
    assert "'cv'" in str(info.value)  # every problem in one error
    with pytest.raises(InvalidParameterError, match="tune_pruner"):
        AutoClassifier(**{**fast, "tune_pruner": "median"}).fit(X, y)
    with pytest.raises(ValueError, match="never stop"):
        AutoClassifier(time_budget=None).fit(X, y)
    with pytest.raises(ValueError, match="Unknown label type"):
        AutoClassifier(**fast).fit(X, np.linspace(0, 1, len(y)))


def test_not_fitted_and_scorer_used_by_score(clf_data, fast):
    from sklearn.exceptions import NotFittedError

    X, y = clf_data
    with pytest.raises(NotFittedError):
        AutoClassifier(**fast).predict(X)
    est = AutoClassifier(**{**fast, "scoring": "balanced_accuracy"}).fit(X, y)
    from sklearn.metrics import balanced_accuracy_score

    assert est.score(X, y) == pytest.approx(balanced_accuracy_score(y, est.predict(X)))


def test_verbose_progress_bar(clf_data, fast, capsys):
    X, y = clf_data
    AutoClassifier(**fast, verbose=0).fit(X, y)
    assert capsys.readouterr().err == ""
    AutoClassifier(**{**fast, "time_budget": 30}, verbose=1).fit(X, y)
    err = capsys.readouterr().err
    assert "autopipe" in err and "best=" in err


def test_train_test_workflow_from_readme():
    from autopipe.datasets import load_dataset

    X, y = load_dataset("credit-g", return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
    est = AutoEstimator(time_budget=None, generations=0, population_size=3, search_space="light", random_state=0)
    est.fit(X_train, y_train)
    assert est.score(X_test, y_test) > 0.6


def test_memory_caches_transformers(tmp_path, clf_data, fast):
    X, y = clf_data
    est = AutoClassifier(**{**fast, "memory": str(tmp_path)}).fit(X, y)
    assert est.best_pipeline_.memory == str(tmp_path)
    assert any(tmp_path.iterdir()) or est.best_pipeline_.steps.__len__() == 1


def test_early_stop_ends_the_search(clf_data, fast):
    X, y = clf_data
    est = AutoClassifier(**{**fast, "generations": 50, "early_stop": 1}).fit(X, y)
    assert "no improvement" in est.stop_reason_
    assert est.leaderboard_.generation.max() < 50


def test_raw_dataframe_with_strings_dates_and_missing_values(fast):
    rng = np.random.default_rng(0)
    n = 120
    frame = pd.DataFrame(
        {
            "age": np.where(rng.random(n) < 0.1, np.nan, rng.normal(40, 10, n)),
            "city": rng.choice(["paris", "lyon", "nice", None], n),
            "joined": pd.date_range("2020-01-01", periods=n, freq="D").astype(str),
            "member": rng.choice([True, False], n),
        }
    )
    y = np.where((frame["city"] == "paris") | (frame["age"] > 45), "yes", "no")
    est = AutoEstimator(**fast).fit(frame, y)
    assert est.score(frame, y) > 0.7
    shuffled = frame[frame.columns[::-1]].copy()
    shuffled.loc[0, "city"] = "unseen-city"
    shuffled["member"] = shuffled["member"].astype(object)
    shuffled.loc[1, "member"] = None
    np.testing.assert_array_equal(est.predict(shuffled)[2:], est.predict(frame)[2:])
    code = est.export()
    namespace: dict = {}
    exec(code, namespace)
    assert_same_params(namespace["pipeline"], est.fitted_pipeline_)


def test_plots_and_explanations_from_the_facade(fast):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"signal": rng.normal(size=120), "noise": rng.normal(size=120)})
    y = (X["signal"] > 0).astype(int)
    est = AutoClassifier(**fast).fit(X, y)
    assert est.plot_history().get_ylabel()
    assert est.plot_pareto().get_xlabel().startswith("complexity")
    table = est.explain(X, y, random_state=0, plot=True)
    assert table.iloc[0]["feature"] == "signal" and table.iloc[0]["importance_mean"] > 0.1


def test_decision_function_and_missing_predict_proba(clf_data, fast):
    X, y = clf_data
    est = AutoClassifier(**{**fast, "search_space": {"LinearSVC": {}}, "ensemble": None}).fit(X, y)
    assert est.decision_function(X).shape == (len(y),)
    assert not hasattr(est, "predict_proba")
    with pytest.raises(AttributeError, match="predict_proba"):
        est.predict_proba(X)


def test_candidate_pipeline_and_export_notebook(tmp_path, clf_data, fast):
    nbformat = pytest.importorskip("nbformat")
    X, y = clf_data
    est = AutoClassifier(**fast).fit(X, y)
    ok = est.leaderboard_[est.leaderboard_.status == "ok"]
    second = est.candidate_pipeline(1)
    assert second.get_params()["memory"] is None and not hasattr(second[-1], "n_features_in_")  # unfitted
    path = est.export_notebook(tmp_path / "candidate.ipynb", candidate=1)
    notebook = nbformat.read(path, as_version=4)
    text = "\n".join(cell.source for cell in notebook.cells)
    assert ok.iloc[1]["pipeline"][:40] in text and "pipeline = " in text
    with pytest.raises(IndexError, match="candidate"):
        est.candidate_pipeline(len(ok))


@pytest.mark.parametrize(("estimate", "fits"), [(3.0, True), (30.0, False)])
def test_final_refit_takes_a_small_overrun_before_a_weaker_pipeline(estimate, fits):
    from autopipe._utils.deadline import Deadline
    from autopipe.evaluate import EvaluationResult, Status
    from autopipe.run import BudgetPlan

    # 1 s left, slack 5% of 100 s: a 3 s refit of the best is allowed, a 30 s one is not
    plan = BudgetPlan(Deadline(1.0), 100.0)
    folds = (0.9, 0.9, 0.9)  # the refit estimate is 1.3 x fit_time / (folds - 1)
    result = EvaluationResult("m", Status.OK, 0.9, fold_scores=folds, fit_time=estimate * 2 / 1.3)
    assert plan.refit_fits(result) is fits


@pytest.mark.parametrize(
    "cls, first", [(AutoClassifier, "HistGradientBoostingClassifier(input"),
                   (AutoRegressor, "HistGradientBoostingRegressor(input")]
)
def test_the_floor_is_evaluated_first(cls, first):
    # gradient boosting with its defaults: strong, and finished in seconds on any table
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4))
    y = (X[:, 0] > 0).astype(int) if cls is AutoClassifier else X[:, 0]
    est = cls(time_budget=None, generations=0, population_size=3, n_jobs=1, random_state=0, ensemble=None,
              rescore_top=0).fit(X, y)
    keys = [e.genome.key for e in est.history_]
    assert keys[0].startswith(first) and len(keys) == 3


def test_a_budget_that_ends_before_any_score_still_gives_a_model(monkeypatch):
    from autopipe.evaluate import Evaluator, EvaluationResult, Status
    from autopipe.exceptions import TimeBudgetWarning

    def fake(error, status):
        def evaluate(self, candidates, on_result=None, **kwargs):
            results = [EvaluationResult.failed(key, status, error) for key, _ in candidates]
            for i, r in enumerate(results):
                if on_result is not None:
                    on_result(i, r)
            return results
        return evaluate

    cut = fake("stopped at the search deadline after 0.5 s", Status.CANCELLED)

    monkeypatch.setattr(Evaluator, "evaluate", cut)
    X, y = make_tiny_classification(n_samples=80, random_state=0)
    with pytest.warns(TimeBudgetWarning, match="HistGradientBoostingClassifier"):
        est = AutoClassifier(time_budget=None, generations=0, population_size=4, random_state=0).fit(X, y)
    assert est.best_candidate_.startswith("HistGradientBoostingClassifier(input")
    assert est.predict(X).shape == (80,) and not est.ensemble_report_.used

    monkeypatch.setattr(Evaluator, "evaluate", fake("ValueError: nope", Status.ERROR))
    with pytest.raises(AllCandidatesFailedError, match="nope"):
        AutoClassifier(time_budget=None, generations=0, population_size=4, random_state=0).fit(X, y)
