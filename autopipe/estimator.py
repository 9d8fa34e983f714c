"""The facade users see: ``AutoEstimator``, ``AutoClassifier`` and ``AutoRegressor``."""

from __future__ import annotations

import contextlib
import logging
import math
import time
import warnings
from collections.abc import Iterator
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.metrics import get_scorer, get_scorer_names
from sklearn.model_selection import GroupKFold, KFold, StratifiedGroupKFold, StratifiedKFold, check_cv
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from ._utils.deadline import Deadline
from ._utils.log import level_for_verbose, logger
from ._utils.rng import draw_seed, make_rng
from ._utils.sklearn_shim import HasMethods, Interval, StrOptions, check_params
from ._utils.weights import call_scorer, fit_weighted, scorer_takes_sample_weight, takes_sample_weight
from .data import DataReport, check_data, check_target, infer_task, make_featurizer
from .data._target import check_classes
from .data._weights import check_groups, check_sample_weight
from .ensemble import assemble_voting, cross_check, make_stacking, oof_scorer, select_ensemble, stacking_oof_score
from .evaluate import EvaluationResult, Evaluator, Status, choose_folds, halving_rungs, successive_halving
from .exceptions import (
    AllCandidatesFailedError,
    CandidateFailureWarning,
    DataQualityWarning,
    SearchInterruptedWarning,
    SearchSpaceError,
    TimeBudgetWarning,
)
from .genome import Genome, compile_genome, genome_from_sklearn
from .report import candidate_notebook, estimator_to_code, make_leaderboard, write_notebook
from .report import permutation_importances as _permutation_importances
from .report import plot_history as _plot_history
from .report import plot_importances as _plot_importances
from .report import plot_pareto as _plot_pareto
from .search import (
    STRATEGIES,
    CheckpointCallback,
    EarlyStopping,
    EvolutionStrategy,
    GridStrategy,
    ProgressCallback,
    SearchCallback,
    SearchContext,
    SearchHistory,
    SearchState,
    load_checkpoint,
    run_search,
    summarize_failures,
)
from .space import SearchSpace, build_space
from .tune import TuneDuringSearch, TuningSchedule
from .space.nets import check_device, set_device

# Strong, cheap pipelines put in generation 0 so that the search never does
# worse than what a user gets from sklearn's defaults. The linear one goes first:
# it takes a fraction of a second, so even a tiny budget ends with a model.
_STARTERS = {
    "classification": [
        ["StandardScaler", "LogisticRegression"],
        ["HistGradientBoostingClassifier"],
        ["RandomForestClassifier"],
    ],
    "regression": [
        ["StandardScaler", "Ridge"],
        ["HistGradientBoostingRegressor"],
        ["RandomForestRegressor"],
    ],
}
_MAX_DENSE_CELLS = 50_000_000


