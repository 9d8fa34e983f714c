"""The one place that touches scikit-learn's private API (parameter validation)."""

from __future__ import annotations

from typing import Any

from sklearn.utils._param_validation import (  # noqa: F401  (re-exported)
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
    validate_parameter_constraints,
)

__all__ = [
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "StrOptions",
    "check_params",
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
