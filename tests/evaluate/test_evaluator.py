"""The Evaluator: parallel cross-validation with real time limits and captured failures."""

from __future__ import annotations

import contextlib
import time

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import get_scorer
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from autopipe._utils.deadline import Deadline
from autopipe.evaluate import Evaluator, Status
from autopipe.space import FitReport, TrainingHooks
from autopipe.testing import (
    CrashingClassifier,
    NaNRegressor,
    RaisingClassifier,
    SlowClassifier,
    make_tiny_classification,
    make_tiny_regression,
)


def _clf_evaluator(**kw):
    X, y = make_tiny_classification(n_samples=90, n_classes=3, random_state=0)
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    return Evaluator(X, y, splits=splits, scorer=get_scorer("accuracy"), is_classifier=True, **kw), y


def test_ok_results_in_input_order_with_oof_probabilities():
    evaluator, y = _clf_evaluator(n_jobs=2)
    with evaluator:
        cands = [("lr", make_pipeline(StandardScaler(), LogisticRegression())), ("nb", GaussianNB()),
                 ("svc", LinearSVC())]
        results = evaluator.evaluate(cands)
    assert [r.key for r in results] == ["lr", "nb", "svc"]
    for r in results:
        assert r.status is Status.OK and 0 <= r.score <= 1 and len(r.fold_scores) == 3
        assert r.fit_time > 0 and r.wall_time > 0
        assert not np.isnan(r.oof).any()
    assert results[0].oof.shape == (len(y), 3) and results[0].oof_kind == "proba"
    np.testing.assert_allclose(results[0].oof.sum(axis=1), 1, rtol=1e-5)
    assert results[2].oof.shape == (len(y), 1) and results[2].oof_kind == "label"
    # out-of-fold labels reproduce the fold accuracy
    assert results[2].score == pytest.approx((results[2].oof[:, 0] == y).mean(), abs=0.05)


def test_results_can_leave_their_out_of_fold_predictions_to_the_callback():
    evaluator, y = _clf_evaluator()
    seen = {}
    with evaluator:
        cands = [("lr", LogisticRegression()), ("nb", GaussianNB())]
        results = evaluator.evaluate(cands, on_result=lambda i, r: seen.setdefault(i, r), return_oof=False)
    assert all(r.ok and r.oof is None for r in results)
    assert all(seen[i].oof.shape == (len(y), 3) and seen[i].score == results[i].score for i in range(2))


def test_check_folds_rescore_on_other_splits():
    X, y = make_tiny_classification(n_samples=90, n_classes=3, random_state=0)
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    other = list(StratifiedKFold(3, shuffle=True, random_state=1).split(X, y))
    evaluator = Evaluator(X, y, splits=splits, scorer=get_scorer("accuracy"), is_classifier=True, check_splits=other)
    with evaluator:
        cand = [("lr", make_pipeline(StandardScaler(), LogisticRegression()))]
        (first,) = evaluator.evaluate(cand)
        (check,) = evaluator.evaluate(cand, check=True)
    assert check.ok and check.fidelity == 1.0 and len(check.fold_scores) == 3
    assert not np.isnan(check.oof).any()
    # the same model on other folds: other out-of-fold predictions
    assert not np.allclose(first.oof, check.oof)
    plain, _ = _clf_evaluator()
    with pytest.raises(ValueError, match="check_splits"):
        plain.evaluate(cand, check=True)


def test_failures_are_data_and_the_worker_pool_survives():
    evaluator, _ = _clf_evaluator(n_jobs=2, max_eval_time=1.0)
    with evaluator:
        start = time.monotonic()
        results = evaluator.evaluate(
            [("raise", RaisingClassifier("bad thing")), ("slow", SlowClassifier(30.0)),
             ("crash", CrashingClassifier()), ("good", GaussianNB())]
        )
        elapsed = time.monotonic() - start
        again = evaluator.evaluate([("good2", GaussianNB())])
    status = {r.key: r for r in results}
    assert status["raise"].status is Status.ERROR and "bad thing" in status["raise"].error
    assert status["slow"].status is Status.TIMEOUT and "1.0 s" in status["slow"].error
    assert status["crash"].status is Status.ERROR and "worker process died" in status["crash"].error
    assert status["good"].ok and again[0].ok
    assert elapsed < 15  # the 30 s candidate was killed, not waited for


def test_non_finite_scores_fail():
    X, y = make_tiny_regression(random_state=0)
    splits = list(KFold(3).split(X))
    with Evaluator(X, y, splits=splits, scorer=get_scorer("r2"), is_classifier=False) as ev:
        (result,) = ev.evaluate([("nan", NaNRegressor())])
    assert result.status is Status.ERROR and "NaN" in result.error


