"""A performance predictor trained on the search history: pipeline encoding -> score."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor

from ..genome import Genome
from ..space import Categorical, FloatDistribution, IntDistribution, SearchSpace
from ._history import SearchHistory

#: Fewest scored pipelines before the predictor is trusted.
MIN_TRAINING = 20


class PipelineEncoder:
    """Fixed-length numeric vectors for the genomes of one search space.

    Columns: how often each operator appears; for each operator's searched
    hyperparameter, its value (numbers, on a log scale when their
    distribution is; categories as the position of the choice), averaged over
    the operator's occurrences and missing (NaN) when the operator is absent;
    the pipeline's complexity; and the fraction of rows it was scored on.
    """

    def __init__(self, space: SearchSpace) -> None:
        self.operators = [op.name for op in space]
        self.params = [(op.name, p, d) for op in space for p, d in op.params.items() if d.size > 1]
        self._op_col = {name: i for i, name in enumerate(self.operators)}
        self._param_col = {(o, p): len(self.operators) + i for i, (o, p, _) in enumerate(self.params)}
        self.n_columns = len(self.operators) + len(self.params) + 2

    def encode(self, genomes: Sequence[Genome], fidelities: Sequence[float] | None = None) -> np.ndarray:
        """One row per genome (``fidelities`` default to 1.0)."""
        X = np.zeros((len(genomes), self.n_columns))
        X[:, len(self.operators):-2] = np.nan
        for r, genome in enumerate(genomes):
            for name in genome.operator_names:
                name = name.removeprefix("Stack_")
                if name in self._op_col:
                    X[r, self._op_col[name]] += 1
            sums: dict[int, list[float]] = {}
            for h in genome.hyperparameters():
                col = self._param_col.get((h.operator, h.param))
                if col is not None:
                    sums.setdefault(col, []).append(_number(h.distribution, h.value))
            for col, values in sums.items():
                X[r, col] = float(np.mean(values))
            X[r, -2] = genome.complexity
            X[r, -1] = 1.0 if fidelities is None else fidelities[r]
        return X


def _number(dist: object, value: object) -> float:
    if isinstance(dist, Categorical):
        return float(next(i for i, c in enumerate(dist.choices) if Categorical((c,)).contains(value)))
    if isinstance(dist, (IntDistribution, FloatDistribution)):
        v = float(value)  # type: ignore[arg-type]
        return math.log10(v) if dist.log and v > 0 else v
    return math.nan


class SurrogateModel:
    """Gradient boosting from pipeline encodings to scores, refitted on the history when asked.

    Every successful result of the history is a training row, whatever its
    fidelity (the fraction of rows is a column); predictions are made for
    scores on all rows.
    """

    def __init__(self, space: SearchSpace, random_state: int = 0) -> None:
        self.encoder = PipelineEncoder(space)
        self.random_state = random_state
        self.model_: HistGradientBoostingRegressor | None = None
        self.n_training_ = 0

    def fit(self, history: SearchHistory) -> bool:
        """Refit on the history's successful results; False (and unfitted) with fewer than ``MIN_TRAINING``."""
        done = [e for e in history if e.result.ok and math.isfinite(e.result.score)]
        self.n_training_ = len(done)
        if len(done) < MIN_TRAINING:
            self.model_ = None
            return False
        X = self.encoder.encode([e.genome for e in done], [e.result.fidelity for e in done])
        y = np.array([e.result.score for e in done])
        # hyperparameters of operators never seen yet are all missing: nothing to learn from them
        self.columns_ = np.flatnonzero(~np.isnan(X).all(axis=0))
        self.model_ = HistGradientBoostingRegressor(
            max_iter=100, learning_rate=0.1, min_samples_leaf=max(3, len(done) // 50),
            random_state=self.random_state,
        ).fit(X[:, self.columns_], y)
        return True

    def predict(self, genomes: Sequence[Genome]) -> np.ndarray:
        """Predicted full-fidelity scores (the model must be fitted)."""
        if self.model_ is None:
            raise RuntimeError("the surrogate is not fitted (too few results so far)")
        return self.model_.predict(self.encoder.encode(genomes)[:, self.columns_])
