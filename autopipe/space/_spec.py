"""The parser of user search-space specs: preset names, dicts of operators, spaces, into ``SearchSpace``."""

from __future__ import annotations

import difflib
import importlib
import inspect
import logging
import numbers
from collections.abc import Iterable, Mapping
from typing import Any

from sklearn.base import ClassifierMixin, RegressorMixin, is_classifier, is_regressor
from sklearn.feature_selection import SelectorMixin

from autopipe.exceptions import SearchSpaceError
from autopipe.space._distributions import Categorical, Distribution, as_distribution
from autopipe.space._operator import TASKS, Operator, Role, public_path
from autopipe.space._presets import PRESETS, check_task, get_preset
from autopipe.space._registry import registry_by_name, registry_class_names
from autopipe.space._space import SearchSpace, format_problems, no_model_message

__all__ = ["build_space"]

logger = logging.getLogger(__name__)


# -- error messages -------------------------------------------------------------------


def _did_you_mean(word: str, candidates: Iterable[str]) -> str:
    candidates = list(candidates)
    lowered = {c.lower(): c for c in candidates}
    if word.lower() in lowered:
        return f" Did you mean {lowered[word.lower()]!r}?"
    hits = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return f" Did you mean {hits[0]!r}?" if hits else ""


def _describe_key(key: Any) -> str:
    if isinstance(key, type):
        return public_path(key)
    return repr(key)


# -- resolving user keys ----------------------------------------------------------------


def _import_path(path: str, problems: list[str]) -> Any:
    module_name, _, attr = path.rpartition(".")
    if not module_name or not attr:
        problems.append(f"Operator key {path!r} is not a valid dotted import path.")
        return None
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # noqa: BLE001 - any import failure is the user's problem
        problems.append(
            f"Operator key {path!r} could not be imported: module {module_name!r} "
            f"failed to import ({type(exc).__name__}: {exc})."
        )
        return None
    if not hasattr(module, attr):
        public = [n for n in dir(module) if not n.startswith("_")]
        hits = difflib.get_close_matches(attr, public, n=1)
        hint = f" Did you mean {module_name + '.' + hits[0]!r}?" if hits else ""
        problems.append(
            f"Operator key {path!r} could not be imported: module {module_name!r} has "
            f"no attribute {attr!r}.{hint}"
        )
        return None
    return getattr(module, attr)


def _infer_role(cls: type) -> tuple[Role, frozenset[str]] | None:
    """Role and tasks of an estimator class that is not in the registry."""
    try:
        instance = cls()
    except Exception:  # noqa: BLE001 - needs constructor arguments
        instance = None
    if instance is not None:
        try:
            if is_classifier(instance):
                return Role.MODEL, frozenset({"classification"})
            if is_regressor(instance):
                return Role.MODEL, frozenset({"regression"})
        except Exception:  # noqa: BLE001 - broken tags
            pass
    if issubclass(cls, ClassifierMixin):
        return Role.MODEL, frozenset({"classification"})
    if issubclass(cls, RegressorMixin):
        return Role.MODEL, frozenset({"regression"})
    if issubclass(cls, SelectorMixin):
        return Role.SELECTOR, frozenset(TASKS)
    if hasattr(cls, "fit_resample"):
        return Role.SAMPLER, frozenset({"classification"})
    if hasattr(cls, "transform"):
        return Role.TRANSFORMER, frozenset(TASKS)
    return None


def _reference_instance(cls: type, fixed: Mapping[str, Any], user: Mapping[str, Distribution]) -> Any:
    """An instance used to list the accepted parameters (None if it cannot be built)."""
    # The user's own top-level values first (e.g. a replaced nested estimator),
    # then the fixed arguments alone.
    first = {k: d.default() for k, d in user.items() if "__" not in k}
    attempts = [{**dict(fixed), **first}, dict(fixed)]
    for kwargs in attempts:
        top = {k: v for k, v in kwargs.items() if "__" not in k}
        try:
            return cls(**top)
        except Exception:  # noqa: BLE001 - try the next set of arguments
            continue
    return None


