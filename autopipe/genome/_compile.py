"""Compile a ``Genome`` into a plain, unfitted scikit-learn ``Pipeline``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from deap import gp
from sklearn.base import BaseEstimator, clone
from sklearn.pipeline import Pipeline, make_pipeline, make_union
from sklearn.preprocessing import FunctionTransformer

from ..space import StackingTransformer
from ._deap import Flow, PrimitiveSet, primitive_set
from ._genome import Genome


def compile_genome(
    genome: Genome,
    *,
    random_state: int | None = None,
    memory: Any = None,
    prefix: Sequence[BaseEstimator] = (),
) -> Pipeline:
    """Build the unfitted sklearn ``Pipeline`` a genome describes.

    Parameters
    ----------
    genome : Genome
        The candidate.
    random_state : int or None, default=None
        Seed given to every operator that takes a ``random_state``.
    memory : str, joblib.Memory or None, default=None
        Passed to ``Pipeline(memory=...)`` to cache fitted transformers.
    prefix : sequence of estimators, default=()
        Steps put (cloned) before the genome's own, such as the featurization.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        Preprocessing steps followed by the model, made with ``make_pipeline``;
        imbalanced-learn's ``Pipeline`` (a subclass) when a sampler is among
        the steps, so that it resamples the training rows only.
    """
    pset = primitive_set(genome.space)
    nodes = list(genome.tree)
    model, children, _ = _operator_at(nodes, 0, pset, random_state)
    steps = _feature_steps(nodes, children[0], pset, random_state)
    if any(pset.info[n.name].kind == "sampler" for n in nodes if isinstance(n, gp.Primitive)):
        from imblearn.pipeline import make_pipeline as make_resampling_pipeline

        return make_resampling_pipeline(*(clone(p) for p in prefix), *steps, model, memory=memory)
    return make_pipeline(*(clone(p) for p in prefix), *steps, model, memory=memory)


def _operator_at(
    nodes: list[Any], i: int, pset: PrimitiveSet, random_state: int | None
) -> tuple[BaseEstimator | None, list[int], int]:
    """The estimator built at position ``i``, its feature children's positions, and the end."""
    prim = nodes[i]
    info = pset.info[prim.name]
    op = info.operator
    names = list(op.params) if op is not None else []
    children: list[int] = []
    params: dict[str, Any] = {}
    j = i + 1
    for arg in prim.args:
        if issubclass(arg, Flow):
            children.append(j)
            j = gp.PrimitiveTree(nodes).searchSubtree(j).stop
        else:
            params[names[len(params)]] = nodes[j].value
            j += 1
    estimator = op.build(params, random_state=random_state) if op is not None else None
    return estimator, children, j


def _feature_steps(
    nodes: list[Any], i: int, pset: PrimitiveSet, random_state: int | None
) -> list[BaseEstimator]:
    """The chain of estimators that the feature subtree at ``i`` applies, input first."""
    node = nodes[i]
    if not isinstance(node, gp.Primitive):
        return []
    estimator, children, _ = _operator_at(nodes, i, pset, random_state)
    kind = pset.info[node.name].kind
    if kind == "union":
        branches = [_as_branch(_feature_steps(nodes, c, pset, random_state)) for c in children]
        return [make_union(*branches)]
    below = _feature_steps(nodes, children[0], pset, random_state)
    if kind == "stack":
        estimator = StackingTransformer(estimator)
    return [*below, estimator]


def _as_branch(steps: list[BaseEstimator]) -> BaseEstimator:
    if not steps:
        return FunctionTransformer()
    if len(steps) == 1:
        return steps[0]
    return make_pipeline(*steps)
