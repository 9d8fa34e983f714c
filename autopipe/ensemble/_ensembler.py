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
from ._selection import cross_check, oof_scorer, select_ensemble

#: Selection rounds without a better blend before selection stops.
PATIENCE = 10
#: Rows ensemble selection scores blends on (a seeded subsample beyond).
SELECTION_ROWS = 10_000
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
        """How many all-row fits one member costs."""
        return 1.0

    def lanes(self, n_workers: int) -> int:
        """How many members can be fitted at once."""
        return n_workers

    def plan(self, problem: EnsembleProblem, ranked: Sequence[Any], afford: AffordFn, n_workers: int) -> EnsemblePlan:
        """Choose members among ``ranked`` (successful history entries, best first) and judge the ensemble.

        ``afford(candidates, cost_factor, lanes)`` keeps the candidates whose
        fits on all rows the time left allows, with ``lanes`` fits at once.
        """
        kind = "proba" if problem.is_classifier else "predict"
        usable = [
            e for e in ranked
            if e.result.oof is not None and e.result.oof_kind == kind and np.isfinite(e.result.oof).all()
        ][:MAX_CANDIDATES]
        what = "probabilities" if problem.is_classifier else "predictions"
        if len(usable) < 2:
            return EnsemblePlan(EnsembleReport(self.kind, False, f"not used: fewer than 2 candidates have out-of-fold "
                                               f"{what} an ensemble can use (the search history keeps them "
                                               "for the best candidates, within max_oof_bytes)"))
        affordable = afford(usable, self.cost_factor(len(problem.splits)), self.lanes(n_workers))
        if len(affordable) < 2:
            return EnsemblePlan(EnsembleReport(self.kind, False, "not used: fewer than 2 candidates with "
                                               f"out-of-fold {what} fit in the time left"))
        rows = selection_rows(len(problem.y), problem.seed)
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
                  f"the best single pipeline's {honest_single:.4f}")
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
        check = cross_check(oofs, make_score, halves(problem.splits, rows), rounds=self.size, patience=PATIENCE)
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
    """A linear meta-learner over the members' out-of-fold predictions, on the search's folds."""

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
                                   problem.classes, w)
        # the meta-learner's score is cross-validated already
        return np.ones(len(oofs), dtype=int), EnsembleReport(self.kind, False, "", score=score, single_score=single)

    def _verdict_scores(self, report: EnsembleReport) -> tuple[float, float]:
        return report.score, report.single_score

    def _jobs(self, members: list[tuple[str, BaseEstimator]], plan: EnsemblePlan, best_key: str,
              problem: EnsembleProblem) -> list[tuple[str, BaseEstimator]]:
        return [("stacking", make_stacking(members, problem.splits, is_classifier=problem.is_classifier))]

    def _assemble(self, fitted: dict[str, Any], members: list[tuple[str, BaseEstimator]], plan: EnsemblePlan,
                  single: BaseEstimator, best_key: str, X: Any, problem: EnsembleProblem) -> BaseEstimator:
        return fitted["stacking"][0]


def selection_rows(n: int, seed: int) -> np.ndarray:
    """The rows blends are scored on: all, or a seeded subsample of ``SELECTION_ROWS``.

    Each blend is scored with the user's scorer, whose cost grows with the
    rows; beyond ten thousand rows the choice of weights barely changes.
    """
    if n <= SELECTION_ROWS:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, SELECTION_ROWS, replace=False))


def restrict_splits(splits: list[Any], rows: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The folds re-indexed to positions within ``rows``."""
    position = np.full(max(int(rows.max()) + 1, 1), -1)
    position[rows] = np.arange(len(rows))
    out = []
    for train, test in splits:
        tr, te = position[train[train <= rows.max()]], position[test[test <= rows.max()]]
        out.append((tr[tr >= 0], te[te >= 0]))
    return out


def halves(splits: list[Any], rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions within ``rows`` split in two by the search's folds (even and odd test folds)."""
    fold_of = np.zeros(int(rows.max()) + 1, dtype=int)
    for i, (_, test) in enumerate(splits):
        test = test[test <= rows.max()]
        fold_of[test] = i
    parity = fold_of[rows] % 2
    return np.flatnonzero(parity == 0), np.flatnonzero(parity == 1)