def _accepted_params(cls: type, instance: Any) -> list[str]:
    if instance is not None:
        try:
            return list(instance.get_params(deep=True))
        except Exception:  # noqa: BLE001 - fall back on the signature
            pass
    try:
        signature = inspect.signature(cls.__init__)
    except (TypeError, ValueError):
        return []
    return [
        p.name
        for p in signature.parameters.values()
        if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


def _value_problem(instance: Any, cls: type, param: str, dist: Distribution) -> str | None:
    """Check a distribution's values against sklearn's parameter constraints."""
    try:
        from autopipe._utils.sklearn_shim import InvalidParameterError, validate_parameter_constraints
    except ImportError:  # pragma: no cover - private sklearn API moved
        return None
    owner: Any = cls
    local = param
    if "__" in param:
        if instance is None:
            return None
        prefix, local = param.rsplit("__", 1)
        owner = instance.get_params(deep=True).get(prefix)
        if owner is None:
            return None
    owner_cls = owner if isinstance(owner, type) else type(owner)
    constraints = getattr(owner_cls, "_parameter_constraints", None)
    if not isinstance(constraints, dict) or local not in constraints:
        return None
    values = dist.choices if isinstance(dist, Categorical) else (dist.low, dist.high)
    for value in values:
        try:
            validate_parameter_constraints(
                {local: constraints[local]}, {local: value}, caller_name=owner_cls.__name__
            )
        except InvalidParameterError as exc:
            return str(exc)
        except Exception:  # noqa: BLE001 - exotic constraints: let fit decide
            return None
    return None


def _user_params(
    label: str, value: Any, problems: list[str]
) -> dict[str, Distribution] | None:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.append(
            f"The value for operator {label} must be a dict of parameters "
            f"({{param: values}}) or None, got {type(value).__name__} {value!r} instead."
        )
        return None
    out = {}
    for param, spec in value.items():
        if not isinstance(param, str):
            problems.append(
                f"Parameter names of operator {label} must be str, got {param!r} instead."
            )
            continue
        try:
            out[param] = as_distribution(spec)
        except SearchSpaceError as exc:
            problems.append(f"Invalid values for parameter {param!r} of operator {label}: {exc}")
    return out


def _check_params(
    label: str,
    cls: type,
    instance: Any,
    user: Mapping[str, Distribution],
    problems: list[str],
) -> None:
    accepted = _accepted_params(cls, instance)
    for param, dist in user.items():
        if param not in accepted:
            problems.append(
                f"Invalid parameter {param!r} for operator {label}. Valid parameters "
                f"are: {sorted(accepted)!r}.{_did_you_mean(param, accepted)}"
            )
            continue
        problem = _value_problem(instance, cls, param, dist)
        if problem:
            problems.append(
                f"Invalid values {dist} for parameter {param!r} of operator {label}: {problem}"
            )


def _registry_entry(
    name: str, label: str, user: Mapping[str, Distribution], task: str, problems: list[str]
) -> list[Operator]:
    records = registry_by_name()[name]
    reference = records[0]
    instance = _reference_instance(reference.estimator_class, reference.fixed, user)
    n_before = len(problems)
    _check_params(label, reference.estimator_class, instance, user, problems)
    if len(problems) > n_before:
        return []
    # Registry entries the user's values made meaningless (nested parameters of
    # an estimator the user replaced) are dropped.
    accepted = set(_accepted_params(reference.estimator_class, instance)) if user else None

    def keep(key: str) -> bool:
        if key in user:
            return False
        if accepted is None or "__" not in key or key in accepted:
            return True
        logger.debug("Dropping %s's parameter %r: the given values replace its owner.", name, key)
        return False

    ops = []
    for op in records:
        if task not in op.tasks:
            continue
        params = {**{k: d for k, d in op.params.items() if keep(k)}, **user}
        fixed = {k: v for k, v in op.fixed.items() if keep(k)}
        ops.append(
            Operator(
                op.name,
                op.estimator_class,
                op.role,
                op.tasks,
                params,
                fixed=fixed,
                input_only=op.input_only,
                max_input_features=op.max_input_features,
                budget_param=op.budget_param,
                nonnegative_input=op.nonnegative_input,
                output_sign=op.output_sign,
            )
        )
    return ops


def _new_entry(
    cls: type, label: str, user: Mapping[str, Distribution], task: str, problems: list[str]
) -> list[Operator]:
    if not (hasattr(cls, "fit") and hasattr(cls, "get_params")):
        problems.append(
            f"Operator {label} is not a scikit-learn estimator: it needs fit and get_params methods."
        )
        return []
    inferred = _infer_role(cls)
    if inferred is None:
        problems.append(
            f"Operator {label} is neither a model (classifier or regressor) nor a "
            "transformer: it has no transform method and is not a classifier or regressor."
        )
        return []
    role, tasks = inferred
    instance = _reference_instance(cls, {}, user)
    n_before = len(problems)
    _check_params(label, cls, instance, user, problems)
    if len(problems) > n_before or task not in tasks:
        return []
    return [Operator(cls.__name__, cls, role, tasks, dict(user))]


def _resolve(key: Any, value: Any, task: str, problems: list[str]) -> list[Operator]:
    label = _describe_key(key)
    by_name = registry_by_name()
    user = _user_params(label, value, problems)
    cls: Any
    if isinstance(key, str):
        if key in by_name:
            return [] if user is None else _registry_entry(key, label, user, task, problems)
        if "." not in key:
            problems.append(
                f"Unknown operator {key!r}: it is not a registry operator name nor a "
                "dotted import path. Keys must be a registry name (e.g. "
                "'LogisticRegression'), an import path (e.g. 'sklearn.svm.SVC') or an "
                f"estimator class.{_did_you_mean(key, by_name)}"
            )
            return []
        cls = _import_path(key, problems)
        if cls is None:
            return []
    elif isinstance(key, type):
        cls = key
    else:
        problems.append(
            f"Operator keys must be a registry name, a dotted import path or an "
            f"estimator class, got {type(key).__name__} {key!r} instead."
        )
        return []
    if not isinstance(cls, type):
        problems.append(f"Operator {label} must name a class, got {cls!r} instead.")
        return []
    if user is None:
        return []
    registry_name = registry_class_names().get(cls)
    if registry_name is not None:
        return _registry_entry(registry_name, label, user, task, problems)
    return _new_entry(cls, label, user, task, problems)


def _finish(ops: Iterable[Operator], task: str, n_features: int | None, problems: list[str]) -> SearchSpace:
    kept = []
    for op in ops:
        if (
            n_features is not None
            and op.max_input_features is not None
            and n_features > op.max_input_features
        ):
            logger.debug(
                "Leaving %s out of the search space: the data has %d features, more than "
                "its limit of %d.",
                op.name,
                n_features,
                op.max_input_features,
            )
            continue
        kept.append(op)
    if not any(op.role is Role.MODEL for op in kept):
        problems.append(no_model_message(task))
    if problems:
        raise SearchSpaceError(format_problems(problems, task))
    return SearchSpace(task, kept)


def build_space(
    spec: str | Mapping[Any, Any] | SearchSpace,
    task: str,
    *,
    n_features: int | None = None,
) -> SearchSpace:
    """Resolve a preset name, a user dict or a space into a :class:`SearchSpace`.

    Parameters
    ----------
    spec : str, dict or SearchSpace
        A preset name (see :data:`PRESETS`); a dict
        ``{operator: {param: values} or None}`` whose keys are registry names,
        dotted import paths or classes, and whose parameter values are lists,
        tuples, distributions or single values (see :func:`as_distribution`); or
        an existing space for the same task. For a registry operator, the
        parameters given replace the registry's (the others are kept); a new
        class searches only the parameters given, and its role is inferred.
    task : {"classification", "regression"}
        Operators not serving the task are silently dropped.
    n_features : int or None, default=None
        Number of input features; operators with a smaller
        ``max_input_features`` are dropped.

    Returns
    -------
    space : SearchSpace

    Raises
    ------
    SearchSpaceError
        Listing every problem found: unknown operator names, unimportable paths,
        classes that are neither models nor transformers, parameters the
        estimator does not accept, values it rejects, no model for the task.

    Examples
    --------
    >>> from autopipe.space import get_preset
    >>> space = build_space(
    ...     {**get_preset("light"), "sklearn.svm.SVC": {"C": [0.1, 1.0, 10.0]}},
    ...     "classification",
    ... )
    >>> space["SVC"].params["C"]
    Categorical(choices=(0.1, 1.0, 10.0))
    """
    task = check_task(task)
    if n_features is not None:
        if (
            isinstance(n_features, bool)
            or not isinstance(n_features, numbers.Integral)
            or n_features < 1
        ):
            raise SearchSpaceError(
                f"n_features must be a positive int or None, got {n_features!r} instead."
            )
        n_features = int(n_features)
    if isinstance(spec, SearchSpace):
        if spec.task != task:
            raise SearchSpaceError(
                f"The search space was built for task {spec.task!r}, not {task!r}."
            )
        return _finish(spec.operators, task, n_features, [])
    if isinstance(spec, str):
        spec = get_preset(spec, task)
    if not isinstance(spec, Mapping):
        raise SearchSpaceError(
            "A search space must be a preset name (one of "
            f"{list(PRESETS)}), a dict of operators or a "
            f"SearchSpace, got {type(spec).__name__} {spec!r} instead."
        )
    problems: list[str] = []
    ops: list[Operator] = []
    names: dict[str, str] = {}
    for key, value in spec.items():
        for op in _resolve(key, value, task, problems):
            label = _describe_key(key)
            if op.name in names:
                problems.append(
                    f"Operators {names[op.name]} and {label} both have the name "
                    f"{op.name!r}; each operator may appear once."
                )
                continue
            names[op.name] = label
            ops.append(op)
    return _finish(ops, task, n_features, problems)
