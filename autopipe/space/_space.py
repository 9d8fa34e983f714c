"""Search spaces: the operators available for one task, and how users specify them."""

from __future__ import annotations

import difflib
import hashlib
import importlib
import inspect
import logging
import numbers
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from sklearn.base import ClassifierMixin, RegressorMixin, is_classifier, is_regressor
from sklearn.feature_selection import SelectorMixin

from autopipe.exceptions import SearchSpaceError
from autopipe.space._distributions import Categorical, Distribution, as_distribution
from autopipe.space._hooks import TrainingHooks
from autopipe.space._net_training import training_hooks_for
from autopipe.space._operator import TASKS, Operator, Role, public_path, stable_repr
from autopipe.space._presets import PRESETS, check_task, get_preset
from autopipe.space._registry import registry_by_name, registry_class_names

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SearchSpace", "build_space"]

logger = logging.getLogger(__name__)


class SearchSpace:
    """The operators available for one task (immutable, picklable).

    Usually made by :func:`build_space`.

    Parameters
    ----------
    task : {"classification", "regression"}
        The task every operator serves.
    operators : iterable of Operator
        The operators, with unique names; at least one must be a model.

    Attributes
    ----------
    task : str
    operators : tuple of Operator
    training_hooks : TrainingHooks
        What the evaluator applies to the operators that train iteratively.

    Examples
    --------
    >>> space = build_space("light", "classification")
    >>> "LogisticRegression" in space
    True
    >>> space["LogisticRegression"].role
    <Role.MODEL: 'model'>
    """

    __slots__ = ("_fingerprint", "_index", "_operators", "_task")

    def __init__(self, task: str, operators: Iterable[Operator]) -> None:
        task = check_task(task)
        ops = tuple(operators)
        problems = []
        index: dict[str, Operator] = {}
        for op in ops:
            if not isinstance(op, Operator):
                problems.append(f"Expected Operator instances, got {op!r}.")
                continue
            if task not in op.tasks:
                problems.append(
                    f"Operator {op.name!r} serves {sorted(op.tasks)}, not task {task!r}."
                )
            if op.name in index:
                problems.append(f"Operator name {op.name!r} appears more than once.")
            index[op.name] = op
        if not any(isinstance(op, Operator) and op.role is Role.MODEL for op in ops):
            problems.append(_no_model_message(task))
        if problems:
            raise SearchSpaceError(_format_problems(problems, task))
        object.__setattr__(self, "_task", task)
        object.__setattr__(self, "_operators", ops)
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_fingerprint", None)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("SearchSpace is immutable")

    def __reduce__(self) -> tuple[Any, ...]:
        return (SearchSpace, (self._task, self._operators))

    @property
    def task(self) -> str:
        """The task every operator serves."""
        return self._task

    @property
    def operators(self) -> tuple[Operator, ...]:
        """All operators, in order."""
        return self._operators

    def __getitem__(self, name: str) -> Operator:
        try:
            return self._index[name]
        except (KeyError, TypeError):
            pass
        hint = difflib.get_close_matches(str(name), list(self._index), n=1)
        raise KeyError(
            f"No operator named {name!r} in this {self._task} search space."
            + (f" Did you mean {hint[0]!r}?" if hint else "")
        )

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._index

    def __iter__(self) -> Iterator[Operator]:
        return iter(self._operators)

    def __len__(self) -> int:
        return len(self._operators)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SearchSpace):
            return NotImplemented
        return self._task == other._task and self._operators == other._operators

    def __hash__(self) -> int:
        return hash(self.fingerprint())

    def __repr__(self) -> str:
        counts = ", ".join(f"{len(self.with_role(r))} {r.value}s" for r in Role)
        return f"SearchSpace(task={self._task!r}, {len(self)} operators: {counts})"

    @property
    def training_hooks(self) -> TrainingHooks:
        """The training hooks of this space's operators, for the evaluator.

        :class:`~autopipe.space.NetworkTrainingHooks` (median stopping and
        weight inheritance) when an operator builds a network, else the
        no-op :class:`~autopipe.space.TrainingHooks`. Each access makes a
        new object: give one to each evaluator.
        """
        return training_hooks_for(self._operators)

    def with_role(self, role: Role | str) -> tuple[Operator, ...]:
        """The operators with the given role.

        Parameters
        ----------
        role : Role or str

        Returns
        -------
        operators : tuple of Operator
        """
        role = Role(role)
        return tuple(op for op in self._operators if op.role is role)

    @property
    def models(self) -> tuple[Operator, ...]:
        """The operators with role ``"model"``."""
        return self.with_role(Role.MODEL)

    @property
    def transformers(self) -> tuple[Operator, ...]:
        """The operators with role ``"transformer"``."""
        return self.with_role(Role.TRANSFORMER)

    @property
    def selectors(self) -> tuple[Operator, ...]:
        """The operators with role ``"selector"``."""
        return self.with_role(Role.SELECTOR)

    @property
    def samplers(self) -> tuple[Operator, ...]:
        """The operators with role ``"sampler"`` (resamplers of the training rows)."""
        return self.with_role(Role.SAMPLER)

    def without(self, names: Iterable[str]) -> SearchSpace:
        """A copy of this space without the operators named in ``names``.

        Raises
        ------
        SearchSpaceError
            When no model would be left for the task.
        """
        drop = set(names)
        kept = [op for op in self._operators if op.name not in drop]
        if not any(op.role is Role.MODEL for op in kept):
            raise SearchSpaceError(
                f"Removing {', '.join(sorted(drop))} leaves no model in the search space for task {self._task!r}."
            )
        return SearchSpace(self._task, kept)

    def fingerprint(self) -> str:
        """A hash of the task, operators, distributions and fixed arguments.

        Identical across processes and Python sessions, so it can key caches.

        Returns
        -------
        fingerprint : str
            16 hexadecimal characters.
        """
        if self._fingerprint is None:
            text = stable_repr((self._task, [op._key() for op in self._operators]))
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
            object.__setattr__(self, "_fingerprint", digest)
        return self._fingerprint

    def describe(self) -> pd.DataFrame:
        """A table of the operators.

        Returns
        -------
        table : pandas.DataFrame
            One row per operator with columns ``name``, ``role``, ``class``,
            ``params`` (each searched parameter and its range) and ``fixed``.
        """
        import pandas as pd

        rows = [
            {
                "name": op.name,
                "role": op.role.value,
                "class": op.class_path,
                "params": "; ".join(f"{k}: {d}" for k, d in op.params.items()),
                "fixed": ", ".join(f"{k}={_short(v)}" for k, v in op.fixed.items()),
            }
            for op in self._operators
        ]
        return pd.DataFrame(rows, columns=["name", "role", "class", "params", "fixed"])


def _short(value: Any) -> str:
    if isinstance(value, type) or inspect.isroutine(value):
        return getattr(value, "__name__", repr(value))
    return repr(value)


# -- error messages -------------------------------------------------------------------


def _no_model_message(task: str) -> str:
    kind = "classifier" if task == "classification" else "regressor"
    return (
        f"No model left: the search space has no model for task {task!r}. "
        f"Add at least one {kind}."
    )


def _format_problems(problems: list[str], task: str) -> str:
    if len(problems) == 1:
        return f"Invalid search space for task {task!r}: {problems[0]}"
    lines = "\n".join(f"  - {p}" for p in problems)
    return f"Invalid search space for task {task!r} ({len(problems)} problems):\n{lines}"


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
        from sklearn.utils._param_validation import (
            InvalidParameterError,
            validate_parameter_constraints,
        )
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
        problems.append(_no_model_message(task))
    if problems:
        raise SearchSpaceError(_format_problems(problems, task))
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