class AutoEstimator(BaseEstimator):
    """Search whole scikit-learn pipelines under a time budget.

    ``fit`` evaluates candidate pipelines (preprocessing, feature selection and
    a model) by cross-validation in parallel worker processes, proposed by a
    search strategy (Bayesian optimization by default; genetic programming
    with NSGA-II over (score, complexity), and others, with ``strategy``),
    then refits the best one on all rows; the whole fit, refit included,
    stays within ``time_budget``.

    Parameters
    ----------
    task : {"auto", "classification", "regression"}, default="auto"
        The learning task; ``"auto"`` infers it from ``y``.
    scoring : str, callable or None, default=None
        An sklearn scorer name or callable ``scorer(estimator, X, y)``
        (greater is better). ``None`` means accuracy for classification and
        r2 for regression. :meth:`score` uses the same scorer.
    cv : "auto", int, cross-validation splitter or list of (train, test) index pairs, default="auto"
        Folds for candidate evaluation; an int means stratified k-fold for
        classification and k-fold for regression, shuffled with ``random_state``.
        ``"auto"`` chooses the number of folds by data size and budget: 5, or
        3 when the data has more than ``400 * time_budget`` rows (see
        :func:`autopipe.evaluate.choose_folds`).
    time_budget : float or None, default=60.0
        Seconds for the whole ``fit``, final refit included. ``None`` means no
        time limit (then ``generations`` or ``early_stop`` must bound the search).
    generations : int or None, default=None
        Generations after generation 0; ``None`` means as many as time allows.
        The search stops at the first limit reached.
    population_size : int, default=20
        Pipelines kept between generations, and the size of generation 0.
    offspring_size : int or None, default=None
        Candidates per generation after the first; ``None`` means
        ``population_size``.
    mutation_rate : float, default=0.9
        Probability that an offspring is made by mutation.
    crossover_rate : float, default=0.1
        Probability that an offspring is made by crossover.
    search_space : str or dict, default="default"
        A preset name (``"default"``, ``"light"``) or a dict of operators in the
        shape :func:`autopipe.space.get_preset` returns.
    strategy : str or SearchStrategy, default="bayesian"
        ``"bayesian"`` (Optuna's TPE over a flattened, conditional space of
        chains, :class:`~autopipe.search.BayesianStrategy`; the default,
        chosen from the strategy benchmark), ``"surrogate-evolution"``
        (NSGA-II genetic programming whose offspring a performance predictor
        trained on the history screens,
        ``EvolutionStrategy(surrogate=True)``), ``"evolution"`` (the same
        without the predictor), ``"regularized-evolution"`` (aging evolution,
        :class:`~autopipe.search.RegularizedEvolutionStrategy`), ``"random"``,
        ``"grid"`` (every pipeline of a small, finite space,
        :class:`~autopipe.search.GridStrategy`), ``"reinforce"`` (a
        controller trained by policy gradient,
        :class:`~autopipe.search.ReinforceStrategy`), or a strategy object such as
        :class:`~autopipe.search.RandomStrategy`. Every strategy is asked for
        ``population_size`` candidates first, then ``offspring_size`` per
        generation; ``mutation_rate`` and ``crossover_rate`` apply to the
        evolution strategies only.
    max_eval_time : float or None, default=None
        Seconds one candidate's cross-validation may take before its worker is
        killed. ``None`` means ``max(1, time_budget / 5)`` (no limit without a
        budget).
    early_stop : int or None, default=None
        Stop after this many generations without improvement.
    n_jobs : int or None, default=None
        Worker processes evaluating candidates (-1: one per core).
    random_state : int, numpy Generator or None, default=None
        Seed of every random choice, for reproducible searches.
    verbose : int, default=0
        0 prints nothing; 1 shows a progress bar; 2 also logs each step.
    memory : str, joblib.Memory or None, default=None
        Cache of fitted transformers, passed to each pipeline's ``memory``
        (on disk, shared by the workers). Without it, each worker still keeps
        the output of recently fitted transformer prefixes in memory, per
        fold, for candidates that begin with the same steps (see
        :class:`~autopipe.evaluate.Evaluator`, ``cache_prefixes``).
    ensemble : {"selection", "stacking"} or None, default="selection"
        How the final model is built from the best candidates' out-of-fold
        predictions: greedy ensemble selection with replacement (a weighted
        soft-voting ensemble), stacking (a meta-learner on the predictions), or
        ``None`` for the single best pipeline. An ensemble is used only when it
        beats the best single pipeline on rows its choice did not see (selection
        is cross-checked over two halves of the rows; stacking's meta-learner is
        cross-validated); ``ensemble_report_`` and the leaderboard say why. Its
        members are fitted in the workers, in parallel, under the time budget.
    ensemble_size : int, default=50
        Rounds of ensemble selection (an upper bound on the ensemble's weight sum).
    memory_limit : float or None, default=None
        Address-space limit of each evaluation worker, in MiB; a candidate
        that needs more fails with ``MemoryError`` and the search goes on.
    checkpoint : str, Path or None, default=None
        File where the search history is saved (atomically) after every
        generation. A ``fit`` that finds a checkpoint made for the same data
        and settings resumes from it without re-evaluating its candidates.
    warm_start : bool, default=False
        When refitting an already fitted estimator on the same data, continue
        its search (with the new budget) instead of starting over.
    initial_pipelines : list or None, default=None
        Your own pipelines to put in the first generation next to autopipe's
        default starters: sklearn models, ``Pipeline`` chains ending in a
        model, or code strings as :meth:`export` writes them. Every step must
        be an operator of the search space (its searched hyperparameters are
        taken from the step); a leading ``ColumnTransformer`` is dropped, as
        autopipe adds its own featurization. A pipeline that does not fit the
        space is a ``ValueError`` naming it and the step.
    rescore_top : int, default=5
        Before the final choice, re-score this many of the best candidates on
        a second, differently shuffled set of folds (integer ``cv`` only), and
        rank them by their scores pooled over both sets, so that a candidate
        that was lucky on one split does not win by chance after many
        evaluations. It gets at most 10% of ``time_budget``; 0 turns it off.
        The leaderboard's ``check_score`` column shows the second score.
    device : {"auto", "cpu", "cuda"}, default="auto"
        Where the neural-network operators train: ``"auto"`` picks ``"cuda"``
        when ``torch.cuda.is_available()``, else the CPU. ``"cuda"`` without a
        usable GPU is a ``ValueError`` at ``fit``. Other operators ignore it.
    gpu_lanes : int, default=1
        How many network candidates train on the GPU at once; the other
        workers evaluate the remaining candidates on the CPU meanwhile.
    successive_halving : bool, default=True
        Score each batch of candidates on a subsample of the rows first and
        promote only the best third to three times more rows, up to all rows
        (successive halving). Used when the data has at least 3,000 rows
        (a lower rung has at least 1,000; at most two lower rungs, see
        :func:`autopipe.evaluate.halving_rungs`); the default pipelines of
        generation 0 always reach all rows. The leaderboard's ``fidelity``
        column shows the fraction of rows each score was measured on; only
        full-fidelity scores compete for the final model.
    tune_share : float, default=0.0
        Share of ``time_budget`` that goes to Bayesian tuning (Optuna) of the
        hyperparameters of the three best distinct pipeline structures,
        through the same workers, time limits and successive halving (a
        pruner stops weak trials on the lower rungs: fewer rows, or, for a
        network, 1/9 and 1/3 of its epochs on all rows). During the search,
        rounds of trials after each generation keep tuning at this share of
        the time so far, and the tuned pipelines join the strategy's
        population; the rest of the share is spent after the search. Without
        a time budget, 10 trials per structure after the search. 0 turns it
        off.
    tune_sampler : {"tpe", "gp"}, default="tpe"
        Optuna's sampler for tuning: tree-structured Parzen estimator or
        Gaussian process.
    tune_pruner : {"halving", "hyperband"}, default="halving"
        Optuna's pruner over the tuning rungs: successive halving (each rung
        keeps the best third) or Hyperband (several halving brackets of
        different aggressiveness).

    Attributes
    ----------
    fitted_pipeline_ : sklearn estimator
        The final estimator, fitted on all rows; ``predict`` uses it: an
        ensemble (``VotingClassifier``/``VotingRegressor`` or
        ``StackingClassifier``/``StackingRegressor`` of pipelines) or the best
        pipeline itself.
    best_pipeline_ : sklearn.pipeline.Pipeline
        The best single pipeline (rank 1 of the leaderboard's pipelines),
        fitted on all rows, whether or not an ensemble is used (when it cannot
        be refitted in time, the next that can; ``best_candidate_`` names it).
    tuning_report_ : dict or None
        With ``tune_share``: the structures tuned (``"structures"``), the
        trials (``"trials"``) and those a pruner stopped on a lower rung
        (``"pruned"``), rounds and seconds, how many trials beat the
        best score of their moment (``"improvements"``), and the best
        full-fidelity score when tuning began and at the end
        (``"best_before"``, ``"best_after"``); else None.
    n_splits_ : int
        Number of folds each full-fidelity candidate was scored on.
    fidelities_ : tuple of float
        The fractions of the rows candidates were scored on, lowest first
        (``(1.0,)`` without successive halving).
    data_report_ : DataFrame
        Findings of the data checks run before the search (columns
        ``check``, ``column``, ``action``, ``detail``): ID-like, constant and
        duplicate columns (dropped from the features), likely target leaks
        (kept, flagged) and class imbalance (noted). Also issued as one
        :class:`~autopipe.exceptions.DataQualityWarning`.
    ensemble_report_ : dict
        How the final model was chosen: ``kind``, ``used``, ``reason``,
        ``score`` (out-of-fold score of the ensemble), ``single_score``,
        ``checked_score`` and ``checked_single_score`` (selection: the scores
        on held-out rows that decide), ``members`` (name, pipeline, weight)
        and ``build_time`` in seconds.
    leaderboard_ : pandas.DataFrame
        One row per evaluated candidate, best first (see
        :func:`autopipe.report.make_leaderboard`).
    pareto_front_ : pandas.DataFrame
        The leaderboard rows not dominated in (score, complexity).
    history_ : SearchHistory
        Every evaluated candidate with its full result (fold scores,
        out-of-fold predictions).
    task_ : str
        The task that was solved.
    scorer_ : callable
        The scorer used for the search and by :meth:`score`.
    classes_ : ndarray
        Class labels (classification only).
    n_features_in_ : int
        Number of input features.
    feature_names_in_ : ndarray of str
        Input column names, when ``X`` had string column names.
    search_time_ : float
        Seconds spent searching; ``fit_time_`` is the whole fit.

    See Also
    --------
    AutoClassifier : The same search, for classification only.
    AutoRegressor : The same search, for regression only.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from autopipe import AutoEstimator
    >>> X, y = load_iris(return_X_y=True)
    >>> est = AutoEstimator(time_budget=None, generations=1, population_size=4,
    ...                     search_space="light", random_state=0).fit(X, y)
    >>> est.task_
    'classification'
    >>> est.score(X, y) > 0.9
    True
    """

    _parameter_constraints: dict[str, list[Any]] = {
        "task": [StrOptions({"auto", "classification", "regression"})],
        "scoring": [str, callable, None],
        "cv": [StrOptions({"auto"}), Interval(Integral, 2, None, closed="left"), HasMethods(["split", "get_n_splits"]),
               list],
        "time_budget": [Interval(Real, 0, None, closed="neither"), None],
        "generations": [Interval(Integral, 0, None, closed="left"), None],
        "population_size": [Interval(Integral, 1, None, closed="left")],
        "offspring_size": [Interval(Integral, 1, None, closed="left"), None],
        "mutation_rate": [Interval(Real, 0, 1, closed="both")],
        "crossover_rate": [Interval(Real, 0, 1, closed="both")],
        "search_space": [str, dict, SearchSpace],
        "strategy": [StrOptions(set(STRATEGIES)), HasMethods(["setup", "ask", "tell"])],
        "max_eval_time": [Interval(Real, 0, None, closed="neither"), None],
        "early_stop": [Interval(Integral, 1, None, closed="left"), None],
        "n_jobs": [Integral, None],
        "random_state": ["random_state", np.random.Generator],
        "verbose": ["verbose"],
        "memory": [str, Path, HasMethods(["cache"]), None],
        "memory_limit": [Interval(Real, 0, None, closed="neither"), None],
        "ensemble": [StrOptions({"selection", "stacking"}), None],
        "ensemble_size": [Interval(Integral, 1, None, closed="left")],
        "checkpoint": [str, Path, None],
        "warm_start": ["boolean"],
        "initial_pipelines": [list, None],
        "rescore_top": [Interval(Integral, 0, None, closed="left")],
        "device": [StrOptions({"auto", "cpu", "cuda"})],
        "gpu_lanes": [Interval(Integral, 1, None, closed="left")],
        "successive_halving": ["boolean"],
        "tune_share": [Interval(Real, 0, 0.9, closed="both")],
        "tune_sampler": [StrOptions({"tpe", "gp"})],
        "tune_pruner": [StrOptions({"halving", "hyperband"})],
    }

    def __init__(
        self,
        *,
        task: str = "auto",
        scoring: Any = None,
        cv: Any = "auto",
        time_budget: float | None = 60.0,
        generations: int | None = None,
        population_size: int = 20,
        offspring_size: int | None = None,
        mutation_rate: float = 0.9,
        crossover_rate: float = 0.1,
        search_space: Any = "default",
        strategy: Any = "bayesian",
        max_eval_time: float | None = None,
        early_stop: int | None = None,
        n_jobs: int | None = None,
        random_state: Any = None,
        verbose: int = 0,
        memory: Any = None,
        ensemble: str | None = "selection",
        ensemble_size: int = 50,
        memory_limit: float | None = None,
        checkpoint: str | Path | None = None,
        warm_start: bool = False,
        initial_pipelines: list[Any] | None = None,
        rescore_top: int = 5,
        device: str = "auto",
        gpu_lanes: int = 1,
        successive_halving: bool = True,
        tune_share: float = 0.0,
        tune_sampler: str = "tpe",
        tune_pruner: str = "halving",
    ) -> None:
        self.task = task
        self.scoring = scoring
        self.cv = cv
        self.time_budget = time_budget
        self.generations = generations
        self.population_size = population_size
        self.offspring_size = offspring_size
        self.mutation_rate = mutation_rate
        self.crossover_rate = crossover_rate
        self.search_space = search_space
        self.strategy = strategy
        self.max_eval_time = max_eval_time
        self.early_stop = early_stop
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose
        self.memory = memory
        self.ensemble = ensemble
        self.ensemble_size = ensemble_size
        self.memory_limit = memory_limit
        self.checkpoint = checkpoint
        self.warm_start = warm_start
        self.initial_pipelines = initial_pipelines
        self.rescore_top = rescore_top
        self.device = device
        self.gpu_lanes = gpu_lanes
        self.successive_halving = successive_halving
        self.tune_share = tune_share
        self.tune_sampler = tune_sampler
        self.tune_pruner = tune_pruner

    # ------------------------------------------------------------------ fit
    def fit(self, X: Any, y: Any, sample_weight: Any = None, groups: Any = None) -> AutoEstimator:
        """Search pipelines for ``X``, ``y`` and refit the best one on all rows.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, n_features)
            Training data. Tables may hold numbers, booleans, categories,
            dates, free text and missing values: a featurization step (see
            :func:`autopipe.data.make_featurizer`) is put in front of every
            candidate and fitted inside each fold.
        y : array-like of shape (n_samples,)
            Target: class labels or numbers.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative row weights. They are routed (through sklearn's
            metadata routing) to every pipeline step whose ``fit`` accepts
            ``sample_weight``, weight every fold score and the ensemble's
            out-of-fold score, and are used in the final refit. Models that
            cannot take weights are left out of the search space (logged).
        groups : array-like of shape (n_samples,), default=None
            Group labels: no group is on both sides of a fold. With an integer
            ``cv`` the folds come from ``StratifiedGroupKFold``
            (classification) or ``GroupKFold``; a splitter given as ``cv``
            receives ``groups`` in its ``split``.

        Returns
        -------
        self : AutoEstimator
            The fitted estimator.
        """
        deadline = Deadline(self.time_budget)
        self._check_params()
        X, y = self._validate_training_data(X, y)
        sample_weight = check_sample_weight(sample_weight, X.shape[0])
        groups = check_groups(groups, X.shape[0])
        with _verbosity(self.verbose):
            report = self._check_data(X, y)
            self.data_report_ = report.table
            featurizer, width, self._input_nonnegative = self._make_featurizer(X, y, drop=report.drop)
            self._prefix = () if featurizer is None else (featurizer,)
            space = build_space(self.search_space, self.task_, n_features=width)
            check_device(self.device, space)
            self.scorer_ = self._make_scorer()
            if sample_weight is not None:
                space = self._weighted_space(space)
            user_starters = self._user_starters(space)
            rng = make_rng(self.random_state)
            fingerprint = self._fingerprint(X, y, space, sample_weight, groups)
            history, seed = self._initial_history(fingerprint, default_seed=draw_seed(rng))
            self._seed = seed
            splits = self._make_splits(X, y, seed, groups)
            self.n_splits_ = len(splits)
            self.fidelities_ = halving_rungs(X.shape[0]) if self.successive_halving else (1.0,)
            evaluator = Evaluator(
                X, y, splits=splits, scorer=self.scorer_, is_classifier=self.task_ == "classification",
                n_jobs=self.n_jobs, max_eval_time=self._max_eval_time(),
                memory_limit_mb=self.memory_limit, random_state=seed,
                sample_weight=sample_weight, groups=groups,
                check_splits=self._check_splits(X, y, seed, groups), gpu_lanes=self.gpu_lanes,
                hooks=space.training_hooks,
            )
            with evaluator:
                state, schedule = self._search(
                    evaluator, space, rng, seed, deadline, history, fingerprint, user_starters
                )
                self.tuning_report_ = None
                if schedule is not None:
                    if not state.interrupted:
                        self._tune(schedule, evaluator, state, deadline)
                    self.tuning_report_ = schedule.report()
                state.history.clear_checks()
                if not state.interrupted:
                    self._rescore_best(evaluator, state.history, deadline, seed)
                self.search_time_ = deadline.elapsed()
                # One thread, as in the workers whose fold timings the refit plan relies on:
                # OpenMP and BLAS threads next to busy workers can make a refit several times slower.
                with threadpool_limits(limits=1):
                    self._finalize(X, y, state.history, deadline, seed, splits, evaluator, sample_weight)
        self.history_ = state.history
        self._fingerprint_ = fingerprint
        self.leaderboard_ = make_leaderboard(state.history, ensemble=self._ensemble_row())
        front = {e.genome.key for e in state.history.pareto_front()}
        self.pareto_front_ = self.leaderboard_[self.leaderboard_["pipeline"].isin(front)].reset_index(drop=True)
        self.stop_reason_ = state.stop_reason
        self._warn_about(state)
        self.fit_time_ = deadline.elapsed()
        return self

    def _check_params(self) -> None:
        check_params(self._parameter_constraints, self.get_params(deep=False), type(self).__name__)
        ends_by_itself = self.strategy == "grid" or isinstance(self.strategy, GridStrategy)
        if self.time_budget is None and self.generations is None and self.early_stop is None and not ends_by_itself:
            raise ValueError(
                f"{type(self).__name__}: time_budget, generations and early_stop are all None, so the "
                "search would never stop; set at least one of them."
            )
        if self.mutation_rate + self.crossover_rate > 1:
            raise ValueError(
                f"{type(self).__name__}: mutation_rate + crossover_rate must be at most 1, got "
                f"{self.mutation_rate} + {self.crossover_rate}."
            )

    def _validate_training_data(self, X: Any, y: Any) -> tuple[Any, np.ndarray]:
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None.")
        X = self._validate_X(X, reset=True)
        y = check_target(y, X.shape[0])
        if X.shape[0] < 2:
            raise ValueError(f"Found n_samples = {X.shape[0]}: at least 2 samples are required to search pipelines.")
        task = self._fixed_task() or (infer_task(y) if self.task == "auto" else self.task)
        self.task_ = task
        # local import: this function's body is the only part of the module edited for it
        from .data._target import check_cv_rows, check_regression_target

        if task == "classification":
            self.classes_ = check_classes(y)
        else:
            y = check_regression_target(y)
        check_cv_rows(y, task=task, cv=self._n_folds(len(y)), scoring=self.scoring)
        return X, y

    def _validate_X(self, X: Any, *, reset: bool) -> Any:
        """Check ``X``; DataFrames (and object arrays) stay tables, the rest becomes a dense array.

        Tables: column names that mix strings and other labels become strings
        at fit time; at predict time, non-string names become strings when the
        training names were all strings. Duplicated names (also after that
        conversion) are a ``ValueError`` naming them. At fit time (``reset=True``) the columns of a DataFrame
        are remembered in ``_train_columns``, whatever their label type (ints
        too, which sklearn does not record as ``feature_names_in_``).

        At predict time a DataFrame's columns are matched to the training
        columns by label (see :meth:`_align_columns`), so a shuffled column
        order gives the same predictions. An array, sparse matrix or object
        array given to an estimator fitted on a DataFrame is read by position
        as the training columns, after sklearn's feature-count check (a wrong
        count is a ``ValueError`` naming the expected count).

        Infinity: numeric arrays and sparse matrices holding inf are rejected
        by sklearn's check ("Input X contains infinity ..."); tables are
        featurized, and the featurizer's ``ToNumeric`` step turns inf into a
        missing value that is imputed like NaN.
        """
        from_table = isinstance(X, pd.DataFrame)
        if isinstance(X, np.ndarray) and X.dtype == object and X.ndim == 2:
            X = pd.DataFrame(X)
        if not isinstance(X, pd.DataFrame):
            # lil, dok, dia and bsr matrices become csr first: sklearn's finiteness check reads
            # ``X.data``, which for lil and dok does not hold the values, so inf would slip through.
            sparse_formats = ["csr", "csc", "coo"]
            X = validate_data(self, X, accept_sparse=sparse_formats, ensure_all_finite="allow-nan", reset=reset)
            X = _densify(X)
        else:
            if X.shape[0] == 0 or X.shape[1] == 0:
                raise ValueError(f"X has shape {X.shape}: found 0 samples or 0 features; a non-empty table is required.")
            names = list(X.columns)
            train = getattr(self, "_train_columns", None) if not reset and from_table else None
            if train is None:  # fit, or no training table: mixed names become strings
                converted = len({isinstance(c, str) for c in names}) > 1
            else:  # predict: labels take the type of the training labels, to be matched by label
                converted = all(isinstance(c, str) for c in train) and not all(isinstance(c, str) for c in names)
            if converted:
                X = X.set_axis([str(c) for c in names], axis=1)
            if not X.columns.is_unique:
                duplicated = list(dict.fromkeys(X.columns[X.columns.duplicated()]))
                note = " (after converting the column names to strings)" if converted else ""
                raise ValueError(f"X has duplicated column names {duplicated}{note}; rename them to be unique.")
            if not reset and from_table:
                X = self._align_columns(X)
            validate_data(self, X, skip_check_array=True, reset=reset)
        if reset:
            self._train_columns = list(X.columns) if from_table else None
        elif not from_table and getattr(self, "_train_columns", None) is not None:
            X = X if isinstance(X, pd.DataFrame) else pd.DataFrame(X)
            X = X.set_axis(self._train_columns, axis=1)
        return X

    def _align_columns(self, X: pd.DataFrame) -> pd.DataFrame:
        """``X`` with the training DataFrame's columns, in training order, matched by label.

        Extra columns are dropped. Missing columns are added as all-missing
        (NaN) with a ``UserWarning``; the featurizer imputes them, but a
        pipeline fitted without one (on a complete numeric table) may then
        raise sklearn's "Input X contains NaN". A table that has none of the
        training columns is a ``ValueError`` naming the expected columns.
        """
        expected = getattr(self, "_train_columns", None)
        if expected is None or list(X.columns) == expected:
            return X
        present = set(X.columns)
        missing = [c for c in expected if c not in present]
        if len(missing) == len(expected):
            raise ValueError(
                f"X has none of the {len(expected)} columns seen in fit (expected e.g. {expected[:10]}, "
                f"got {list(X.columns)[:10]}); pass a table with the training column names."
            )
        if missing:
            warnings.warn(
                f"{len(missing)} training column(s) missing from X were filled with missing values: "
                f"{missing[:10]}",
                UserWarning,
                stacklevel=5,
            )
        return X.reindex(columns=expected)

    def _check_data(self, X: Any, y: np.ndarray) -> DataReport:
        """Guardrails: what :func:`autopipe.data.check_data` finds, warned about once."""
        seed = self.random_state if isinstance(self.random_state, Integral) else 0
        limit = None if self.time_budget is None else max(0.2, 0.02 * self.time_budget)
        report = check_data(X, y, task=self.task_, scoring=self.scoring, random_state=seed, time_limit=limit)
        table = report.table
        if len(table):
            lines = "\n".join(
                f"  {row.check}{'' if row.column is None else f' {row.column!r}'}: {row.action} ({row.detail})"
                for row in table.itertuples()
            )
            warnings.warn(f"Data checks (see data_report_):\n{lines}", DataQualityWarning, stacklevel=4)
        return report

    def _make_featurizer(self, X: Any, y: np.ndarray, drop: Any = ()) -> tuple[Any, int, bool]:
        """The featurization step every candidate starts with (or None), its output width, and its sign.

        The sign (no negative values) is judged on the first 2000 rows when
        there is a featurization: a negative value it misses only costs the
        failed evaluations the check would have saved.
        """
        featurizer = make_featurizer(X, drop=drop)
        if featurizer is None:
            return None, X.shape[1], _nonnegative(X)
        sample = X.iloc[:2000] if hasattr(X, "iloc") else X[:2000]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            features = clone(featurizer).fit_transform(sample, y[:2000])
        return featurizer, features.shape[1], _nonnegative(features)

    def _fixed_task(self) -> str | None:
        return None

    def _make_scorer(self) -> Any:
        if self.scoring is None:
            return get_scorer("accuracy" if self.task_ == "classification" else "r2")
        if isinstance(self.scoring, str):
            if self.scoring not in get_scorer_names():
                import difflib

                close = difflib.get_close_matches(self.scoring, get_scorer_names(), n=3)
                hint = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
                raise ValueError(
                    f"The 'scoring' parameter of {type(self).__name__} must be a scorer name from "
                    f"sklearn.metrics.get_scorer_names() or a callable; got {self.scoring!r}.{hint}"
                )
            return get_scorer(self.scoring)
        return self.scoring

    def _weighted_space(self, space: SearchSpace) -> SearchSpace:
        """The space without models that cannot take ``sample_weight``; the scorer must take weights."""
        if not scorer_takes_sample_weight(self.scorer_):
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

    def _make_splits(
        self, X: Any, y: np.ndarray, seed: int, groups: np.ndarray | None = None
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        if groups is not None:
            return self._group_splits(X, y, seed, groups)
        is_clf = self.task_ == "classification"
        folds = self._n_folds(X.shape[0])
        if folds is not None:
            n_splits = min(folds, X.shape[0])
            if is_clf:
                smallest = int(np.unique(y, return_counts=True)[1].min())
                if smallest >= 2:
                    splitter: Any = StratifiedKFold(min(n_splits, smallest), shuffle=True, random_state=seed)
                else:
                    splitter = KFold(n_splits, shuffle=True, random_state=seed)
            else:
                splitter = KFold(n_splits, shuffle=True, random_state=seed)
        else:
            splitter = check_cv(self.cv, y, classifier=is_clf)
        return [(np.asarray(tr), np.asarray(te)) for tr, te in splitter.split(X, y)]

    def _group_splits(
        self, X: Any, y: np.ndarray, seed: int, groups: np.ndarray
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Folds that keep every group on one side."""
        n_groups = len(pd.unique(groups))
        folds = self._n_folds(X.shape[0])
        if folds is not None:
            n_splits = min(folds, n_groups)
            splitter: Any = GroupKFold(n_splits, shuffle=True, random_state=seed)
            if self.task_ == "classification":
                smallest = int(np.unique(y, return_counts=True)[1].min())
                if smallest >= n_splits:
                    splitter = StratifiedGroupKFold(n_splits, shuffle=True, random_state=seed)
        else:
            splitter = check_cv(self.cv, y, classifier=self.task_ == "classification")
        splits = [(np.asarray(tr), np.asarray(te)) for tr, te in splitter.split(X, y, groups)]
        for train, test in splits:
            if np.intersect1d(groups[train], groups[test]).size:
                raise ValueError(
                    f"The cv splitter {splitter!r} put a group on both sides of a fold although groups were "
                    "given; use a group-aware splitter such as GroupKFold."
                )
        return splits

    def _check_splits(
        self, X: Any, y: np.ndarray, seed: int, groups: np.ndarray | None
    ) -> list[tuple[np.ndarray, np.ndarray]] | None:
        """A second set of folds, shuffled with another seed, for re-scoring the best candidates."""
        if not self.rescore_top or self._n_folds(X.shape[0]) is None:
            return None
        return self._make_splits(X, y, seed + 1, groups)

    def _rescore_reserve(self, history: SearchHistory, evaluator: Evaluator) -> float:
        """Seconds to keep for re-scoring the best candidates (at most 10% of the budget)."""
        if evaluator.payload.check_splits is None:
            return 0.0
        top = [e for e in history.ranked() if e.result.ok][: self.rescore_top]
        need = 0.5 + sum(_cv_cost(e, evaluator.n_workers) for e in top)
        return need if not self.time_budget else min(need, 0.1 * self.time_budget)

    def _rescore_best(self, evaluator: Evaluator, history: SearchHistory, deadline: Deadline, seed: int) -> None:
        """Re-score the best candidates on the check folds, so that the final choice pools both scores.

        Only the candidates whose measured cross-validation time fits are
        re-scored; if one is cut off by the deadline, no check is kept, as a
        partial check would demote the candidates it missed.
        """
        if evaluator.payload.check_splits is None:
            return
        # Re-scoring may borrow from the ensemble's share of the final reserve
        # (the ensemble adapts its members to the time left), not from the refit's.
        end = deadline.sooner(_refit_reserve(history, self.time_budget, members=1, factor=1.0, cap=0.4))
        limit = end.remaining() if not self.time_budget else min(end.remaining(), 0.1 * self.time_budget)
        chosen, spent = [], 0.0
        for entry in [e for e in history.ranked() if e.result.ok][: self.rescore_top]:
            cost = _cv_cost(entry, evaluator.n_workers)
            if spent + cost > limit:
                break
            chosen.append(entry)
            spent += cost
        if len(chosen) < 2:
            logger.info("re-scoring skipped: fewer than 2 of the best candidates fit in the time left")
            return
        candidates = [(e.genome.key, self._compile(e.genome, seed)) for e in chosen]
        results = evaluator.evaluate(candidates, deadline=end, check=True)
        if any(r is None or "search deadline" in r.error for r in results):
            logger.info("re-scoring cut off by the deadline; keeping the search's ranking")
            return
        for entry, result in zip(chosen, results):
            history.add_check(entry.genome.key, result)

    def _n_folds(self, n_rows: int) -> int | None:
        """The integer number of folds ``cv`` asks for (``"auto"`` resolved), or None for a splitter."""
        if isinstance(self.cv, str):
            return choose_folds(n_rows, self.time_budget)
        if isinstance(self.cv, Integral):
            return int(self.cv)
        return None

    def _max_eval_time(self) -> float | None:
        if self.max_eval_time is not None:
            return float(self.max_eval_time)
        return None if self.time_budget is None else max(1.0, self.time_budget / 5)

    def _make_strategy(self) -> Any:
        if isinstance(self.strategy, str):
            cls = STRATEGIES[self.strategy]
            if cls is EvolutionStrategy:
                return EvolutionStrategy(
                    population_size=self.population_size,
                    offspring_size=self.offspring_size,
                    mutation_rate=self.mutation_rate,
                    crossover_rate=self.crossover_rate,
                    surrogate=self.strategy == "surrogate-evolution",
                )
            return cls()
        return clone(self.strategy) if isinstance(self.strategy, BaseEstimator) else self.strategy

    def _fingerprint(
        self, X: Any, y: np.ndarray, space: SearchSpace, sample_weight: np.ndarray | None = None,
        groups: np.ndarray | None = None,
    ) -> str:
        """Identifies the data and settings a search history belongs to (not the random seed)."""
        import joblib

        folds = self._n_folds(X.shape[0])
        cv = folds if folds is not None else repr(self.cv)
        extra = () if sample_weight is None and groups is None else (sample_weight, groups)
        return joblib.hash((X, y, self.task_, self._scorer_name(), cv, space.fingerprint(), self._prefix, *extra))

    def _initial_history(self, fingerprint: str, *, default_seed: int) -> tuple[SearchHistory, int]:
        """The history to continue (``warm_start``, ``checkpoint``) and its seed, or a fresh start.

        A continued search reuses the seed it started with, so that its folds
        and operator seeds are the same even when ``random_state`` is None.
        """
        if self.warm_start and getattr(self, "_fingerprint_", None) == fingerprint:
            return self.history_.copy(), self._seed
        if self.checkpoint is not None:
            saved = load_checkpoint(self.checkpoint, fingerprint)
            if saved is not None:
                return saved
        return SearchHistory(), default_seed

    def _search(
        self, evaluator: Evaluator, space: SearchSpace, rng: np.random.Generator, seed: int,
        deadline: Deadline, history: SearchHistory, fingerprint: str, user_starters: list[Genome],
    ) -> tuple[SearchState, TuningSchedule | None]:
        starters = user_starters + [
            Genome.from_steps(space, s) for s in _STARTERS[self.task_] if all(n in space for n in s)
        ]
        context = SearchContext(space, np.random.default_rng(draw_seed(rng)), history, initial=starters)
        promote = {g.key for g in starters}  # the strong defaults always reach the full data
        defaults = starters[len(user_starters):]
        self._fallback_genome = defaults[0] if defaults else (starters[0] if starters else None)
        generation = 1 + max((e.generation for e in history), default=-1)
        state = SearchState(history, deadline, self.time_budget, generation=generation, first_generation=generation)
        schedule = self._tuning_schedule(evaluator, state, seed) if self.tune_share else None

        def evaluate(genomes: Any, on_result: Any) -> list[Any]:
            keep = self._final_reserve(history) + self._rescore_reserve(history, evaluator) \
                + self._tune_reserve(history, schedule)
            state.deadline = deadline.sooner(keep)
            if state.deadline.expired():
                return [None] * len(genomes)
            results: list[Any] = [None] * len(genomes)
            todo = []
            for i, genome in enumerate(genomes):
                conflict = genome.sign_conflict(self._input_nonnegative)
                if conflict is None:
                    todo.append(i)
                else:  # it would only fail: recorded as failed, never fitted
                    results[i] = EvaluationResult.failed(genome.key, Status.ERROR, f"{_NOT_EVALUATED}{conflict}")
                    on_result(i, results[i])
            candidates = [(genomes[i].key, self._compile(genomes[i], seed)) for i in todo]

            def record(j: int, result: Any) -> None:
                on_result(todo[j], result)

            if len(self.fidelities_) > 1:
                done = successive_halving(evaluator, candidates, self.fidelities_, deadline=state.deadline,
                                          on_result=record, promote=promote)
            else:
                done = evaluator.evaluate(candidates, deadline=state.deadline, on_result=record)
            for i, result in zip(todo, done):
                results[i] = result
            return results

        strategy = self._make_strategy()
        callbacks: list[SearchCallback] = []
        if schedule is not None and self.time_budget:
            callbacks.append(TuneDuringSearch(schedule, strategy, self.tune_share))
        if self.early_stop is not None:
            callbacks.append(EarlyStopping(self.early_stop))
        if self.checkpoint is not None:
            callbacks.append(CheckpointCallback(self.checkpoint, fingerprint, seed))
        if self.verbose >= 1:
            callbacks.append(ProgressCallback(self.generations))
        state = run_search(
            strategy, context, evaluate, state,
            population_size=self.population_size,
            offspring_size=self.offspring_size or self.population_size,
            generations=self.generations, callbacks=callbacks,
        )
        return state, schedule

    def _tune_reserve(self, history: SearchHistory, schedule: TuningSchedule | None) -> float:
        """Seconds the search leaves for tuning after it: the share of the budget not yet spent tuning.

        None until a candidate succeeded (there is nothing to tune before).
        """
        if schedule is None or not self.time_budget or history.best() is None:
            return 0.0
        return max(0.0, self.tune_share * self.time_budget - schedule.seconds_)

    def _tuning_schedule(self, evaluator: Evaluator, state: SearchState, seed: int) -> TuningSchedule:
        """Optuna studies over the best structures, whose trials go through the evaluator into the history."""
        history = state.history

        def evaluate(genomes: Any, fidelities: Any, deadline: Deadline) -> list[Any]:
            results: list[Any] = [None] * len(genomes)
            todo = []
            for i, (genome, fidelity) in enumerate(zip(genomes, fidelities)):
                seen = history.get(genome.key, fidelity)
                if seen is not None:
                    results[i] = seen.result
                else:
                    todo.append(i)

            def on_result(j: int, result: Any) -> None:
                history.add(genomes[todo[j]], result, state.generation, deadline.elapsed())

            candidates = [(genomes[i].key, self._compile(genomes[i], seed)) for i in todo]
            for i, result in zip(todo, evaluator.evaluate(candidates, deadline=deadline,
                                                          fidelity=[fidelities[i] for i in todo],
                                                          on_result=on_result)):
                results[i] = result
            return results

        return TuningSchedule(history, evaluate, rungs=self.fidelities_,
                              budget_rungs=_TUNE_BUDGET_RUNGS if self.successive_halving else (1.0,),
                              batch_size=evaluator.n_workers, sampler=self.tune_sampler, pruner=self.tune_pruner,
                              structures=_TUNE_STRUCTURES, seed=seed)

    def _tune(self, schedule: TuningSchedule, evaluator: Evaluator, state: SearchState, deadline: Deadline) -> None:
        """The tuning round after the search: the rest of the tuning share (``_TUNE_TRIALS`` per structure
        without a time budget), its trials recorded as one more generation."""
        end = deadline.sooner(self._final_reserve(state.history) + self._rescore_reserve(state.history, evaluator))
        state.generation += 1
        schedule.run(end, trials_per_structure=None if self.time_budget else _TUNE_TRIALS)
        logger.info("tuning: %d trials in %d rounds, %d improvements, best score %.4f -> %.4f",
                    schedule.trials_, schedule.rounds_, schedule.improvements_, schedule.best_before_,
                    state.history.best_score())

    def _user_starters(self, space: SearchSpace) -> list[Genome]:
        genomes = []
        for i, pipeline in enumerate(self.initial_pipelines or []):
            try:
                genomes.append(genome_from_sklearn(space, pipeline))
            except (ValueError, TypeError) as exc:
                raise type(exc)(f"initial_pipelines[{i}] does not fit the search space: {exc}") from exc
        return genomes

    def _final_reserve(self, history: SearchHistory) -> float:
        """Seconds the search leaves for building the final model."""
        if self.ensemble is None:
            return _refit_reserve(history, self.time_budget, members=1, factor=1.0, cap=0.4)
        factor = 1.0 if self.ensemble == "selection" else 1.0 + _n_folds(history)
        return max(
            _refit_reserve(history, self.time_budget, members=1, factor=1.0, cap=0.4),
            _refit_reserve(history, self.time_budget, members=5, factor=factor, cap=_BUILD_SHARE),
        )

    def _finalize(
        self, X: Any, y: np.ndarray, history: SearchHistory, deadline: Deadline, seed: int, splits: list[Any],
        evaluator: Evaluator, sample_weight: np.ndarray | None = None,
    ) -> None:
        """Set ``fitted_pipeline_``, ``best_pipeline_`` and ``ensemble_report_``."""
        start = deadline.elapsed()
        if not any(e.result.ok for e in history):
            self._fit_unevaluated(X, y, history, seed, sample_weight)
            self.ensemble_report_ = {"kind": self.ensemble, "used": False, "members": [],
                                     "reason": "not used: no candidate finished within the time budget",
                                     "build_time": deadline.elapsed() - start}
            return
        report: dict[str, Any] = {"kind": self.ensemble, "used": False, "reason": "ensemble=None"}
        # The ensemble (choice and fits) gets at most _BUILD_SHARE of the budget, however much is left.
        build = deadline.sooner(0.0)
        if self.time_budget:
            build.at = min(build.at, time.monotonic() + _BUILD_SHARE * self.time_budget)
        if self.ensemble is not None:
            report.update(self._plan_ensemble(y, history, build, splits, seed, evaluator.n_workers, sample_weight))
        # The best single pipeline first, in this process, as planned by the search's
        # reserve; then the other members in the workers, in the ensemble's share.
        single = self._refit(X, y, history, deadline, seed, sample_weight)  # sets best_candidate_
        ensemble = None
        if report["used"]:
            ensemble = self._fit_ensemble(X, y, report, single, seed, splits, deadline, build, evaluator)
        # the report names the members by pipeline string, not by history entry
        report["members"] = [(name, entry.genome.key, w) for name, entry, w in report.pop("entries", [])]
        self.best_pipeline_ = single
        self.fitted_pipeline_ = single if ensemble is None else ensemble
        report["build_time"] = deadline.elapsed() - start
        self.ensemble_report_ = report

    def _fit_unevaluated(
        self, X: Any, y: np.ndarray, history: SearchHistory, seed: int, sample_weight: np.ndarray | None
    ) -> None:
        """No candidate succeeded: raise, unless the budget merely ended first; then fit the cheapest default.

        When every candidate was cut off by the search deadline (a budget of
        a few seconds on a busy machine can end before the workers have
        started), the first default pipeline (a scaled linear model) is fitted
        on all rows unevaluated, with a :class:`TimeBudgetWarning`, rather
        than leaving the user with nothing.
        """
        cut = all("search deadline" in e.result.error for e in history)
        fallback = self._fallback_genome
        if not cut or fallback is None:
            raise AllCandidatesFailedError(_all_failed_message(history))
        pipeline = self._compile(fallback, seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit_weighted(pipeline, X, y, sample_weight)
        warnings.warn(
            f"No candidate pipeline finished within time_budget={self.time_budget} s (starting the workers and "
            f"the first evaluations took it all); {fallback.key} was fitted on all rows without being "
            "evaluated. Give a larger time_budget for a search.",
            TimeBudgetWarning, stacklevel=4,
        )
        self.best_candidate_ = fallback.key
        self.best_pipeline_ = self.fitted_pipeline_ = pipeline

    def _fit_ensemble(
        self, X: Any, y: np.ndarray, report: dict[str, Any], single: Any, seed: int,
        splits: list[Any], deadline: Deadline, build: Deadline, evaluator: Evaluator,
    ) -> Any:
        """Fit the planned ensemble's members in the workers, in parallel, within its share of the budget.

        ``single`` is the fitted best single pipeline (``best_candidate_``);
        when it is a member it is used as it is. A fit still running at the
        end of ``build`` (the ensemble's share), or of ``deadline`` plus a
        small slack, is stopped: the ensemble is then not used, and ``report``
        says why. Returns the fitted ensemble, or None.
        """
        is_clf = self.task_ == "classification"
        entries = report["entries"]
        members = [(name, self._compile(entry.genome, seed)) for name, entry, _ in entries]
        jobs: list[tuple[str, Any]]
        if self.ensemble == "selection":
            jobs = [(entry.genome.key, est) for (_, entry, _), (_, est) in zip(entries, members)
                    if entry.genome.key != self.best_candidate_]
        else:
            jobs = [("stacking", make_stacking(members, splits, is_classifier=is_clf))]
        limit = None if math.isinf(build.at) else max(0.5, build.remaining())
        results = evaluator.fit(jobs, deadline=deadline.sooner(-self._refit_slack()), timeouts=[limit] * len(jobs))
        fitted = dict(zip([key for key, _ in jobs], results))
        failed = [f"{key} ({error})" for key, (est, error) in fitted.items() if est is None]
        if failed:
            report.update(used=False, reason=f"not used: refitting on all rows failed for {'; '.join(failed)}")
            return None
        if self.ensemble == "stacking":
            return fitted["stacking"][0]
        fitted[self.best_candidate_] = (single, "")
        done = [fitted[entry.genome.key][0] for _, entry, _ in entries]
        weights = [w for _, _, w in entries]
        return assemble_voting(members, done, weights, X, y, is_classifier=is_clf)

    def _plan_ensemble(
        self, y: np.ndarray, history: SearchHistory, deadline: Deadline, splits: list[Any], seed: int,
        n_workers: int, sample_weight: np.ndarray | None = None,
    ) -> dict[str, Any]:
        """Choose members from recorded out-of-fold predictions; decide whether the ensemble wins.

        Selection is decided on rows it did not choose on (:func:`cross_check`):
        its out-of-fold score on the rows it was selected on flatters it.
        """
        is_clf = self.task_ == "classification"
        kind = "proba" if is_clf else "predict"
        ranked = [e for e in history.ranked() if e.result.ok]
        usable = [
            e for e in ranked
            if e.result.oof is not None and e.result.oof_kind == kind and np.isfinite(e.result.oof).all()
        ][:20]
        factor = 1.0 if self.ensemble == "selection" else 1.0 + len(splits)
        lanes = 1 if self.ensemble == "stacking" else n_workers
        affordable, spent = [], 0.0
        for entry in usable:
            cost = _refit_estimate(entry) * factor
            if cost <= 0.8 * deadline.remaining() and spent + cost <= 0.8 * deadline.remaining() * lanes:
                affordable.append(entry)
                spent += cost
        if len(affordable) < 2:
            return {"used": False, "reason": "not used: fewer than 2 candidates with out-of-fold "
                    f"{'probabilities' if is_clf else 'predictions'} fit in the time left"}
        classes = self.classes_ if is_clf else None
        rows = _selection_rows(len(y), seed)
        oofs = [e.result.oof[rows] for e in affordable]

        def make_score(subset: np.ndarray) -> Any:
            return oof_scorer(self.scorer_, y[rows][subset], classes,
                              None if sample_weight is None else sample_weight[rows][subset],
                              name=self._scorer_name())

        score = make_score(np.arange(len(rows)))
        single = score(oofs[0]) if affordable[0] is ranked[0] else ranked[0].result.score
        plan: dict[str, Any] = {"single_score": single}
        if self.ensemble == "selection":
            selection = select_ensemble(oofs, score, rounds=self.ensemble_size, patience=_PATIENCE)
            weights, plan["score"] = selection.weights, selection.score
            check = cross_check(oofs, make_score, _halves(splits, rows), rounds=self.ensemble_size,
                                patience=_PATIENCE)
            honest, honest_single = check.ensemble_score, check.single_score
            plan.update(checked_score=honest, checked_single_score=honest_single)
        else:
            weights = np.ones(len(oofs), dtype=int)
            w = None if sample_weight is None else sample_weight[rows]
            sub_splits = _restrict_splits(splits, rows)
            plan["score"] = honest = stacking_oof_score(oofs, y[rows], self.scorer_, sub_splits, classes, w)
            honest_single = single  # the meta-learner's score is cross-validated already
        chosen = [(e, int(w)) for e, w in zip(affordable, weights) if w > 0]
        plan["entries"] = [(f"m{i}", e, w) for i, (e, w) in enumerate(chosen)]
        if len(chosen) < 2:
            return {**plan, "used": False, "reason": "not used: selection kept a single pipeline"}
        wins = honest > honest_single + 1e-12
        verdict = "used" if wins else "not used"
        relation = "beats" if wins else "does not beat"
        where = "on rows held out from the selection" if self.ensemble == "selection" else "out of fold"
        return {**plan, "used": wins, "reason": f"{verdict}: {where}, its score {honest:.4f} {relation} "
                f"the best single pipeline's {honest_single:.4f}"}

    def _ensemble_row(self) -> dict[str, Any] | None:
        report = self.ensemble_report_
        if not report["members"]:
            return None
        parts = ", ".join(f"{w} x {key}" for _, key, w in report["members"])
        return {"pipeline": f"{report['kind'].capitalize()}Ensemble({parts})", "score": report["score"],
                "status": "ensemble", "error": "", "note": report["reason"], "used": report["used"]}

    def _refit(
        self, X: Any, y: np.ndarray, history: SearchHistory, deadline: Deadline, seed: int,
        sample_weight: np.ndarray | None = None,
    ) -> Any:
        """Fit the best candidate on all rows, in this process, within the time left.

        A candidate is tried only when its measured per-fold fit time, scaled
        to all rows, fits in the time left plus a slack of 5% of the budget
        (at most 10 s); the fastest good candidate is the last resort. When no
        candidate reached all rows (successive halving cut short), those
        scored on the most rows compete.
        """
        ranked = [e for e in history.ranked() if e.result.ok]
        if not ranked:
            ok = [e for e in history.ranked(fidelity=None) if e.result.ok]
            top = max((e.result.fidelity for e in ok), default=None)
            ranked = [e for e in ok if e.result.fidelity == top]
            logger.info("no candidate was scored on all rows; choosing among those scored on %s of them", top)
        if not ranked:
            raise AllCandidatesFailedError(_all_failed_message(history))
        fastest = min(ranked[:20], key=lambda e: e.result.fit_time)
        # A small overrun beats falling back to a much weaker pipeline: the time
        # reserve is planned from the first results and can fall short by seconds.
        slack = self._refit_slack()
        last_error = ""
        for entry in [*ranked[:3], fastest]:
            estimate = _refit_estimate(entry)
            if entry is not fastest and estimate > deadline.remaining() + slack:
                logger.info("skipping refit of %s: needs about %.1f s", entry.genome.key, estimate)
                continue
            pipeline = self._compile(entry.genome, seed)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fit_weighted(pipeline, X, y, sample_weight)
            except Exception as exc:  # noqa: BLE001  (a failed refit falls back to the next candidate)
                last_error = f"{type(exc).__name__}: {exc}"
                logger.info("refit of %s failed (%s); trying the next candidate", entry.genome.key, last_error)
                continue
            self.best_candidate_ = entry.genome.key
            return pipeline
        raise AllCandidatesFailedError(f"no candidate could be refitted on all rows: {last_error}")

    def _refit_slack(self) -> float:
        """Seconds a final fit may run past the budget (5% of it, at most 10 s)."""
        return 0.0 if self.time_budget is None else min(0.05 * self.time_budget, 10.0)

    def _compile(self, genome: Genome, seed: int) -> Any:
        pipeline = compile_genome(genome, random_state=seed, memory=self.memory, prefix=self._prefix)
        # the registry builds networks with device="auto"; only another choice needs setting
        return pipeline if self.device == "auto" else set_device(pipeline, self.device)

    def _warn_about(self, state: SearchState) -> None:
        failures = summarize_failures(
            [e.result for e in state.history
             if "search deadline" not in e.result.error and not e.result.error.startswith(_NOT_EVALUATED)]
        )
        if failures:
            lines = "\n".join(f"  {n} x {err}" for err, n in failures.items())
            warnings.warn(
                f"{sum(failures.values())} of {len(state.history)} candidate pipelines failed "
                f"(see leaderboard_['error']):\n{lines}",
                CandidateFailureWarning,
                stacklevel=3,
            )
        if state.interrupted:
            warnings.warn(
                "The search was interrupted; the best pipeline found so far was refitted.",
                SearchInterruptedWarning,
                stacklevel=3,
            )

    # -------------------------------------------------------------- predict
    def _check_X(self, X: Any) -> Any:
        check_is_fitted(self)
        return self._validate_X(X, reset=False)

    def predict(self, X: Any) -> np.ndarray:
        """Predict with the fitted pipeline.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to predict.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels or values.
        """
        X = self._check_X(X)
        return self.fitted_pipeline_.predict(X)

    def _pipeline_has(name: str) -> Any:  # noqa: N805  (used as a decorator factory)
        def check(self: AutoEstimator) -> bool:
            check_is_fitted(self)
            if not hasattr(self.fitted_pipeline_, name):
                raise AttributeError(
                    f"The selected pipeline ({self.best_candidate_}) has no {name}; restrict "
                    "search_space to models that provide it."
                )
            return True

        return check

    @available_if(_pipeline_has("predict_proba"))
    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities from the fitted pipeline (when its model has them).

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        X = self._check_X(X)
        return self.fitted_pipeline_.predict_proba(X)

    @available_if(_pipeline_has("decision_function"))
    def decision_function(self, X: Any) -> np.ndarray:
        """Decision values from the fitted pipeline (when its model has them)."""
        X = self._check_X(X)
        return self.fitted_pipeline_.decision_function(X)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Score on ``X``, ``y`` with the search's scorer (``scoring``).

        Returns
        -------
        score : float
            Greater is better.
        """
        X = self._check_X(X)
        return call_scorer(self.scorer_, self.fitted_pipeline_, X, y, sample_weight)

    # ---------------------------------------------------------------- plots
    def plot_history(self, *, x: str = "elapsed", ax: Any = None) -> Any:
        """Plot the best and the median cross-validated score over the search.

        Parameters
        ----------
        x : {"elapsed", "generation"}, default="elapsed"
            Horizontal axis: seconds since the search started, or generation.
        ax : matplotlib.axes.Axes, optional
            Axes to draw on; a new figure is created when None.

        Returns
        -------
        ax : matplotlib.axes.Axes
            The Axes drawn on.

        See Also
        --------
        autopipe.report.plot_history : The same plot for any leaderboard.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import load_iris
        >>> from autopipe import AutoClassifier
        >>> X, y = load_iris(return_X_y=True)
        >>> clf = AutoClassifier(time_budget=None, generations=1, population_size=4,
        ...                      search_space="light", random_state=0).fit(X, y)
        >>> ax = clf.plot_history(x="generation")
        >>> ax.get_xlabel()
        'generation'
        """
        check_is_fitted(self)
        return _plot_history(self.leaderboard_, x=x, ax=ax)

    def plot_pareto(self, *, ax: Any = None) -> Any:
        """Plot score against complexity of every candidate, with the Pareto front.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on; a new figure is created when None.

        Returns
        -------
        ax : matplotlib.axes.Axes
            The Axes drawn on.

        See Also
        --------
        autopipe.report.plot_pareto : The same plot for any leaderboard.
        """
        check_is_fitted(self)
        return _plot_pareto(self.leaderboard_, self.pareto_front_, ax=ax)

    def explain(
        self, X: Any, y: Any, *, n_repeats: int = 5, random_state: Any = None, plot: bool = False
    ) -> pd.DataFrame:
        """Permutation importance of each input column for the fitted pipeline.

        Each column of ``X`` is shuffled ``n_repeats`` times and the drop in
        the search's score (``scorer_``) is recorded; use held-out rows.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Rows to permute, with the training columns.
        y : array-like of shape (n_samples,)
            Targets of ``X``.
        n_repeats : int, default=5
            Shuffles per column.
        random_state : int, RandomState instance or None, default=None
            Seed of the shuffles.
        plot : bool, default=False
            Also draw a bar chart of the importances (needs matplotlib).

        Returns
        -------
        importances : pandas.DataFrame
            Columns ``feature``, ``importance_mean``, ``importance_std``, one
            row per input column, most important first.

        See Also
        --------
        autopipe.report.permutation_importances : The same for any fitted estimator.

        Examples
        --------
        >>> from sklearn.datasets import load_iris
        >>> from autopipe import AutoClassifier
        >>> X, y = load_iris(return_X_y=True, as_frame=True)
        >>> clf = AutoClassifier(time_budget=None, generations=1, population_size=4,
        ...                      search_space="light", random_state=0).fit(X, y)
        >>> list(clf.explain(X, y, random_state=0).columns)
        ['feature', 'importance_mean', 'importance_std']
        """
        check_is_fitted(self)
        importances = _permutation_importances(
            self, X, y, scoring=self.scorer_, n_repeats=n_repeats, random_state=random_state
        )
        if plot:
            _plot_importances(importances)
        return importances

    # --------------------------------------------------------------- export
    def export(self, path: str | Path | None = None) -> str:
        """Python source that rebuilds the final model (unfitted): the ensemble or the best pipeline.

        Parameters
        ----------
        path : str or Path, optional
            Also write the source to this file.

        Returns
        -------
        code : str
            Import lines and a ``pipeline = ...`` statement.
        """
        check_is_fitted(self)
        best = self.leaderboard_.iloc[0]
        header = (
            f"# autopipe: best of {len(self.leaderboard_)} candidates, "
            f"cross-validated {self._scorer_name()} = {best['score']:.4f}\n"
        )
        code = header + estimator_to_code(self.fitted_pipeline_)
        if path is not None:
            Path(path).write_text(code)
        return code

    def candidate_pipeline(self, candidate: int = 0) -> Any:
        """The unfitted pipeline of one successful candidate of the search.

        Parameters
        ----------
        candidate : int, default=0
            Position among the leaderboard's successful rows (status ``"ok"``),
            best first: 0 is the best single pipeline.

        Returns
        -------
        pipeline : sklearn.pipeline.Pipeline
            The candidate as it was cross-validated (featurization included), unfitted.

        Raises
        ------
        IndexError
            If there is no successful candidate at that position.
        """
        check_is_fitted(self)
        ok = self.leaderboard_[self.leaderboard_["status"] == "ok"]
        if isinstance(candidate, bool) or not isinstance(candidate, Integral) or not 0 <= candidate < len(ok):
            raise IndexError(
                f"candidate must be an int in [0, {len(ok)}): the leaderboard has {len(ok)} "
                f"successful candidates; got {candidate!r}"
            )
        key = ok["pipeline"].iloc[int(candidate)]
        entry = next(e for e in self.history_ if e.genome.key == key and e.result.ok)
        return self._compile(entry.genome, self._seed)

    def export_notebook(
        self, path: str | Path, candidate: int = 0, *, data_path: str | Path | None = None,
        target: str | None = None,
    ) -> Path:
        """Write a Jupyter notebook that rebuilds, cross-validates, fits and evaluates a candidate.

        Parameters
        ----------
        path : str or Path
            The ``.ipynb`` file to write.
        candidate : int, default=0
            Position among the leaderboard's successful rows, best first.
        data_path : str, Path or None, default=None
            A CSV or Parquet file the notebook reads (a relative path is
            relative to the notebook's folder). Without it the notebook has a
            cell where you define ``X`` and ``y``, and does not run until then.
        target : str or None, default=None
            The target column of ``data_path``; required with it.

        Returns
        -------
        Path
            ``path``.
        """

        pipeline = self.candidate_pipeline(candidate)
        row = self.leaderboard_[self.leaderboard_["status"] == "ok"].iloc[int(candidate)]
        scoring, cv_score = self._scorer_name(), float(row["score"])
        if scoring == "score":  # a callable scorer cannot be written into a notebook
            scoring, cv_score = ("accuracy" if self.task_ == "classification" else "r2"), None
        notebook = candidate_notebook(
            estimator_to_code(pipeline),
            title=str(row["pipeline"]),
            cv_score=cv_score,
            scoring=scoring,
            task=self.task_,
            data_path=None if data_path is None else str(data_path),
            target=target,
            cv=self.n_splits_,
            random_state=int(self.random_state) if isinstance(self.random_state, Integral) else 0,
        )
        return write_notebook(notebook, path)

    def _scorer_name(self) -> str:
        if isinstance(self.scoring, str):
            return self.scoring
        if self.scoring is None:
            return "accuracy" if self.task_ == "classification" else "r2"
        return "score"

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.target_tags.required = True
        return tags

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "fitted_pipeline_")


class AutoClassifier(ClassifierMixin, AutoEstimator):
    """:class:`AutoEstimator` for classification (``task`` is ignored).

    Parameters are those of :class:`AutoEstimator`.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from autopipe import AutoClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = AutoClassifier(time_budget=None, generations=0, population_size=3,
    ...                      search_space="light", random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 3)
    """

    def _fixed_task(self) -> str | None:
        return "classification"

    score = AutoEstimator.score


class AutoRegressor(RegressorMixin, AutoEstimator):
    """:class:`AutoEstimator` for regression (``task`` is ignored).

    Parameters are those of :class:`AutoEstimator`.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from autopipe import AutoRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = AutoRegressor(time_budget=None, generations=0, population_size=3,
    ...                     search_space="light", random_state=0).fit(X, y)
    >>> reg.task_
    'regression'
    """

    def _fixed_task(self) -> str | None:
        return "regression"

    score = AutoEstimator.score


# ------------------------------------------------------------------ helpers
def _densify(X: Any) -> Any:
    if not sp.issparse(X):
        return X
    cells = X.shape[0] * X.shape[1]
    if cells > _MAX_DENSE_CELLS:
        raise TypeError(
            f"sparse input of shape {X.shape} is too large to densify ({cells} cells); autopipe's "
            f"operators need dense data beyond {_MAX_DENSE_CELLS} cells."
        )
    return X.toarray()


# Error text of candidates skipped because they could only fail (not a failure to warn about).
_NOT_EVALUATED = "not evaluated: "


def _nonnegative(X: Any) -> bool:
    """Whether a numeric matrix (dense, sparse or a numeric DataFrame) holds no negative value (NaN aside)."""
    try:
        if sp.issparse(X):
            values = X.data
        else:
            values = np.asarray(X, dtype=float)
        return bool(values.size == 0 or not (values < 0).any())
    except (TypeError, ValueError):  # not numbers: nothing is known
        return False


def _refit_estimate(entry: Any) -> float:
    """Seconds to fit a candidate on all rows: its per-fold fit time scaled to all rows, plus 30%."""
    return 1.3 * entry.result.fit_time / max(1, len(entry.result.fold_scores) - 1)


def _cv_cost(entry: Any, n_workers: int) -> float:
    """Seconds to cross-validate a candidate again: its measured fit and score time, plus 20%, per worker."""
    return 1.2 * (entry.result.fit_time + entry.result.score_time) / max(1, n_workers)


_TUNE_STRUCTURES = 3  # distinct pipeline structures Bayesian tuning refines
_TUNE_TRIALS = 10  # trials per structure when there is no time budget
_TUNE_BUDGET_RUNGS = (1 / 9, 1 / 3, 1.0)  # training-length fractions of the networks' tuning rungs
_BUILD_SHARE = 0.09  # most of the budget the ensemble's choice and fits may take
_PATIENCE = 10  # selection rounds without a better blend before selection stops
_SELECTION_ROWS = 10_000  # rows ensemble selection scores blends on (a seeded subsample beyond)


def _selection_rows(n: int, seed: int) -> np.ndarray:
    """The rows ensemble selection works on: all, or a seeded subsample of ``_SELECTION_ROWS``.

    Each blend is scored with the user's scorer, whose cost grows with the
    rows; beyond ten thousand rows the choice of weights barely changes.
    """
    if n <= _SELECTION_ROWS:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, _SELECTION_ROWS, replace=False))


