"""The fit context: what every step of one ``fit`` agrees on (task, scorer, seed, featurization, device)."""

from __future__ import annotations

import difflib
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, clone
from sklearn.metrics import get_scorer, get_scorer_names

from ..genome import Genome, compile_genome
from ..space.nets import set_device


@dataclass(frozen=True)
class FitContext:
    """Settled facts of one ``fit`` that the search, tuning and the final model share.

    Attributes
    ----------
    task : {"classification", "regression"}
    scorer : callable
        ``scorer(estimator, X, y)``, greater is better.
    scorer_name : str
        The scorer's name (``"score"`` for a user's callable).
    seed : int
        Seed of the folds and of every compiled pipeline.
    prefix : tuple of estimators
        The featurization step put in front of every candidate (empty for numeric arrays).
    input_nonnegative : bool
        Whether the candidates' input (the featurization's output) has no negative value.
    device : {"auto", "cpu", "cuda"}
        Where neural networks train.
    memory : str, joblib.Memory or None
        The pipelines' transformer cache.
    """

    task: str
    scorer: Any
    scorer_name: str
    seed: int
    prefix: tuple[Any, ...] = ()
    input_nonnegative: bool = False
    device: str = "auto"
    memory: Any = None

    @property
    def is_classifier(self) -> bool:
        """Whether the task is classification."""
        return self.task == "classification"

    def compile(self, genome: Genome) -> BaseEstimator:
        """The candidate as an unfitted sklearn pipeline, featurization first."""
        pipeline = compile_genome(genome, random_state=self.seed, memory=self.memory, prefix=self.prefix)
        # the registry builds networks with device="auto"; only another choice needs setting
        return pipeline if self.device == "auto" else set_device(pipeline, self.device)


def make_scorer(scoring: Any, task: str, owner: str) -> tuple[Any, str]:
    """The scorer ``scoring`` names and its name; ``owner`` names the estimator class in errors."""
    if scoring is None:
        name = "accuracy" if task == "classification" else "r2"
        return get_scorer(name), name
    if isinstance(scoring, str):
        if scoring not in get_scorer_names():
            close = difflib.get_close_matches(scoring, get_scorer_names(), n=3)
            hint = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
            raise ValueError(
                f"The 'scoring' parameter of {owner} must be a scorer name from "
                f"sklearn.metrics.get_scorer_names() or a callable; got {scoring!r}.{hint}"
            )
        return get_scorer(scoring), scoring
    return scoring, "score"


def featurization(featurizer: Any, X: Any, y: np.ndarray) -> tuple[tuple[Any, ...], int, bool]:
    """The prefix every candidate starts with, the width of its output, and whether that output is non-negative.

    The sign is judged on the first 2000 rows when there is a featurization:
    a negative value it misses only costs the failed evaluations the check
    would have saved.
    """
    if featurizer is None:
        return (), X.shape[1], _nonnegative(X)
    sample = X.iloc[:2000] if hasattr(X, "iloc") else X[:2000]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        features = clone(featurizer).fit_transform(sample, y[:2000])
    return (featurizer,), features.shape[1], _nonnegative(features)


def _nonnegative(X: Any) -> bool:
    """Whether a numeric matrix (dense, sparse or a numeric DataFrame) holds no negative value (NaN aside)."""
    try:
        values = X.data if sp.issparse(X) else np.asarray(X, dtype=float)
        return bool(values.size == 0 or not (values < 0).any())
    except (TypeError, ValueError):  # not numbers: nothing is known
        return False
