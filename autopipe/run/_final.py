"""The final model: the best pipeline refitted on all rows, or an ensemble of the best, within the budget."""

from __future__ import annotations

import logging
import math
import warnings
from dataclasses import dataclass, replace
from typing import Any

from sklearn.base import BaseEstimator

from .._utils.weights import fit_weighted
from ..ensemble import EnsembleProblem, Ensembler, EnsembleReport
from ..evaluate import Status
from ..exceptions import AllCandidatesFailedError, TimeBudgetWarning
from ..genome import Genome
from ..search import HistoryEntry, SearchHistory
from ._budget import BudgetPlan
from ._context import FitContext
from ._inputs import TrainingData
from ._outcome import all_failed_message
from ._runner import CandidateRunner

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FinalModel:
    """What ``fit`` returns to the user: the model, the best single pipeline and the ensemble's report."""

    fitted_pipeline: BaseEstimator
    best_pipeline: BaseEstimator
    best_candidate: str
    ensemble_report: EnsembleReport


def build_final_model(
    data: TrainingData, history: SearchHistory, context: FitContext, plan: BudgetPlan,
    runner: CandidateRunner, ensembler: Ensembler | None, splits: list[Any], floor: Genome | None,
) -> FinalModel:
    """Refit the best candidate in this process and, in the workers, the ensemble's other members.

    The ensemble (its choice and its fits) gets at most its share of the
    budget however much is left; it becomes the final model only when it
    beat the best single pipeline on rows it was not chosen on. When the
    floor (``floor``: gradient boosting with its defaults) was not scored on
    all rows before the budget ended, it is the final model, fitted on all
    rows unevaluated (see :func:`floor_is_final`).
    """
    start = plan.deadline.elapsed()
    kind = None if ensembler is None else ensembler.kind
    time_left = plan.deadline.remaining() + plan.refit_slack()
    floor_final = floor_is_final(history, floor, time_left)
    if floor_final or not any(e.result.ok for e in history):
        single, key = _fit_unevaluated(data, history, context, plan, floor, floor_final)
        report = EnsembleReport(kind, False, "not used: the budget ended before the search confirmed a "
                                "candidate better than the floor", build_time=plan.deadline.elapsed() - start)
        return FinalModel(single, single, key, report)
    build = plan.build_deadline()
    ensemble_plan = None
    report = EnsembleReport(kind, False, "ensemble=None")
    if ensembler is not None:
        problem = EnsembleProblem(data.y, data.classes, context.scorer, context.scorer_name, splits,
                                  context.seed, data.sample_weight)

        def afford(candidates: list[Any], factor: float, lanes: int) -> list[Any]:
            return plan.affordable(candidates, build, factor, lanes)

        ranked = [e for e in history.ranked() if e.result.ok]
        ensemble_plan = ensembler.plan(problem, ranked, afford, runner.evaluator.n_workers)
        report = ensemble_plan.report
    # The best single pipeline first, in this process, as planned by the search's
    # reserve; then the other members in the workers, in the ensemble's share.
    single, best_key = _refit_best(data, history, context, plan)
    fitted = single
    if ensembler is not None and ensemble_plan is not None and report.used:
        deadline, limit = plan.member_fit_limits(build)
        ensemble, failure = ensembler.fit(
            ensemble_plan, single, best_key, problem, context.compile,
            lambda jobs: runner.fit_all_rows(jobs, deadline, limit), data.X,
        )
        if ensemble is None:
            report = replace(report, used=False, reason=failure)
        else:
            fitted = ensemble
    report = replace(report, build_time=plan.deadline.elapsed() - start)
    return FinalModel(fitted, single, best_key, report)


