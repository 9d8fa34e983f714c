"""Export an estimator as Python source code that rebuilds an unfitted copy of it."""

from __future__ import annotations

import builtins
import functools
import importlib
import inspect
import keyword
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.compose import make_column_selector
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline, make_union

__all__ = ["estimator_to_code"]

_LINE_LENGTH = 88
_INDENT = 4

# Modules tried, in order, for objects (such as ``scipy.special`` ufuncs) that do
# not record the module they live in.
_FALLBACK_MODULES = ("numpy", "scipy.special")


class _UnexportableError(Exception):
    """Internal signal: a value cannot be written as source code.

    It deliberately does not derive from ``TypeError`` so that the estimator
    being rendered can catch it and re-raise a ``TypeError`` naming the
    offending parameter, while ``TypeError`` raised by a nested estimator (which
    already names its own parameter) passes through untouched.
    """

    def __init__(self, value: object) -> None:
        super().__init__(type(value).__name__)
        self.type_name = type(value).__name__


# --------------------------------------------------------------------------- #
# Layout: a tiny expression tree that is printed flat or exploded.
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class _Atom:
    """Source text that is never split across lines."""

    text: str


@dataclass(frozen=True)
class _Group:
    """A bracketed, comma-separated sequence: a call, list, tuple, set or dict.

    Each item is a ``(prefix, node)`` pair where the prefix is ``"name="`` for a
    keyword argument, ``"key: "`` for a dict entry and ``""`` otherwise.
    """

    opening: str
    closing: str
    items: tuple[tuple[str, _Node], ...]
    single_tuple: bool = False


_Node = _Atom | _Group


def _flat(node: _Node) -> str:
    """Return ``node`` written on a single line."""
    if isinstance(node, _Atom):
        return node.text
    inner = ", ".join(prefix + _flat(child) for prefix, child in node.items)
    if node.single_tuple:
        inner += ","
    return node.opening + inner + node.closing


def _layout(node: _Node, indent: int, used: int, trailing: int) -> str:
    """Return ``node`` as source, exploding groups that do not fit on a line.

    Parameters
    ----------
    node : _Atom or _Group
        The expression to print.
    indent : int
        Indentation (in spaces) of the line on which ``node`` starts.
    used : int
        Columns already taken on that line before ``node`` starts.
    trailing : int
        Characters that will follow ``node`` on its last line (a comma, say).

    Returns
    -------
    str
        The source; continuation lines carry their own indentation but the
        first line does not.
    """
    text = _flat(node)
    if (
        isinstance(node, _Atom)
        or not node.items
        or used + len(text) + trailing <= _LINE_LENGTH
    ):
        return text
    inner = indent + _INDENT
    lines = [node.opening]
    for prefix, child in node.items:
        body = _layout(child, inner, inner + len(prefix), 1)
        lines.append(" " * inner + prefix + body + ",")
    lines.append(" " * indent + node.closing)
    return "\n".join(lines)


# --------------------------------------------------------------------------- #
# Imports and name binding.
# --------------------------------------------------------------------------- #


