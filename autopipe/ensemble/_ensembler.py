"""Ensemblers: choose members from recorded out-of-fold predictions, then fit them on all rows."""

from __future__ import annotations

import abc
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator

from ._build import assemble_voting, make_stacking, stacking_oof_score
from ._rows import (
    DEFAULT_CV_FOLDS,
    covered_rows,
    final_cv_folds,
    halves,
    restrict_splits,
    selection_rows,
)
from ._selection import cross_check, oof_scorer, select_ensemble

#: Selection rounds without a better blend before selection stops.
PATIENCE = 10
#: Candidates, best first, whose out-of-fold predictions an ensemble may use
#: (``SearchHistory`` keeps the predictions of this many at most, by default).
MAX_CANDIDATES = 20


@dataclass(frozen=True)
class EnsembleReport:
    """What became of the ensemble: its members, its scores and whether it is the final model.

    Attributes
    ----------
    kind : {"selection", "stacking"} or None
        The ensemble asked for (``None``: ``ensemble=None``).
    used : bool
        Whether the ensemble is the final model.
    reason : str
        Why it is used or not, in words.
    members : tuple of (str, str, int)
        ``(name, pipeline, weight)`` of each member, best candidate first.
    score : float
        The ensemble's out-of-fold score on the rows it was chosen on
        (``nan`` when none was planned).
    single_score : float
        The best single pipeline's score on the same rows.
    checked_score, checked_single_score : float
        Selection only: the ensemble's and the best single pipeline's scores on
        rows held out from the selection, which decide ``used``.
    build_time : float
        Seconds spent choosing and fitting the final model.
    """

    kind: str | None
    used: bool
    reason: str
    members: tuple[tuple[str, str, int], ...] = ()
    score: float = math.nan
    single_score: float = math.nan
    checked_score: float = math.nan
    checked_single_score: float = math.nan
    build_time: float = 0.0

    def leaderboard_row(self) -> dict[str, Any] | None:
        """The ensemble's row for the leaderboard, or None when it has no members."""
        if not self.members or self.kind is None:
            return None
        parts = ", ".join(f"{w} x {key}" for _, key, w in self.members)
        return {"pipeline": f"{self.kind.capitalize()}Ensemble({parts})", "score": self.score,
                "status": "ensemble", "error": "", "note": self.reason, "used": self.used}


@dataclass(frozen=True)
class EnsembleProblem:
    """The data an ensembler scores blends on: targets, scorer and the search's folds."""

    y: np.ndarray
    classes: np.ndarray | None
    scorer: Any
    scorer_name: str
    splits: list[tuple[np.ndarray, np.ndarray]]
    seed: int
    sample_weight: np.ndarray | None = None

    @property
    def is_classifier(self) -> bool:
        """Whether the members are classifiers."""
        return self.classes is not None


@dataclass(frozen=True)
class EnsemblePlan:
    """A report and the history entries it chose, with their names and weights."""

    report: EnsembleReport
    chosen: list[tuple[str, Any, int]] = field(default_factory=list)


#: ``afford(candidates, cost_factor, lanes)``: the candidates whose fits the time left allows.
AffordFn = Callable[[list[Any], float, int], list[Any]]


