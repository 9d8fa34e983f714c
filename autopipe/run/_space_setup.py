"""The search space one fit uses: weighted data's limits, the user's starting pipelines, the defaults."""

from __future__ import annotations

from typing import Any

from .._utils.log import logger
from .._utils.weights import scorer_takes_sample_weight, takes_sample_weight
from ..exceptions import SearchSpaceError
from ..genome import Genome, genome_from_sklearn
from ..space import SearchSpace
from ._portfolio import portfolio_starters

#: Strong pipelines put first in generation 0 so that the search never does
#: worse than what a user gets from sklearn's defaults. The first is the
#: floor: gradient boosting with its defaults bins its input and stops itself
#: early on large data, so it finishes in seconds on any table; it is scored on
#: all rows at once and is the final model whenever nothing better was
#: confirmed. The portfolio follows it; the others (LightGBM with early
#: stopping, a linear model, a forest) stand in when there is no portfolio.
#: All but the floor start on the lowest rung like any candidate.
STARTERS = {
    "classification": [
        ["HistGradientBoostingClassifier"],
        ["LGBMClassifier"],
        ["StandardScaler", "LogisticRegression"],
        ["RandomForestClassifier"],
    ],
    "regression": [
        ["HistGradientBoostingRegressor"],
        ["LGBMRegressor"],
        ["StandardScaler", "Ridge"],
        ["RandomForestRegressor"],
    ],
}


def default_starters(
    space: SearchSpace, *, use_portfolio: bool = True, worker_seconds: float | None = None
) -> list[Genome]:
    """autopipe's starting pipelines for ``space``: the floor, then the portfolio (else the fixed starters).

    Parameters
    ----------
    space : SearchSpace
    use_portfolio : bool, default=True
        False: the fixed starters even when a portfolio exists.
    worker_seconds : float or None, default=None
        The search's time times its workers: a short budget takes the
        portfolio cheapest first (see :func:`portfolio_starters`).

    Returns
    -------
    starters : list of Genome
        Each pipeline once; the floor first when the space has it.
    """
    fixed = [Genome.from_steps(space, steps) for steps in STARTERS[space.task] if all(n in space for n in steps)]
    floor_name = STARTERS[space.task][0][0]
    floor = [g for g in fixed[:1] if floor_name in space]
    portfolio = portfolio_starters(space, worker_seconds) if use_portfolio else []
    starters, seen = [], set()
    for genome in floor + (portfolio or fixed):
        if genome.key not in seen:
            seen.add(genome.key)
            starters.append(genome)
    return starters


def weighted_space(space: SearchSpace, scorer: Any) -> SearchSpace:
    """The space without models that cannot take ``sample_weight``; the scorer must take weights."""
    if not scorer_takes_sample_weight(scorer):
        raise ValueError(
            "sample_weight was given, but the scoring callable does not accept a sample_weight "
            "argument, so the fold scores could not be weighted. Use a scorer made by "
            "sklearn.metrics.make_scorer, or add a sample_weight parameter to it."
        )
    unweighted = [op.name for op in space.models if not takes_sample_weight(op.estimator_class)]
    if unweighted:
        logger.info("left out of the search because they cannot take sample_weight: %s", ", ".join(unweighted))
    # A resampler would drop or invent rows, and their weights with them.
    samplers = [op.name for op in space.samplers]
    if samplers:
        logger.info("resamplers left out of the search while sample_weight is given: %s", ", ".join(samplers))
    try:
        return space.without(unweighted + samplers)
    except SearchSpaceError as exc:
        raise ValueError(
            f"sample_weight was given, but no model in the search space accepts it in fit "
            f"(none of: {', '.join(unweighted)})."
        ) from exc


def user_starters(space: SearchSpace, pipelines: list[Any] | None) -> list[Genome]:
    """The user's ``initial_pipelines`` as genomes of ``space``; one that does not fit is named."""
    genomes = []
    for i, pipeline in enumerate(pipelines or []):
        try:
            genomes.append(genome_from_sklearn(space, pipeline))
        except (ValueError, TypeError) as exc:
            raise type(exc)(f"initial_pipelines[{i}] does not fit the search space: {exc}") from exc
    return genomes
