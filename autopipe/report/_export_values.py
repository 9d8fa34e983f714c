"""Source text for parameter values: literals, containers, arrays, dtypes, partials and references."""

from __future__ import annotations

import abc
import functools
import inspect
import keyword
import math
from typing import Any

import numpy as np
from sklearn.compose import make_column_selector

from ._export_imports import Imports, UnexportableError, public_module
from ._export_layout import Atom, Group, Node, flat, string_literal


def is_estimator(value: object) -> bool:
    """Return whether ``value`` is an estimator instance (has ``get_params``)."""
    return not isinstance(value, type) and callable(getattr(value, "get_params", None))


def same_value(left: object, right: object) -> bool:
    """Return whether two parameter values would rebuild identical objects.

    Unlike ``==`` this is strict about types (``1`` is not ``1.0`` nor
    ``True``), treats NaN as equal to NaN, compares estimators by class and
    parameters, arrays by dtype, shape and content, and never raises.

    Parameters
    ----------
    left, right : object
        The values to compare.

    Returns
    -------
    bool
        ``True`` when the values are interchangeable.
    """
    if left is right:
        return True
    if isinstance(left, np.generic):
        left = left.item()
    if isinstance(right, np.generic):
        right = right.item()
    if type(left) is not type(right):
        return False
    if isinstance(left, float):
        return left == right or (math.isnan(left) and math.isnan(right))
    if is_estimator(left):
        try:
            left_params = left.get_params(deep=False)
            right_params = right.get_params(deep=False)
        except Exception:  # noqa: BLE001 - broken get_params: treat as different
            return False
        return same_value(left_params, right_params)
    if isinstance(left, np.ndarray):
        return (
            left.dtype == right.dtype
            and left.shape == right.shape
            and same_value(left.tolist(), right.tolist())
        )
    if isinstance(left, (list, tuple)):
        return len(left) == len(right) and all(
            same_value(a, b) for a, b in zip(left, right)
        )
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(
            same_value(left[key], right[key]) for key in left
        )
    if isinstance(left, functools.partial):
        return (
            same_value(left.func, right.func)
            and same_value(left.args, right.args)
            and same_value(left.keywords, right.keywords)
        )
    try:
        result = left == right
        return bool(result) if isinstance(result, (bool, np.bool_)) else False
    except Exception:  # noqa: BLE001 - objects whose == raises are not equal
        return False


