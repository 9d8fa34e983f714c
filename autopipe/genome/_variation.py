"""How pipeline trees are made and varied: random trees, mutation and crossover of prefix-ordered node lists."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from deap import gp

from ..space import Operator, Role, SearchSpace
from ._deap import STACK_PREFIX, UNION, Features, Flow, Input, Output, PrimitiveSet, Resampled, new_tree

# Probability of each number of preprocessing steps in a random pipeline.
_STEP_COUNT_P = (0.3, 0.4, 0.2, 0.1)
_P_UNION = 0.1
_P_STACK = 0.1
_P_SAMPLER = 0.1


# ------------------------------------------------------------------ node lists
def choice(rng: np.random.Generator, items: Sequence[Any]) -> Any:
    """One item of ``items``, drawn uniformly."""
    return items[int(rng.integers(len(items)))]


def param_nodes(pset: PrimitiveSet, op: Operator, values: Mapping[str, Any]) -> list[Any]:
    """The hyperparameter terminals of ``op``, in the order of its parameters."""
    return [pset.param_terminal(op, p, values[p]) for p in op.params]


def expected_types(nodes: Sequence[Any]) -> list[type]:
    """The type each position of a prefix tree must return."""
    out: list[type] = []
    stack: list[type] = [Output]
    for node in nodes:
        out.append(stack.pop())
        if isinstance(node, gp.Primitive):
            stack.extend(reversed(node.args))
    return out


def is_fixed(pset: PrimitiveSet, owner: tuple[str, str]) -> bool:
    """Whether a hyperparameter's distribution has a single value."""
    dist = pset.space[owner[0]].params[owner[1]]
    return len(getattr(dist, "choices", (0, 1))) < 2


# ------------------------------------------------------------------ generation
def random_nodes(space: SearchSpace, pset: PrimitiveSet, rng: np.random.Generator) -> list[Any]:
    """Nodes of a random pipeline: one model after zero to three preprocessing steps."""
    n_steps = int(rng.choice(len(_STEP_COUNT_P), p=_STEP_COUNT_P))
    model = choice(rng, space.models)
    features = _random_features(pset, rng, n_steps, input_only_ok=True)
    if space.samplers and not model.input_only and rng.random() < _P_SAMPLER:
        features = _with_sampler(features, pset, rng)
    nodes = [pset.primitive(model.name), *features]
    return nodes + param_nodes(pset, model, model.sample_params(rng))


def _feature_ops(space: SearchSpace, *, input_only_ok: bool) -> list[Operator]:
    return [
        op
        for op in space.operators
        if op.role in (Role.TRANSFORMER, Role.SELECTOR) and (input_only_ok or not op.input_only)
    ]


def _with_sampler(features: list[Any], pset: PrimitiveSet, rng: np.random.Generator) -> list[Any]:
    """A random sampler applied to the feature subtree ``features``."""
    op = choice(rng, pset.space.samplers)
    return [pset.primitive(op.name), *features, *param_nodes(pset, op, op.sample_params(rng))]


def _new_step(
    pset: PrimitiveSet, rng: np.random.Generator, *, input_only_ok: bool
) -> tuple[gp.Primitive, Operator] | None:
    """A random transformer, selector or stacked model primitive."""
    space = pset.space
    steps = _feature_ops(space, input_only_ok=input_only_ok)
    if space.models and (not steps or rng.random() < _P_STACK):
        op = choice(rng, space.models)
        return pset.primitive(STACK_PREFIX + op.name), op
    if not steps:
        return None
    op = choice(rng, steps)
    return pset.primitive(op.name), op


def _random_features(
    pset: PrimitiveSet, rng: np.random.Generator, n_steps: int, *, input_only_ok: bool
) -> list[Any]:
    """Nodes of a random feature subtree with about ``n_steps`` operators."""
    if n_steps <= 0:
        return [pset.input_terminal]
    if n_steps >= 2 and rng.random() < _P_UNION:
        left = int(rng.integers(0, n_steps))
        return [
            pset.primitive(UNION),
            *_random_features(pset, rng, left, input_only_ok=True),
            *_random_features(pset, rng, n_steps - 1 - left, input_only_ok=True),
        ]
    step = _new_step(pset, rng, input_only_ok=True)
    if step is None:
        return [pset.input_terminal]
    prim, op = step
    if op.input_only:
        child = [pset.input_terminal]
    else:
        child = _random_features(pset, rng, n_steps - 1, input_only_ok=True)
    return [prim, *child, *param_nodes(pset, op, op.sample_params(rng))]


# ------------------------------------------------------------------- mutation
def _subtree(nodes: list[Any], i: int) -> slice:
    return new_tree(nodes).searchSubtree(i)


def _first_child(nodes: list[Any], i: int) -> slice:
    return _subtree(nodes, i + 1)


def _is_input(nodes: list[Any], sl: slice) -> bool:
    return sl.stop - sl.start == 1 and nodes[sl.start].ret is Input