class Ensembler(abc.ABC):
    """Base of the ensemblers: the planning and fitting steps they share.

    Subclasses weigh the members (:meth:`_weigh`) and turn fitted members into
    one estimator (:meth:`_jobs`, :meth:`_assemble`).
    """

    kind = ""

    def cost_factor(self, n_folds: int) -> float:
        """How many all-row fits one member costs, when a cross-validated final fit uses ``n_folds`` folds."""
        return 1.0

    def lanes(self, n_workers: int) -> int:
        """How many members can be fitted at once."""
        return n_workers

    def plan(self, problem: EnsembleProblem, ranked: Sequence[Any], afford: AffordFn, n_workers: int) -> EnsemblePlan:
        """Choose members among ``ranked`` (successful history entries, best first) and judge the ensemble.

        The ensemble is chosen and judged on the rows the test sets of
        ``problem.splits`` cover (all rows for k-fold; fewer for a holdout
        split or a time-ordered splitter), and a candidate is used when its
        out-of-fold predictions are finite there. ``afford(candidates,
        cost_factor, lanes)`` keeps the candidates whose fits on all rows the
        time left allows, with ``lanes`` fits at once.
        """
        n = len(problem.y)
        covered = covered_rows(problem.splits, n)
        if len(covered) < 2:
            return EnsemblePlan(EnsembleReport(self.kind, False, "not used: the folds' test sets cover "
                                               f"{len(covered)} of {n} rows"))
        kind = "proba" if problem.is_classifier else "predict"
        usable = [e for e in ranked if _finite_on(e.result, kind, n, covered)][:MAX_CANDIDATES]
        what = "probabilities" if problem.is_classifier else "predictions"
        if len(usable) < 2:
            return EnsemblePlan(EnsembleReport(self.kind, False, f"not used: fewer than 2 candidates have out-of-fold "
                                               f"{what} an ensemble can use (the search history keeps them "
                                               "for the best candidates, within max_oof_bytes)"))
        cv = final_cv_folds(problem.splits, n)
        n_folds = DEFAULT_CV_FOLDS if cv is None else len(cv)
        affordable = afford(usable, self.cost_factor(n_folds), self.lanes(n_workers))
        if len(affordable) < 2:
            return EnsemblePlan(EnsembleReport(self.kind, False, "not used: fewer than 2 candidates with "
                                               f"out-of-fold {what} fit in the time left"))
        rows = selection_rows(covered, problem.seed)
        oofs = [e.result.oof[rows] for e in affordable]

        def make_score(subset: np.ndarray) -> Any:
            w = None if problem.sample_weight is None else problem.sample_weight[rows][subset]
            return oof_scorer(problem.scorer, problem.y[rows][subset], problem.classes, w, name=problem.scorer_name)

        score = make_score(np.arange(len(rows)))
        single = score(oofs[0]) if affordable[0] is ranked[0] else ranked[0].result.score
        weights, report = self._weigh(oofs, score, make_score, rows, problem, single)
        chosen = [(e, int(w)) for e, w in zip(affordable, weights) if w > 0]
        named = [(f"m{i}", e, w) for i, (e, w) in enumerate(chosen)]
        report = replace(report, members=tuple((name, e.genome.key, w) for name, e, w in named))
        if len(chosen) < 2:
            return EnsemblePlan(replace(report, used=False, reason="not used: selection kept a single pipeline"),
                                named)
        honest, honest_single = self._verdict_scores(report)
        wins = honest > honest_single + 1e-12
        verdict = "used" if wins else "not used"
        relation = "beats" if wins else "does not beat"
        reason = (f"{verdict}: {self._where}, its score {honest:.4f} {relation} "
                  f"the best single pipeline's {honest_single:.4f}{_judged_on(n, len(covered), len(rows))}")
        return EnsemblePlan(replace(report, used=wins, reason=reason), named)

    def fit(
        self, plan: EnsemblePlan, single: BaseEstimator, best_key: str, problem: EnsembleProblem,
        compile: Callable[[Any], BaseEstimator], fit_members: Callable[[list[tuple[str, Any]]], list[Any]],
        X: Any,
    ) -> tuple[BaseEstimator | None, str]:
        """Fit the planned ensemble; returns it (or None) and, when it failed, why.

        ``single`` is the best single pipeline already fitted on all rows
        (``best_key``): a member that is that candidate is used as it is.
        ``fit_members(jobs)`` fits ``(key, estimator)`` jobs on all rows (in
        the workers) and returns ``(fitted or None, error)`` per job.
        """
        members = [(name, compile(entry.genome)) for name, entry, _ in plan.chosen]
        jobs = self._jobs(members, plan, best_key, problem)
        fitted = dict(zip([key for key, _ in jobs], fit_members(jobs)))
        failed = [f"{key} ({error})" for key, (est, error) in fitted.items() if est is None]
        if failed:
            return None, f"not used: refitting on all rows failed for {'; '.join(failed)}"
        return self._assemble(fitted, members, plan, single, best_key, X, problem), ""

    # -- what the two kinds do differently
    _where = ""

    @abc.abstractmethod
    def _weigh(self, oofs: list[np.ndarray], score: Callable[[np.ndarray], float],
               make_score: Callable[[np.ndarray], Any], rows: np.ndarray, problem: EnsembleProblem,
               single: float) -> tuple[np.ndarray, EnsembleReport]:
        """Member weights and the report's scores; ``score`` scores a blend on all ``rows``."""

    @abc.abstractmethod
    def _verdict_scores(self, report: EnsembleReport) -> tuple[float, float]:
        """The ensemble's and the best single pipeline's scores that decide whether the ensemble is used."""

    @abc.abstractmethod
    def _jobs(self, members: list[tuple[str, BaseEstimator]], plan: EnsemblePlan, best_key: str,
              problem: EnsembleProblem) -> list[tuple[str, BaseEstimator]]:
        """The ``(key, estimator)`` fits on all rows the ensemble needs in the workers."""

    @abc.abstractmethod
    def _assemble(self, fitted: dict[str, Any], members: list[tuple[str, BaseEstimator]], plan: EnsemblePlan,
                  single: BaseEstimator, best_key: str, X: Any, problem: EnsembleProblem) -> BaseEstimator:
        """The fitted ensemble from the fitted jobs."""