def test_deadline_stops_running_and_queued_work():
    evaluator, _ = _clf_evaluator(n_jobs=1)
    with evaluator:
        start = time.monotonic()
        results = evaluator.evaluate(
            [("slow", SlowClassifier(30.0)), ("queued", GaussianNB())], deadline=Deadline(2.0)
        )
    assert time.monotonic() - start < 6
    assert results[1] is None  # never started
    cut = results[0]
    assert cut.status is Status.CANCELLED and not cut.ok
    assert cut.error.startswith("stopped at the search deadline after ") and cut.wall_time > 0
    assert np.isnan(cut.score)


def test_a_cancelled_evaluation_is_not_a_timeout():
    # max_eval_time is far away: only the search's deadline stops the candidate
    evaluator, _ = _clf_evaluator(n_jobs=1, max_eval_time=60.0)
    with evaluator:
        (warm,) = evaluator.evaluate([("warm", GaussianNB())])  # the worker is up
        (cut,) = evaluator.evaluate([("slow", SlowClassifier(30.0))], deadline=Deadline(1.0))
    assert warm.status is Status.OK
    assert cut.status is Status.CANCELLED and cut.status.value == "cancelled"


def test_low_fidelity_fits_fewer_rows_and_predicts_every_validation_row():
    X, y = make_tiny_regression(n_samples=200, random_state=0)
    splits = list(KFold(3, shuffle=True, random_state=0).split(X))
    with Evaluator(X, y, splits=splits, scorer=get_scorer("r2"), is_classifier=False) as ev:
        (low,) = ev.evaluate([("ridge", Ridge())], fidelity=0.25)
        (full,) = ev.evaluate([("ridge", Ridge())])
    assert low.ok and low.fidelity == 0.25 and np.isfinite(low.oof).all()
    assert full.oof.shape[0] == low.oof.shape[0] == 200
    assert low.fit_time > 0


def test_fit_on_all_rows_in_parallel_within_the_deadline():
    evaluator, y = _clf_evaluator(n_jobs=2)
    with evaluator:
        start = time.monotonic()
        fitted = evaluator.fit(
            [("nb", GaussianNB()), ("slow", SlowClassifier(30.0)), ("boom", RaisingClassifier())],
            deadline=Deadline(2.0),
        )
    assert time.monotonic() - start < 6
    (nb, nb_error), (slow, slow_error), (boom, boom_error) = fitted
    assert nb_error == "" and nb.classes_.tolist() == sorted(set(y))
    assert slow is None and "deadline" in slow_error
    assert boom is None and boom_error


def test_the_default_hooks_are_the_no_op():
    evaluator, _ = _clf_evaluator(n_jobs=1)
    assert type(evaluator.hooks) is TrainingHooks and evaluator.payload.hooks is evaluator.hooks
    with evaluator:
        results = evaluator.evaluate([("nb", GaussianNB()), ("lr", LogisticRegression())])
    assert all(r.ok and r.stopped_early == 0 and r.inherited == 0 for r in results)


class _EchoHooks(TrainingHooks):
    """Holds back GaussianNB, sends it to the GPU lane, and reports what each fold's fit was given."""

    @staticmethod
    def is_held_back(estimator):
        return isinstance(estimator, GaussianNB)

    def uses_gpu(self, estimator):
        return self.is_held_back(estimator)

    @contextlib.contextmanager
    def fitting(self, estimator, *, reference=None, inherit=False):
        self.given = reference, inherit
        try:
            yield
        finally:
            del self.given

    def report(self, estimator):
        # one curve per held-back fit; "stopped" counts the reference curves the fit was given
        reference, inherit = self.given
        if reference is None:
            return FitReport(inherited=int(inherit))
        return FitReport(curves=(np.ones(3),), stopped_early=len(reference), inherited=int(inherit))


def test_a_custom_hooks_object_is_used(lanes_of):
    evaluator, _ = _clf_evaluator(n_jobs=1, gpu_lanes=1, hooks=_EchoHooks())
    with evaluator:
        lanes = lanes_of(evaluator)
        results = evaluator.evaluate([("nb1", GaussianNB()), ("lr", LogisticRegression()), ("nb2", GaussianNB())])
    assert lanes == {0: "gpu", 1: None, 2: "gpu"}
    # nb1 starts with no curves; nb2 is held back until nb1's 3 folds left one curve each
    assert [(r.stopped_early, r.inherited) for r in results] == [(0, 3), (0, 0), (9, 3)]
