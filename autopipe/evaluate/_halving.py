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

#: Fewest rows a lower rung may have: below it, scores say too little about the full data.
MIN_RUNG_ROWS = 1000
#: Most lower rungs: each one leaves fewer candidates for the full data.
MAX_LOWER_RUNGS = 2


def halving_rungs(n_rows: int, *, eta: int = 3, min_rows: int = MIN_RUNG_ROWS,
                  max_lower: int = MAX_LOWER_RUNGS) -> tuple[float, ...]:
    """The fidelities (fractions of the rows) of successive halving, lowest first, ending at 1.0.

    Each rung has ``eta`` times fewer rows than the next; rungs with fewer
    than ``min_rows`` rows are left out, so small data sets get ``(1.0,)``:
    every candidate on all rows.

    Examples
    --------
    >>> halving_rungs(36_000)
    (0.1111111111111111, 0.3333333333333333, 1.0)
    >>> halving_rungs(4_000)
    (0.3333333333333333, 1.0)
    >>> halving_rungs(2_000)
    (1.0,)
    """
    rungs = [1.0]
    while len(rungs) <= max_lower and n_rows * rungs[0] / eta >= min_rows:
        rungs.insert(0, rungs[0] / eta)
    return tuple(rungs)


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