class _Imports:
    """Hand out local names for imported objects and write the import lines.

    Every builtin name and the target variable are reserved up front, so an
    imported object whose name would shadow one of them (or another imported
    object of the same name) is bound under an alias such as ``name_1``.
    """

    def __init__(self, target: str) -> None:
        self._owner: dict[str, tuple[str, ...]] = {
            name: ("builtin", name) for name in dir(builtins)
        }
        self._owner[target] = ("target",)
        self._owner["np"] = ("import", "numpy")
        self._bound: dict[tuple[str, ...], str] = {}

    def _bind(self, key: tuple[str, ...], preferred: str) -> str:
        """Return the local name for ``key``, choosing a free one if needed."""
        if key in self._bound:
            return self._bound[key]
        candidate = preferred
        suffix = 0
        while self._owner.get(candidate, key) != key:
            suffix += 1
            candidate = f"{preferred}_{suffix}"
        self._owner[candidate] = key
        self._bound[key] = candidate
        return candidate

    def builtin(self, name: str) -> str:
        """Return the name under which builtin ``name`` is reachable."""
        return self._bind(("builtin", name), name)

    def numpy(self) -> str:
        """Return the local alias of the ``numpy`` module (``np``)."""
        return self._bind(("import", "numpy"), "np")

    def from_module(self, module: str, attribute: str) -> str:
        """Return the local name of ``module.attribute`` imported with ``from``."""
        return self._bind(("from", module, attribute), attribute)

    def lines(self) -> list[str]:
        """Return the import statements, one per module, sorted by module."""
        plain: dict[str, str] = {}
        from_imports: dict[str, list[str]] = {}
        for key, local in self._bound.items():
            if key[0] == "import":
                plain[key[1]] = local
            elif key[0] == "from":
                module, attribute = key[1], key[2]
                clause = attribute if local == attribute else f"{attribute} as {local}"
                from_imports.setdefault(module, []).append(clause)
        statements: list[tuple[str, str]] = []
        for module, local in plain.items():
            text = f"import {module}"
            if local != module:
                text += f" as {local}"
            statements.append((module, text))
        for module, clauses in from_imports.items():
            clauses = sorted(clauses)
            text = f"from {module} import {', '.join(clauses)}"
            if len(text) > _LINE_LENGTH:
                body = "".join(f"\n{' ' * _INDENT}{clause}," for clause in clauses)
                text = f"from {module} import ({body}\n)"
            statements.append((module, text))
        return [text for _, text in sorted(statements)]


def _public_module(obj: object) -> str:
    """Return the shortest importable module path that exposes ``obj``.

    Prefixes of ``obj.__module__`` made only of public components are tried
    first, shortest first, then the remaining (private) prefixes.

    Parameters
    ----------
    obj : object
        A class or function.

    Returns
    -------
    str
        A module path such that ``getattr(import_module(path), obj.__name__)``
        is ``obj``.

    Raises
    ------
    _UnexportableError
        If ``obj`` is anonymous, nested, defined in ``__main__`` or otherwise
        not reachable by name.
    """
    name = getattr(obj, "__name__", None)
    qualname = getattr(obj, "__qualname__", name)
    module = getattr(obj, "__module__", None)
    if not isinstance(name, str) or not name.isidentifier() or qualname != name:
        raise _UnexportableError(obj)
    if module is None and isinstance(obj, np.ufunc):
        candidates = list(_FALLBACK_MODULES)
    elif not isinstance(module, str) or module == "__main__":
        raise _UnexportableError(obj)
    else:
        parts = module.split(".")
        prefixes = [".".join(parts[:stop]) for stop in range(1, len(parts) + 1)]
        public = [
            prefix
            for prefix in prefixes
            if not any(part.startswith("_") for part in prefix.split("."))
        ]
        candidates = public + [p for p in prefixes if p not in public]
    for candidate in candidates:
        try:
            found = getattr(importlib.import_module(candidate), name, None)
        except Exception:  # noqa: BLE001 - any import failure means "not here"
            continue
        if found is obj:
            return candidate
    raise _UnexportableError(obj)


# --------------------------------------------------------------------------- #
# Value equality (used to drop parameters left at their defaults).
# --------------------------------------------------------------------------- #


def _string_literal(text: str) -> str:
    """Return a literal for ``text``, preferring double quotes as black does."""
    literal = repr(text)
    if literal.startswith("'") and '"' not in text:
        literal = '"' + literal[1:-1] + '"'
    return literal


def _is_estimator(value: object) -> bool:
    """Return whether ``value`` is an estimator instance (has ``get_params``)."""
    return not isinstance(value, type) and callable(getattr(value, "get_params", None))


def _same_value(left: object, right: object) -> bool:
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
    if _is_estimator(left):
        try:
            left_params = left.get_params(deep=False)
            right_params = right.get_params(deep=False)
        except Exception:  # noqa: BLE001 - broken get_params: treat as different
            return False
        return _same_value(left_params, right_params)
    if isinstance(left, np.ndarray):
        return (
            left.dtype == right.dtype
            and left.shape == right.shape
            and _same_value(left.tolist(), right.tolist())
        )
    if isinstance(left, (list, tuple)):
        return len(left) == len(right) and all(
            _same_value(a, b) for a, b in zip(left, right)
        )
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(
            _same_value(left[key], right[key]) for key in left
        )
    if isinstance(left, functools.partial):
        return (
            _same_value(left.func, right.func)
            and _same_value(left.args, right.args)
            and _same_value(left.keywords, right.keywords)
        )
    try:
        result = left == right
        return bool(result) if isinstance(result, (bool, np.bool_)) else False
    except Exception:  # noqa: BLE001 - objects whose == raises are not equal
        return False


