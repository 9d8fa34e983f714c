"""``Genome``: a pipeline encoded as a strongly typed DEAP GP tree, with its key, complexity and pickled form."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from deap import gp

from ..space import Distribution, Role, SearchSpace
from ._deap import STACK_PREFIX, Flow, PrimitiveSet, new_tree, primitive_set
from ._variation import crossover_nodes, expected_types, is_fixed, mutations, param_nodes, random_nodes

#: Upper bound on the number of operators in one pipeline.
MAX_COMPLEXITY = 8


@dataclass(frozen=True)
class Hyperparameter:
    """One searched hyperparameter of a genome (see :meth:`Genome.hyperparameters`)."""

    slot: str
    operator: str
    param: str
    distribution: Distribution
    value: Any


class Genome:
    """A candidate pipeline: a typed GP tree over the operators of a search space.

    Genomes are immutable: ``mutate`` and ``crossover`` return new genomes. Two
    genomes with the same ``key`` describe the same pipeline.

    Parameters
    ----------
    tree : deap.gp.PrimitiveTree
        The prefix-ordered tree; build genomes with :meth:`random` or
        :meth:`from_steps` rather than by hand.
    space : SearchSpace
        The search space whose primitive set built ``tree``.
    """

    __slots__ = ("_key", "space", "tree")

    def __init__(self, tree: gp.PrimitiveTree, space: SearchSpace) -> None:
        self.tree = tree
        self.space = space
        self._key: str | None = None

    # ------------------------------------------------------------ construction
    @classmethod
    def random(cls, space: SearchSpace, rng: np.random.Generator) -> Genome:
        """A random pipeline: one model after zero to three preprocessing steps."""
        return cls(new_tree(random_nodes(space, primitive_set(space), rng)), space)

    @classmethod
    def from_steps(
        cls,
        space: SearchSpace,
        steps: Sequence[str | tuple[str, Mapping[str, Any]]],
    ) -> Genome:
        """A chain pipeline from operator names, the last one a model.

        Each step is an operator name (its default hyperparameters are used) or
        a ``(name, params)`` pair whose params override the defaults.
        """
        pset = primitive_set(space)
        if not steps:
            raise ValueError("a pipeline needs at least a model")
        resolved = [(s, {}) if isinstance(s, str) else (s[0], dict(s[1])) for s in steps]
        nodes: list[Any] = [pset.input_terminal]
        for i, (name, params) in enumerate(resolved):
            op = space[name]
            is_last = i == len(resolved) - 1
            if op.role is Role.MODEL:
                prim = pset.primitive(name if is_last else STACK_PREFIX + name)
            elif is_last:
                raise ValueError(f"the last step must be a model, got {name!r}")
            elif op.role is Role.SAMPLER and i != len(resolved) - 2:
                raise ValueError(f"the sampler {name} must come directly before the model")
            else:
                prim = pset.primitive(name)
            if op.input_only and i > 0:
                raise ValueError(f"{name} may only be applied to the raw input")
            values = {**op.default_params(), **params}
            nodes = [prim, *nodes, *param_nodes(pset, op, values)]
        return cls(new_tree(nodes), space)

    # ------------------------------------------------------------- properties
    @property
    def key(self) -> str:
        """Canonical string of the pipeline; equal keys mean equal pipelines."""
        if self._key is None:
            self._key = _format(self.tree, 0, primitive_set(self.space))[0]
        return self._key

    @property
    def complexity(self) -> int:
        """Number of operators (preprocessing steps, stacked models and the model)."""
        pset = primitive_set(self.space)
        return sum(
            1
            for node in self.tree
            if isinstance(node, gp.Primitive) and pset.info[node.name].kind != "union"
        )

    @property
    def operator_names(self) -> list[str]:
        """Names of the operators in the tree, in prefix order (unions included)."""
        return [n.name for n in self.tree if isinstance(n, gp.Primitive)]

    def sign_conflict(self, input_nonnegative: bool) -> str | None:
        """Why this pipeline would fail on negative values, or None.

        Follows the sign of the values from the input through every step (see
        ``Operator.output_sign``) to each operator that needs non-negative
        input (``Operator.nonnegative_input``).

        Parameters
        ----------
        input_nonnegative : bool
            Whether the input matrix (after featurization) holds no negative
            values.

        Returns
        -------
        reason : str or None
            E.g. ``"MultinomialNB needs non-negative input, but PCA can output
            negative values"``; None when no such operator can get them.
        """
        pset = primitive_set(self.space)
        source = None if input_nonnegative else "the input data holds negative values"
        return _sign_walk(self.tree, 0, self.space, pset, source)[1]

    def __str__(self) -> str:
        return self.key

    def __repr__(self) -> str:
        return f"Genome({self.key})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Genome) and other.key == self.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __reduce__(self) -> tuple[Any, ...]:
        # DEAP's dynamic types cannot be pickled: travel as a plain nested spec.
        return (_genome_from_spec, (self.space, _to_spec(self.tree, 0, primitive_set(self.space))[0]))

    # -------------------------------------------------------- hyperparameters
    def hyperparameters(self) -> list[Hyperparameter]:
        """The searched hyperparameters of this pipeline, in prefix order.

        Each has a ``slot`` name unique within the genome (``"<position>:
        <operator>.<parameter>"``), the operator, the parameter, its
        distribution and its current value. Parameters with a single possible
        value are left out. :meth:`with_values` changes them.
        """
        pset = primitive_set(self.space)
        owners = {t: key for key, t in pset.param_types.items()}
        out = []
        for i, t in enumerate(expected_types(self.tree)):
            if t in owners and not is_fixed(pset, owners[t]):
                op_name, param = owners[t]
                dist = self.space[op_name].params[param]
                out.append(Hyperparameter(f"{i}:{op_name}.{param}", op_name, param, dist, self.tree[i].value))
        return out

    def with_values(self, values: Mapping[str, Any]) -> Genome:
        """The same pipeline with some hyperparameters changed, by ``slot`` (see :meth:`hyperparameters`).

        Raises ``KeyError`` for a slot this genome does not have and
        ``ValueError`` for a value outside the parameter's distribution.
        """
        pset = primitive_set(self.space)
        slots = {h.slot: h for h in self.hyperparameters()}
        nodes = list(self.tree)
        for slot, value in values.items():
            if slot not in slots:
                raise KeyError(f"this pipeline has no hyperparameter slot {slot!r}; it has {sorted(slots)}")
            h = slots[slot]
            if not h.distribution.contains(value):
                raise ValueError(f"{value!r} is not a possible value of {h.operator}.{h.param} ({h.distribution})")
            i = int(slot.split(":", 1)[0])
            nodes[i] = pset.param_terminal(self.space[h.operator], h.param, value)
        return Genome(new_tree(nodes), self.space)

    # -------------------------------------------------------------- variation
    def mutate(self, rng: np.random.Generator) -> Genome:
        """A mutated copy: insert, remove or replace a step, or change a hyperparameter."""
        tree = list(self.tree)
        for nodes in mutations(tree, primitive_set(self.space), rng):
            child = Genome(new_tree(nodes), self.space)
            if child.complexity <= MAX_COMPLEXITY:
                return child
        return Genome(new_tree(tree), self.space)

    def crossover(self, other: Genome, rng: np.random.Generator) -> tuple[Genome, Genome]:
        """Two children made by swapping subtrees of the same type between parents."""
        a, b = list(self.tree), list(other.tree)
        swapped = crossover_nodes(a, b, rng)
        if swapped is None:
            return Genome(new_tree(a), self.space), Genome(new_tree(b), self.space)
        children = []
        for nodes, parent in zip(swapped, (a, b), strict=True):
            g = Genome(new_tree(nodes), self.space)
            if g.complexity > MAX_COMPLEXITY:
                g = Genome(new_tree(parent), self.space)
            children.append(g)
        return children[0], children[1]


def _sign_walk(
    tree: gp.PrimitiveTree, i: int, space: SearchSpace, pset: PrimitiveSet, input_source: str | None
) -> tuple[str | None, str | None]:
    """For the subtree at ``i``: what may make its output negative (None if nothing), and the first conflict."""
    node = tree[i]
    if not isinstance(node, gp.Primitive):
        return input_source, None
    info = pset.info[node.name]
    source = None
    j = i + 1
    for arg in node.args:
        if not issubclass(arg, Flow):  # a hyperparameter terminal
            j += 1
            continue
        below, conflict = _sign_walk(tree, j, space, pset, input_source)
        if conflict is not None:
            return None, conflict
        source = source or below
        j = tree.searchSubtree(j).stop
    if info.kind == "union":
        return source, None
    op = space[info.operator.name]  # the primitive set is shared by spaces equal but for these flags
    if op.nonnegative_input and source is not None:
        return None, f"{op.name} needs non-negative input, but {source}"
    if info.kind == "stack" or op.output_sign == "any":
        return f"{op.name} can output negative values", None
    return (None if op.output_sign == "nonnegative" else source), None


# --------------------------------------------------------- strings and specs
def format_value(value: Any) -> str:
    """A short, stable text for a hyperparameter value."""
    if callable(value) and hasattr(value, "__name__"):
        return value.__name__
    if isinstance(value, float):
        return repr(float(value))
    return repr(value)


def _format(nodes: Sequence[Any], i: int, pset: PrimitiveSet) -> tuple[str, int]:
    node = nodes[i]
    if not isinstance(node, gp.Primitive):
        return "input", i + 1
    parts: list[str] = []
    j = i + 1
    info = pset.info[node.name]
    names = list(info.operator.params) if info.operator else []
    k = 0
    for arg in node.args:
        if issubclass(arg, Flow):
            text, j = _format(nodes, j, pset)
            parts.append(text)
        else:
            parts.append(f"{names[k]}={format_value(nodes[j].value)}")
            k += 1
            j += 1
    return f"{node.name}({', '.join(parts)})", j


def _to_spec(nodes: Sequence[Any], i: int, pset: PrimitiveSet) -> tuple[tuple[Any, ...], int]:
    """A nested, picklable ``(name, params, children)`` form of the subtree at ``i``."""
    node = nodes[i]
    if not isinstance(node, gp.Primitive):
        return ("input", (), ()), i + 1
    info = pset.info[node.name]
    names = list(info.operator.params) if info.operator else []
    children, params = [], []
    j = i + 1
    for arg in node.args:
        if issubclass(arg, Flow):
            spec, j = _to_spec(nodes, j, pset)
            children.append(spec)
        else:
            params.append((names[len(params)], nodes[j].value))
            j += 1
    return (node.name, tuple(params), tuple(children)), j


def _spec_nodes(spec: tuple[Any, ...], pset: PrimitiveSet) -> list[Any]:
    name, params, children = spec
    if name == "input":
        return [pset.input_terminal]
    prim = pset.primitive(name)
    op = pset.info[name].operator
    nodes = [prim]
    for child in children:
        nodes += _spec_nodes(child, pset)
    if op is not None:
        nodes += param_nodes(pset, op, dict(params))
    return nodes


def _genome_from_spec(space: SearchSpace, spec: tuple[Any, ...]) -> Genome:
    return Genome(new_tree(_spec_nodes(spec, primitive_set(space))), space)
