"""``SearchSpace``: the operators available for one task, an immutable value."""

from __future__ import annotations

import difflib
import hashlib
import inspect
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from autopipe.exceptions import SearchSpaceError
from autopipe.space._operator import Operator, Role, stable_repr
from autopipe.space._presets import check_task
from autopipe.space._hooks import TrainingHooks
from autopipe.space._net_training import training_hooks_for

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SearchSpace"]


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
    >>> from autopipe.space import build_space
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
            problems.append(no_model_message(task))
        if problems:
            raise SearchSpaceError(format_problems(problems, task))
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


def no_model_message(task: str) -> str:
    """The problem reported when no operator of a space is a model for ``task``."""
    kind = "classifier" if task == "classification" else "regressor"
    return (
        f"No model left: the search space has no model for task {task!r}. "
        f"Add at least one {kind}."
    )


def format_problems(problems: list[str], task: str) -> str:
    """One error message listing every problem found in a space for ``task``."""
    if len(problems) == 1:
        return f"Invalid search space for task {task!r}: {problems[0]}"
    lines = "\n".join(f"  - {p}" for p in problems)
    return f"Invalid search space for task {task!r} ({len(problems)} problems):\n{lines}"
