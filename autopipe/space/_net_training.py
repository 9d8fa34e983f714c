"""The networks' training hooks: median stopping against earlier learning curves, and weight inheritance."""

from __future__ import annotations

import collections
import contextlib
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from autopipe.space._hooks import FitReport, TrainingHooks
from autopipe.space._device import find_networks, holds_networks

__all__ = ["NetworkTrainingHooks", "training_hooks_for"]

#: Median stopping: reference curves needed before it acts, and epochs every network gets.
MIN_REFERENCE_CURVES = 3
MIN_EPOCHS = 5
#: Weight inheritance: bytes of trained weights one worker keeps (the most recent).
MAX_WEIGHT_BYTES = 64 * 2**20


class NetworkTrainingHooks(TrainingHooks):
    """Training hooks of the network operators: median stopping and weight inheritance.

    Networks (:class:`~autopipe.space.NeuralNetClassifierOperator`,
    :class:`~autopipe.space.NeuralNetRegressorOperator`) are held back by
    the evaluator and fitted inside :meth:`fitting`, which tells each network
    of the candidate (and each clone of it made in the block) what it may use:

    * **Median stopping.** A network with an internal validation split
      (``early_stopping=True``) ends its training after epoch ``t`` (``t`` at
      least ``min_epochs``) when its best validation loss so far is worse
      than the 75th percentile of the reference curves' best losses in their
      first ``t`` epochs (the median-stopping rule, made less eager: at the
      median it would stop half of the merely average networks). With fewer
      than ``min_reference_curves`` curves, nothing is stopped.
    * **Weight inheritance.** Every network trained with ``inherit=True``
      leaves its trained weights in this object's store (the most recent
      ``max_weight_bytes``), keyed by the rows it was trained on. A later
      network on the same rows starts from them instead of from random
      weights when it has the same architecture (it differs only in training
      hyperparameters or dropout), or when it is one residual layer deeper
      (``skip=True``, equal widths): the extra layer starts with zero
      weights, so that the deeper network computes what the shallower one
      did (a function-preserving deepening, as in network morphism).
      Training then continues with the network's own hyperparameters.

    The fitted network's ``stopped_at_epoch_`` and ``inherited_`` say what
    happened; :meth:`report` sums them up. The store is not pickled: each
    copy of the hooks (one per worker process) starts with an empty one.

    Parameters
    ----------
    min_reference_curves : int, default=3
        Reference curves needed before median stopping acts.
    min_epochs : int, default=5
        Epochs every network trains before it can be stopped.
    max_weight_bytes : int, default=67108864
        Bytes of trained weights the store keeps (64 MiB; the oldest go first,
        the latest network's always stay).

    See Also
    --------
    TrainingHooks : The no-op base, and what the evaluator asks of hooks.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from autopipe.space import NeuralNetClassifierOperator
    >>> X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    >>> hooks = NetworkTrainingHooks()
    >>> parent = NeuralNetClassifierOperator(width=8, max_epochs=2, random_state=0)
    >>> child = NeuralNetClassifierOperator(width=8, max_epochs=2, lr=1e-2, random_state=0)
    >>> with hooks.fitting(parent, inherit=True), hooks.fitting(child, inherit=True):
    ...     _ = parent.fit(X, y)
    ...     _ = child.fit(X, y)
    >>> child.inherited_, hooks.report(child).inherited
    ('same architecture', 1)
    """

    def __init__(
        self,
        *,
        min_reference_curves: int = MIN_REFERENCE_CURVES,
        min_epochs: int = MIN_EPOCHS,
        max_weight_bytes: int = MAX_WEIGHT_BYTES,
    ) -> None:
        self.min_reference_curves = min_reference_curves
        self.min_epochs = min_epochs
        self.max_weight_bytes = max_weight_bytes
        self._weights = _WeightStore(max_weight_bytes)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_weights"]  # trained weights stay in the process that trained them
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._weights = _WeightStore(self.max_weight_bytes)

    def __repr__(self) -> str:
        return (
            f"NetworkTrainingHooks(min_reference_curves={self.min_reference_curves}, "
            f"min_epochs={self.min_epochs}, max_weight_bytes={self.max_weight_bytes})"
        )

    def is_held_back(self, estimator: Any) -> bool:
        """Whether ``estimator`` holds a network (networks are held back for median stopping)."""
        return bool(find_networks(estimator))

    @contextlib.contextmanager
    def fitting(
        self, estimator: Any, *, reference: Sequence[np.ndarray] | None = None, inherit: bool = False
    ) -> Iterator[None]:
        """Within the block, the networks of ``estimator`` and their clones use median stopping and inheritance.

        The networks are found through the nested parameters of
        ``estimator``; the clones made of them inside the block (the
        evaluator's per-fold clones, a stacked network's) are told too.
        ``reference=None`` turns median stopping off; ``inherit=True`` lets
        the networks start from compatible stored weights and leave theirs in
        the store. See :meth:`TrainingHooks.fitting` for the parameters.
        """
        curves = None if reference is None else [np.asarray(c, dtype=float) for c in reference]
        fit = _NetworkFit(self, curves, self._weights if inherit else None)
        networks = find_networks(estimator)
        previous = [net._training for net in networks]
        for net in networks:
            net._training = fit
        try:
            yield
        finally:
            for net, before in zip(networks, previous):
                net._training = before
            fit.close()

    def report(self, estimator: Any) -> FitReport:
        """The curves of the fitted networks in ``estimator``, how many were stopped and how many inherited."""
        fitted = [net for net in find_networks(estimator) if hasattr(net, "valid_curve_")]
        return FitReport(
            curves=tuple(net.valid_curve_ for net in fitted if len(net.valid_curve_)),
            stopped_early=sum(net.stopped_at_epoch_ is not None for net in fitted),
            inherited=sum(bool(net.inherited_) for net in fitted),
        )


