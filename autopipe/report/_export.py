"""Export an estimator as Python source code that rebuilds an unfitted copy of it."""

from __future__ import annotations

import inspect
import keyword
from collections import Counter
from typing import Any

from sklearn.base import BaseEstimator
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline, make_union

from ._export_imports import UnexportableError
from ._export_layout import Group, Node, layout
from ._export_values import ValueWriter, is_estimator, same_value

__all__ = ["estimator_to_code"]


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


class _Exporter(ValueWriter):
    """Turn estimators and their parameter values into layout nodes."""

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
            if parameter.default is inspect.Parameter.empty or not same_value(
                value, parameter.default
            ):
                changed.append((pname, value))
        known = set(signature.parameters)
        extras = [(k, v) for k, v in params.items() if k not in known]
        changed.extend(sorted(extras, key=lambda item: item[0]))
        return changed

    def param(self, owner: type, pname: str, value: Any) -> Node:
        """Render one parameter value, naming it in any ``TypeError``."""
        try:
            return self.value(value)
        except UnexportableError as error:
            raise TypeError(
                f"cannot export parameter {pname!r} of {owner.__name__}: "
                f"value of type {error.type_name}"
            ) from None

    def estimator(self, estimator: Any) -> Node:
        """Render an estimator as a constructor call (or a ``make_*`` helper)."""
        cls = type(estimator)
        changed = self.changed_params(estimator)
        if cls is Pipeline or cls is FeatureUnion:
            shortcut = self._shortcut(estimator, changed)
            if shortcut is not None:
                return shortcut
        callee = self.reference(cls)
        items = tuple((f"{k}=", self.param(cls, k, v)) for k, v in changed)
        return Group(f"{callee}(", ")", items)

    def _shortcut(self, estimator: Any, changed: list[tuple[str, Any]]) -> Node | None:
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
        return Group(f"{callee}(", ")", items)


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
    if not is_estimator(estimator):
        raise TypeError(
            f"expected an estimator with get_params, got {type(estimator).__name__}"
        )
    exporter = _Exporter(name)
    try:
        node = exporter.estimator(estimator)
    except UnexportableError:
        raise TypeError(
            f"cannot export estimator of type {type(estimator).__name__}: "
            "its class cannot be imported by name"
        ) from None
    head = f"{name} = "
    body = layout(node, 0, len(head), 0)
    imports = exporter.imports.lines()
    return "\n".join(imports) + "\n\n" + head + body + "\n"
