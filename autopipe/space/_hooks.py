"""Training hooks: what the evaluator may ask of the operators that train iteratively, and the no-op base."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from autopipe.space._device import uses_gpu

__all__ = ["FitReport", "TrainingHooks"]


@dataclass(frozen=True)
class FitReport:
    """What the iteratively trained steps of one fitted estimator report.

    Parameters
    ----------
    curves : tuple of ndarray, default=()
        The validation-loss curves (one value per epoch) of the steps that
        held out a validation split, for the reference of later fits.
    stopped_early : int, default=0
        How many steps learning-curve (median) stopping ended.
    inherited : int, default=0
        How many steps started from inherited weights.
    """

    curves: tuple[np.ndarray, ...] = ()
    stopped_early: int = 0
    inherited: int = 0


class TrainingHooks:
    """Training hooks of a search space: how the evaluator treats operators that train iteratively.

    The :class:`~autopipe.evaluate.Evaluator` asks its hooks, for every
    candidate, whether it goes to the GPU lane and whether it is held back
    (handed out a few at a time, so that each takes the learning curves of
    the candidates finished before it); the worker fits a candidate's folds
    inside :meth:`fitting` and reads each fitted fold back with
    :meth:`report`. This base class sends the candidates whose GPU-capable
    steps resolve to ``"cuda"`` to the GPU lane; otherwise it is the no-op:
    nothing is held back, fits run as they are and report nothing. Search
    spaces provide theirs as :attr:`SearchSpace.training_hooks
    <autopipe.space.SearchSpace.training_hooks>`;
    :class:`~autopipe.space.NetworkTrainingHooks` is the neural networks'.

    A hooks object travels to the worker processes with the evaluator's
    data, so it must pickle; state it keeps while fitting (such as trained
    weights) lives in each worker.

    See Also
    --------
    NetworkTrainingHooks : Median stopping and weight inheritance of networks.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> hooks = TrainingHooks()
    >>> hooks.uses_gpu(LogisticRegression()), hooks.is_held_back(LogisticRegression())
    (False, False)
    >>> hooks.report(LogisticRegression())
    FitReport(curves=(), stopped_early=0, inherited=0)
    """

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def uses_gpu(self, estimator: Any) -> bool:
        """Whether fitting ``estimator`` trains on a CUDA device (the evaluator's GPU lane).

        Parameters
        ----------
        estimator : sklearn estimator
            A candidate pipeline or any estimator.

        Returns
        -------
        uses_gpu : bool
            True when a step of ``estimator`` that can train on a GPU (a
            network, XGBoost, CatBoost) resolves its ``device`` to ``"cuda"``.
        """
        return uses_gpu(estimator)

    def is_held_back(self, estimator: Any) -> bool:
        """Whether the evaluator hands ``estimator`` out only as earlier ones finish.

        A held-back candidate is fitted with the learning curves of the
        candidates evaluated before it (see :meth:`fitting`).

        Parameters
        ----------
        estimator : sklearn estimator

        Returns
        -------
        is_held_back : bool
        """
        return False

    @contextlib.contextmanager
    def fitting(
        self, estimator: Any, *, reference: Sequence[np.ndarray] | None = None, inherit: bool = False
    ) -> Iterator[None]:
        """Within the block, fits of ``estimator`` (and of its clones) use the hooks.

        Parameters
        ----------
        estimator : sklearn estimator
            The estimator whose clones are fitted inside the block.
        reference : sequence of ndarray or None, default=None
            Validation-loss curves of steps fitted earlier on the same rows
            (learning-curve stopping; None: off).
        inherit : bool, default=False
            Let steps start from weights trained earlier on the same rows.

        Yields
        ------
        None
        """
        yield

    def report(self, estimator: Any) -> FitReport:
        """What the iteratively trained steps of the fitted ``estimator`` report.

        Parameters
        ----------
        estimator : sklearn estimator
            A fitted estimator.

        Returns
        -------
        report : FitReport
        """
        return FitReport()
