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
    members = _load().get("tasks", {}).get(task, {}).get("pipelines", [])
    return [member["steps"] for member in members]


def _fits(space: SearchSpace, steps: list[Any]) -> bool:
    """Whether every step is an operator of ``space`` and every value lies in its distribution."""
    for name, params in steps:
        if name not in space:
            return False
        op = space[name]
        if any(p not in op.params or not op.params[p].contains(v) for p, v in params.items()):
            return False
    return True


def portfolio_starters(space: SearchSpace) -> list[Genome]:
    """The portfolio's pipelines that ``space`` can express, as genomes, in the portfolio's order.

    A member with an operator the space lacks (a narrower space, a library
    not installed) or a value outside the space's ranges is left out.
    """
    genomes = []
    for steps in portfolio_pipelines(space.task):
        if not _fits(space, steps):
            continue
        try:
            genomes.append(genome_from_sklearn(space, steps))
        except (ValueError, TypeError) as exc:  # a combination the space's types do not allow
            logger.debug("portfolio member %s left out: %s", steps, exc)
    return genomes
