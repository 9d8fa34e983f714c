"""Neural-network operators: PyTorch multilayer perceptrons trained with skorch.

:class:`NeuralNetClassifierOperator` and :class:`NeuralNetRegressorOperator`
are ordinary scikit-learn estimators whose hyperparameters (architecture and
training) are plain constructor arguments, so autopipe can search them like any
other operator. They need the optional dependencies ``torch`` and ``skorch``
(``pip install "autopipe[nn]"``); both are imported only when a network is
fitted or used, never when this module is imported.

This module also gives the networks' device policy (:func:`resolve_device`,
:func:`set_device`, :func:`check_device`, :func:`uses_gpu`) and their
training hooks (:class:`NetworkTrainingHooks`: median stopping and weight
inheritance, which the evaluator applies through the search space's
``training_hooks``). :class:`MLPModule`, the ``torch.nn.Module`` the operators
train, is available as ``autopipe.space.nets.MLPModule``; accessing it imports
torch.
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from autopipe._utils.sklearn_shim import Interval, StrOptions
from autopipe.space._net_proxy import zero_cost_score
from autopipe.space._device import _NetworkMixin, check_device, resolve_device, set_device, uses_gpu
from autopipe.space._net_training import NetworkTrainingHooks

if TYPE_CHECKING:
    from autopipe.space._net_training import _NetworkFit
    from autopipe.space._torch_modules import MLPModule

__all__ = [
    "MLPModule",
    "NetworkTrainingHooks",
    "NeuralNetClassifierOperator",
    "NeuralNetRegressorOperator",
    "check_device",
    "resolve_device",
    "set_device",
    "uses_gpu",
    "zero_cost_score",
]

# Share of the training rows held out for early stopping, and its patience.
VALID_FRACTION = 0.2
PATIENCE = 5


def __getattr__(name: str) -> Any:
    # MLPModule subclasses torch.nn.Module: importing it imports torch, so it is
    # only loaded when asked for.
    if name == "MLPModule":
        from autopipe.space._torch_modules import MLPModule

        return MLPModule
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _seed(random_state: Any) -> int | None:
    """An int seed for torch and the validation split (None: unseeded)."""
    if random_state is None:
        return None
    if isinstance(random_state, Integral):
        return int(random_state)
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def _batch_size(batch_size: int, n_train: int, batch_norm: bool) -> int:
    """The batch size actually used: at most the training rows; with batch
    normalization, never one that leaves a last batch of a single row (batch
    statistics of one row are undefined)."""
    size = max(1, min(int(batch_size), n_train))
    if batch_norm:
        while size < n_train and n_train % size == 1:
            size += 1
    return size


def _train(net: Any, X: np.ndarray, y: np.ndarray) -> None:
    """Fit the skorch ``net``; on the CPU with one torch thread, restored afterwards.

    Batches of these small networks are too small for intra-op threads to
    pay: on a busy machine they made a fit 30 times slower.
    """
    if net.device != "cpu":
        net.fit(X, y)
        return
    import torch

    n_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        net.fit(X, y)
    finally:
        torch.set_num_threads(n_threads)


#: The parameters both network operators take, for their docstrings.
_PARAMETERS_DOC = """\
    Parameters
    ----------
    n_layers : int, default=2
        Number of hidden layers.
    width : int, default=64
        Width of the first hidden layer.
    shrink : float, default=1.0
        Width factor from one hidden layer to the next: ``1.0`` keeps every
        layer equally wide, ``0.5`` halves the width at each layer.
    activation : {"relu", "gelu", "tanh", "silu"}, default="relu"
        Activation function of the hidden layers.
    dropout : float, default=0.0
        Dropout probability after each hidden activation.
    norm : {None, "batch", "layer"}, default=None
        Normalization after each hidden linear layer.
    skip : bool, default=False
        Residual connections between hidden layers of equal width.
    dense : bool, default=False
        Multi-branch instead of chain-structured: each hidden layer, and the
        output layer, takes the input joined with the outputs of all earlier
        hidden layers (densely connected; ``skip`` then has no effect).
    optimizer : {"adam", "adamw", "sgd"}, default="adam"
        Optimizer (``"sgd"`` uses momentum 0.9).
    lr : float, default=1e-3
        Learning rate.
    weight_decay : float, default=1e-4
        Weight decay (L2 penalty) of the optimizer.
    batch_size : int, default=128
        Rows per training batch (at most the number of training rows).
    max_epochs : int, default=50
        Maximum number of passes over the training rows.
    early_stopping : bool, default=True
        Hold out 20% of the rows (stratified for a classifier) and stop when
        their loss has not improved for 5 epochs, keeping the best weights.
        Ignored (training on all rows for ``max_epochs``) when the data are
        too small to split, e.g. a class with a single row.
    device : {"auto", "cpu", "cuda"}, default="auto"
        ``"auto"`` trains on the GPU when ``torch.cuda.is_available()``.
    random_state : int, RandomState instance or None, default=None
        Seeds the weights, dropout, batch order and validation split. Note
        that ``fit`` sets torch's *global* seed (``torch.manual_seed``) of the
        process it runs in; autopipe fits candidates in worker processes.

    Notes
    -----
    On the CPU, ``fit`` trains with one torch thread and then restores the
    process's thread count: batches this small gain little from intra-op
    threads, and autopipe already runs one worker per core.

