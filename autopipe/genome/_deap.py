"""All DEAP types of the genome layer: the typed primitive set built from a search space."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from deap import gp

from ..space import Role

if TYPE_CHECKING:
    from ..space import Operator, SearchSpace


class Flow:
    """DEAP type of what a model takes: features, possibly with resampled training rows."""


class Features(Flow):
    """DEAP type of a feature matrix flowing through the pipeline."""


class Input(Features):
    """DEAP type of the raw input matrix (the tree's only argument)."""


class Resampled(Flow):
    """DEAP type of features whose training rows a sampler resampled: only a model takes them."""


class Output:
    """DEAP type of the tree's root: the final model's predictions."""


UNION = "Union"
STACK_PREFIX = "Stack_"


@dataclass(frozen=True)
class NodeInfo:
    """What a primitive stands for: an operator used as a step, a model, or a union."""

    kind: str  # "step", "sampler", "model", "stack" or "union"
    operator: Operator | None


class PrimitiveSet:
    """A DEAP ``PrimitiveSetTyped`` for one search space, plus lookups the genome needs."""

    def __init__(self, space: SearchSpace) -> None:
        self.space = space
        self.pset = gp.PrimitiveSetTyped("PIPELINE", [Input], Output)
        self.pset.renameArguments(ARG0="input")
        self.input_terminal = self.pset.terminals[Input][0]
        self.info: dict[str, NodeInfo] = {}
        self.param_types: dict[tuple[str, str], type] = {}
        for op in space.operators:
            self._add_operator(op)
        self._add(UNION, [Features, Features], Features, NodeInfo("union", None))

    def _param_type(self, op: Operator, param: str) -> type:
        key = (op.name, param)
        if key not in self.param_types:
            self.param_types[key] = type(f"{op.name}__{param}", (), {})
        return self.param_types[key]

    def _add(self, name: str, args: list[type], ret: type, info: NodeInfo) -> None:
        # The callable is never used: genomes are compiled by our own code.
        self.pset.addPrimitive(_never_called, args, ret, name=name)
        self.info[name] = info

    def _add_operator(self, op: Operator) -> None:
        args = [Input if op.input_only else Features]
        args += [self._param_type(op, p) for p in op.params]
        if op.role is Role.MODEL:
            # Only the final model takes resampled rows; a stacked model is a step.
            model_args = args if op.input_only else [Flow, *args[1:]]
            self._add(op.name, model_args, Output, NodeInfo("model", op))
            self._add(STACK_PREFIX + op.name, args, Features, NodeInfo("stack", op))
        elif op.role is Role.SAMPLER:
            self._add(op.name, args, Resampled, NodeInfo("sampler", op))
        else:
            self._add(op.name, args, Features, NodeInfo("step", op))

    def primitive(self, name: str) -> gp.Primitive:
        """The primitive called ``name``."""
        return self.pset.mapping[name]

    def param_terminal(self, op: Operator, param: str, value: Any) -> gp.Terminal:
        """A terminal node holding one hyperparameter value."""
        return gp.Terminal(value, False, self._param_type(op, param))

    def primitives_returning(self, ret: type) -> list[gp.Primitive]:
        """Primitives whose return type is exactly ``ret``."""
        return [p for p in self.pset.primitives[ret] if p.ret is ret]


def _never_called(*args: Any) -> None:
    raise RuntimeError("genomes are compiled by autopipe.genome, not by deap.gp.compile")


_CACHE: OrderedDict[str, PrimitiveSet] = OrderedDict()
# Spaces seen recently, by identity (held strongly so that ids stay unique).
_BY_ID: OrderedDict[int, tuple[SearchSpace, PrimitiveSet]] = OrderedDict()


def primitive_set(space: SearchSpace) -> PrimitiveSet:
    """The (cached) primitive set of ``space``."""
    hit = _BY_ID.get(id(space))
    if hit is not None and hit[0] is space:
        return hit[1]
    key = space.fingerprint()
    pset = _CACHE.get(key)
    if pset is None:
        pset = PrimitiveSet(space)
        _CACHE[key] = pset
        while len(_CACHE) > 16:
            _CACHE.popitem(last=False)
    _BY_ID[id(space)] = (space, pset)
    while len(_BY_ID) > 64:
        _BY_ID.popitem(last=False)
    return pset


def new_tree(nodes: list[Any]) -> gp.PrimitiveTree:
    """A DEAP tree from a prefix list of nodes."""
    return gp.PrimitiveTree(nodes)
