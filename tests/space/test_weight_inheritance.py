"""Weight inheritance between networks trained on the same rows, through the training hooks."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

pytest.importorskip("skorch")

from sklearn.datasets import make_classification  # noqa: E402
from sklearn.metrics import get_scorer  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402

from autopipe.evaluate import Evaluator  # noqa: E402
from autopipe.space import NetworkTrainingHooks, NeuralNetClassifierOperator  # noqa: E402

X, y = make_classification(n_samples=300, n_features=10, n_informative=5, random_state=0)


@pytest.fixture
def hooks():
    return NetworkTrainingHooks()  # each test starts with an empty store


def _net(**kw):
    params = dict(width=16, n_layers=2, max_epochs=15, lr=3e-3, random_state=0)
    params.update(kw)
    return NeuralNetClassifierOperator(**params)


def _frozen(**kw):
    # a learning rate of ~0 keeps the starting weights: what the network starts from is what it predicts
    return _net(max_epochs=1, lr=1e-12, optimizer="sgd", early_stopping=False, **kw)


def _fit(hooks, net, rows=slice(None)):
    with hooks.fitting(net, inherit=True):
        return net.fit(X[rows], y[rows])


def test_a_net_differing_in_training_hyperparameters_starts_from_the_trained_weights(hooks):
    parent = _fit(hooks, _net())
    child = _fit(hooks, _frozen(weight_decay=1e-2))
    assert parent.inherited_ == "" and child.inherited_ == "same architecture"
    assert hooks.report(parent).inherited == 0 and hooks.report(child).inherited == 1
    np.testing.assert_allclose(child.predict_proba(X), parent.predict_proba(X), atol=1e-5)


def test_one_residual_layer_deeper_computes_what_the_parent_did(hooks):
    parent = _fit(hooks, _net(skip=True))
    deeper = _fit(hooks, _frozen(skip=True, n_layers=3))
    not_residual = _fit(hooks, _frozen(skip=False, n_layers=3))
    assert deeper.inherited_ == "one layer deeper"
    np.testing.assert_allclose(deeper.predict_proba(X), parent.predict_proba(X), atol=1e-5)
    assert not_residual.inherited_ == ""  # a zero block without the residual path would erase the input


def test_nothing_is_inherited_across_rows_outside_the_block_or_between_other_shapes(hooks):
    _fit(hooks, _net())
    assert _fit(hooks, _net(), rows=slice(200)).inherited_ == ""  # other rows (another fold)
    assert _fit(hooks, _net(width=32)).inherited_ == ""
    assert _net().fit(X, y).inherited_ == ""  # outside the block
    net = _net()
    with hooks.fitting(net, inherit=False):  # inside, but without inheritance
        assert net.fit(X, y).inherited_ == ""
    assert NetworkTrainingHooks().report(net).inherited == 0
    assert _fit(NetworkTrainingHooks(), _net()).inherited_ == ""  # another hooks object, another store


def test_the_store_is_bounded():
    hooks = NetworkTrainingHooks(max_weight_bytes=1)
    for width in (8, 16, 32):
        _fit(hooks, _net(width=width, max_epochs=1))
    # only the latest survives a tiny bound
    assert _fit(hooks, _net(width=32, max_epochs=1)).inherited_ == "same architecture"
    assert _fit(hooks, _net(width=8, max_epochs=1)).inherited_ == ""


def test_a_pickled_copy_starts_with_an_empty_store(hooks):
    _fit(hooks, _net())
    copy = pickle.loads(pickle.dumps(hooks))
    assert repr(copy) == repr(hooks)
    assert _fit(copy, _net()).inherited_ == ""
    assert _fit(hooks, _net()).inherited_ == "same architecture"


def test_the_evaluator_reports_inherited_fits_and_can_turn_inheritance_off():
    splits = list(StratifiedKFold(2, shuffle=True, random_state=0).split(X, y))
    counts = {}
    for enabled, hooks in ((True, NetworkTrainingHooks()), (False, NetworkTrainingHooks()), (None, None)):
        evaluator = Evaluator(X, y, splits=splits, scorer=get_scorer("accuracy"), is_classifier=True, n_jobs=1,
                              weight_inheritance=enabled is not False, median_stopping=False, hooks=hooks)
        with evaluator:
            first, second = evaluator.evaluate([("a", _net(lr=3e-3)), ("b", _net(lr=1e-3))])
        assert first.ok and second.ok
        counts[enabled] = second.inherited
    # one worker: the second candidate finds the first one's weights for each of its 2 folds;
    # without the networks' hooks (None: the no-op) nothing is inherited
    assert counts == {True: 2, False: 0, None: 0}