"""


class _NeuralNetOperator(_NetworkMixin, BaseEstimator):
    """Shared constructor, validation and training of the two net operators."""

    # What NetworkTrainingHooks.fitting tells this network (median stopping,
    # weight inheritance) while it is set; None: train alone.
    _training: _NetworkFit | None = None

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "n_layers": [Interval(Integral, 1, None, closed="left")],
        "width": [Interval(Integral, 1, None, closed="left")],
        "shrink": [Interval(Real, 0, 1, closed="right")],
        "activation": [StrOptions({"relu", "gelu", "tanh", "silu"})],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "norm": [StrOptions({"batch", "layer"}), None],
        "skip": ["boolean"],
        "dense": ["boolean"],
        "optimizer": [StrOptions({"adam", "adamw", "sgd"})],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "device": [StrOptions({"auto", "cpu", "cuda"})],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_layers: int = 2,
        width: int = 64,
        shrink: float = 1.0,
        activation: str = "relu",
        dropout: float = 0.0,
        norm: str | None = None,
        skip: bool = False,
        dense: bool = False,
        optimizer: str = "adam",
        lr: float = 1e-3,
        weight_decay: float = 1e-4,
        batch_size: int = 128,
        max_epochs: int = 50,
        early_stopping: bool = True,
        device: str = "auto",
        random_state: int | None = None,
    ) -> None:
        self.n_layers = n_layers
        self.width = width
        self.shrink = shrink
        self.activation = activation
        self.dropout = dropout
        self.norm = norm
        self.skip = skip
        self.dense = dense
        self.optimizer = optimizer
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.device = device
        self.random_state = random_state

    # -- validation -------------------------------------------------------------------
    def _check_X(self, X: Any, *, reset: bool, y: Any = None) -> Any:
        kwargs: dict[str, Any] = {
            "accept_sparse": ("csr", "csc", "coo"),
            "dtype": np.float32,
            "reset": reset,
        }
        if reset:
            X, y = validate_data(self, X, y, y_numeric=not isinstance(self, ClassifierMixin), **kwargs)
        else:
            X = validate_data(self, X, **kwargs)
        if sp.issparse(X):
            X = X.toarray()
        X = np.ascontiguousarray(X, dtype=np.float32)
        return (X, y) if reset else X

    # -- training ---------------------------------------------------------------------
    def _valid_split(self, n_samples: int, y_codes: np.ndarray | None, seed: int | None) -> Any:
        """skorch's internal validation split, or None when it cannot be made."""
        if not self.early_stopping:
            return None
        n_valid = math.ceil(VALID_FRACTION * n_samples)
        n_train = n_samples - n_valid
        if n_train < 2:
            return None
        if y_codes is not None:
            counts = np.bincount(y_codes)
            if counts.min() < 2 or n_valid < len(counts) or n_train < len(counts):
                return None
        from skorch.dataset import ValidSplit

        return ValidSplit(VALID_FRACTION, stratified=y_codes is not None, random_state=seed)

    def _fit_net(
        self, net_class: type, X: np.ndarray, y: np.ndarray, n_outputs: int, **net_kwargs: Any
    ) -> Any:
        """Build, seed and fit a skorch network on prepared data."""
        import torch
        from skorch.callbacks import EarlyStopping

        from autopipe.space._torch_modules import MLPModule

        seed = _seed(self.random_state)
        y_codes = y if isinstance(self, ClassifierMixin) else None
        split = self._valid_split(len(X), y_codes, seed)
        n_train = len(X) - math.ceil(VALID_FRACTION * len(X)) if split is not None else len(X)
        optimizers = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "sgd": torch.optim.SGD}
        optimizer_kwargs: dict[str, Any] = {"optimizer__weight_decay": float(self.weight_decay)}
        if self.optimizer == "sgd":
            optimizer_kwargs["optimizer__momentum"] = 0.9
        callbacks: list[tuple[str, Any]] = []
        if split is not None:
            callbacks.append(
                ("early_stopping", EarlyStopping(monitor="valid_loss", patience=PATIENCE, load_best=True))
            )
        training = self._training
        stopper = training.stopper() if training is not None and split is not None else None
        if stopper is not None:
            callbacks.append(("median_stopping", stopper))
        net = net_class(
            module=MLPModule,
            module__n_features=X.shape[1],
            module__n_outputs=n_outputs,
            module__n_layers=int(self.n_layers),
            module__width=int(self.width),
            module__shrink=float(self.shrink),
            module__activation=self.activation,
            module__dropout=float(self.dropout),
            module__norm=self.norm,
            module__skip=bool(self.skip),
            module__dense=bool(self.dense),
            optimizer=optimizers[self.optimizer],
            lr=float(self.lr),
            batch_size=_batch_size(self.batch_size, n_train, self.norm == "batch"),
            max_epochs=int(self.max_epochs),
            train_split=split,
            callbacks=callbacks,
            iterator_train__shuffle=True,
            device=self._resolved_device(),
            verbose=0,
            **optimizer_kwargs,
            **net_kwargs,
        )
        if seed is not None:
            # Sets torch's global seed (weights, dropout, batch order). autopipe
            # fits candidates in worker processes, so this stays local to them.
            torch.manual_seed(seed)
        architecture = (int(self.n_layers), int(self.width), float(self.shrink), self.activation, self.norm,
                        bool(self.skip), bool(self.dense), X.shape[1], n_outputs)
        weights = None if training is None else training.weights
        self.inherited_ = ""
        if weights is not None:
            rows = weights.rows_key(X, y)
            net.initialize()
            self.inherited_ = weights.load(net.module_, rows, architecture)
            net.warm_start = bool(self.inherited_)  # fit then keeps the loaded weights
        _train(net, X, y)
        if weights is not None:
            weights.keep(net.module_, rows, architecture)
        self.valid_curve_ = np.asarray(net.history[:, "valid_loss"], dtype=float) if split is not None else np.empty(0)
        self.stopped_at_epoch_ = None if stopper is None else stopper.stopped_at_
        return net

    def __sklearn_clone__(self) -> Any:
        twin = super().__sklearn_clone__()
        if self._training is not None:
            # the training hooks' fit reaches the clones made inside it (per-fold
            # copies, a stacked network's fitted copy)
            twin._training = self._training
        return twin

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