class ValueWriter(abc.ABC):
    """Turn parameter values into layout nodes; subclasses write the estimators among them."""

    def __init__(self, target: str) -> None:
        self.imports = Imports(target)

    # -- references -------------------------------------------------------- #

    def reference(self, obj: object) -> str:
        """Return source text naming the class or function ``obj``."""
        module = public_module(obj)
        name = obj.__name__  # type: ignore[attr-defined]
        if module == "builtins":
            return self.imports.builtin(name)
        if module == "numpy":
            return f"{self.imports.numpy()}.{name}"
        return self.imports.from_module(module, name)

    # -- values ------------------------------------------------------------ #

    @abc.abstractmethod
    def estimator(self, estimator: Any) -> Node:
        """Render an estimator found among the values; the subclass decides how."""

    def value(self, value: Any) -> Node:
        """Render a parameter value; raise ``UnexportableError`` if impossible."""
        if isinstance(value, np.generic):
            plain = value.item()
            if isinstance(plain, np.generic):  # e.g. np.longdouble has no Python twin
                return self._fail(value)
            return self.value(plain)
        kind = type(value)
        if kind is str:
            return Atom(string_literal(value))
        if value is None or kind in (bool, int, bytes):
            return Atom(repr(value))
        if kind is float:
            return self._float(value)
        if kind is complex and math.isfinite(value.real) and math.isfinite(value.imag):
            return Atom(repr(value))
        if kind in (list, tuple):
            return self._sequence(value)
        if kind is dict:
            items = tuple(
                (flat(self.value(key)) + ": ", self.value(item))
                for key, item in value.items()
            )
            return Group("{", "}", items)
        if kind in (set, frozenset):
            return self._set(value)
        if kind is slice:
            callee = self.imports.builtin("slice")
            parts = (value.start, value.stop, value.step)
            if value.step is None:
                parts = parts[:2]
            return Group(f"{callee}(", ")", tuple(("", self.value(p)) for p in parts))
        if kind is np.ndarray:
            return self._array(value)
        if kind is functools.partial:
            return self._partial(value)
        if isinstance(value, np.dtype):
            return self._dtype(value)
        if is_estimator(value):
            try:
                return self.estimator(value)
            except UnexportableError:
                # The class itself cannot be imported: report the parameter.
                raise UnexportableError(value) from None
        if self._is_selector(value):
            return self._selector(value)
        if isinstance(value, (type, np.ufunc)) or inspect.isroutine(value):
            return Atom(self.reference(value))
        return self._fail(value)

    @staticmethod
    def _fail(value: object) -> Node:
        """Raise ``UnexportableError`` for ``value``."""
        raise UnexportableError(value)

    def _float(self, value: float) -> Node:
        """Render a float, spelling NaN and infinities as ``float("...")``."""
        if math.isfinite(value):
            return Atom(repr(value))
        callee = self.imports.builtin("float")
        text = "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
        return Atom(f'{callee}("{text}")')

    def _sequence(self, value: list[Any] | tuple[Any, ...]) -> Node:
        """Render a list or tuple."""
        items = tuple(("", self.value(item)) for item in value)
        if isinstance(value, list):
            return Group("[", "]", items)
        if not items:
            return Atom("()")
        return Group("(", ")", items, single_tuple=len(items) == 1)

    def _set(self, value: set[Any] | frozenset[Any]) -> Node:
        """Render a set or frozenset with its items in a stable order."""
        texts = sorted(flat(self.value(item)) for item in value)
        items = tuple(("", Atom(text)) for text in texts)
        if isinstance(value, frozenset):
            callee = self.imports.builtin("frozenset")
            if not items:
                return Atom(f"{callee}()")
            return Group(f"{callee}({{", "})", items)
        if not items:
            return Atom(f"{self.imports.builtin('set')}()")
        return Group("{", "}", items)

    def _array(self, value: np.ndarray) -> Node:
        """Render a numpy array as ``np.array([...])`` (with a dtype if needed)."""
        if value.dtype.fields is not None or value.dtype.kind in "mMV":
            return self._fail(value)
        content = value.tolist()
        try:
            rebuilt = np.array(content, dtype=value.dtype)
        except Exception:  # noqa: BLE001 - e.g. ragged object arrays
            return self._fail(value)
        if rebuilt.shape != value.shape:
            return self._fail(value)
        items: tuple[tuple[str, Node], ...] = (("", self.value(content)),)
        try:
            inferred = np.array(content).dtype
        except Exception:  # noqa: BLE001 - inference failed: always state the dtype
            inferred = None
        if inferred != value.dtype:
            items += (("dtype=", Atom(string_literal(str(value.dtype)))),)
        return Group(f"{self.imports.numpy()}.array(", ")", items)

    def _dtype(self, value: np.dtype) -> Node:
        """Render a simple numpy dtype as ``np.dtype("...")``."""
        text = str(value)
        try:
            ok = value.fields is None and np.dtype(text) == value
        except TypeError:
            ok = False
        if not ok:
            return self._fail(value)
        return Atom(f"{self.imports.numpy()}.dtype({string_literal(text)})")

    def _partial(self, value: functools.partial) -> Node:
        """Render ``functools.partial(func, *args, **keywords)``."""
        callee = self.reference(functools.partial)
        items: list[tuple[str, Node]] = [("", self.value(value.func))]
        items.extend(("", self.value(arg)) for arg in value.args)
        for key, item in value.keywords.items():
            if not key.isidentifier() or keyword.iskeyword(key):
                return self._fail(value)
            items.append((f"{key}=", self.value(item)))
        return Group(f"{callee}(", ")", tuple(items))

    @staticmethod
    def _is_selector(value: object) -> bool:
        """Return whether ``value`` is a ``make_column_selector`` instance."""
        return type(value) is make_column_selector

    def _selector(self, value: Any) -> Node:
        """Render a ``make_column_selector`` from its stored arguments."""
        cls = type(value)
        items = []
        for pname, parameter in inspect.signature(cls).parameters.items():
            current = getattr(value, pname)
            if not same_value(current, parameter.default):
                items.append((f"{pname}=", self.value(current)))
        return Group(f"{self.reference(cls)}(", ")", tuple(items))

