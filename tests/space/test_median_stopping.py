"""Learning-curve based termination of networks (the median-stopping rule)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("skorch")

from sklearn.datasets import make_classification  # noqa: E402
from sklearn.metrics import get_scorer  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402

from autopipe.evaluate import Evaluator  # noqa: E402
from autopipe.space.nets import (  # noqa: E402
    NeuralNetClassifierOperator,
    NeuralNetRegressorOperator,
    learning_curves,
    median_stopping,
)

X, y = make_classification(n_samples=400, n_features=12, n_informative=6, random_state=0)


def _good(seed=0):
    return NeuralNetClassifierOperator(width=32, max_epochs=20, lr=3e-3, random_state=seed)


def _hopeless(early_stopping=True):
    # plain SGD at a tiny learning rate barely moves in 20 epochs
    return NeuralNetClassifierOperator(width=32, max_epochs=20, lr=1e-5, optimizer="sgd",
                                       early_stopping=early_stopping, random_state=0)


@pytest.fixture(scope="module")
def reference():
    return [_good(seed).fit(X, y).valid_curve_ for seed in range(3)]


def test_a_net_behind_the_median_is_stopped_after_the_warm_up(reference):
    assert all(len(c) > 5 for c in reference)
    with median_stopping(reference):
        net = _hopeless().fit(X, y)
    assert net.stopped_at_epoch_ == 5 and len(net.valid_curve_) == 5
    assert learning_curves(net) == [(net.valid_curve_, 5)]
    assert net.predict_proba(X).shape == (400, 2)  # a usable, if weak, model


def test_a_net_ahead_of_the_reference_trains_on(reference):
    slower = [curve * 1.2 for curve in reference]
    with median_stopping(slower):
        net = _good(seed=0).fit(X, y)
    assert net.stopped_at_epoch_ is None
    np.testing.assert_allclose(net.valid_curve_, reference[0], rtol=1e-5)  # the same seed trains the same


def test_the_rule_is_a_percentile_of_the_reference_at_each_epoch():
    from autopipe.space._torch_modules import MedianStopping

    class Net:  # the part of a skorch net the callback reads
        def __init__(self, losses):
            from skorch.history import History

            self.history = History()
            for loss in losses:
                self.history.new_epoch()
                self.history.record("valid_loss", loss)

    reference = [np.array([5, 4, 3, 2, 1.0]), np.array([5, 4, 3, 2, 1.5]), np.array([5, 4, 3, 2.5, 2.0]),
                 np.array([9, 9, 9, 9, 9.0])]
    rule = MedianStopping(reference, min_epochs=5).initialize()
    rule.on_epoch_end(Net([5, 4, 3, 2, 1.9]))  # 75th percentile of (1, 1.5, 2, 9) is 3.75: goes on
    assert rule.stopped_at_ is None
    with pytest.raises(KeyboardInterrupt):
        rule.on_epoch_end(Net([9, 9, 9, 9, 4.0]))
    assert rule.stopped_at_ == 5
    early = MedianStopping(reference, min_epochs=6).initialize()
    early.on_epoch_end(Net([9, 9, 9, 9, 9.0]))  # before min_epochs nothing is stopped
    assert early.stopped_at_ is None


def test_nothing_is_stopped_without_enough_curves_or_a_validation_split(reference):
    with median_stopping(reference[:2]):
        assert _hopeless().fit(X, y).stopped_at_epoch_ is None
    with median_stopping(reference):
        net = _hopeless(early_stopping=False).fit(X, y)
    assert net.stopped_at_epoch_ is None and len(net.valid_curve_) == 0
    assert _hopeless().fit(X, y).stopped_at_epoch_ is None  # outside the block


def test_regressors_are_stopped_too():
    Xr = X.astype(float)
    yr = Xr[:, 0] * 3 + Xr[:, 1]
    reference = [NeuralNetRegressorOperator(width=32, max_epochs=15, lr=3e-3, random_state=s).fit(Xr, yr).valid_curve_
                 for s in range(3)]
    with median_stopping(reference):
        net = NeuralNetRegressorOperator(width=32, max_epochs=15, lr=1e-5, optimizer="sgd", random_state=0).fit(Xr, yr)
    assert net.stopped_at_epoch_ == 5


def test_the_evaluator_stops_a_hopeless_candidate_with_the_curves_of_earlier_ones():
    splits = list(StratifiedKFold(2, shuffle=True, random_state=0).split(X, y))
    results = {}
    for enabled in (True, False):
        evaluator = Evaluator(X, y, splits=splits, scorer=get_scorer("accuracy"), is_classifier=True, n_jobs=1,
                              median_stopping=enabled, weight_inheritance=False)
        with evaluator:
            first = evaluator.evaluate([(f"good{s}", _good(s)) for s in range(2)])
            results[enabled] = evaluator.evaluate([("hopeless", _hopeless())])[0]
        assert all(r.ok and r.stopped_early == 0 for r in first)
    assert results[True].ok and results[True].stopped_early == 2  # both folds
    assert results[False].ok and results[False].stopped_early == 0


def test_networks_of_one_batch_take_the_curves_of_those_finished_before_them():
    # one evaluate() call, as a generation of the search: the later networks must be stopped too
    splits = list(StratifiedKFold(2, shuffle=True, random_state=0).split(X, y))
    evaluator = Evaluator(X, y, splits=splits, scorer=get_scorer("accuracy"), is_classifier=True, n_jobs=1,
                          weight_inheritance=False)
    with evaluator:
        results = evaluator.evaluate([(f"good{s}", _good(s)) for s in range(2)] + [("hopeless", _hopeless())])
    assert [r.stopped_early for r in results] == [0, 0, 2]