def _restrict_splits(splits: list[Any], rows: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The folds re-indexed to positions within ``rows``."""
    position = np.full(max(int(rows.max()) + 1, 1), -1)
    position[rows] = np.arange(len(rows))
    out = []
    for train, test in splits:
        tr, te = position[train[train <= rows.max()]], position[test[test <= rows.max()]]
        out.append((tr[tr >= 0], te[te >= 0]))
    return out


def _halves(splits: list[Any], rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions within ``rows`` split in two by the search's folds (even and odd test folds)."""
    fold_of = np.zeros(int(rows.max()) + 1, dtype=int)
    for i, (_, test) in enumerate(splits):
        test = test[test <= rows.max()]
        fold_of[test] = i
    parity = fold_of[rows] % 2
    return np.flatnonzero(parity == 0), np.flatnonzero(parity == 1)


def _n_folds(history: SearchHistory) -> int:
    best = history.best()
    return len(best.result.fold_scores) if best else 5


def _refit_reserve(history: SearchHistory, budget: float | None, *, members: int, factor: float, cap: float) -> float:
    """Seconds to keep for fitting the final model: 1.5x the estimated refits of the top candidates.

    Capped at ``cap`` of the budget; 2% of the budget is added to absorb
    bookkeeping and a busy machine's slower refit.
    """
    top = [e for e in history.ranked() if e.result.ok][:members]
    need = 0.5 + 1.5 * factor * sum(_refit_estimate(e) for e in top)
    if not budget:
        return need
    return min(need, cap * budget) + 0.02 * budget


def _all_failed_message(history: SearchHistory) -> str:
    failures = summarize_failures([e.result for e in history])
    lines = "\n".join(f"  {n} x {err}" for err, n in failures.items())
    first = next(iter(history), None)
    detail = ""
    if first is not None:
        detail = (
            f"\nFirst failing pipeline: {first.genome.key}\n{first.result.error}\n"
            "To debug it in-process, rebuild it with autopipe.genome.compile_genome or run "
            "sklearn.model_selection.cross_val_score on it."
        )
    if not len(history):
        return "No candidate pipeline was evaluated: the time budget is too small for even one evaluation."
    return f"All {len(history)} candidate pipelines failed:\n{lines}{detail}"


@contextlib.contextmanager
def _verbosity(verbose: int) -> Iterator[None]:
    """Route autopipe's log records to stderr at the level ``verbose`` asks for, during fit."""
    if verbose < 2 or logger.handlers:
        yield
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("[autopipe] %(message)s"))
    old = logger.level
    logger.addHandler(handler)
    logger.setLevel(level_for_verbose(verbose))
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)


__all__ = ["AutoClassifier", "AutoEstimator", "AutoRegressor"]
