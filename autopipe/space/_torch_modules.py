"""PyTorch modules used by :mod:`autopipe.space.nets` (imports torch and skorch: load lazily).

Only :mod:`autopipe.space.nets` and the networks' training hooks import this
module, and only when a network is built or fitted, so ``import autopipe.space``
never imports torch. The classes live at
module level so that fitted networks pickle and clone.
"""

from __future__ import annotations

import numpy as np
import torch
from skorch.callbacks import Callback
from torch import nn

__all__ = ["ACTIVATIONS", "NORMS", "MLPModule", "MedianStopping", "activation_pattern_score", "layer_widths"]

ACTIVATIONS: dict[str, type[nn.Module]] = {
    "relu": nn.ReLU,
    "gelu": nn.GELU,
    "tanh": nn.Tanh,
    "silu": nn.SiLU,
}
NORMS: tuple[str | None, ...] = (None, "batch", "layer")


def layer_widths(n_layers: int, width: int, shrink: float) -> list[int]:
    """Widths of the hidden layers.

    Parameters
    ----------
    n_layers : int
        Number of hidden layers, at least 1.
    width : int
        Width of the first hidden layer, at least 1.
    shrink : float
        Factor applied to the width from one layer to the next (``1.0``: all
        layers equally wide, ``0.5``: each layer half as wide as the one before).

    Returns
    -------
    widths : list of int
        One width per hidden layer, never below 1.
    """
    return [max(1, round(width * shrink**i)) for i in range(n_layers)]


class _Block(nn.Module):
    """One hidden layer: linear, optional normalization, activation, dropout."""

    def __init__(
        self, n_in: int, n_out: int, activation: str, dropout: float, norm: str | None, skip: bool
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = [nn.Linear(n_in, n_out)]
        if norm == "batch":
            layers.append(nn.BatchNorm1d(n_out))
        elif norm == "layer":
            layers.append(nn.LayerNorm(n_out))
        layers.append(ACTIVATIONS[activation]())
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        self.body = nn.Sequential(*layers)
        # A residual connection needs equal input and output widths.
        self.residual = bool(skip) and n_in == n_out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.body(x)
        return x + out if self.residual else out


class MLPModule(nn.Module):
    """A multilayer perceptron, chain-structured or multi-branch.

    Each hidden layer is ``Linear -> [BatchNorm1d | LayerNorm] -> activation ->
    [Dropout]``; with ``skip=True`` a hidden layer whose input and output widths
    are equal adds its input to its output (a residual connection). With
    ``dense=True`` the layers are not a chain: each hidden layer, and the
    output layer, reads the input joined with the outputs of all earlier
    hidden layers. A final linear layer maps to ``n_outputs`` values (logits
    or regression outputs).

    Parameters
    ----------
    n_features : int
        Number of input features.
    n_outputs : int
        Number of outputs: classes for a classifier, targets for a regressor.
    n_layers : int, default=2
        Number of hidden layers.
    width : int, default=64
        Width of the first hidden layer.
    shrink : float, default=1.0
        Width factor from one hidden layer to the next (see :func:`layer_widths`).
    activation : {"relu", "gelu", "tanh", "silu"}, default="relu"
        Activation after each hidden layer.
    dropout : float, default=0.0
        Dropout probability after each activation (none when 0).
    norm : {None, "batch", "layer"}, default=None
        Normalization after each hidden linear layer.
    skip : bool, default=False
        Residual connections between hidden layers of equal width (chain only).
    dense : bool, default=False
        Densely connected, multi-branch layers.

    Examples
    --------
    >>> import torch
    >>> module = MLPModule(5, 3, n_layers=2, width=16, norm="layer", skip=True)
    >>> module(torch.zeros(4, 5)).shape
    torch.Size([4, 3])
    """

    def __init__(
        self,
        n_features: int,
        n_outputs: int,
        n_layers: int = 2,
        width: int = 64,
        shrink: float = 1.0,
        activation: str = "relu",
        dropout: float = 0.0,
        norm: str | None = None,
        skip: bool = False,
        dense: bool = False,
    ) -> None:
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r} instead."
            )
        if norm not in NORMS:
            raise ValueError(f"norm must be one of {list(NORMS)}, got {norm!r} instead.")
        if int(n_layers) < 1 or int(width) < 1 or int(n_features) < 1 or int(n_outputs) < 1:
            raise ValueError(
                "n_features, n_outputs, n_layers and width must be positive, got "
                f"{n_features}, {n_outputs}, {n_layers} and {width}."
            )
        blocks = []
        n_in = joined = int(n_features)
        for n_out in layer_widths(int(n_layers), int(width), float(shrink)):
            blocks.append(_Block(joined if dense else n_in, n_out, activation, float(dropout), norm,
                                 bool(skip) and not dense))
            n_in, joined = n_out, joined + n_out
        self.dense = bool(dense)
        self.hidden = nn.Sequential(*blocks)
        self.output = nn.Linear(joined if dense else n_in, int(n_outputs))

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """Map a batch of rows to outputs.

        Parameters
        ----------
        X : torch.Tensor of shape (n_samples, n_features)
            Input rows (float32).

        Returns
        -------
        out : torch.Tensor of shape (n_samples, n_outputs)
        """
        if not self.dense:
            return self.output(self.hidden(X))
        features = [X]
        for block in self.hidden:
            features.append(block(torch.cat(features, dim=1)))
        return self.output(torch.cat(features, dim=1))