class NeuralNetClassifierOperator(ClassifierMixin, _NeuralNetOperator):
    __doc__ = """A multilayer perceptron classifier (PyTorch, trained with skorch).

    Every hyperparameter is a plain constructor argument. ``fit`` converts the
    input to dense float32, encodes the class labels (any labels, strings
    included), builds a :class:`skorch.NeuralNetClassifier` around
    :class:`MLPModule` with a cross-entropy loss and trains it.

{parameters}    Attributes
    ----------
    net_ : skorch.NeuralNetClassifier
        The fitted network.
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_features_in_ : int
        Number of features seen during :meth:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :meth:`fit`, when they are all strings.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    >>> clf = NeuralNetClassifierOperator(width=16, max_epochs=3, random_state=0).fit(X, y)
    >>> clf.predict_proba(X).shape
    (60, 2)
    """.format(parameters=_PARAMETERS_DOC)

    def fit(self, X: Any, y: Any) -> NeuralNetClassifierOperator:
        """Train the network.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Training data (converted to dense float32).
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : NeuralNetClassifierOperator
        """
        self._validate_params()
        X, y = self._check_X(X, y=y, reset=True)
        check_classification_targets(y)
        encoder = LabelEncoder().fit(y)
        if len(encoder.classes_) < 2:
            raise ValueError(
                "NeuralNetClassifierOperator needs samples of at least 2 classes, but the "
                f"data contain only one class: {encoder.classes_[0]!r}."
            )
        codes = encoder.transform(y).astype(np.int64)
        import torch
        from skorch import NeuralNetClassifier

        self.net_ = self._fit_net(
            NeuralNetClassifier,
            X,
            codes,
            len(encoder.classes_),
            criterion=torch.nn.CrossEntropyLoss,
            classes=np.arange(len(encoder.classes_)),
        )
        self.classes_ = encoder.classes_
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of :attr:`classes_`; rows sum to 1.
        """
        check_is_fitted(self)
        X = self._check_X(X, reset=False)
        proba = np.asarray(self.net_.predict_proba(X), dtype=np.float64)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X: Any) -> np.ndarray:
        """Most probable class labels.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from :attr:`classes_`.
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class NeuralNetRegressorOperator(RegressorMixin, _NeuralNetOperator):
    __doc__ = """A multilayer perceptron regressor (PyTorch, trained with skorch).

    Every hyperparameter is a plain constructor argument. ``fit`` converts the
    input to dense float32, standardizes the target (predictions are mapped
    back), builds a :class:`skorch.NeuralNetRegressor` around
    :class:`MLPModule` with a mean squared error loss and trains it on the
    target as a float32 column.

{parameters}    Attributes
    ----------
    net_ : skorch.NeuralNetRegressor
        The fitted network (it predicts the standardized target).
    y_mean_, y_scale_ : float
        Mean and standard deviation used to standardize the target.
    n_features_in_ : int
        Number of features seen during :meth:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :meth:`fit`, when they are all strings.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> X, y = make_regression(n_samples=60, n_features=4, random_state=0)
    >>> reg = NeuralNetRegressorOperator(width=16, max_epochs=3, random_state=0).fit(X, y)
    >>> reg.predict(X).shape
    (60,)
    """.format(parameters=_PARAMETERS_DOC)

    def fit(self, X: Any, y: Any) -> NeuralNetRegressorOperator:
        """Train the network.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Training data (converted to dense float32).
        y : array-like of shape (n_samples,)
            Target values.

        Returns
        -------
        self : NeuralNetRegressorOperator
        """
        self._validate_params()
        X, y = self._check_X(X, y=y, reset=True)
        if len(X) < 2:
            raise ValueError(
                f"NeuralNetRegressorOperator needs at least 2 samples, got n_samples = {len(X)}."
            )
        y = np.asarray(y, dtype=np.float64)
        mean, scale = float(np.mean(y)), float(np.std(y))
        if not np.isfinite(scale) or scale <= 0:
            scale = 1.0
        target = ((y - mean) / scale).astype(np.float32).reshape(-1, 1)
        import torch
        from skorch import NeuralNetRegressor

        self.net_ = self._fit_net(
            NeuralNetRegressor, X, target, 1, criterion=torch.nn.MSELoss
        )
        self.y_mean_ = mean
        self.y_scale_ = scale
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predicted target values.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = self._check_X(X, reset=False)
        out = np.asarray(self.net_.predict(X), dtype=np.float64).reshape(-1)
        return out * self.y_scale_ + self.y_mean_
