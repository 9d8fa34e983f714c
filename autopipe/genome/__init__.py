"""The representation: pipelines as typed DEAP GP trees, their variation and compilation."""

from __future__ import annotations

from ._compile import compile_genome
from ._from_sklearn import genome_from_sklearn
from ._genome import MAX_COMPLEXITY, Genome, Hyperparameter

__all__ = ["MAX_COMPLEXITY", "Genome", "Hyperparameter", "compile_genome", "genome_from_sklearn"]