class SelectionEnsembler(Ensembler):
    """Greedy ensemble selection with replacement, judged on rows it did not choose on.

    Parameters
    ----------
    size : int, default=50
        Selection rounds (the most members, counted with repetition).
    """

    kind = "selection"
    _where = "on rows held out from the selection"

    def __init__(self, size: int = 50) -> None:
        self.size = size

    def _weigh(self, oofs: list[np.ndarray], score: Callable[[np.ndarray], float],
               make_score: Callable[[np.ndarray], Any], rows: np.ndarray, problem: EnsembleProblem,
               single: float) -> tuple[np.ndarray, EnsembleReport]:
        selection = select_ensemble(oofs, score, rounds=self.size, patience=PATIENCE)
        check = cross_check(oofs, make_score, halves(problem.splits, rows, problem.seed), rounds=self.size,
                            patience=PATIENCE)
        return selection.weights, EnsembleReport(
            self.kind, False, "", score=selection.score, single_score=single,
            checked_score=check.ensemble_score, checked_single_score=check.single_score,
        )

    def _verdict_scores(self, report: EnsembleReport) -> tuple[float, float]:
        return report.checked_score, report.checked_single_score

    def _jobs(self, members: list[tuple[str, BaseEstimator]], plan: EnsemblePlan, best_key: str,
              problem: EnsembleProblem) -> list[tuple[str, BaseEstimator]]:
        return [(entry.genome.key, est) for (_, entry, _), (_, est) in zip(plan.chosen, members)
                if entry.genome.key != best_key]

    def _assemble(self, fitted: dict[str, Any], members: list[tuple[str, BaseEstimator]], plan: EnsemblePlan,
                  single: BaseEstimator, best_key: str, X: Any, problem: EnsembleProblem) -> BaseEstimator:
        fitted[best_key] = (single, "")
        done = [fitted[entry.genome.key][0] for _, entry, _ in plan.chosen]
        weights = [w for _, _, w in plan.chosen]
        return assemble_voting(members, done, weights, X, problem.y, is_classifier=problem.is_classifier)


class StackingEnsembler(Ensembler):
    """A linear meta-learner over the members' out-of-fold predictions, on the search's folds.

    Its score is cross-validated on the rows the folds test. The final
    stacking estimator cross-validates its members on the search's folds
    when they test every row once, else with scikit-learn's default k-fold.
    """

    kind = "stacking"
    _where = "out of fold"

    def cost_factor(self, n_folds: int) -> float:
        """A member is fitted on all rows and once per fold."""
        return 1.0 + n_folds

    def lanes(self, n_workers: int) -> int:
        """The stacking estimator is fitted as one job."""
        return 1

    def _weigh(self, oofs: list[np.ndarray], score: Callable[[np.ndarray], float],
               make_score: Callable[[np.ndarray], Any], rows: np.ndarray, problem: EnsembleProblem,
               single: float) -> tuple[np.ndarray, EnsembleReport]:
        w = None if problem.sample_weight is None else problem.sample_weight[rows]
        score = stacking_oof_score(oofs, problem.y[rows], problem.scorer, restrict_splits(problem.splits, rows),
                                   problem.classes, w, seed=problem.seed)
        # the meta-learner's score is cross-validated already
        return np.ones(len(oofs), dtype=int), EnsembleReport(self.kind, False, "", score=score, single_score=single)

    def _verdict_scores(self, report: EnsembleReport) -> tuple[float, float]:
        return report.score, report.single_score

    def _jobs(self, members: list[tuple[str, BaseEstimator]], plan: EnsemblePlan, best_key: str,
              problem: EnsembleProblem) -> list[tuple[str, BaseEstimator]]:
        cv = final_cv_folds(problem.splits, len(problem.y))
        return [("stacking", make_stacking(members, cv, is_classifier=problem.is_classifier))]

    def _assemble(self, fitted: dict[str, Any], members: list[tuple[str, BaseEstimator]], plan: EnsemblePlan,
                  single: BaseEstimator, best_key: str, X: Any, problem: EnsembleProblem) -> BaseEstimator:
        return fitted["stacking"][0]


def _finite_on(result: Any, kind: str, n_rows: int, rows: np.ndarray) -> bool:
    """Whether a result has out-of-fold predictions of ``kind`` for all rows, finite on ``rows``."""
    oof = result.oof
    return (oof is not None and result.oof_kind == kind and oof.shape[0] == n_rows
            and bool(np.isfinite(oof[rows]).all()))


def _judged_on(n_rows: int, n_covered: int, n_judged: int) -> str:
    """The reason's note on the rows the ensemble was judged on, when not all."""
    if n_judged == n_rows:
        return ""
    if n_judged == n_covered:
        return f" (judged on the {n_judged} of {n_rows} rows the folds' test sets cover)"
    if n_covered == n_rows:
        return f" (judged on a sample of {n_judged} of the {n_rows} rows)"
    return f" (judged on a sample of {n_judged} of the {n_covered} of {n_rows} rows the folds' test sets cover)"
