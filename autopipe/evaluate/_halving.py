"""Successive halving: score a batch on a few rows first, promote the best to more rows."""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from sklearn.base import BaseEstimator

from .._utils.deadline import Deadline
from ._result import EvaluationResult

if TYPE_CHECKING:
    from ._evaluator import Evaluator

#: Training rows of the lower rungs to choose from: about a factor 3 apart, round numbers.
RUNG_ROWS = (1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000, 3_000_000)
#: Most lower rungs on data of up to ``MANY_ROWS`` training rows, and beyond it.
MAX_LOWER_RUNGS = 2
MAX_LOWER_RUNGS_LARGE = 3
MANY_ROWS = 100_000


def halving_rungs(n_train_rows: int, *, eta: int = 3) -> tuple[float, ...]:
    """The fidelities of successive halving, lowest first, ending at 1.0, chosen in absolute rows.

    A fidelity is the share of each fold's training rows a candidate is
    fitted on (it is always scored on the whole validation fold). The lower
    rungs are the largest of ``RUNG_ROWS`` (1k, 3k, 10k, 30k, 100k, ...)
    that are at most ``1 / eta`` of the training rows: two of them, three
    when there are more than 100,000 training rows. So a table of 30,000
    training rows gets rungs of 3k and 10k rows, one of 400,000 rows gets
    10k, 30k and 100k, and one of fewer than 3,000 none: every candidate on
    all rows.

    Examples
    --------
    >>> halving_rungs(30_000)
    (0.1, 0.3333333333333333, 1.0)
    >>> [round(f * 360_000) for f in halving_rungs(360_000)]
    [10000, 30000, 100000, 360000]
    >>> halving_rungs(2_000)
    (1.0,)
    """
    most = MAX_LOWER_RUNGS_LARGE if n_train_rows > MANY_ROWS else MAX_LOWER_RUNGS
    lower = [rows for rows in RUNG_ROWS if rows * eta <= n_train_rows][-most:]
    return tuple(rows / n_train_rows for rows in lower) + (1.0,)


def successive_halving(
    evaluator: Evaluator,
    candidates: Sequence[tuple[str, BaseEstimator]],
    rungs: Sequence[float],
    *,
    eta: int = 3,
    deadline: Deadline | None = None,
    on_result: Callable[[int, EvaluationResult], None] | None = None,
    promote: Collection[str] = (),
    return_oof: bool = True,
) -> list[EvaluationResult | None]:
    """Evaluate a batch rung by rung; only the best ``1/eta`` of a rung go on to the next.

    The candidates whose keys are in ``promote`` (e.g. strong default
    pipelines that should always reach the full data) are evaluated directly
    on the top rung, in the first batch, so that a search cut short still
    has them. The others are cross-validated on the lowest rung's rows; the best
    ``ceil(n / eta)`` of those that succeeded go on to the next rung, and so
    on up to the top rung (``1.0``). A candidate whose
    measured time, scaled to the next rung's rows, would exceed the
    evaluator's ``max_eval_time`` stays where it is instead of being killed
    there.

    Returns, in input order, each candidate's result at the highest rung it
    reached (``None`` for one never started before ``deadline``).
    ``on_result(i, result)`` is called for every result of every rung; with
    ``return_oof=False`` only it gets the out-of-fold predictions (see
    :meth:`Evaluator.evaluate`).
    """
    deadline = deadline or Deadline(None)
    best: list[EvaluationResult | None] = [None] * len(candidates)

    def run(indices: list[int], fidelities: list[float]) -> None:
        def record(j: int, result: EvaluationResult) -> None:
            if on_result is not None:
                on_result(indices[j], result)
            best[indices[j]] = result if return_oof or result.oof is None else replace(result, oof=None)

        evaluator.evaluate([candidates[i] for i in indices], deadline=deadline, fidelity=fidelities,
                           on_result=record, return_oof=return_oof)

    first = [i for i, (key, _) in enumerate(candidates) if key in promote]
    alive = [i for i, (key, _) in enumerate(candidates) if key not in promote]
    for level, fidelity in enumerate(rungs):
        if not (alive or first) or deadline.expired():
            break
        run(first + alive, [rungs[-1]] * len(first) + [fidelity] * len(alive))
        first = []
        if level + 1 < len(rungs):
            alive = _promoted(best, alive, fidelity, rungs[level + 1], eta, evaluator.max_eval_time)
    return best


def _promoted(
    best: list[EvaluationResult | None], alive: list[int], fidelity: float, next_fidelity: float, eta: int,
    time_limit: float | None,
) -> list[int]:
    """The best ``ceil(len(alive) / eta)`` that succeeded on this rung and are expected to fit the time limit."""
    scored = [i for i in alive if (r := best[i]) is not None and r.ok and r.fidelity == fidelity]
    scored.sort(key=lambda i: -best[i].score)  # type: ignore[union-attr]
    n_keep = max(1, math.ceil(len(alive) / eta))

    def fits(i: int) -> bool:
        r = best[i]
        assert r is not None
        return time_limit is None or (r.fit_time + r.score_time) * next_fidelity / fidelity <= time_limit

    return [i for i in scored[:n_keep] if fits(i)]
