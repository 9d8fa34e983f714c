"""The budget plan: every reserve and time limit of one ``fit``, in one place."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

from .._utils.deadline import Deadline

#: Most of the budget the ensemble's choice and fits may take.
BUILD_SHARE = 0.09
#: Most of the budget re-scoring the best candidates may take.
RESCORE_SHARE = 0.1
#: Most of the budget the single best pipeline's refit may reserve.
REFIT_SHARE = 0.4


def refit_estimate(result: Any) -> float:
    """Seconds to fit a candidate on all rows: its per-fold fit time scaled to all rows, plus 30%.

    A result of a lower fidelity (fitted on a share of each fold's training
    rows) is scaled up by that share.
    """
    fidelity = max(float(getattr(result, "fidelity", 1.0)), 1e-6)
    return 1.3 * result.fit_time / max(1, len(result.fold_scores) - 1) / fidelity


def cv_cost(result: Any, n_workers: int) -> float:
    """Seconds to cross-validate a candidate again: its measured fit and score time, plus 20%, per worker."""
    return 1.2 * (result.fit_time + result.score_time) / max(1, n_workers)


class BudgetPlan:
    """How one ``fit`` spends its time budget: the search, then tuning, re-scoring and the final model.

    The search runs until the budget minus the reserves of the steps after
    it; each reserve is planned from the measured costs of the best
    candidates so far, so it grows as the search learns what a refit costs.

    Parameters
    ----------
    deadline : Deadline
        The end of the whole ``fit`` (``time_budget`` after it began).
    time_budget : float or None
        The user's budget in seconds (None: no limit).
    n_workers : int
        Worker processes evaluating candidates.
    ensemble : {"selection", "stacking"} or None
        The final model's kind, which sets its reserve.
    rescore_top : int
        Best candidates re-scored on a second set of folds (0: none).
    tune_share : float
        Share of the budget for Bayesian tuning.
    """

    def __init__(self, deadline: Deadline, time_budget: float | None, *, n_workers: int = 1,
                 ensemble: str | None = None, rescore_top: int = 0, tune_share: float = 0.0) -> None:
        self.deadline = deadline
        self.time_budget = time_budget
        self.n_workers = n_workers
        self.ensemble = ensemble
        self.rescore_top = rescore_top
        self.tune_share = tune_share

    # -- limits that do not depend on the search
    def data_check_limit(self) -> float | None:
        """Seconds the data checks may take: 2% of the budget, at least 0.2 s."""
        return None if self.time_budget is None else max(0.2, 0.02 * self.time_budget)

    def max_eval_time(self, asked: float | None) -> float | None:
        """Seconds one evaluation may take: ``asked``, or a fifth of the budget (at least 1 s)."""
        if asked is not None:
            return float(asked)
        return None if self.time_budget is None else max(1.0, self.time_budget / 5)

    def promoted_eval_time(self, asked: float | None) -> float | None:
        """Seconds the floor and the user's pipelines, scored on all rows at once, may take.

        ``asked`` (the user's ``max_eval_time``), else 60% of the budget: they
        are the candidates the final model falls back on, so a large table
        must not cut them off at the ordinary limit.
        """
        if asked is not None:
            return float(asked)
        return None if self.time_budget is None else max(1.0, 0.6 * self.time_budget)

    def refit_slack(self) -> float:
        """Seconds a final fit may run past the budget (5% of it, at most 10 s)."""
        return 0.0 if self.time_budget is None else min(0.05 * self.time_budget, 10.0)

    # -- reserves the search leaves for the steps after it
    def _refit_reserve(self, history: Any, *, members: int, factor: float, cap: float) -> float:
        """1.5x the estimated refits of the top candidates, capped at ``cap`` of the budget, plus 2% of it."""
        top = [e for e in history.ranked() if e.result.ok][:members]
        need = 0.5 + 1.5 * factor * sum(refit_estimate(e.result) for e in top)
        if not self.time_budget:
            return need
        return min(need, cap * self.time_budget) + 0.02 * self.time_budget

    def final_reserve(self, history: Any) -> float:
        """Seconds to keep for building the final model."""
        single = self._refit_reserve(history, members=1, factor=1.0, cap=REFIT_SHARE)
        if self.ensemble is None:
            return single
        best = history.best()
        folds = len(best.result.fold_scores) if best else 5
        # stacking cross-fits its members on the search's folds, or on 5 folds after a holdout
        factor = 1.0 if self.ensemble == "selection" else 1.0 + (folds if folds > 1 else 5)
        return max(single, self._refit_reserve(history, members=5, factor=factor, cap=BUILD_SHARE))

    def rescore_reserve(self, history: Any, *, has_check_folds: bool) -> float:
        """Seconds to keep for re-scoring the best candidates (at most 10% of the budget)."""
        if not has_check_folds:
            return 0.0
        top = [e for e in history.ranked() if e.result.ok][: self.rescore_top]
        need = 0.5 + sum(cv_cost(e.result, self.n_workers) for e in top)
        return need if not self.time_budget else min(need, RESCORE_SHARE * self.time_budget)

    def tune_reserve(self, history: Any, tuned_seconds: float | None) -> float:
        """Seconds to keep for tuning after the search: the tuning share not yet spent (None: no tuning).

        Nothing is kept until a candidate succeeded: there is nothing to tune before.
        """
        if tuned_seconds is None or not self.time_budget or history.best() is None:
            return 0.0
        return max(0.0, self.tune_share * self.time_budget - tuned_seconds)

    def search_deadline(self, history: Any, *, has_check_folds: bool, tuned_seconds: float | None) -> Deadline:
        """When the search must stop so that tuning, re-scoring and the final model still fit."""
        keep = self.final_reserve(history) + self.rescore_reserve(history, has_check_folds=has_check_folds) \
            + self.tune_reserve(history, tuned_seconds)
        return self.deadline.sooner(keep)

    def tuning_deadline(self, history: Any, *, has_check_folds: bool) -> Deadline:
        """When tuning after the search must stop."""
        return self.deadline.sooner(
            self.final_reserve(history) + self.rescore_reserve(history, has_check_folds=has_check_folds)
        )

    # -- the steps after the search
    def rescore_plan(self, history: Any) -> tuple[Deadline, list[Any]]:
        """The deadline of re-scoring and the best entries whose measured cost fits before it.

        Re-scoring may borrow from the ensemble's share of the final reserve
        (the ensemble adapts its members to the time left), not from the refit's.
        """
        end = self.deadline.sooner(self._refit_reserve(history, members=1, factor=1.0, cap=REFIT_SHARE))
        limit = end.remaining() if not self.time_budget else min(end.remaining(),
                                                                 RESCORE_SHARE * self.time_budget)
        chosen, spent = [], 0.0
        for entry in [e for e in history.ranked() if e.result.ok][: self.rescore_top]:
            cost = cv_cost(entry.result, self.n_workers)
            if spent + cost > limit:
                break
            chosen.append(entry)
            spent += cost
        return end, chosen

    def build_deadline(self) -> Deadline:
        """The end of the ensemble's share: at most ``BUILD_SHARE`` of the budget from now."""
        build = self.deadline.sooner(0.0)
        if self.time_budget:
            build.at = min(build.at, time.monotonic() + BUILD_SHARE * self.time_budget)
        return build

    @staticmethod
    def affordable(candidates: Sequence[Any], build: Deadline, factor: float, lanes: int) -> list[Any]:
        """The candidates, best first, whose fits (``factor`` all-row fits each, ``lanes`` at once) fit ``build``."""
        chosen, spent = [], 0.0
        for entry in candidates:
            cost = refit_estimate(entry.result) * factor
            if cost <= 0.8 * build.remaining() and spent + cost <= 0.8 * build.remaining() * lanes:
                chosen.append(entry)
                spent += cost
        return chosen

    def member_fit_limits(self, build: Deadline) -> tuple[Deadline, float | None]:
        """The deadline of the ensemble's member fits and the time limit of each."""
        limit = None if math.isinf(build.at) else max(0.5, build.remaining())
        return self.deadline.sooner(-self.refit_slack()), limit

    def refit_fits(self, result: Any) -> bool:
        """Whether a candidate's estimated refit fits in the time left plus the slack."""
        return refit_estimate(result) <= self.deadline.remaining() + self.refit_slack()
