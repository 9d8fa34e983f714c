"""The facade users see: ``AutoEstimator``, ``AutoClassifier`` and ``AutoRegressor``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ._utils.deadline import Deadline
from ._utils.weights import call_scorer
from .report import candidate_genome, export_candidate_notebook, export_code, make_leaderboard
from .report import permutation_importances, plot_history, plot_importances, plot_pareto, successful_row
from .run import PARAMETER_CONSTRAINTS, FitOutcome, FitRun, FitSettings, PreviousFit, n_folds
from .run import validate_training_data, verbosity, warn_about


def _pipeline_has(name: str) -> Any:
    """``available_if`` check: the fitted pipeline has method ``name``."""

    def check(self: AutoEstimator) -> bool:
        check_is_fitted(self)
        if not hasattr(self.fitted_pipeline_, name):
            raise AttributeError(
                f"The selected pipeline ({self.best_candidate_}) has no {name}; restrict "
                "search_space to models that provide it."
            )
        return True

    return check


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
        The learning task; ``"auto"`` infers it from ``scoring``, else ``y``.
    scoring : str, callable or None, default=None
        An sklearn scorer name or callable ``scorer(estimator, X, y)``
        (greater is better). ``None`` means accuracy for classification and
        r2 for regression. :meth:`score` uses the same scorer.
    cv : "auto", int, cross-validation splitter or list of (train, test) index pairs, default="auto"
        Folds for candidate evaluation; an int means shuffled (stratified)
        k-fold; ``"auto"`` chooses 5 or 3 folds, or one holdout split on
        large data, by data size and budget
        (:func:`autopipe.evaluate.choose_folds`).
    time_budget : float or None, default=60.0
        Seconds for the whole ``fit``, final refit included. ``None`` means no
        time limit (then ``generations`` or ``early_stop`` must bound the search).
    generations : int or None, default=None
        Generations after generation 0; ``None``: as many as time allows.
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
        ``"bayesian"`` (Optuna's TPE over chains; the default, chosen from the
        strategy benchmark), ``"surrogate-evolution"``, ``"evolution"``
        (NSGA-II genetic programming, with or without a screening predictor),
        ``"regularized-evolution"``, ``"random"``, ``"grid"``, ``"reinforce"``,
        or a strategy object (:mod:`autopipe.search`). Every strategy is asked
        for ``population_size`` candidates first, then ``offspring_size`` per
        generation; the rates apply to the evolution strategies only.
    max_eval_time : float or None, default=None
        Seconds one candidate's cross-validation may take before its worker is
        killed; ``None`` means ``max(1, time_budget / 5)`` for a new
        candidate, twice its predicted time plus one second (at most that)
        when it is promoted to more rows, and 60% of the budget for the
        floor (gradient boosting with its defaults, scored on all rows first).
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
        (on disk, shared by the workers); without it each worker still caches
        recent transformer prefixes in memory.
    ensemble : {"selection", "stacking"} or None, default="selection"
        How the final model is built from the best candidates' out-of-fold
        predictions: greedy ensemble selection (weighted soft voting), stacking
        (a meta-learner), or ``None`` for the single best pipeline. An ensemble
        is used only when it beats the best single pipeline on rows its choice
        did not see; ``ensemble_report_`` says why.
    ensemble_size : int, default=50
        Rounds of ensemble selection (an upper bound on the ensemble's weight sum).
    memory_limit : float or None, default=None
        Address-space limit of each evaluation worker, in MiB; a candidate
        that needs more fails with ``MemoryError`` and the search goes on.
    checkpoint : str, Path or None, default=None
        File where the search history is saved (atomically) after every
        generation; a ``fit`` on the same data and settings resumes from it.
    warm_start : bool, default=False
        When refitting an already fitted estimator on the same data, continue
        its search (with the new budget) instead of starting over.
    initial_pipelines : list or None, default=None
        Your own pipelines to put in the first generation next to autopipe's
        default starters: sklearn models, ``Pipeline`` chains ending in a
        model, or code strings as :meth:`export` writes them, made of the
        search space's operators (else a ``ValueError`` naming the step), or
        step lists (``[["StandardScaler", {}], ["LGBMClassifier",
        {"num_leaves": 15}]]``).
    portfolio : bool, default=True
        Evaluate autopipe's portfolio first (after the floor): pipelines
        chosen offline because together they did well on 49 data sets of
        the PMLB corpus (see the user guide, "The portfolio"). Members the
        search space cannot express are left out; with ``False``, or when
        none is left, the fixed starters (LightGBM, a scaled linear model,
        a random forest) take their place.
    rescore_top : int, default=5
        Before the final choice, re-score this many of the best candidates on
        a second, differently shuffled set of folds (integer ``cv`` only) and
        rank them by both scores pooled (at most 10% of ``time_budget``; 0
        turns it off; the leaderboard's ``check_score``).
    device : {"auto", "cpu", "cuda"}, default="auto"
        Where the neural-network operators train: ``"auto"`` picks ``"cuda"``
        when it is available, else the CPU (``"cuda"`` without a GPU is a
        ``ValueError``).
    gpu_lanes : int, default=1
        How many network candidates train on the GPU at once; the other
        workers evaluate the remaining candidates on the CPU meanwhile.
    successive_halving : bool, default=True
        Fit new candidates on a subsample of the training rows first (1k,
        3k, 10k, 30k, 100k... rows) and promote, as soon as a worker frees,
        those in the top third of their rung to about three times more rows,
        up to all rows (asynchronous successive halving; rungs by
        :func:`autopipe.evaluate.halving_rungs`, none under 3,000 training
        rows); only full-fidelity scores compete for the final model.
    tune_share : float, default=0.0
        Share of ``time_budget`` for Bayesian tuning (Optuna) of the three
        best distinct pipeline structures, in rounds during the search and
        after it, through the same workers (10 trials per structure without a
        budget; 0 turns it off; see the tuning guide).
    tune_sampler : {"tpe", "gp"}, default="tpe"
        Optuna's sampler for tuning: tree-structured Parzen estimator or
        Gaussian process (needs PyTorch: ``pip install "autopipe[gp]"``).
    tune_pruner : {"halving", "hyperband"}, default="halving"
        Optuna's pruner over the tuning rungs: successive halving (each rung
        keeps the best third) or Hyperband (several halving brackets of
        different aggressiveness).

    Attributes
    ----------
    fitted_pipeline_ : sklearn estimator
        The final estimator, fitted on all rows, that ``predict`` uses: an
        ensemble of pipelines (voting or stacking) or the best pipeline itself.
    best_pipeline_ : sklearn.pipeline.Pipeline
        The best single pipeline (rank 1 of the leaderboard's pipelines),
        fitted on all rows, whether or not an ensemble is used (when it cannot
        be refitted in time, the next that can; ``best_candidate_`` names it).
    tuning_report_ : TuningReport or None
        With ``tune_share``, what tuning did (see
        :class:`autopipe.tune.TuningReport`): structures tuned, trials and
        those pruned, rounds, seconds, improvements and the best score before
        and after; else None.
    n_splits_ : int
        Number of folds each full-fidelity candidate was scored on (1: one
        holdout split).
    fidelities_ : tuple of float
        The shares of each fold's training rows candidates were fitted on,
        lowest first (``(1.0,)`` without successive halving).
    data_report_ : DataFrame
        Findings of the data checks run before the search (``check``,
        ``column``, ``action``, ``detail``), also issued as one
        :class:`~autopipe.exceptions.DataQualityWarning`.
    ensemble_report_ : EnsembleReport
        How the final model was chosen: ``kind``, ``used``, ``reason``, the
        scores that decided, ``members`` and ``build_time`` (see
        :class:`autopipe.ensemble.EnsembleReport`).
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

    _parameter_constraints: dict[str, list[Any]] = PARAMETER_CONSTRAINTS
    _fixed_task: str | None = None

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
        portfolio: bool = True,
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
        self.portfolio = portfolio
        self.rescore_top = rescore_top
        self.device = device
        self.gpu_lanes = gpu_lanes
        self.successive_halving = successive_halving
        self.tune_share = tune_share
        self.tune_sampler = tune_sampler
        self.tune_pruner = tune_pruner

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
        settings = FitSettings.of(self, task=self._fixed_task)
        data = validate_training_data(
            self, X, y, task=settings.task, scoring=self.scoring, sample_weight=sample_weight, groups=groups,
            n_folds=lambda n_rows: n_folds(self.cv, n_rows, self.time_budget),
        )
        with verbosity(self.verbose):
            outcome = FitRun(settings, data, deadline).execute(previous=getattr(self, "_previous_fit", None))
        self._set_fitted(outcome, data.schema, data.classes)
        warn_about(outcome.state, stacklevel=2)
        self.fit_time_ = deadline.elapsed()
        return self

    def _set_fitted(self, outcome: FitOutcome, schema: Any, classes: np.ndarray | None) -> None:
        """Turn one fit's outcome into the fitted attributes."""
        final, history = outcome.final, outcome.state.history
        self._schema, self._context = schema, outcome.context
        self._previous_fit = PreviousFit(history, outcome.fingerprint, outcome.context.seed)
        self.task_, self.scorer_ = outcome.context.task, outcome.context.scorer
        if classes is not None:
            self.classes_ = classes
        self.data_report_, self.n_splits_, self.fidelities_ = outcome.data_report, outcome.n_splits, outcome.fidelities
        self.tuning_report_, self.search_time_ = outcome.tuning_report, outcome.search_time
        self.fitted_pipeline_, self.best_pipeline_ = final.fitted_pipeline, final.best_pipeline
        self.best_candidate_, self.ensemble_report_ = final.best_candidate, final.ensemble_report
        self.history_, self.stop_reason_ = history, outcome.state.stop_reason
        self.leaderboard_ = make_leaderboard(history, ensemble=final.ensemble_report.leaderboard_row())
        front = {e.genome.key for e in history.pareto_front()}
        self.pareto_front_ = self.leaderboard_[self.leaderboard_["pipeline"].isin(front)].reset_index(drop=True)

    def _check_X(self, X: Any) -> Any:
        check_is_fitted(self)
        return self._schema.check(self, X)

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
        """
        check_is_fitted(self)
        return plot_history(self.leaderboard_, x=x, ax=ax)

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
        return plot_pareto(self.leaderboard_, self.pareto_front_, ax=ax)

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
        """
        check_is_fitted(self)
        importances = permutation_importances(self, X, y, scoring=self.scorer_, n_repeats=n_repeats,
                                              random_state=random_state)
        if plot:
            plot_importances(importances)
        return importances

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
        return export_code(self.fitted_pipeline_, self.leaderboard_, self._context.scorer_name, path)

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
        return self._context.compile(candidate_genome(self.leaderboard_, self.history_, candidate))

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
        return export_candidate_notebook(
            path, pipeline, successful_row(self.leaderboard_, candidate), scorer_name=self._context.scorer_name,
            task=self.task_, n_splits=self.n_splits_, random_state=self.random_state, data_path=data_path,
            target=target,
        )

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

    _fixed_task = "classification"

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

    _fixed_task = "regression"

    score = AutoEstimator.score


__all__ = ["AutoClassifier", "AutoEstimator", "AutoRegressor"]