def activation_pattern_score(module: MLPModule, X: torch.Tensor) -> float:
    """A zero-cost proxy: how differently an untrained network's units fire on different rows.

    Each row gets a binary code, which hidden units are active (output above
    zero) in one forward pass; the score is the log-determinant of the kernel
    counting, for each pair of rows, the units on which their codes agree
    (Mellor et al., 2021). Networks that separate the rows well before any
    training tend to train well. A small ridge keeps the determinant finite
    when two rows share a code.

    Parameters
    ----------
    module : MLPModule
        An initialized (untrained) network.
    X : torch.Tensor of shape (n_rows, n_features)
        A batch of input rows (float32).

    Returns
    -------
    score : float
        Greater means more distinct activation patterns.
    """
    codes: list[torch.Tensor] = []
    hooks = [block.body[i].register_forward_hook(lambda _m, _i, out: codes.append((out > 0).double()))
             for block in module.hidden for i, layer in enumerate(block.body)
             if isinstance(layer, tuple(ACTIVATIONS.values()))]
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            module(X)
    finally:
        for hook in hooks:
            hook.remove()
        module.train(was_training)
    c = torch.cat(codes, dim=1)
    kernel = c @ c.T + (1 - c) @ (1 - c).T
    kernel += 1e-3 * c.shape[1] * torch.eye(len(c), dtype=kernel.dtype)
    return float(torch.linalg.slogdet(kernel)[1])


class MedianStopping(Callback):  # type: ignore[misc]
    """skorch callback: stop a network whose validation loss falls behind earlier networks'.

    The median-stopping rule, in its percentile form: after ``min_epochs``
    epochs, training stops at the end of epoch ``t`` when the best validation
    loss so far is worse than the ``percentile``-th percentile, over the
    reference curves, of each curve's best loss in its first ``t`` epochs (a
    curve that ended earlier counts with its best). At 50 it is the median
    rule, which stops about half of the networks that are merely average; the
    default 75 stops only those behind three quarters of the earlier ones.
    Stopping raises ``KeyboardInterrupt``, which skorch turns into a normal
    end of training, so callbacks such as early stopping still restore the
    best weights.

    Parameters
    ----------
    reference : sequence of ndarray
        Validation-loss curves of networks trained before on the same data.
    min_epochs : int, default=5
        Epochs every network gets before it can be stopped.
    percentile : float, default=75
        Which percentile of the reference losses a network must not be behind.
    """

    def __init__(self, reference: list, min_epochs: int = 5, percentile: float = 75.0) -> None:
        self.reference = reference
        self.min_epochs = min_epochs
        self.percentile = percentile

    def initialize(self) -> MedianStopping:
        self.stopped_at_ = None
        return self

    def on_epoch_end(self, net: object, **kwargs: object) -> None:
        history = net.history  # type: ignore[attr-defined]
        epoch = len(history)
        if epoch < self.min_epochs or not self.reference or "valid_loss" not in history[-1]:
            return
        best = min(history[:, "valid_loss"])
        bar = np.percentile([float(min(c[:epoch])) for c in self.reference], self.percentile)
        if best > bar:
            self.stopped_at_ = epoch
            raise KeyboardInterrupt