def _default_step_names(steps: list[Any]) -> list[str]:
    """Return the step names ``make_pipeline`` / ``make_union`` would generate.

    Names are lower-cased class names (strings such as ``"passthrough"`` are
    used as is); names that occur more than once get ``-1``, ``-2``, ...
    suffixes in order of appearance.

    Parameters
    ----------
    steps : list
        The estimators (or ``"passthrough"`` / ``"drop"`` / ``None``).

    Returns
    -------
    list of str
        One name per step.
    """
    names = [
        step if isinstance(step, str) else type(step).__name__.lower() for step in steps
    ]
    totals = Counter(names)
    seen: Counter[str] = Counter()
    result = []
    for name in names:
        if totals[name] > 1:
            seen[name] += 1
            result.append(f"{name}-{seen[name]}")
        else:
            result.append(name)
    return result


def _named_pairs(value: object) -> list[tuple[str, Any]] | None:
    """Return ``value`` if it is a list of ``(str, object)`` tuples, else ``None``."""
    if not isinstance(value, list):
        return None
    for item in value:
        if type(item) is not tuple or len(item) != 2 or not isinstance(item[0], str):
            return None
    return value


# --------------------------------------------------------------------------- #
# Rendering.
# --------------------------------------------------------------------------- #


class _Exporter:
    """Turn estimators and parameter values into layout nodes."""

    def __init__(self, target: str) -> None:
        self.imports = _Imports(target)

    # -- references -------------------------------------------------------- #

    def reference(self, obj: object) -> str:
        """Return source text naming the class or function ``obj``."""
        module = _public_module(obj)
        name = obj.__name__  # type: ignore[attr-defined]
        if module == "builtins":
            return self.imports.builtin(name)
        if module == "numpy":
            return f"{self.imports.numpy()}.{name}"
        return self.imports.from_module(module, name)

    # -- estimators -------------------------------------------------------- #

    def changed_params(self, estimator: Any) -> list[tuple[str, Any]]:
        """Return the parameters of ``estimator`` that differ from the defaults.

        Parameters come in constructor-signature order; any parameter that
        ``get_params`` reports but the signature lacks comes last, sorted.
        """
        params = estimator.get_params(deep=False)
        try:
            signature = inspect.signature(type(estimator).__init__)
        except (TypeError, ValueError):
            return sorted(params.items(), key=lambda item: item[0])
        changed = []
        for pname, parameter in signature.parameters.items():
            if pname not in params or parameter.kind in (
                inspect.Parameter.VAR_POSITIONAL,
                inspect.Parameter.VAR_KEYWORD,
            ):
                continue
            value = params[pname]
            if parameter.default is inspect.Parameter.empty or not _same_value(
                value, parameter.default
            ):
                changed.append((pname, value))
        known = set(signature.parameters)
        extras = [(k, v) for k, v in params.items() if k not in known]
        changed.extend(sorted(extras, key=lambda item: item[0]))
        return changed

    def param(self, owner: type, pname: str, value: Any) -> _Node:
        """Render one parameter value, naming it in any ``TypeError``."""
        try:
            return self.value(value)
        except _UnexportableError as error:
            raise TypeError(
                f"cannot export parameter {pname!r} of {owner.__name__}: "
                f"value of type {error.type_name}"
            ) from None

    def estimator(self, estimator: Any) -> _Node:
        """Render an estimator as a constructor call (or a ``make_*`` helper)."""
        cls = type(estimator)
        changed = self.changed_params(estimator)
        if cls is Pipeline or cls is FeatureUnion:
            shortcut = self._shortcut(estimator, changed)
            if shortcut is not None:
                return shortcut
        callee = self.reference(cls)
        items = tuple((f"{k}=", self.param(cls, k, v)) for k, v in changed)
        return _Group(f"{callee}(", ")", items)

    def _shortcut(self, estimator: Any, changed: list[tuple[str, Any]]) -> _Node | None:
        """Render a Pipeline / FeatureUnion via ``make_pipeline`` / ``make_union``.

        Returns ``None`` when the step names are not the generated ones or any
        other parameter differs from its default.
        """
        cls = type(estimator)
        steps_key = "steps" if cls is Pipeline else "transformer_list"
        if any(pname != steps_key for pname, _ in changed):
            return None
        pairs = _named_pairs(estimator.get_params(deep=False)[steps_key])
        if pairs is None:
            return None
        steps = [step for _, step in pairs]
        if [name for name, _ in pairs] != _default_step_names(steps):
            return None
        helper = make_pipeline if cls is Pipeline else make_union
        callee = self.reference(helper)
        items = tuple(("", self.param(cls, steps_key, step)) for step in steps)
        return _Group(f"{callee}(", ")", items)

    # -- plain values ------------------------------------------------------ #

    def value(self, value: Any) -> _Node:
        """Render a parameter value; raise ``_UnexportableError`` if impossible."""
        if isinstance(value, np.generic):
            plain = value.item()
            if isinstance(plain, np.generic):  # e.g. np.longdouble has no Python twin
                return self._fail(value)
            return self.value(plain)
        kind = type(value)
        if kind is str:
            return _Atom(_string_literal(value))
        if value is None or kind in (bool, int, bytes):
            return _Atom(repr(value))
        if kind is float:
            return self._float(value)
        if kind is complex and math.isfinite(value.real) and math.isfinite(value.imag):
            return _Atom(repr(value))
        if kind in (list, tuple):
            return self._sequence(value)
        if kind is dict:
            items = tuple(
                (_flat(self.value(key)) + ": ", self.value(item))
                for key, item in value.items()
            )
            return _Group("{", "}", items)
        if kind in (set, frozenset):
            return self._set(value)
        if kind is slice:
            callee = self.imports.builtin("slice")
            parts = (value.start, value.stop, value.step)
            if value.step is None:
                parts = parts[:2]
            return _Group(f"{callee}(", ")", tuple(("", self.value(p)) for p in parts))
        if kind is np.ndarray:
            return self._array(value)
        if kind is functools.partial:
            return self._partial(value)
        if isinstance(value, np.dtype):
            return self._dtype(value)
        if _is_estimator(value):
            try:
                return self.estimator(value)
            except _UnexportableError:
                # The class itself cannot be imported: report the parameter.
                raise _UnexportableError(value) from None
        if self._is_selector(value):
            return self._selector(value)
        if isinstance(value, (type, np.ufunc)) or inspect.isroutine(value):
            return _Atom(self.reference(value))
        return self._fail(value)

    @staticmethod
    def _fail(value: object) -> _Node:
        """Raise ``_UnexportableError`` for ``value``."""
        raise _UnexportableError(value)

    def _float(self, value: float) -> _Node:
        """Render a float, spelling NaN and infinities as ``float("...")``."""
        if math.isfinite(value):
            return _Atom(repr(value))
        callee = self.imports.builtin("float")
        text = "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
        return _Atom(f'{callee}("{text}")')

    def _sequence(self, value: list[Any] | tuple[Any, ...]) -> _Node:
        """Render a list or tuple."""
        items = tuple(("", self.value(item)) for item in value)
        if isinstance(value, list):
            return _Group("[", "]", items)
        if not items:
            return _Atom("()")
        return _Group("(", ")", items, single_tuple=len(items) == 1)

    def _set(self, value: set[Any] | frozenset[Any]) -> _Node:
        """Render a set or frozenset with its items in a stable order."""
        texts = sorted(_flat(self.value(item)) for item in value)
        items = tuple(("", _Atom(text)) for text in texts)
        if isinstance(value, frozenset):
            callee = self.imports.builtin("frozenset")
            if not items:
                return _Atom(f"{callee}()")
            return _Group(f"{callee}({{", "})", items)
        if not items:
            return _Atom(f"{self.imports.builtin('set')}()")
        return _Group("{", "}", items)

    def _array(self, value: np.ndarray) -> _Node:
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
        items: tuple[tuple[str, _Node], ...] = (("", self.value(content)),)
        try:
            inferred = np.array(content).dtype
        except Exception:  # noqa: BLE001 - inference failed: always state the dtype
            inferred = None
        if inferred != value.dtype:
            items += (("dtype=", _Atom(_string_literal(str(value.dtype)))),)
        return _Group(f"{self.imports.numpy()}.array(", ")", items)

    def _dtype(self, value: np.dtype) -> _Node:
        """Render a simple numpy dtype as ``np.dtype("...")``."""
        text = str(value)
        try:
            ok = value.fields is None and np.dtype(text) == value
        except TypeError:
            ok = False
        if not ok:
            return self._fail(value)
        return _Atom(f"{self.imports.numpy()}.dtype({_string_literal(text)})")

    def _partial(self, value: functools.partial) -> _Node:
        """Render ``functools.partial(func, *args, **keywords)``."""
        callee = self.reference(functools.partial)
        items: list[tuple[str, _Node]] = [("", self.value(value.func))]
        items.extend(("", self.value(arg)) for arg in value.args)
        for key, item in value.keywords.items():
            if not key.isidentifier() or keyword.iskeyword(key):
                return self._fail(value)
            items.append((f"{key}=", self.value(item)))
        return _Group(f"{callee}(", ")", tuple(items))

    @staticmethod
    def _is_selector(value: object) -> bool:
        """Return whether ``value`` is a ``make_column_selector`` instance."""
        return type(value) is make_column_selector

    def _selector(self, value: Any) -> _Node:
        """Render a ``make_column_selector`` from its stored arguments."""
        cls = type(value)
        items = []
        for pname, parameter in inspect.signature(cls).parameters.items():
            current = getattr(value, pname)
            if not _same_value(current, parameter.default):
                items.append((f"{pname}=", self.value(current)))
        return _Group(f"{self.reference(cls)}(", ")", tuple(items))


