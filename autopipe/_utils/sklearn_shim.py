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
