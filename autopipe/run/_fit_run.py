"""One ``fit``, step by step: prepare the context, search, tune, re-score, build the final model."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from numbers import Integral
from typing import Any

import joblib
import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from .._utils.deadline import Deadline
from .._utils.rng import draw_seed, make_rng
from ..data import check_data, make_featurizer
from ..evaluate import Evaluator, halving_rungs
from ..exceptions import DataQualityWarning
from ..genome import Genome
from ..search import (
    CheckpointCallback,
    EarlyStopping,
    ProgressCallback,
    SearchCallback,
    SearchContext,
    SearchHistory,
    SearchState,
    load_checkpoint,
    run_search,
)
from ..space import SearchSpace, build_space
from ..space.nets import check_device
from ..tune import TuneDuringSearch, TuningReport, TuningSchedule
from ._budget import BudgetPlan
from ._context import FitContext, featurization, make_scorer
from ._fail_fast import FailFast
from ._final import FinalModel, build_final_model
from ._inputs import TrainingData
from ._runner import CandidateRunner
from ._settings import FitSettings
from ._space_setup import default_starters, user_starters, weighted_space
from ._splits import make_splits, n_folds

logger = logging.getLogger(__name__)

#: How many of the default starters (the floor, then the portfolio's first) fail fast watches.
FAIL_FAST_STARTERS = 3

_TUNE_STRUCTURES = 3  # distinct pipeline structures Bayesian tuning refines
_TUNE_TRIALS = 10  # trials per structure when there is no time budget
_TUNE_BUDGET_RUNGS = (1 / 9, 1 / 3, 1.0)  # training-length fractions of the networks' tuning rungs


@dataclass(frozen=True)
class PreviousFit:
    """What a ``warm_start`` fit continues from: the last fit's history, its data fingerprint and seed."""

    history: SearchHistory
    fingerprint: str
    seed: int


@dataclass(frozen=True)
class FitOutcome:
    """Everything one ``fit`` learned, which the estimator turns into its fitted attributes."""

    context: FitContext
    data_report: pd.DataFrame
    n_splits: int
    fidelities: tuple[float, ...]
    state: SearchState
    tuning_report: TuningReport | None
    search_time: float
    final: FinalModel
    fingerprint: str