def estimator_to_code(estimator: BaseEstimator, *, name: str = "pipeline") -> str:
    """Return Python source that rebuilds an unfitted copy of ``estimator``.

    The source starts with the import lines it needs (sorted, one statement per
    module, each class or function imported from the shortest public module
    that exposes it), then a blank line, then ``{name} = <expression>``. Only
    constructor parameters that differ from their defaults are written, in
    signature order; fitted state is never exported. Pipelines and feature
    unions whose step names are the generated ones are written with
    ``make_pipeline`` / ``make_union``. Lines longer than 88 characters are
    split with one argument per line.

    Parameters
    ----------
    estimator : BaseEstimator
        The estimator (fitted or not) to export. Any object with a
        scikit-learn style ``get_params`` works.
    name : str, default="pipeline"
        The variable the rebuilt estimator is assigned to.

    Returns
    -------
    str
        Self-contained Python source ending with a newline.

    Raises
    ------
    TypeError
        If ``estimator`` is not an estimator, its class cannot be imported by
        name, or a parameter (possibly of a nested estimator) holds a value
        that cannot be written as source, e.g. a lambda or a
        ``RandomState``; the message names the parameter and its owner.
    ValueError
        If ``name`` is not a valid Python identifier.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> model = make_pipeline(StandardScaler(), LogisticRegression(C=0.5))
    >>> print(estimator_to_code(model))
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    <BLANKLINE>
    pipeline = make_pipeline(StandardScaler(), LogisticRegression(C=0.5))
    <BLANKLINE>
    """
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(f"name must be a valid Python identifier, got {name!r}")
    if not _is_estimator(estimator):
        raise TypeError(
            f"expected an estimator with get_params, got {type(estimator).__name__}"
        )
    exporter = _Exporter(name)
    try:
        node = exporter.estimator(estimator)
    except _UnexportableError:
        raise TypeError(
            f"cannot export estimator of type {type(estimator).__name__}: "
            "its class cannot be imported by name"
        ) from None
    head = f"{name} = "
    body = _layout(node, 0, len(head), 0)
    imports = exporter.imports.lines()
    return "\n".join(imports) + "\n\n" + head + body + "\n"
