"""Sample weights through sklearn's metadata routing: every step that can take them gets them."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
from sklearn import config_context
from sklearn.base import BaseEstimator
from sklearn.utils.validation import has_fit_parameter


def _is_router(estimator: Any) -> bool:
    # Meta-estimators (Pipeline, ColumnTransformer, Voting*, ...) pass metadata
    # on to their children instead of asking for it themselves.
    return type(estimator).get_metadata_routing is not BaseEstimator.get_metadata_routing


def _nested(estimator: Any) -> list[Any]:
    found = [estimator]
    if hasattr(estimator, "get_params"):
        found += [v for v in estimator.get_params(deep=True).values() if isinstance(v, BaseEstimator)]
    return found


def takes_sample_weight(estimator: Any) -> bool:
    """Whether ``estimator`` (a class or an instance) accepts ``sample_weight`` in ``fit``."""
    return has_fit_parameter(estimator, "sample_weight")


def request_sample_weight(estimator: Any) -> Any:
    """Ask every step inside ``estimator`` that accepts ``sample_weight`` in ``fit`` to receive it.

    Steps that cannot take weights are left alone (routing then simply does
    not pass weights to them). Returns ``estimator``.
    """
    with config_context(enable_metadata_routing=True):
        for step in _nested(estimator):
            if not _is_router(step) and hasattr(step, "set_fit_request") and takes_sample_weight(step):
                step.set_fit_request(sample_weight=True)
    return estimator


def forget_requests(obj: Any, _seen: set[int] | None = None) -> None:
    """Drop the metadata requests set on ``obj`` and every estimator it holds, fitted ones included.

    Requests only matter while fitting; removing them afterwards leaves plain
    estimators that pickle, save with skops and export like unweighted ones.
    """
    seen = set() if _seen is None else _seen
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, BaseEstimator):
        obj.__dict__.pop("_metadata_request", None)
        children: Any = obj.__dict__.values()
    elif isinstance(obj, (list, tuple)):
        children = obj
    elif isinstance(obj, dict):
        children = obj.values()
    else:
        return
    for child in children:
        if isinstance(child, (BaseEstimator, list, tuple, dict)):
            forget_requests(child, seen)


def fit_weighted(estimator: Any, X: Any, y: Any, sample_weight: np.ndarray | None = None) -> Any:
    """``estimator.fit(X, y)``, routing ``sample_weight`` to every step that accepts it.

    The requests made for routing are removed again once fitted (see
    :func:`forget_requests`).
    """
    if sample_weight is None:
        return estimator.fit(X, y)
    request_sample_weight(estimator)
    try:
        with config_context(enable_metadata_routing=True):
            fitted = estimator.fit(X, y, sample_weight=sample_weight)
    finally:
        forget_requests(estimator)
    return fitted


def scorer_takes_sample_weight(scorer: Any) -> bool:
    """Whether calling ``scorer(estimator, X, y, sample_weight=w)`` is allowed."""
    try:
        params = inspect.signature(scorer).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "sample_weight" or p.kind is p.VAR_KEYWORD for p in params)


def call_scorer(scorer: Any, estimator: Any, X: Any, y: Any, sample_weight: np.ndarray | None = None) -> float:
    """``scorer(estimator, X, y)``, weighted when ``sample_weight`` is given."""
    if sample_weight is None:
        return float(scorer(estimator, X, y))
    return float(scorer(estimator, X, y, sample_weight=sample_weight))
