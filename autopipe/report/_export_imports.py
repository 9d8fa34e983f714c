"""Import lines and local names for the classes and functions that exported source refers to."""

from __future__ import annotations

import builtins
import importlib

import numpy as np

from ._export_layout import INDENT, LINE_LENGTH

# Modules tried, in order, for objects (such as ``scipy.special`` ufuncs) that do
# not record the module they live in.
_FALLBACK_MODULES = ("numpy", "scipy.special")


class UnexportableError(Exception):
    """Internal signal: a value cannot be written as source code.

    It deliberately does not derive from ``TypeError`` so that the estimator
    being rendered can catch it and re-raise a ``TypeError`` naming the
    offending parameter, while ``TypeError`` raised by a nested estimator (which
    already names its own parameter) passes through untouched.
    """

    def __init__(self, value: object) -> None:
        super().__init__(type(value).__name__)
        self.type_name = type(value).__name__


class Imports:
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
            if len(text) > LINE_LENGTH:
                body = "".join(f"\n{' ' * INDENT}{clause}," for clause in clauses)
                text = f"from {module} import ({body}\n)"
            statements.append((module, text))
        return [text for _, text in sorted(statements)]


def public_module(obj: object) -> str:
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
    UnexportableError
        If ``obj`` is anonymous, nested, defined in ``__main__`` or otherwise
        not reachable by name.
    """
    name = getattr(obj, "__name__", None)
    qualname = getattr(obj, "__qualname__", name)
    module = getattr(obj, "__module__", None)
    if not isinstance(name, str) or not name.isidentifier() or qualname != name:
        raise UnexportableError(obj)
    if module is None and isinstance(obj, np.ufunc):
        candidates = list(_FALLBACK_MODULES)
    elif not isinstance(module, str) or module == "__main__":
        raise UnexportableError(obj)
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
    raise UnexportableError(obj)

