"""A zero-cost proxy: a network's architecture scored before any training."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp


def zero_cost_score(net: Any, X: Any, *, n_rows: int = 128, random_state: int = 0) -> float:
    """Score a network's architecture before any training (a zero-cost proxy).

    Builds the untrained module ``net`` would train, seeded, and returns
    :func:`~autopipe.space._torch_modules.activation_pattern_score` on
    ``n_rows`` rows of ``X``: the log-determinant of the kernel of the rows'
    binary activation codes. Takes well under a second; training
    hyperparameters do not enter it.

    Parameters
    ----------
    net : NeuralNetClassifierOperator or NeuralNetRegressorOperator
        The (unfitted) operator whose architecture is scored.
    X : array-like of shape (n_samples, n_features)
        Input rows as the network would see them (after preprocessing).
    n_rows : int, default=128
        Rows drawn (without replacement) for the forward pass.
    random_state : int, default=0
        Seeds the row draw and the initial weights.

    Returns
    -------
    score : float
        Greater is more promising.
    """
    import torch

    from autopipe.space._torch_modules import MLPModule, activation_pattern_score

    X = np.asarray(X.toarray() if sp.issparse(X) else X, dtype=np.float32)
    rng = np.random.default_rng(random_state)
    rows = rng.choice(len(X), size=min(n_rows, len(X)), replace=False)
    torch.manual_seed(random_state)
    module = MLPModule(
        X.shape[1], 2, n_layers=int(net.n_layers), width=int(net.width), shrink=float(net.shrink),
        activation=net.activation, dropout=float(net.dropout), norm=net.norm, skip=bool(net.skip),
        dense=bool(net.dense),
    )
    return activation_pattern_score(module, torch.from_numpy(X[rows]))
