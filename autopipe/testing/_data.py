"""Small deterministic datasets for fast tests."""

from __future__ import annotations

import math

import numpy as np
from sklearn.datasets import make_classification, make_regression

__all__ = ["make_tiny_classification", "make_tiny_regression"]


def make_tiny_classification(
    n_samples: int = 60,
    n_features: int = 5,
    n_classes: int = 2,
    random_state: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Return a small, deterministic classification problem.

    A thin wrapper around :func:`sklearn.datasets.make_classification` with one
    cluster per class, no label noise and a few informative features (the
    rest is noise), so every class appears in roughly equal numbers.

    Parameters
    ----------
    n_samples : int, default=60
        Number of rows; must be at least ``n_classes``.
    n_features : int, default=5
        Number of columns; must be large enough to separate the classes
        (``2 ** n_features >= n_classes``).
    n_classes : int, default=2
        Number of classes, labelled ``0 .. n_classes - 1``.
    random_state : int, default=0
        Seed; the same arguments always give the same data.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), dtype float64
        Features.
    y : ndarray of shape (n_samples,), dtype int64
        Class labels.

    Examples
    --------
    >>> X, y = make_tiny_classification()
    >>> X.shape, sorted(set(y.tolist()))
    ((60, 5), [0, 1])
    """
    if n_samples < n_classes:
        raise ValueError(
            f"n_samples={n_samples} must be at least n_classes={n_classes}"
        )
    needed = max(1, math.ceil(math.log2(n_classes)))
    n_informative = min(n_features, max(2, needed + 1))
    X, y = make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=n_informative,
        n_redundant=0,
        n_repeated=0,
        n_classes=n_classes,
        n_clusters_per_class=1,
        flip_y=0.0,
        class_sep=1.5,
        random_state=random_state,
    )
    return np.ascontiguousarray(X, dtype=np.float64), y.astype(np.int64)


def make_tiny_regression(
    n_samples: int = 60,
    n_features: int = 5,
    noise: float = 0.1,
    random_state: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Return a small, deterministic linear regression problem.

    A thin wrapper around :func:`sklearn.datasets.make_regression` in which
    about half of the features (at least one) are informative.

    Parameters
    ----------
    n_samples : int, default=60
        Number of rows.
    n_features : int, default=5
        Number of columns.
    noise : float, default=0.1
        Standard deviation of the Gaussian noise added to the target.
    random_state : int, default=0
        Seed; the same arguments always give the same data.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), dtype float64
        Features.
    y : ndarray of shape (n_samples,), dtype float64
        Target.

    Examples
    --------
    >>> X, y = make_tiny_regression()
    >>> X.shape, y.shape
    ((60, 5), (60,))
    """
    X, y = make_regression(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=max(1, (n_features + 1) // 2),
        noise=noise,
        random_state=random_state,
    )
    return (
        np.ascontiguousarray(X, dtype=np.float64),
        np.ascontiguousarray(y, dtype=np.float64),
    )
