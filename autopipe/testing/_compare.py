"""Assert that two estimators are configured identically, parameter by parameter."""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

__all__ = ["assert_same_params"]


def _is_estimator(value: object) -> bool:
    """Return whether ``value`` is an estimator instance (has ``get_params``)."""
    return not isinstance(value, type) and callable(getattr(value, "get_params", None))


def _fail(path: str, message: str) -> None:
    """Raise an ``AssertionError`` locating the difference at ``path``."""
    where = path or "<root>"
    raise AssertionError(f"parameters differ at {where}: {message}")


def _assert_arrays_equal(left: np.ndarray, right: np.ndarray, path: str) -> None:
    """Compare two arrays by shape and content, NaN matching NaN."""
    if left.shape != right.shape:
        _fail(path, f"array shapes {left.shape} != {right.shape}")
    try:
        equal = bool(np.array_equal(left, right, equal_nan=True))
    except TypeError:
        # equal_nan needs numeric dtypes; compare object / string arrays by item.
        _assert_equal(left.tolist(), right.tolist(), path)
        return
    if not equal:
        _fail(path, f"arrays differ: {left!r} != {right!r}")


def _assert_equal(left: Any, right: Any, path: str) -> None:
    """Recursively assert that two parameter values are equal."""
    if left is right:
        return
    if _is_estimator(left) or _is_estimator(right):
        if type(left) is not type(right):
            _fail(path, f"{type(left).__name__} != {type(right).__name__}")
        _assert_params_equal(left, right, path)
        return
    if isinstance(left, np.ndarray) or isinstance(right, np.ndarray):
        if not (isinstance(left, np.ndarray) and isinstance(right, np.ndarray)):
            _fail(path, f"{left!r} != {right!r} (only one is an array)")
        _assert_arrays_equal(left, right, path)
        return
    if isinstance(left, np.generic):
        left = left.item()
    if isinstance(right, np.generic):
        right = right.item()
    if isinstance(left, bool) != isinstance(right, bool):
        _fail(path, f"{left!r} != {right!r} (bool versus non-bool)")
    if isinstance(left, float) and isinstance(right, float):
        if math.isnan(left) and math.isnan(right):
            return
    if isinstance(left, (list, tuple)) or isinstance(right, (list, tuple)):
        if type(left) is not type(right):
            _fail(path, f"{type(left).__name__} != {type(right).__name__}")
        if len(left) != len(right):
            _fail(path, f"lengths {len(left)} != {len(right)}")
        for index, (a, b) in enumerate(zip(left, right)):
            _assert_equal(a, b, f"{path}[{index}]")
        return
    if isinstance(left, dict) or isinstance(right, dict):
        if not (isinstance(left, dict) and isinstance(right, dict)):
            _fail(path, f"{left!r} != {right!r} (only one is a dict)")
        if left.keys() != right.keys():
            left_keys = sorted(map(repr, left))
            right_keys = sorted(map(repr, right))
            _fail(path, f"dict keys {left_keys} != {right_keys}")
        for key in left:
            _assert_equal(left[key], right[key], f"{path}[{key!r}]")
        return
    if isinstance(left, functools.partial) and isinstance(right, functools.partial):
        _assert_equal(left.func, right.func, f"{path}.func")
        _assert_equal(left.args, right.args, f"{path}.args")
        _assert_equal(left.keywords, right.keywords, f"{path}.keywords")
        return
    try:
        equal = bool(left == right)
    except Exception:  # noqa: BLE001 - an == that raises counts as "not equal"
        equal = False
    if equal:
        return
    if (
        type(left) is type(right)
        and type(left).__eq__ is object.__eq__
        and hasattr(left, "__dict__")
    ):
        # Plain objects without __eq__ (e.g. column selectors): compare state.
        _assert_equal(vars(left), vars(right), f"{path}.__dict__")
        return
    _fail(path, f"{left!r} != {right!r}")


def _assert_params_equal(left: Any, right: Any, path: str) -> None:
    """Compare ``get_params(deep=True)`` of two estimators of the same class."""
    left_params = left.get_params(deep=True)
    right_params = right.get_params(deep=True)
    if left_params.keys() != right_params.keys():
        missing = sorted(set(left_params) ^ set(right_params))
        _fail(path, f"parameter names differ: {missing}")
    for key in sorted(left_params):
        prefix = f"{path}." if path else ""
        _assert_equal(left_params[key], right_params[key], f"{prefix}{key}")


def assert_same_params(left: Any, right: Any) -> None:
    """Assert that two estimators have the same class and the same parameters.

    ``get_params(deep=True)`` of both estimators is compared recursively:
    nested estimators by class and parameters, numpy arrays with
    ``np.array_equal`` (NaN equal to NaN), floats with NaN equal to NaN,
    lists, tuples and dicts item by item, ``functools.partial`` objects by
    function and arguments, and anything else with ``==``. Fitted state is
    ignored.

    Parameters
    ----------
    left, right : estimator
        The estimators to compare. Other values (lists, arrays, scalars) are
        accepted too and compared with the same rules.

    Raises
    ------
    AssertionError
        If they differ; the message gives the path of the first difference,
        e.g. ``steps[1][1].C``.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> assert_same_params(LogisticRegression(C=2.0), LogisticRegression(C=2.0))
    >>> assert_same_params(LogisticRegression(C=2.0), LogisticRegression())
    Traceback (most recent call last):
    ...
    AssertionError: parameters differ at C: 2.0 != 1.0
    """
    _assert_equal(left, right, "")
