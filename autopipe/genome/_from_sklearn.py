"""Genomes from users' own pipelines: sklearn objects or the code ``export()`` writes."""

from __future__ import annotations

from typing import Any

from sklearn.base import BaseEstimator
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline

from ..space import Role, SearchSpace, StackingTransformer
from ._genome import Genome


def _estimator_from_code(code: str) -> Any:
    """Run ``code`` and return the estimator it names ``pipeline`` (or the last one it defines)."""
    namespace: dict[str, Any] = {}
    try:
        exec(compile(code, "<initial pipeline>", "exec"), namespace)  # noqa: S102  (the user's own code)
    except Exception as exc:  # noqa: BLE001  (reported with the code's problem)
        raise ValueError(f"running its code failed: {type(exc).__name__}: {exc}") from exc
    if isinstance(namespace.get("pipeline"), BaseEstimator):
        return namespace["pipeline"]
    found = [v for v in namespace.values() if isinstance(v, BaseEstimator)]
    if not found:
        raise ValueError("its code defines no estimator (export() code names it 'pipeline')")
    return found[-1]


def _steps_of(estimator: Any) -> list[Any]:
    if isinstance(estimator, Pipeline):
        steps = [step for _, step in estimator.steps if step is not None and step != "passthrough"]
    else:
        steps = [estimator]
    # A leading ColumnTransformer is a featurization like autopipe's own, which
    # autopipe puts in front of every candidate anyway.
    if len(steps) > 1 and isinstance(steps[0], ColumnTransformer):
        steps = steps[1:]
    return steps


def _operator_for(space: SearchSpace, cls: type) -> Any:
    for op in space.operators:
        if op.estimator_class is cls:
            return op
    return None


def genome_from_sklearn(space: SearchSpace, pipeline: Any) -> Genome:
    """The genome of a chain pipeline whose steps are all operators of ``space``.

    Parameters
    ----------
    space : SearchSpace
    pipeline : estimator, Pipeline, str or list of steps
        A model, a :class:`~sklearn.pipeline.Pipeline` of transformers ending in
        a model (a leading :class:`~sklearn.compose.ColumnTransformer` is
        dropped: autopipe adds its own featurization), or Python code that
        builds one and names it ``pipeline``, as :meth:`AutoEstimator.export`
        writes it. A :class:`~autopipe.space.StackingTransformer` step becomes
        a stacked model. Hyperparameters the space searches are taken from
        the steps; the others keep the space's settings. A list of steps is
        the portfolio's JSON form: operator names, or ``[name, params]``
        pairs, the last a model (``[["StandardScaler", {}],
        ["LGBMClassifier", {"num_leaves": 15}]]``).

    Returns
    -------
    genome : Genome

    Raises
    ------
    ValueError
        Naming the step that does not fit the space, or the code's error.
    TypeError
        When ``pipeline`` is neither an estimator nor a string.
    """
    if isinstance(pipeline, (list, tuple)):
        return _from_step_list(space, pipeline)
    if isinstance(pipeline, str):
        pipeline = _estimator_from_code(pipeline)
    if not isinstance(pipeline, BaseEstimator):
        raise TypeError(
            f"expected an sklearn estimator, a Pipeline, code or a list of steps, got {type(pipeline).__name__}"
        )
    steps: list[tuple[str, dict[str, Any]]] = []
    for step in _steps_of(pipeline):
        stacked = isinstance(step, StackingTransformer)
        inner = step.estimator if stacked else step
        op = _operator_for(space, type(inner))
        if op is None:
            allowed = ", ".join(sorted(o.estimator_class.__name__ for o in space.operators))
            raise ValueError(
                f"its step {type(inner).__name__} is not an operator of the search space for task "
                f"{space.task!r} (the space has: {allowed})"
            )
        if stacked and op.role is not Role.MODEL:
            raise ValueError(f"StackingTransformer must wrap a model, not {type(inner).__name__}")
        given = inner.get_params(deep=True)
        steps.append((op.name, {p: given[p] for p in op.params if p in given}))
    try:
        return Genome.from_steps(space, steps)
    except ValueError as exc:
        raise ValueError(str(exc)) from None


def _from_step_list(space: SearchSpace, steps: list[Any] | tuple[Any, ...]) -> Genome:
    resolved: list[tuple[str, dict[str, Any]]] = []
    for step in steps:
        name, params = (step, {}) if isinstance(step, str) else (step[0], dict(step[1]))
        if name not in space:
            raise ValueError(f"its step {name!r} is not an operator of the search space for task {space.task!r}")
        unknown = sorted(set(params) - set(space[name].params))
        if unknown:
            raise ValueError(f"its step {name!r} has parameters the space does not search: {unknown}")
        resolved.append((name, params))
    try:
        return Genome.from_steps(space, resolved)
    except ValueError as exc:
        raise ValueError(str(exc)) from None
