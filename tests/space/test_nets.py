"""The neural-network operators: skorch MLPs, their registry records and the "nn" preset."""

from __future__ import annotations

import itertools
import logging
import pickle
import subprocess
import sys
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("skorch")

import torch
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks

from autopipe.exceptions import SearchSpaceError
from autopipe.space import (
    NetworkTrainingHooks,
    NeuralNetClassifierOperator,
    NeuralNetRegressorOperator,
    Role,
    TrainingHooks,
    _registry,
    build_space,
    get_preset,
)
from autopipe.space.nets import check_device, resolve_device, set_device, uses_gpu

PLAIN_PARAMS = {
    "n_layers",
    "width",
    "shrink",
    "activation",
    "dropout",
    "norm",
    "skip",
    "dense",
    "optimizer",
    "lr",
    "weight_decay",
    "batch_size",
    "max_epochs",
    "early_stopping",
    "device",
    "random_state",
}
SMALL = {"width": 16, "max_epochs": 3, "random_state": 0}


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread() -> Iterator[None]:
    # Tiny networks on a shared machine: extra threads only add contention.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _classification(n: int = 60) -> tuple[np.ndarray, np.ndarray]:
    X, y = make_classification(
        n_samples=n, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    return X, np.array(["ant", "bee", "cat"])[y]


def _regression(n: int = 60) -> tuple[np.ndarray, np.ndarray]:
    return make_regression(n_samples=n, n_features=6, n_informative=4, noise=1.0, random_state=0)


def _net_records() -> list[Any]:
    return [op for op in _registry.registry_operators() if op.name in _registry.NN_OPERATORS]


# -- fitting and predicting -----------------------------------------------------------


def test_classifier_with_string_labels() -> None:
    X, y = _classification()
    clf = NeuralNetClassifierOperator(**SMALL).fit(X, y)
    assert list(clf.classes_) == ["ant", "bee", "cat"]
    assert clf.n_features_in_ == 6
    pred = clf.predict(X)
    assert pred.shape == (60,) and set(pred) <= set(clf.classes_)
    proba = clf.predict_proba(X)
    assert proba.shape == (60, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(pred, clf.classes_[proba.argmax(axis=1)])
    # a better-trained net learns the training data
    strong = NeuralNetClassifierOperator(lr=0.02, max_epochs=5, batch_size=16, random_state=0)
    assert strong.fit(X, y).score(X, y) > 0.6


def test_regressor_predicts_a_vector() -> None:
    X, y = _regression()
    reg = NeuralNetRegressorOperator(**SMALL).fit(X, y)
    pred = reg.predict(X)
    assert pred.shape == (60,) and np.all(np.isfinite(pred))
    assert reg.n_features_in_ == 6
    # the skorch net was trained on a float32 column
    assert reg.net_.predict(X.astype(np.float32)).shape == (60, 1)
    strong = NeuralNetRegressorOperator(lr=0.02, max_epochs=5, batch_size=16, random_state=0)
    assert strong.fit(X, y).score(X, y) > 0.5


def test_sparse_input_is_densified() -> None:
    import scipy.sparse as sp

    X, y = _classification()
    clf = NeuralNetClassifierOperator(**SMALL).fit(sp.csr_matrix(X), y)
    np.testing.assert_array_equal(clf.predict_proba(sp.csr_matrix(X)), clf.predict_proba(X))


def test_early_stopping_uses_a_validation_split() -> None:
    X, y = _classification()
    clf = NeuralNetClassifierOperator(**SMALL).fit(X, y)
    assert clf.net_.train_split is not None and clf.net_.train_split.stratified
    assert "valid_loss" in clf.net_.history[-1]
    names = [name for name, _ in clf.net_.callbacks]
    assert "early_stopping" in names
    off = NeuralNetClassifierOperator(**SMALL, early_stopping=False).fit(X, y)
    assert off.net_.train_split is None and len(off.net_.history) == 3
    # a class with one row cannot be stratified: train on everything instead
    y_rare = y.copy()
    y_rare[0] = "dog"
    rare = NeuralNetClassifierOperator(**SMALL).fit(X, y_rare)
    assert rare.net_.train_split is None and len(rare.classes_) == 4


def test_batch_norm_never_sees_a_single_row_batch() -> None:
    X, y = _regression(n=33)
    for batch_size in (2, 4, 8, 16, 32):
        reg = NeuralNetRegressorOperator(
            **SMALL, norm="batch", batch_size=batch_size, early_stopping=False
        )
        assert reg.fit(X, y).predict(X[:1]).shape == (1,)


def test_invalid_input() -> None:
    X, y = _classification()
    with pytest.raises(ValueError, match="only one class"):
        NeuralNetClassifierOperator(**SMALL).fit(X, np.full(60, "ant"))
    with pytest.raises(InvalidParameterError, match="activation"):
        NeuralNetClassifierOperator(activation="sigmoid").fit(X, y)
    with pytest.raises(ValueError, match="4 features"):
        NeuralNetClassifierOperator(**SMALL).fit(X, y).predict(X[:, :4])


# -- architectures --------------------------------------------------------------------


@pytest.mark.parametrize("n_layers", [1, 4])
@pytest.mark.parametrize("shrink", [1.0, 0.5])
def test_every_architecture_builds(n_layers: int, shrink: float) -> None:
    from autopipe.space import nets

    MLPModule = nets.MLPModule
    X = torch.randn(8, 5)
    for norm, activation, skip in itertools.product(
        [None, "batch", "layer"], ["relu", "gelu", "tanh", "silu"], [False, True]
    ):
        module = MLPModule(
            5, 3, n_layers=n_layers, width=16, shrink=shrink, activation=activation,
            dropout=0.2, norm=norm, skip=skip,
        )
        assert len(module.hidden) == n_layers
        widths = [block.body[0].out_features for block in module.hidden]
        assert widths == [max(1, round(16 * shrink**i)) for i in range(n_layers)]
        residual = [block.residual for block in module.hidden]
        # the first layer maps 5 features to 16: never residual
        assert residual == [skip and i > 0 and shrink == 1.0 for i in range(n_layers)]
        module.train()
        assert module(X).shape == (8, 3)
        module.eval()
        assert module(X[:1]).shape == (1, 3)


def test_architecture_variants_fit() -> None:
    X, y = _classification()
    for params in (
        {"n_layers": 1, "norm": "batch", "activation": "tanh"},
        {"n_layers": 4, "norm": "layer", "skip": True, "activation": "gelu", "dropout": 0.3},
        {"n_layers": 3, "dense": True, "norm": "batch"},
        {"n_layers": 4, "shrink": 0.5, "skip": True, "optimizer": "sgd"},
    ):
        clf = NeuralNetClassifierOperator(**{**SMALL, **params}).fit(X, y)
        assert clf.predict_proba(X).shape == (60, 3)


def test_module_rejects_bad_architecture() -> None:
    from autopipe.space.nets import MLPModule

    with pytest.raises(ValueError, match="activation"):
        MLPModule(3, 2, activation="softmax")
    with pytest.raises(ValueError, match="norm"):
        MLPModule(3, 2, norm="group")


# -- registry and presets -------------------------------------------------------------


def test_registry_records() -> None:
    records = {op.name: op for op in _net_records()}
    assert set(records) == {"NeuralNetClassifier", "NeuralNetRegressor"}
    assert records["NeuralNetClassifier"].estimator_class is NeuralNetClassifierOperator
    assert records["NeuralNetClassifier"].tasks == {"classification"}
    assert records["NeuralNetRegressor"].estimator_class is NeuralNetRegressorOperator
    assert records["NeuralNetRegressor"].tasks == {"regression"}
    for op in records.values():
        assert op.role is Role.MODEL
        assert set(op.params) == PLAIN_PARAMS - {"device", "random_state"}
        assert dict(op.fixed) == {"device": "auto"}


def test_random_registry_params_fit() -> None:
    rng = np.random.default_rng(0)
    for op in _net_records():
        task = next(iter(op.tasks))
        X, y = _classification() if task == "classification" else _regression()
        for _ in range(10):
            params = op.sample_params(rng)
            params["max_epochs"] = min(params["max_epochs"], 3)
            est = op.build(params, random_state=0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pred = est.fit(X, y).predict(X)
            assert pred.shape == (60,), params
            if task == "regression":
                assert np.all(np.isfinite(pred)), params


def test_presets() -> None:
    default = get_preset("default")
    assert set(_registry.NN_OPERATORS) <= set(default)
    # shorter training than in "nn", next to the trees and linear models
    assert default["NeuralNetClassifier"]["max_epochs"].high == 40
    assert get_preset("nn")["NeuralNetClassifier"]["max_epochs"].high == 100
    assert "NeuralNetClassifier" in [op.name for op in build_space("default", "classification").models]
    assert not set(_registry.NN_OPERATORS) & set(get_preset("light"))
    nn = get_preset("nn")
    assert set(nn) == {
        "StandardScaler",
        "RobustScaler",
        "MinMaxScaler",
        "MaxAbsScaler",
        "PCA",
        "VarianceThreshold",
        "SelectPercentile",
        "NeuralNetClassifier",
        "NeuralNetRegressor",
    }
    clf = build_space("nn", "classification")
    assert [op.name for op in clf.models] == ["NeuralNetClassifier"]
    reg = build_space("nn", "regression")
    assert [op.name for op in reg.models] == ["NeuralNetRegressor"]
    # a user dict may narrow a net's ranges like any registry operator
    narrowed = build_space({"NeuralNetRegressor": {"max_epochs": [5], "norm": [None]}}, "regression")
    assert narrowed["NeuralNetRegressor"].params["max_epochs"].choices == (5,)


@pytest.fixture
def _without_torch(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    real = _registry.importlib.util.find_spec

    def find_spec(name: str, *args: Any, **kwargs: Any) -> Any:
        return None if name == "torch" else real(name, *args, **kwargs)

    caches = (
        _registry.registry_operators,
        _registry.registry_by_name,
        _registry.registry_class_names,
    )
    monkeypatch.setattr(_registry.importlib.util, "find_spec", find_spec)
    for cache in caches:
        cache.cache_clear()
    yield
    monkeypatch.undo()
    for cache in caches:
        cache.cache_clear()


@pytest.mark.usefixtures("_without_torch")
def test_without_torch_the_nets_are_left_out(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="autopipe.space._registry"):
        names = {op.name for op in _registry.registry_operators()}
    assert not names & set(_registry.NN_OPERATORS)
    assert "LogisticRegression" in names
    assert "install autopipe[nn]" in caplog.text
    assert "LogisticRegression" in get_preset("default")
    assert not set(_registry.NN_OPERATORS) & set(get_preset("default"))
    with pytest.raises(SearchSpaceError, match=r"PyTorch and skorch.*install autopipe\[nn\]"):
        get_preset("nn")
    with pytest.raises(SearchSpaceError, match=r"autopipe\[nn\]"):
        build_space("nn", "classification")


def test_importing_autopipe_does_not_import_torch() -> None:
    code = (
        "import sys, autopipe, autopipe.space, autopipe.space.nets\n"
        "from autopipe.space import NeuralNetClassifierOperator, get_preset\n"
        "get_preset('nn')\n"
        "assert 'torch' not in sys.modules and 'skorch' not in sys.modules, 'imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr


# -- sklearn conventions --------------------------------------------------------------


def test_get_params_lists_the_plain_arguments() -> None:
    for cls in (NeuralNetClassifierOperator, NeuralNetRegressorOperator):
        assert set(cls().get_params()) == PLAIN_PARAMS
        assert set(cls().get_params(deep=True)) == PLAIN_PARAMS


@pytest.mark.parametrize(
    "make", [(NeuralNetClassifierOperator, _classification), (NeuralNetRegressorOperator, _regression)]
)
def test_pickle_and_clone_round_trip(make: tuple[type, Any]) -> None:
    cls, data = make
    X, y = data()
    est = cls(**SMALL, dropout=0.2, norm="batch").fit(X, y)
    method = "predict_proba" if hasattr(est, "predict_proba") else "predict"
    expected = getattr(est, method)(X)
    loaded = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(getattr(loaded, method)(X), expected)
    np.testing.assert_array_equal(loaded.predict(X), est.predict(X))
    copy = clone(est)
    assert copy.get_params() == est.get_params() and not hasattr(copy, "net_")
    np.testing.assert_array_equal(getattr(copy.fit(X, y), method)(X), expected)


def test_device_auto_resolves(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not torch.cuda.is_available()  # this test runs on CPU machines
    assert resolve_device("auto") == "cpu"
    X, y = _classification()
    assert NeuralNetClassifierOperator(**SMALL).fit(X, y).net_.device == "cpu"
    assert resolve_device("cpu") == "cpu" and resolve_device("cuda") == "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == "cuda"


def test_the_device_policy_finds_the_networks_inside_a_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from autopipe.space import StackingTransformer

    pipe = make_pipeline(StandardScaler(), StackingTransformer(NeuralNetClassifierOperator()), LogisticRegression())
    assert not uses_gpu(pipe)  # "auto" on a machine without a GPU
    assert set_device(pipe, "cuda") is pipe and pipe[1].estimator.device == "cuda" and uses_gpu(pipe)
    assert not uses_gpu(make_pipeline(StandardScaler(), LogisticRegression()))
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match="device='cuda' was given"):
        check_device("cuda", build_space("nn", "classification"))
    check_device("cuda", build_space("light", "classification"))  # no network: nothing to check
    check_device("auto", build_space("nn", "classification"))


def test_the_space_provides_the_networks_training_hooks() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    hooks = build_space("nn", "classification").training_hooks
    assert isinstance(hooks, NetworkTrainingHooks)
    assert build_space("nn", "classification").training_hooks is not hooks  # a new one for each evaluator
    assert type(build_space("light", "classification").training_hooks) is TrainingHooks
    net = make_pipeline(StandardScaler(), NeuralNetClassifierOperator(device="cuda"))
    assert hooks.is_held_back(net) and hooks.uses_gpu(net)
    assert not hooks.is_held_back(make_pipeline(StandardScaler(), LogisticRegression()))
    assert not hooks.uses_gpu(set_device(net, "cpu"))
    assert hooks.report(net).curves == () and hooks.report(net).stopped_early == 0  # not fitted yet


@parametrize_with_checks(
    [
        # A higher learning rate and small batches let 3 epochs pass the
        # accuracy and R^2 thresholds of check_classifiers_train/check_regressors_train.
        NeuralNetClassifierOperator(width=16, max_epochs=3, lr=0.05, batch_size=32, random_state=0),
        NeuralNetRegressorOperator(width=16, max_epochs=3, lr=0.05, batch_size=32, random_state=0),
    ]
)
def test_sklearn_compatible(estimator: Any, check: Any) -> None:
    check(estimator)


# -- end to end -----------------------------------------------------------------------


def test_auto_classifier_with_the_nn_preset() -> None:
    from autopipe import AutoClassifier

    X, y = _classification(n=80)
    clf = AutoClassifier(
        search_space="nn", time_budget=None, generations=0, population_size=2, cv=2, random_state=0
    )
    clf.fit(X, y)
    assert set(clf.predict(X)) <= {"ant", "bee", "cat"}
    assert clf.predict_proba(X).shape == (80, 3)
    steps = clf.best_pipeline_.steps
    assert isinstance(steps[-1][1], NeuralNetClassifierOperator)
    assert steps[-1][1].device == "auto"


def test_the_estimators_device_reaches_every_network() -> None:
    from autopipe import AutoClassifier

    X, y = _classification(n=80)
    clf = AutoClassifier(search_space="nn", time_budget=None, generations=0, population_size=2, cv=2,
                         random_state=0, device="cpu", ensemble=None)
    clf.fit(X, y)
    nets = [p for p in clf.best_pipeline_.get_params(deep=True).values() if isinstance(p, NeuralNetClassifierOperator)]
    assert nets and all(net.device == "cpu" for net in nets)
    assert 'device="cpu"' in clf.export()


def test_cuda_without_a_gpu_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    from autopipe import AutoClassifier

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    X, y = _classification(n=80)
    with pytest.raises(ValueError, match=r"device=.cuda. was given, but no CUDA device is usable here"):
        AutoClassifier(search_space="nn", generations=0, population_size=2, device="cuda").fit(X, y)
    # without networks in the space the device does not matter
    AutoClassifier(search_space="light", time_budget=None, generations=0, population_size=2, cv=2,
                   device="cuda").fit(X, y)


def test_dense_networks_join_every_earlier_layer() -> None:
    from autopipe.space.nets import MLPModule

    module = MLPModule(5, 3, n_layers=3, width=8, shrink=0.5, dense=True, skip=True)
    # layer i reads the input and all earlier hidden outputs: 5, 5 + 8, 5 + 8 + 4; the output reads all
    assert [block.body[0].in_features for block in module.hidden] == [5, 13, 17]
    assert module.output.in_features == 19
    assert not any(block.residual for block in module.hidden)
    out = module(torch.randn(6, 5))
    out.sum().backward()
    assert out.shape == (6, 3) and module.hidden[0].body[0].weight.grad is not None


def test_dense_operators_fit_and_export() -> None:
    X, y = _classification(n=80)
    clf = NeuralNetClassifierOperator(dense=True, n_layers=2, width=16, max_epochs=3, random_state=0).fit(X, y)
    assert clf.net_.module_.dense and clf.predict_proba(X).shape == (80, 3)
    assert clone(clf).get_params()["dense"] is True


def test_auto_device_on_a_linux_machine_without_nvidia_devices_does_not_import_torch() -> None:
    code = (
        "import sys, glob\n"
        "from autopipe.space.nets import resolve_device\n"
        "expected = 'cpu' if sys.platform.startswith('linux') and not glob.glob('/dev/nvidia[0-9]*') else None\n"
        "device = resolve_device('auto')\n"
        "assert expected is None or (device == 'cpu' and 'torch' not in sys.modules), (device, expected)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