def training_hooks_for(operators: Iterable[Any]) -> TrainingHooks:
    """The training hooks for a space of ``operators``: the networks' if one builds a network, else the no-op."""
    return NetworkTrainingHooks() if holds_networks(operators) else TrainingHooks()


class _NetworkFit:
    """What :meth:`NetworkTrainingHooks.fitting` tells the networks of one block (their ``_training``)."""

    def __init__(self, hooks: NetworkTrainingHooks, reference: list[np.ndarray] | None,
                 weights: _WeightStore | None) -> None:
        self.min_reference_curves = hooks.min_reference_curves
        self.min_epochs = hooks.min_epochs
        self.reference = reference
        self.weights = weights

    def stopper(self) -> Any:
        """A median-stopping skorch callback, or None without enough reference curves."""
        if self.reference is None or len(self.reference) < self.min_reference_curves:
            return None
        from autopipe.space._torch_modules import MedianStopping

        return MedianStopping(self.reference, min_epochs=self.min_epochs)

    def close(self) -> None:
        """Forget the curves and the store: clones that outlive the block fit as if outside it."""
        self.reference = None
        self.weights = None


class _WeightStore:
    """Trained weights by rows and architecture, most recent last, bounded in bytes (thread-safe)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: collections.OrderedDict[tuple[str, tuple[Any, ...]], tuple[Any, ...]] = (
            collections.OrderedDict()
        )
        self._bytes = 0
        self._lock = threading.Lock()

    @staticmethod
    def rows_key(X: np.ndarray, y: np.ndarray) -> str:
        """Identifies the training rows (a sample of them identifies them well enough, and fast)."""
        import joblib

        step = max(1, len(X) // 256)
        return joblib.hash((X.shape, X[::step], y[::step], len(y)))

    def load(self, module: Any, rows: str, architecture: tuple[Any, ...]) -> str:
        """Load the best matching stored weights into ``module``; what was inherited ("" for nothing).

        ``architecture`` is ``(n_layers, width, shrink, activation, norm, skip,
        dense, n_features, n_outputs)``.
        """
        shallower = (architecture[0] - 1, *architecture[1:])
        with self._lock:
            entries = list(self._entries.values())
        for stored_rows, stored_architecture, state, _ in reversed(entries):
            if stored_rows != rows:
                continue
            if stored_architecture == architecture:
                module.load_state_dict(state)
                return "same architecture"
            if stored_architecture == shallower and module.hidden[-1].residual:
                deeper = _deepened(state, module.state_dict(), len(module.hidden))
                if deeper is not None:
                    module.load_state_dict(deeper)
                    return "one layer deeper"
        return ""

    def keep(self, module: Any, rows: str, architecture: tuple[Any, ...]) -> None:
        """Keep a trained module's weights for later networks on the same rows (oldest dropped)."""
        state = {k: v.detach().to("cpu").clone() for k, v in module.state_dict().items()}
        size = sum(t.numel() * t.element_size() for t in state.values())
        key = (rows, architecture)
        with self._lock:
            if key in self._entries:
                self._bytes -= self._entries.pop(key)[3]
            self._entries[key] = (rows, architecture, state, size)
            self._bytes += size
            while self._bytes > self.max_bytes and len(self._entries) > 1:
                self._bytes -= self._entries.popitem(last=False)[1][3]


def _deepened(state: dict[str, Any], target: dict[str, Any], n_hidden: int) -> dict[str, Any] | None:
    """``state`` with a zero residual block as the last hidden layer, if the shapes allow."""
    import torch

    new = f"hidden.{n_hidden - 1}."
    if any(k.startswith(new) for k in state):
        return None
    merged = {}
    for name, tensor in target.items():
        if name.startswith(new):
            # the new block's linear layer is zero, so the residual block adds nothing;
            # its normalization starts as built (zero input stays zero through it)
            merged[name] = torch.zeros_like(tensor) if name.startswith(new + "body.0.") else tensor.clone()
        elif name in state and state[name].shape == tensor.shape:
            merged[name] = state[name]
        else:
            return None
    return merged
