"""The portfolio: pipelines chosen offline on the PMLB corpus that a search evaluates first.

``portfolio.json`` (next to this module) is written by
``benchmarks/portfolio.py select``: per task, an ordered list of pipelines as
step lists (``[[name, params], ...]``, the form ``initial_pipelines`` takes),
chosen greedily so that the first few already cover many data sets well.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from .._utils.log import logger
from ..genome import Genome, genome_from_sklearn
from ..space import SearchSpace

__all__ = ["PORTFOLIO_FILE", "portfolio_pipelines", "portfolio_starters"]

PORTFOLIO_FILE = Path(__file__).with_name("portfolio.json")


@functools.cache
def _load() -> dict[str, Any]:
    if not PORTFOLIO_FILE.exists():
        return {}
    return json.loads(PORTFOLIO_FILE.read_text())


def portfolio_pipelines(task: str) -> list[list[Any]]:
    """The portfolio of ``task`` in its order, as step lists (empty when none was built).

    Parameters
    ----------
    task : {"classification", "regression"}

    Returns
    -------
    pipelines : list of list
        Each ``[[operator name, params], ...]``, the last step a model.
    """
    return [member["steps"] for member in _members(task)]


def _members(task: str) -> list[dict[str, Any]]:
    """The portfolio's records of ``task`` (steps and recorded cost), in its order."""
    return _load().get("tasks", {}).get(task, {}).get("pipelines", [])


def _fits(space: SearchSpace, steps: list[Any]) -> bool:
    """Whether every step is an operator of ``space`` and every value lies in its distribution."""
    for name, params in steps:
        if name not in space:
            return False
        op = space[name]
        if any(p not in op.params or not op.params[p].contains(v) for p, v in params.items()):
            return False
    return True


def portfolio_starters(space: SearchSpace, worker_seconds: float | None = None) -> list[Genome]:
    """The portfolio's pipelines that ``space`` can express, as genomes.

    A member with an operator the space lacks (a narrower space, a library
    not installed) or a value outside the space's ranges is left out.

    Parameters
    ----------
    space : SearchSpace
    worker_seconds : float or None, default=None
        The search's time times its workers. When the members' recorded fit
        times (median over the corpus, three folds of at most 2,000 rows: about
        a candidate's cost on the lowest rung) add up to more than half of
        it, the budget is short and the members come cheapest first; else,
        and without a budget, in the portfolio's own order.

    Returns
    -------
    starters : list of Genome
    """
    kept: list[tuple[Genome, float]] = []
    for member in _members(space.task):
        steps = member["steps"]
        if not _fits(space, steps):
            continue
        try:
            genome = genome_from_sklearn(space, steps)
        except (ValueError, TypeError) as exc:  # a combination the space's types do not allow
            logger.debug("portfolio member %s left out: %s", steps, exc)
            continue
        kept.append((genome, float(member.get("median_fit_seconds") or 0.0)))
    if worker_seconds is not None and sum(cost for _, cost in kept) > 0.5 * worker_seconds:
        kept.sort(key=lambda pair: pair[1])  # stable: ties keep the portfolio's order
    return [genome for genome, _ in kept]
