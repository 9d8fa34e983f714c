"""Input feature names of fitted transformers, for ``get_feature_names_out``."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.utils.validation import check_is_fitted

#: scikit-learn's message for ``input_features`` of the wrong length (``n``: expected, ``got``: given).
SKLEARN_LENGTH_ERROR = "input_features should have length equal to number of features ({n}), got {got}"


def input_feature_names(
    estimator: Any,
    input_features: Any,
    *,
    length_error: str = SKLEARN_LENGTH_ERROR,
    require_1d: bool = False,
) -> np.ndarray:
    """The input feature names of a fitted estimator: given, seen during fit, or ``x0, x1, ...``.

    Parameters
    ----------
    estimator : estimator
        A fitted estimator: ``n_features_in_`` is required (else
        ``NotFittedError``), ``feature_names_in_`` is used when present.
    input_features : array-like of str or None
        Names to check against what ``estimator`` saw during fit; None for
        the names it saw, or ``x0, x1, ...`` when it saw none.
    length_error : str, default=SKLEARN_LENGTH_ERROR
        Message of the ``ValueError`` raised when ``input_features`` does not
        have ``n_features_in_`` entries, formatted with ``n`` and ``got``.
    require_1d : bool, default=False
        Also raise that error when ``input_features`` is not one-dimensional.

    Returns
    -------
    names : ndarray of object
        One name per input feature.
    """
    check_is_fitted(estimator, "n_features_in_")
    n = estimator.n_features_in_
    seen = getattr(estimator, "feature_names_in_", None)
    if input_features is None:
        if seen is not None:
            return np.asarray(seen, dtype=object)
        return np.asarray([f"x{i}" for i in range(n)], dtype=object)
    names = np.asarray(input_features, dtype=object)
    if (require_1d and names.ndim != 1) or len(names) != n:
        raise ValueError(length_error.format(n=n, got=len(names)))
    if seen is not None and not np.array_equal(names, seen):
        raise ValueError("input_features is not equal to feature_names_in_")
    return names
