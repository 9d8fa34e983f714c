"""Operators: an estimator class together with its searched hyperparameters."""

from __future__ import annotations

import dataclasses
import enum
import functools
import inspect
import math
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, clone

from autopipe.exceptions import SearchSpaceError
from autopipe.space._distributions import (
    Categorical,
    Distribution,
    FloatDistribution,
    IntDistribution,
    as_distribution,
)

__all__ = ["Operator", "Role", "TASKS"]

TASKS: tuple[str, ...] = ("classification", "regression")
OUTPUT_SIGNS: tuple[str, ...] = ("any", "nonnegative", "preserved")


class Role(str, enum.Enum):
    """What an operator does in a pipeline."""

    TRANSFORMER = "transformer"
    SELECTOR = "selector"
    MODEL = "model"
    #: resamples the training rows (``fit_resample``), directly before the model
    SAMPLER = "sampler"

    def __str__(self) -> str:
        return self.value


class FrozenMap(Mapping):
    """A read-only, picklable mapping (a private copy of a dict)."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        object.__setattr__(self, "_data", dict(data or {}))

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("FrozenMap is read-only")

    def __getstate__(self) -> dict[str, Any]:
        return self._data

    def __setstate__(self, state: dict[str, Any]) -> None:
        object.__setattr__(self, "_data", dict(state))

    def __repr__(self) -> str:
        return repr(self._data)


def _is_estimator(value: Any) -> bool:
    return hasattr(value, "get_params") and not isinstance(value, type)


def _clone_value(value: Any) -> Any:
    """Clone estimator instances so built pipelines never share state."""
    if _is_estimator(value):
        return clone(value)
    return value


def public_path(obj: Any) -> str:
    """The shortest importable dotted path of a class or function.

    ``sklearn.linear_model._logistic.LogisticRegression`` becomes
    ``sklearn.linear_model.LogisticRegression`` because the shorter module
    (already imported) exposes the same object.
    """
    module = getattr(obj, "__module__", None) or ""
    qualname = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", repr(obj))
    parts = module.split(".")
    if "." not in qualname:
        for i in range(1, len(parts)):
            prefix = ".".join(parts[:i])
            mod = sys.modules.get(prefix)
            if mod is not None and getattr(mod, qualname, None) is obj:
                return f"{prefix}.{qualname}"
    return f"{module}.{qualname}" if module else qualname


def stable_repr(value: Any) -> str:
    """A representation that is identical across processes (no memory addresses)."""
    if isinstance(value, Categorical):
        return "Categorical(" + ",".join(stable_repr(c) for c in value.choices) + ")"
    if isinstance(value, (IntDistribution, FloatDistribution)):
        return f"{type(value).__name__}({value.low!r},{value.high!r},{value.log!r})"
    if isinstance(value, Distribution):  # user subclasses
        if dataclasses.is_dataclass(value):
            fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
            return f"{public_path(type(value))}{stable_repr(fields)}"
        return repr(value)
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, type) or inspect.isroutine(value):
        return public_path(value)
    if _is_estimator(value):
        try:
            params = value.get_params(deep=False)
        except Exception:  # noqa: BLE001 - foreign objects
            params = {}
        inner = ",".join(f"{k}={stable_repr(params[k])}" for k in sorted(params))
        return f"{public_path(type(value))}({inner})"
    if isinstance(value, (list, tuple)):
        open_, close = ("[", "]") if isinstance(value, list) else ("(", ")")
        return open_ + ",".join(stable_repr(v) for v in value) + close
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{k!r}:{stable_repr(value[k])}" for k in sorted(value)) + "}"
    if isinstance(value, (set, frozenset)):
        return "{" + ",".join(sorted(stable_repr(v) for v in value)) + "}"
    if isinstance(value, np.generic):
        return repr(value.item())
    if callable(value):
        return public_path(type(value)) + "()"
    return repr(value)


@dataclass(frozen=True, eq=False)
class Operator:
    """An estimator class and the hyperparameters searched for it.

    Parameters
    ----------
    name : str
        Unique name within one task's search space, e.g. ``"LogisticRegression"``.
    estimator_class : type
        A scikit-learn compatible estimator class.
    role : Role or str
        ``"transformer"``, ``"selector"``, ``"model"`` or ``"sampler"`` (an
        imbalanced-learn resampler, placed directly before the model and
        applied to the training rows only).
    tasks : frozenset of str
        The tasks the operator serves, a subset of
        ``{"classification", "regression"}``.
    params : mapping of str to Distribution
        Searched hyperparameters, keyed by constructor name; nested names such as
        ``"estimator__max_features"`` are allowed. Values that are not
        distributions are converted with :func:`as_distribution`.
    fixed : mapping of str to object, default={}
        Constructor arguments that are not searched. Estimator values are cloned
        each time the operator is built.
    input_only : bool, default=False
        The operator may only be applied to the raw input matrix.
    max_input_features : int or None, default=None
        Leave the operator out of a space when the data has more features.
    budget_param : str or None, default=None
        The hyperparameter that sets how long training runs (a network's
        ``max_epochs``). When it is searched as an integer range, Bayesian
        tuning uses it as the lower fidelity of successive halving: the
        first rungs train for a fraction of it, on all rows.
    nonnegative_input : bool, default=False
        ``fit`` fails on negative values (``MultinomialNB``). Pipelines that
        could give it negative values are not evaluated: they are recorded
        as failed with the reason.
    output_sign : {"any", "nonnegative", "preserved"}, default="any"
        What a transformer or selector outputs: ``"nonnegative"`` values
        whatever its input (``MinMaxScaler`` on the rows it was fitted on,
        ``Binarizer``), ``"preserved"`` non-negative values from non-negative
        input (scalers by the maximum, selectors), ``"any"`` possibly negative
        values. Only consulted for steps before an operator with
        ``nonnegative_input``.

    Examples
    --------
    >>> from sklearn.linear_model import Ridge
    >>> op = Operator("Ridge", Ridge, Role.MODEL, frozenset({"regression"}),
    ...               {"alpha": FloatDistribution(1e-3, 1e3, log=True)})
    >>> op.build({"alpha": 0.5}, random_state=0).alpha
    0.5
    """

    name: str
    estimator_class: type
    role: Role
    tasks: frozenset[str]
    params: Mapping[str, Distribution]
    fixed: Mapping[str, Any] = field(default_factory=dict)
    input_only: bool = False
    max_input_features: int | None = None
    budget_param: str | None = None
    nonnegative_input: bool = False
    output_sign: str = "any"

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise SearchSpaceError(f"Operator name must be a non-empty str, got {self.name!r}.")
        if not isinstance(self.estimator_class, type):
            raise SearchSpaceError(
                f"Operator {self.name!r}: estimator_class must be a class, got "
                f"{self.estimator_class!r}."
            )
        try:
            role = Role(self.role)
        except ValueError:
            raise SearchSpaceError(
                f"Operator {self.name!r}: role must be one of "
                f"{[r.value for r in Role]}, got {self.role!r}."
            ) from None
        object.__setattr__(self, "role", role)
        tasks = frozenset([self.tasks] if isinstance(self.tasks, str) else self.tasks)
        bad = sorted(t for t in tasks if t not in TASKS)
        if not tasks or bad:
            raise SearchSpaceError(
                f"Operator {self.name!r}: tasks must be a non-empty subset of "
                f"{list(TASKS)}, got {sorted(tasks)!r}."
            )
        object.__setattr__(self, "tasks", tasks)
        params = {}
        for key, spec in dict(self.params).items():
            if not isinstance(key, str):
                raise SearchSpaceError(
                    f"Operator {self.name!r}: parameter names must be str, got {key!r}."
                )
            params[key] = as_distribution(spec)
        object.__setattr__(self, "params", FrozenMap(params))
        fixed = dict(self.fixed)
        overlap = sorted(set(fixed) & set(params))
        if overlap:
            raise SearchSpaceError(
                f"Operator {self.name!r}: parameters {overlap} are both searched and fixed."
            )
        object.__setattr__(self, "fixed", FrozenMap(fixed))
        object.__setattr__(self, "input_only", bool(self.input_only))
        if self.max_input_features is not None:
            object.__setattr__(self, "max_input_features", int(self.max_input_features))
        object.__setattr__(self, "nonnegative_input", bool(self.nonnegative_input))
        if self.output_sign not in OUTPUT_SIGNS:
            raise SearchSpaceError(
                f"Operator {self.name!r}: output_sign must be one of {list(OUTPUT_SIGNS)}, "
                f"got {self.output_sign!r}."
            )
        if self.budget_param is not None and not isinstance(self.budget_param, str):
            raise SearchSpaceError(
                f"Operator {self.name!r}: budget_param must be a parameter name, got {self.budget_param!r}."
            )

    # -- identity -----------------------------------------------------------------
    def _key(self) -> str:
        cached = self.__dict__.get("_key_cache")
        if cached is not None:
            return cached
        key = stable_repr(
            (
                self.name,
                self.estimator_class,
                self.role,
                sorted(self.tasks),
                dict(self.params),
                dict(self.fixed),
                self.input_only,
                self.max_input_features,
            )
        )
        self.__dict__["_key_cache"] = key
        return key

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Operator):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    @property
    def class_path(self) -> str:
        """Shortest importable dotted path of :attr:`estimator_class`."""
        return public_path(self.estimator_class)

    # -- building -------------------------------------------------------------------
    def _instantiate(self, extra_top: Mapping[str, Any] | None = None) -> BaseEstimator:
        top = {k: _clone_value(v) for k, v in self.fixed.items() if "__" not in k}
        if extra_top:
            top.update(extra_top)
        estimator = self.estimator_class(**top)
        nested = {k: _clone_value(v) for k, v in self.fixed.items() if "__" in k}
        if nested:
            estimator.set_params(**nested)
        return estimator

    def build(self, params: Mapping[str, Any], random_state: int | None = None) -> BaseEstimator:
        """Create a new, unfitted estimator.

        Parameters
        ----------
        params : mapping of str to object
            Values for (some of) the searched parameters; any constructor or
            nested parameter name is accepted.
        random_state : int or None, default=None
            If not None, every parameter named ``random_state`` or ending in
            ``__random_state`` (nested estimators included) is set to it.

        Returns
        -------
        estimator : BaseEstimator
            ``estimator_class(**fixed)`` with ``params`` set. Estimator values are
            cloned, so the operator is never modified.
        """
        values = {k: _clone_value(v) for k, v in dict(params).items()}
        top = {k: v for k, v in values.items() if "__" not in k}
        nested = {k: v for k, v in values.items() if "__" in k}
        estimator = self._instantiate(top)
        if nested:
            estimator.set_params(**nested)
        if random_state is not None:
            seed = int(random_state)
            names = [
                k
                for k in estimator.get_params(deep=True)
                if k == "random_state" or k.endswith("__random_state")
            ]
            if names:
                estimator.set_params(**{k: seed for k in names})
        return estimator

    def sample_params(self, rng: np.random.Generator) -> dict[str, Any]:
        """Draw one value for every searched parameter.

        Parameters
        ----------
        rng : numpy.random.Generator
            Source of randomness, drawn from one parameter after the other.

        Returns
        -------
        params : dict
            ``{name: value}`` in the order of :attr:`params`.
        """
        return {name: dist.sample(rng) for name, dist in self.params.items()}

    def default_params(self) -> dict[str, Any]:
        """Deterministic starting values for the searched parameters.

        Returns
        -------
        params : dict
            For each searched parameter the estimator's own default when the
            distribution contains it, else :meth:`Distribution.default`.
        """
        return dict(self._default_values)

    @functools.cached_property
    def _default_values(self) -> dict[str, Any]:
        # Computed once: building the reference estimator is not free.
        defaults = self._estimator_defaults()
        out = {}
        for name, dist in self.params.items():
            if name in defaults and dist.contains(defaults[name]):
                out[name] = defaults[name]
            else:
                out[name] = dist.default()
        return out

    def _estimator_defaults(self) -> dict[str, Any]:
        try:
            return self._instantiate().get_params(deep=True)
        except Exception:  # noqa: BLE001 - classes that need arguments
            try:
                signature = inspect.signature(self.estimator_class.__init__)
            except (TypeError, ValueError):
                return {}
            return {
                p.name: p.default
                for p in signature.parameters.values()
                if p.default is not inspect.Parameter.empty
            }

    @property
    def n_configurations(self) -> float:
        """Number of distinct parameter settings (``inf`` if any range is continuous)."""
        return math.prod(d.size for d in self.params.values()) if self.params else 1.0
