"""Weight inheritance between networks trained on the same rows."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("skorch")

from sklearn.datasets import make_classification  # noqa: E402
from sklearn.metrics import get_scorer  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402

import autopipe.space.nets as nets  # noqa: E402
from autopipe.evaluate import Evaluator  # noqa: E402
from autopipe.space.nets import NeuralNetClassifierOperator, weight_inheritance  # noqa: E402

X, y = make_classification(n_samples=300, n_features=10, n_informative=5, random_state=0)


@pytest.fixture(autouse=True)
def empty_store(monkeypatch):
    monkeypatch.setitem(nets._INHERITANCE, "store", __import__("collections").OrderedDict())
    monkeypatch.setitem(nets._INHERITANCE, "bytes", 0)


def _net(**kw):
    params = dict(width=16, n_layers=2, max_epochs=15, lr=3e-3, random_state=0)
    params.update(kw)
    return NeuralNetClassifierOperator(**params)


def _frozen(**kw):
    # a learning rate of ~0 keeps the starting weights: what the network starts from is what it predicts
    return _net(max_epochs=1, lr=1e-12, optimizer="sgd", early_stopping=False, **kw)


def test_a_net_differing_in_training_hyperparameters_starts_from_the_trained_weights():
    with weight_inheritance():
        parent = _net().fit(X, y)
        child = _frozen(weight_decay=1e-2).fit(X, y)
    assert parent.inherited_ == "" and child.inherited_ == "same architecture"
    np.testing.assert_allclose(child.predict_proba(X), parent.predict_proba(X), atol=1e-5)


def test_one_residual_layer_deeper_computes_what_the_parent_did():
    with weight_inheritance():
        parent = _net(skip=True).fit(X, y)
        deeper = _frozen(skip=True, n_layers=3).fit(X, y)
        not_residual = _frozen(skip=False, n_layers=3).fit(X, y)
    assert deeper.inherited_ == "one layer deeper"
    np.testing.assert_allclose(deeper.predict_proba(X), parent.predict_proba(X), atol=1e-5)
    assert not_residual.inherited_ == ""  # a zero block without the residual path would erase the input


def test_nothing_is_inherited_across_rows_outside_the_block_or_between_other_shapes():
    with weight_inheritance():
        _net().fit(X, y)
        assert _net().fit(X[:200], y[:200]).inherited_ == ""  # other rows (another fold)
        assert _net(width=32).fit(X, y).inherited_ == ""
    assert _net().fit(X, y).inherited_ == ""


def test_the_store_is_bounded(monkeypatch):
    monkeypatch.setattr(nets, "INHERITANCE_BYTES", 1)
    with weight_inheritance():
        for width in (8, 16, 32):
            _net(width=width, max_epochs=1).fit(X, y)
    assert len(nets._INHERITANCE["store"]) == 1  # only the latest survives a tiny bound


def test_the_evaluator_reports_inherited_fits_and_can_turn_inheritance_off():
    splits = list(StratifiedKFold(2, shuffle=True, random_state=0).split(X, y))
    counts = {}
    for enabled in (True, False):
        evaluator = Evaluator(X, y, splits=splits, scorer=get_scorer("accuracy"), is_classifier=True, n_jobs=1,
                              weight_inheritance=enabled, median_stopping=False)
        with evaluator:
            first, second = evaluator.evaluate([("a", _net(lr=3e-3)), ("b", _net(lr=1e-3))])
        assert first.ok and second.ok
        counts[enabled] = second.inherited
    # one worker: the second candidate finds the first one's weights for each of its 2 folds
    assert counts == {True: 2, False: 0}