def floor_is_final(history: SearchHistory, floor: Genome | None, time_left: float | None = None) -> bool:
    """Whether the floor must be the final model: it has no score on all rows, and only because time ran out.

    The floor is the first default pipeline, scored on all rows at once.
    When the budget ended before its result (it was cut off or never
    started), no other candidate was confirmed better than it on the same
    rows, so it replaces them: on data where trees win, a linear model that
    happened to finish first must not be the answer. A floor that failed or
    ran past its time limit is not used, nor one that was cut off after
    running longer than ``time_left`` seconds (its fit on all rows would take
    longer still).
    """
    if floor is None or (time_left is not None and math.isinf(time_left)):
        return False  # without a time budget, nothing was cut off for lack of time
    results = [e.result for e in history if e.genome.key == floor.key]
    if any(r.ok and r.fidelity >= 1.0 for r in results):
        return False
    if time_left is not None and any(1.25 * r.wall_time > time_left for r in results):
        return False
    return all(r.status is Status.CANCELLED for r in results)


def _fit_unevaluated(
    data: TrainingData, history: SearchHistory, context: FitContext, plan: BudgetPlan, fallback: Genome | None,
    floor_final: bool,
) -> tuple[BaseEstimator, str]:
    """Fit the floor on all rows unevaluated, when the budget ended before it was scored; else raise.

    When every candidate was cut off by the search deadline (a budget of a
    few seconds on a busy machine can end before the workers have started),
    or the floor was (see :func:`floor_is_final`), the floor is fitted on all
    rows unevaluated, with a :class:`TimeBudgetWarning`, rather than leaving
    the user with nothing or with a weaker model.
    """
    cut = floor_final or all(e.result.status is Status.CANCELLED for e in history)
    if not cut or fallback is None:
        raise AllCandidatesFailedError(all_failed_message(history))
    pipeline = context.compile(fallback)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit_weighted(pipeline, data.X, data.y, data.sample_weight)
    warnings.warn(
        f"The default pipeline {fallback.key} was not scored on all rows within time_budget={plan.time_budget} "
        "s (starting the workers and the first evaluations took it all), and no candidate was confirmed "
        "better; it was fitted on all rows without being evaluated. Give a larger time_budget for a search.",
        TimeBudgetWarning, stacklevel=5,
    )
    return pipeline, fallback.key


def _refit_best(
    data: TrainingData, history: SearchHistory, context: FitContext, plan: BudgetPlan
) -> tuple[BaseEstimator, str]:
    """Fit the best candidate on all rows, in this process, within the time left.

    A candidate is tried only when its measured per-fold fit time, scaled to
    all rows, fits in the time left plus a slack of 5% of the budget (at most
    10 s): a small overrun beats falling back to a much weaker pipeline, since
    the reserve is planned from the first results and can fall short by
    seconds. The fastest good candidate is the last resort. When no candidate
    reached all rows (successive halving cut short), those scored on the most
    rows compete.
    """
    ranked = _refit_candidates(history)
    fastest = min(ranked[:20], key=lambda e: e.result.fit_time)
    last_error = ""
    for entry in [*ranked[:3], fastest]:
        if entry is not fastest and not plan.refit_fits(entry.result):
            logger.info("skipping refit of %s: it would not fit in the time left", entry.genome.key)
            continue
        pipeline = context.compile(entry.genome)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit_weighted(pipeline, data.X, data.y, data.sample_weight)
        except Exception as exc:  # noqa: BLE001  (a failed refit falls back to the next candidate)
            last_error = f"{type(exc).__name__}: {exc}"
            logger.info("refit of %s failed (%s); trying the next candidate", entry.genome.key, last_error)
            continue
        return pipeline, entry.genome.key
    raise AllCandidatesFailedError(f"no candidate could be refitted on all rows: {last_error}")


def _refit_candidates(history: SearchHistory) -> list[HistoryEntry]:
    """Successful candidates best first: those scored on all rows, else those scored on the most rows."""
    ranked = [e for e in history.ranked() if e.result.ok]
    if not ranked:
        ok = [e for e in history.ranked(fidelity=None) if e.result.ok]
        top = max((e.result.fidelity for e in ok), default=None)
        ranked = [e for e in ok if e.result.fidelity == top]
        logger.info("no candidate was scored on all rows; choosing among those scored on %s of them", top)
    if not ranked:
        raise AllCandidatesFailedError(all_failed_message(history))
    return ranked
