"""Learning-curve based termination of networks (the median-stopping rule), through the training hooks."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("skorch")

from sklearn.base import clone  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import get_scorer  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from autopipe.evaluate import Evaluator  # noqa: E402
from autopipe.space import (  # noqa: E402
    NetworkTrainingHooks,
    NeuralNetClassifierOperator,
    NeuralNetRegressorOperator,
    StackingTransformer,
)

X, y = make_classification(n_samples=400, n_features=12, n_informative=6, random_state=0)


def _good(seed=0):
    return NeuralNetClassifierOperator(width=32, max_epochs=20, lr=3e-3, random_state=seed)


def _hopeless(early_stopping=True):
    # plain SGD at a tiny learning rate barely moves in 20 epochs
    return NeuralNetClassifierOperator(width=32, max_epochs=20, lr=1e-5, optimizer="sgd",
                                       early_stopping=early_stopping, random_state=0)


def _fit(net, reference, hooks=None, **kw):
    hooks = hooks or NetworkTrainingHooks()
    with hooks.fitting(net, reference=reference, **kw):
        return net.fit(X, y)


@pytest.fixture(scope="module")
def reference():
    return [_good(seed).fit(X, y).valid_curve_ for seed in range(3)]


def test_a_net_behind_the_median_is_stopped_after_the_warm_up(reference):
    assert all(len(c) > 5 for c in reference)
    hooks = NetworkTrainingHooks()
    net = _fit(_hopeless(), reference, hooks)
    assert net.stopped_at_epoch_ == 5 and len(net.valid_curve_) == 5
    report = hooks.report(net)
    assert report.stopped_early == 1 and report.inherited == 0
    assert len(report.curves) == 1 and report.curves[0] is net.valid_curve_
    assert net.predict_proba(X).shape == (400, 2)  # a usable, if weak, model


def test_a_net_ahead_of_the_reference_trains_on(reference):
    slower = [curve * 1.2 for curve in reference]
    net = _fit(_good(seed=0), slower)
    assert net.stopped_at_epoch_ is None
    np.testing.assert_allclose(net.valid_curve_, reference[0], rtol=1e-5)  # the same seed trains the same


def test_the_rule_is_the_75th_percentile_of_the_reference_at_each_epoch(reference):
    # _good(seed=0) trains exactly the curve c = reference[0] (see above); references that are c scaled by
    # factors k put the reference's percentile at every epoch at (the same percentile of the k) times the
    # net's best loss so far, so the net is stopped at the warm-up's end exactly when that percentile is < 1
    curve = reference[0]
    assert len(curve) > 6

    def scaled(*factors):
        return [curve * k for k in factors]

    # median 0.825 (the plain median rule would stop it), 75th percentile 1.2875: it trains on
    net = _fit(_good(seed=0), scaled(0.5, 0.6, 1.05, 2.0))
    assert net.stopped_at_epoch_ is None
    np.testing.assert_allclose(net.valid_curve_, curve, rtol=1e-5)
    # 75th percentile 0.8: behind it, stopped once the warm-up is over
    behind = scaled(0.5, 0.6, 0.7, 1.1)
    net = _fit(_good(seed=0), behind)
    assert net.stopped_at_epoch_ == 5 and len(net.valid_curve_) == 5
    late = _fit(_good(seed=0), behind, NetworkTrainingHooks(min_epochs=6))  # before min_epochs nothing is stopped
    assert late.stopped_at_epoch_ == 6


def test_nothing_is_stopped_without_enough_curves_or_a_validation_split(reference):
    assert _fit(_hopeless(), reference[:2]).stopped_at_epoch_ is None
    assert _fit(_hopeless(), None).stopped_at_epoch_ is None  # median stopping off
    net = _fit(_hopeless(early_stopping=False), reference)
    assert net.stopped_at_epoch_ is None and len(net.valid_curve_) == 0
    assert NetworkTrainingHooks().report(net).curves == ()  # no curve without a validation split
    assert _hopeless().fit(X, y).stopped_at_epoch_ is None  # outside the block


def test_the_hooks_settings_are_used(reference):
    assert _fit(_hopeless(), reference, NetworkTrainingHooks(min_epochs=7)).stopped_at_epoch_ == 7
    assert _fit(_hopeless(), reference, NetworkTrainingHooks(min_reference_curves=4)).stopped_at_epoch_ is None


def test_clones_made_in_the_block_are_stopped_too(reference):
    # the evaluator fits per-fold clones; a stacked network is fitted as a clone of its template
    hooks = NetworkTrainingHooks()
    template = _hopeless()
    stacked = make_pipeline(StackingTransformer(_hopeless()), LogisticRegression())
    with hooks.fitting(template, reference=reference), hooks.fitting(stacked, reference=reference):
        fold_fit = clone(template).fit(X, y)
        stacked.fit(X, y)
    assert fold_fit.stopped_at_epoch_ == 5
    assert stacked[0].estimator_.stopped_at_epoch_ == 5
    assert clone(template).fit(X, y).stopped_at_epoch_ is None  # the block is over


def test_regressors_are_stopped_too():
    Xr = X.astype(float)
    yr = Xr[:, 0] * 3 + Xr[:, 1]
    reference = [NeuralNetRegressorOperator(width=32, max_epochs=15, lr=3e-3, random_state=s).fit(Xr, yr).valid_curve_
                 for s in range(3)]
    net = NeuralNetRegressorOperator(width=32, max_epochs=15, lr=1e-5, optimizer="sgd", random_state=0)
    with NetworkTrainingHooks().fitting(net, reference=reference):
        net.fit(Xr, yr)
    assert net.stopped_at_epoch_ == 5


def _evaluator(splits, **kw):
    return Evaluator(X, y, splits=splits, scorer=get_scorer("accuracy"), is_classifier=True, n_jobs=1,
                     weight_inheritance=False, **kw)


def test_the_evaluator_stops_a_hopeless_candidate_with_the_curves_of_earlier_ones():
    splits = list(StratifiedKFold(2, shuffle=True, random_state=0).split(X, y))
    results = {}
    for enabled in (True, False):
        with _evaluator(splits, median_stopping=enabled, hooks=NetworkTrainingHooks()) as evaluator:
            first = evaluator.evaluate([(f"good{s}", _good(s)) for s in range(2)])
            results[enabled] = evaluator.evaluate([("hopeless", _hopeless())])[0]
        assert all(r.ok and r.stopped_early == 0 for r in first)
    assert results[True].ok and results[True].stopped_early == 2  # both folds
    assert results[False].ok and results[False].stopped_early == 0


def test_networks_of_one_batch_take_the_curves_of_those_finished_before_them():
    # one evaluate() call, as a generation of the search: the later networks must be stopped too
    splits = list(StratifiedKFold(2, shuffle=True, random_state=0).split(X, y))
    with _evaluator(splits, hooks=NetworkTrainingHooks()) as evaluator:
        results = evaluator.evaluate([(f"good{s}", _good(s)) for s in range(2)] + [("hopeless", _hopeless())])
    assert [r.stopped_early for r in results] == [0, 0, 2]


def test_without_the_networks_hooks_the_evaluator_stops_nothing():
    splits = list(StratifiedKFold(2, shuffle=True, random_state=0).split(X, y))
    with _evaluator(splits) as evaluator:  # the no-op hooks
        results = evaluator.evaluate([(f"good{s}", _good(s)) for s in range(2)] + [("hopeless", _hopeless())])
    assert all(r.ok for r in results) and [r.stopped_early for r in results] == [0, 0, 0]
