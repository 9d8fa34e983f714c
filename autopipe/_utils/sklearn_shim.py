"""The one place that touches scikit-learn's private API (parameter validation, sample-weight checks)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
    validate_parameter_constraints,
)
from sklearn.utils.validation import _check_sample_weight

__all__ = [
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "StrOptions",
    "check_params",
    "check_sample_weight",
    "metric_module",
    "validate_parameter_constraints",
]


def check_params(constraints: dict[str, list[Any]], params: dict[str, Any], caller: str) -> None:
    """Validate every parameter and report all problems in one ``InvalidParameterError``."""
    problems = []
    for name, allowed in constraints.items():
        try:
            validate_parameter_constraints({name: allowed}, {name: params[name]}, caller)
        except InvalidParameterError as exc:
            problems.append(str(exc))
    if problems:
        raise InvalidParameterError("\n".join(problems))


def metric_module(scorer: Any) -> str | None:
    """The module of the metric an sklearn scorer wraps (e.g. ``"sklearn.metrics._classification"``), or None.

    Scorers made by ``make_scorer`` keep their metric in the private
    ``_score_func``; other callables have none.
    """
    func = getattr(scorer, "_score_func", None)
    return getattr(func, "__module__", None) if callable(func) else None


def check_sample_weight(sample_weight: Any, X: Any) -> Any:
    """``sample_weight`` as a float64 array of one weight per row of ``X`` (ones when None), checked."""
    return _check_sample_weight(sample_weight, X, dtype=np.float64)