def _with_step(
    nodes: list[Any], i: int, step: tuple[gp.Primitive, Operator], child: slice, stop: int,
    pset: PrimitiveSet, rng: np.random.Generator,
) -> list[Any]:
    """``nodes`` with ``nodes[i:stop]`` replaced by ``step`` (with fresh hyperparameters) over ``nodes[child]``."""
    prim, op = step
    params = param_nodes(pset, op, op.sample_params(rng))
    return nodes[:i] + [prim] + nodes[child] + params + nodes[stop:]


def _mutate_insert(nodes: list[Any], pset: PrimitiveSet, rng: np.random.Generator) -> list[Any] | None:
    # Flow is the model's input: a step or a sampler may go there unless a sampler already does.
    types = expected_types(nodes)
    spots = [i for i, t in enumerate(types) if t is Features or (t is Flow and nodes[i].ret is not Resampled)]
    if not spots:
        return None
    i = choice(rng, spots)
    sl = _subtree(nodes, i)
    if types[i] is Flow and pset.space.samplers and rng.random() < 0.5:
        return nodes[:i] + _with_sampler(nodes[sl], pset, rng) + nodes[sl.stop :]
    step = _new_step(pset, rng, input_only_ok=_is_input(nodes, sl))
    if step is None:
        return None
    return _with_step(nodes, i, step, sl, sl.stop, pset, rng)


def _mutate_shrink(nodes: list[Any], pset: PrimitiveSet, rng: np.random.Generator) -> list[Any] | None:
    spots = [
        i for i, n in enumerate(nodes) if isinstance(n, gp.Primitive) and n.ret in (Features, Resampled)
    ]
    if not spots:
        return None
    i = choice(rng, spots)
    sl = _subtree(nodes, i)
    child = _first_child(nodes, i)
    if pset.info[nodes[i].name].kind == "union" and rng.random() < 0.5:
        child = _subtree(nodes, child.stop)
    return nodes[:i] + nodes[child] + nodes[sl.stop :]


def _mutate_replace(nodes: list[Any], pset: PrimitiveSet, rng: np.random.Generator) -> list[Any] | None:
    spots = [
        i
        for i, n in enumerate(nodes)
        if isinstance(n, gp.Primitive) and pset.info[n.name].kind != "union"
    ]
    i = choice(rng, spots)
    sl, child = _subtree(nodes, i), _first_child(nodes, i)
    if nodes[i].ret is Output:
        others = [m for m in pset.space.models if m.name != nodes[i].name]
        if nodes[child.start].ret is Resampled:
            others = [m for m in others if not m.input_only]
        if not others:
            return None
        op = choice(rng, others)
        step = pset.primitive(op.name), op
    elif nodes[i].ret is Resampled:
        op = choice(rng, pset.space.samplers)
        step = pset.primitive(op.name), op
    else:
        step = _new_step(pset, rng, input_only_ok=_is_input(nodes, child))
        if step is None:
            return None
    return _with_step(nodes, i, step, child, sl.stop, pset, rng)


def _mutate_param(nodes: list[Any], pset: PrimitiveSet, rng: np.random.Generator) -> list[Any] | None:
    owners = {t: key for key, t in pset.param_types.items()}
    spots = [
        i
        for i, t in enumerate(expected_types(nodes))
        if t in owners and not is_fixed(pset, owners[t])
    ]
    if not spots:
        return None
    i = choice(rng, spots)
    op_name, param = owners[nodes[i].ret]
    op = pset.space[op_name]
    value = op.params[param].mutate(nodes[i].value, rng)
    return nodes[:i] + [pset.param_terminal(op, param, value)] + nodes[i + 1 :]


_MUTATIONS = {
    "insert": _mutate_insert,
    "shrink": _mutate_shrink,
    "replace": _mutate_replace,
    "param": _mutate_param,
}


def mutations(nodes: list[Any], pset: PrimitiveSet, rng: np.random.Generator) -> Iterator[list[Any]]:
    """Mutants of ``nodes`` (a step inserted, removed or replaced, a hyperparameter changed), in random order.

    Each kind of mutation is tried once; kinds that do not apply to the tree
    are skipped. The caller takes the first mutant it accepts.
    """
    for kind in rng.permutation(list(_MUTATIONS)):
        mutant = _MUTATIONS[str(kind)](nodes, pset, rng)
        if mutant is not None:
            yield mutant


# ------------------------------------------------------------------ crossover
def crossover_nodes(
    a: list[Any], b: list[Any], rng: np.random.Generator
) -> tuple[list[Any], list[Any]] | None:
    """Two children made by swapping subtrees of the same type between ``a`` and ``b``; None if none share one."""
    types_a, types_b = expected_types(a), expected_types(b)
    common = sorted(
        {t for t in types_a if t not in (Output, Input)} & set(types_b),
        key=lambda t: t.__name__,
    )
    if not common:
        return None
    chosen = common[int(rng.integers(len(common)))]
    i = choice(rng, [k for k, t in enumerate(types_a) if t is chosen])
    j = choice(rng, [k for k, t in enumerate(types_b) if t is chosen])
    si, sj = new_tree(a).searchSubtree(i), new_tree(b).searchSubtree(j)
    return a[: si.start] + b[sj] + a[si.stop :], b[: sj.start] + a[si] + b[sj.stop :]