class FitRun:
    """The orchestration of one ``fit`` of :class:`~autopipe.AutoEstimator`.

    Parameters
    ----------
    settings : FitSettings
        The estimator's parameters.
    data : TrainingData
        The checked training data.
    deadline : Deadline
        The end of the whole fit.
    """

    def __init__(self, settings: FitSettings, data: TrainingData, deadline: Deadline) -> None:
        self.settings = settings
        self.data = data
        self.plan = BudgetPlan(deadline, settings.time_budget, ensemble=settings.ensemble,
                               rescore_top=settings.rescore_top, tune_share=settings.tune_share)

    def execute(self, previous: PreviousFit | None = None) -> FitOutcome:
        """Run the fit: search, tuning, re-scoring and the final model, within the budget."""
        s, data = self.settings, self.data
        report = self._check_data()
        featurizer = make_featurizer(data.X, drop=report.drop)
        prefix, width, nonnegative = featurization(featurizer, data.X, data.y)
        space = build_space(s.search_space, data.task, n_features=width)
        check_device(s.device, space)
        scorer, scorer_name = make_scorer(s.scoring, data.task, s.owner)
        if data.sample_weight is not None:
            space = weighted_space(space, scorer)
        starters = user_starters(space, s.initial_pipelines)
        rng = make_rng(s.random_state)
        folds = n_folds(s.cv, data.n_rows, s.time_budget, n_columns=width)
        fingerprint = self._fingerprint(space, scorer_name, prefix, folds)
        history, seed = self._initial_history(fingerprint, previous, default_seed=draw_seed(rng))
        context = FitContext(data.task, scorer, scorer_name, seed, prefix, nonnegative, s.device, s.memory)
        splits = self._splits(folds, seed)
        check = self._splits(folds, seed + 1) if s.rescore_top and folds is not None else None
        train_rows = int(np.median([len(train) for train, _ in splits]))
        fidelities = halving_rungs(train_rows) if s.successive_halving else (1.0,)
        evaluator = Evaluator(
            data.X, data.y, splits=splits, scorer=scorer, is_classifier=data.is_classifier,
            n_jobs=s.n_jobs, max_eval_time=self.plan.max_eval_time(s.max_eval_time),
            memory_limit_mb=s.memory_limit, random_state=seed, sample_weight=data.sample_weight,
            groups=data.groups, check_splits=check, gpu_lanes=s.gpu_lanes, hooks=space.training_hooks,
        )
        self.plan.n_workers = evaluator.n_workers
        with evaluator:
            generation = 1 + max((e.generation for e in history), default=-1)
            state = SearchState(history, self.plan.deadline, s.time_budget, generation=generation,
                                first_generation=generation)
            runner = CandidateRunner(context, evaluator, state, fidelities=fidelities)
            state, schedule, fallback = self._search(runner, space, rng, fingerprint, starters, check is not None)
            tuning_report = None
            if schedule is not None:
                if not state.interrupted:
                    self._tune(schedule, state, check is not None)
                tuning_report = schedule.report()
            state.history.clear_checks()
            if not state.interrupted and check is not None:
                self._rescore(runner)
            search_time = self.plan.deadline.elapsed()
            # One thread, as in the workers whose fold timings the refit plan relies on:
            # OpenMP and BLAS threads next to busy workers can make a refit several times slower.
            with threadpool_limits(limits=1):
                final = build_final_model(data, state.history, context, self.plan, runner, s.make_ensembler(),
                                          splits, fallback)
        return FitOutcome(context, report.table, len(splits), fidelities, state, tuning_report, search_time,
                          final, fingerprint)

    # -- preparation
    def _check_data(self) -> Any:
        """Guardrails: what :func:`autopipe.data.check_data` finds, warned about once."""
        s = self.settings
        seed = s.random_state if isinstance(s.random_state, Integral) else 0
        report = check_data(self.data.X, self.data.y, task=self.data.task, scoring=s.scoring, random_state=seed,
                            time_limit=self.plan.data_check_limit())
        if self.data.task_note is not None:
            report.add("task", None, self.data.task, self.data.task_note)
        if len(report.table):
            lines = "\n".join(
                f"  {row.check}{'' if row.column is None else f' {row.column!r}'}: {row.action} ({row.detail})"
                for row in report.table.itertuples()
            )
            warnings.warn(f"Data checks (see data_report_):\n{lines}", DataQualityWarning, stacklevel=4)
        return report

    def _fingerprint(self, space: SearchSpace, scorer_name: str, prefix: tuple[Any, ...], folds: int | None) -> str:
        """Identifies the data and settings a search history belongs to (not the random seed)."""
        d = self.data
        cv = folds if folds is not None else repr(self.settings.cv)
        extra = () if d.sample_weight is None and d.groups is None else (d.sample_weight, d.groups)
        return joblib.hash((d.X, d.y, d.task, scorer_name, cv, space.fingerprint(), prefix, *extra))

    def _initial_history(self, fingerprint: str, previous: PreviousFit | None, *,
                         default_seed: int) -> tuple[SearchHistory, int]:
        """The history to continue (``warm_start``, ``checkpoint``) and its seed, or a fresh start.

        A continued search reuses the seed it started with, so that its folds
        and operator seeds are the same even when ``random_state`` is None.
        """
        if self.settings.warm_start and previous is not None and previous.fingerprint == fingerprint:
            return previous.history.copy(), previous.seed
        if self.settings.checkpoint is not None:
            saved = load_checkpoint(self.settings.checkpoint, fingerprint)
            if saved is not None:
                return saved
        return SearchHistory(), default_seed

    def _splits(self, folds: int | None, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
        d = self.data
        return make_splits(self.settings.cv, folds, d.X, d.y, is_classifier=d.is_classifier, seed=seed,
                           groups=d.groups)

    # -- the search and the steps after it
    def _search(
        self, runner: CandidateRunner, space: SearchSpace, rng: np.random.Generator, fingerprint: str,
        user: list[Genome], has_check: bool,
    ) -> tuple[SearchState, TuningSchedule | None, Genome | None]:
        """Run the strategy until its share of the budget ends; returns the state, the tuning and the fallback."""
        s, state, plan = self.settings, runner.state, self.plan
        worker_seconds = None if s.time_budget is None else s.time_budget * runner.evaluator.n_workers
        defaults = default_starters(space, use_portfolio=s.portfolio, worker_seconds=worker_seconds)
        starters = user + defaults
        context = SearchContext(space, np.random.default_rng(draw_seed(rng)), state.history, initial=starters)
        # The floor (gradient boosting with its defaults, which finishes on any data) and the
        # user's pipelines go straight to all rows; the other defaults climb the rungs.
        floor = defaults[0] if defaults else (starters[0] if starters else None)
        runner.promote = {g.key for g in user} | ({floor.key} if floor is not None else set())
        runner.promoted_time = plan.promoted_eval_time(s.max_eval_time)
        schedule = None
        if s.tune_share:
            schedule = TuningSchedule(
                state.history, runner.trials, rungs=runner.fidelities,
                budget_rungs=_TUNE_BUDGET_RUNGS if s.successive_halving else (1.0,),
                batch_size=runner.evaluator.n_workers, sampler=s.tune_sampler, pruner=s.tune_pruner,
                structures=_TUNE_STRUCTURES, seed=runner.context.seed,
            )

        def search_deadline() -> Deadline:
            tuned = None if schedule is None else schedule.seconds_
            return plan.search_deadline(state.history, has_check_folds=has_check, tuned_seconds=tuned)

        runner.search_deadline = search_deadline
        strategy = s.make_strategy()
        callbacks: list[SearchCallback] = []
        if schedule is not None and s.time_budget:
            callbacks.append(TuneDuringSearch(schedule, strategy, s.tune_share))
        callbacks.append(FailFast({g.key for g in defaults[:FAIL_FAST_STARTERS]}))
        if s.early_stop is not None:
            callbacks.append(EarlyStopping(s.early_stop))
        if s.checkpoint is not None:
            callbacks.append(CheckpointCallback(s.checkpoint, fingerprint, runner.context.seed))
        if s.verbose >= 1:
            callbacks.append(ProgressCallback(s.generations))
        # Under a time budget the workers never wait (a stream); bounded by generations alone, each
        # generation is one batch, so that the same seed gives the same search with any n_jobs.
        evaluations = runner if s.time_budget is not None else self._batches(runner, search_deadline)
        state = run_search(strategy, context, evaluations, state, population_size=s.population_size,
                           offspring_size=s.offspring_size or s.population_size, generations=s.generations,
                           callbacks=callbacks)
        return state, schedule, floor

    @staticmethod
    def _batches(runner: CandidateRunner, search_deadline: Any) -> Any:
        def evaluate(genomes: Any, on_result: Any) -> list[Any]:
            runner.state.deadline = search_deadline()
            return runner.search_batch(genomes, on_result)

        return evaluate

    def _tune(self, schedule: TuningSchedule, state: SearchState, has_check: bool) -> None:
        """The tuning round after the search: the rest of the tuning share (``_TUNE_TRIALS`` per structure
        without a time budget), its trials recorded as one more generation."""
        end = self.plan.tuning_deadline(state.history, has_check_folds=has_check)
        state.generation += 1
        schedule.run(end, trials_per_structure=None if self.settings.time_budget else _TUNE_TRIALS)
        logger.info("tuning: %d trials in %d rounds, %d improvements, best score %.4f -> %.4f",
                    schedule.trials_, schedule.rounds_, schedule.improvements_, schedule.best_before_,
                    state.history.best_score())

    def _rescore(self, runner: CandidateRunner) -> None:
        """Re-score the best candidates on the check folds, so that the final choice pools both scores.

        Only the candidates whose measured cross-validation time fits are
        re-scored; if one is cut off by the deadline, no check is kept.
        """
        end, chosen = self.plan.rescore_plan(runner.state.history)
        if len(chosen) < 2:
            logger.info("re-scoring skipped: fewer than 2 of the best candidates fit in the time left")
            return
        if not runner.rescore(chosen, end):
            logger.info("re-scoring cut off by the deadline; keeping the search's ranking")
