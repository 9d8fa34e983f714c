"""``Evaluator``: score batches of candidate pipelines in parallel, isolated worker processes."""

from __future__ import annotations

import collections
import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator

from .._utils.deadline import Deadline
from ..space import TrainingHooks
from ._backend import acquire_pool, release_pool
from ._outcome import OutcomeKind, TaskOutcome
from ._pool_base import Pool
from ._process import default_n_workers
from ._result import EvaluationResult, Status
from ._task import CVPayload, CVReport, cross_validate_pipeline, fit_on_all_rows

_MAX_CURVES = 50  # reference learning curves kept per fidelity for median stopping


@dataclass(frozen=True)
class Job:
    """One evaluation handed to :meth:`Evaluator.stream`.

    Attributes
    ----------
    key : str
        The candidate's key (its results carry it).
    pipeline : BaseEstimator
        The compiled pipeline to cross-validate.
    fidelity : float
        The share of each fold's training rows it is fitted on.
    timeout : float or None
        Seconds it may run (None: the evaluator's ``max_eval_time``).
    tag : object
        Anything the job's source wants back with the result.
    """

    key: str
    pipeline: BaseEstimator
    fidelity: float = 1.0
    timeout: float | None = None
    tag: Any = None


class Evaluator:
    """Cross-validate candidate pipelines in worker processes with real time limits.

    Each candidate runs in a worker process that already holds the data. A
    candidate that raises, returns a non-finite score, crashes its process or
    exceeds ``max_eval_time`` becomes a failed :class:`EvaluationResult`; the
    worker is killed and replaced if needed, and the search goes on. One
    still running at the deadline of :meth:`evaluate` is stopped and becomes
    a ``CANCELLED`` result. The workers form a :class:`Pool`: local worker
    processes, shared between successive evaluators, or a Dask cluster inside
    ``joblib.parallel_config(backend="dask")``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Training rows.
    y : ndarray of shape (n_samples,)
        Target.
    splits : list of (train_indices, test_indices)
        The folds every full-fidelity evaluation uses.
    scorer : callable
        An sklearn scorer ``scorer(estimator, X, y) -> float`` (greater is better).
    is_classifier : bool
        Whether the task is classification.
    n_jobs : int or None, default=1
        Number of worker processes (joblib convention: -1 means all cores).
    max_eval_time : float or None, default=None
        Seconds one evaluation may take before its worker is killed.
    memory_limit_mb : float or None, default=None
        Address-space limit of each worker, in MiB.
    random_state : int, default=0
        Seed for fidelity subsamples.
    sample_weight : ndarray of shape (n_samples,), default=None
        Weights routed to every pipeline step that accepts them and used in
        the fold scores.
    groups : ndarray of shape (n_samples,), default=None
        Group labels, kept on one side of the folds of lower fidelities.
    check_splits : list of (train_indices, test_indices), default=None
        A second set of folds over all rows, used by ``evaluate(check=True)``
        to re-score candidates on splits the search never saw.
    median_stopping : bool, default=True
        Stop training a network whose validation loss falls behind the median
        of the networks evaluated before it in this evaluator (learning-curve
        based termination, applied by ``hooks``; see
        :class:`autopipe.space.NetworkTrainingHooks`).
    weight_inheritance : bool, default=True
        Let a network start from the trained weights of a compatible network
        the same worker trained before on the same fold (same layer shapes,
        or one residual layer less; applied by ``hooks``).
    cache_prefixes : bool, default=True
        Let candidates that begin with the same transformers (same classes
        and parameters) reuse their fitted output per fold, kept in each
        worker's memory (128 MiB at most, least recently used out). Not used
        with ``sample_weight``.
    gpu_lanes : int, default=1
        How many candidates that train a network on a CUDA device run at
        once (the GPU lane); the other workers go on with the rest. Workers
        are spawned, never forked, so CUDA is never initialized in a forked
        process.
    hooks : TrainingHooks or None, default=None
        The search space's training hooks (``space.training_hooks``): which
        candidates go to the GPU lane or are held back, and what their fits
        may use (median stopping, weight inheritance). None: the no-op
        :class:`~autopipe.space.TrainingHooks`, which treats every candidate
        alike.
    """

    def __init__(
        self,
        X: Any,
        y: np.ndarray,
        *,
        splits: list[tuple[np.ndarray, np.ndarray]],
        scorer: Callable[..., float],
        is_classifier: bool,
        n_jobs: int | None = 1,
        max_eval_time: float | None = None,
        memory_limit_mb: float | None = None,
        random_state: int = 0,
        sample_weight: np.ndarray | None = None,
        groups: np.ndarray | None = None,
        check_splits: list[tuple[np.ndarray, np.ndarray]] | None = None,
        gpu_lanes: int = 1,
        median_stopping: bool = True,
        weight_inheritance: bool = True,
        cache_prefixes: bool = True,
        hooks: TrainingHooks | None = None,
    ) -> None:
        classes = np.unique(y) if is_classifier else None
        self.hooks = TrainingHooks() if hooks is None else hooks
        self.payload = CVPayload(
            X, y, splits, scorer, is_classifier, classes, random_state, sample_weight=sample_weight, groups=groups,
            check_splits=check_splits, cache_prefixes=cache_prefixes, hooks=self.hooks,
        )
        self.n_workers = default_n_workers(n_jobs)
        self.max_eval_time = max_eval_time
        self.memory_limit_mb = memory_limit_mb
        self.gpu_lanes = int(gpu_lanes)
        self.median_stopping = median_stopping
        self.weight_inheritance = weight_inheritance
        # validation-loss curves of the networks evaluated so far, by fidelity (bounded: the latest)
        self._curves: dict[float, collections.deque[np.ndarray]] = {}
        self._pool: Pool | None = None
        self._private = False

    # ------------------------------------------------------------ lifecycle
    def __enter__(self) -> Evaluator:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:
        """Acquire worker processes and send them the data."""
        if self._pool is not None:
            return
        # One thread per worker: parallelism across candidates beats threads inside
        # one model on small data, and OpenMP spin-waits badly when oversubscribed.
        self._pool, self._private = acquire_pool(self.n_workers, 1, self.memory_limit_mb, self.gpu_lanes)
        self._pool.set_payload(self.payload)

    def close(self) -> None:
        """Release the workers (a shared pool stays alive for the next fit)."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        pool.cancel_pending()
        if pool.n_running:
            # Interrupted mid-batch: kill what still runs so that no stale
            # outcome reaches the next user of a shared pool.
            for _ in pool.results(deadline=time.monotonic()):
                pass
        release_pool(pool, self._private)

    @property
    def pool(self) -> Pool:
        """The pool the evaluations run on (acquired on first use)."""
        if self._pool is None:
            self.open()
        assert self._pool is not None
        return self._pool

    # ----------------------------------------------------------- evaluation
    def evaluate(
        self,
        candidates: Sequence[tuple[str, BaseEstimator]],
        *,
        deadline: Deadline | None = None,
        fidelity: float | Sequence[float] = 1.0,
        on_result: Callable[[int, EvaluationResult], None] | None = None,
        check: bool = False,
        return_oof: bool = True,
    ) -> list[EvaluationResult | None]:
        """Cross-validate ``(key, pipeline)`` candidates in parallel.

        Returns one result per candidate, in input order. A candidate that
        never started before ``deadline`` gets ``None``; one cut off while
        running gets a ``CANCELLED`` result. ``check=True`` scores all rows on
        the ``check_splits`` instead of the search's folds. ``fidelity`` is
        the fraction of the rows each candidate is scored on: one for all, or
        one per candidate. ``on_result(i, result)`` is called as each result
        arrives. With ``return_oof=False`` the returned results carry no
        out-of-fold predictions (``oof`` is None; ``on_result`` still gets
        them), so that a batch holds no more of them than ``on_result`` keeps.
        """
        if check and self.payload.check_splits is None:
            raise ValueError("evaluate(check=True) needs an Evaluator made with check_splits")
        deadline = deadline or Deadline(None)
        pool = self.pool
        levels = [1.0 if check else float(f) for f in np.broadcast_to(fidelity, len(candidates))]

        is_held = [self.hooks.is_held_back(pipeline) for _, pipeline in candidates]

        def submit(i: int) -> None:
            pipeline = candidates[i][1]
            curves = self._reference(levels[i]) if self.median_stopping and is_held[i] else None
            args = (pipeline, levels[i], check, curves, self.weight_inheritance and is_held[i])
            lane = self._lane(pipeline) if is_held[i] else None
            pool.submit(i, cross_validate_pipeline, args, timeout=self.max_eval_time, lane=lane)

        # Held-back candidates (networks) are handed out a few at a time, so that each
        # takes the learning curves of those finished before it (median stopping) with it.
        held = collections.deque(i for i in range(len(candidates)) if is_held[i])
        for i in range(len(candidates)):
            if not is_held[i]:
                submit(i)
        handed_out = 0
        while held and handed_out < self.n_workers:
            submit(held.popleft())
            handed_out += 1
        results: list[EvaluationResult | None] = [None] * len(candidates)
        at = None if math.isinf(deadline.at) else deadline.at
        for outcome in pool.results(deadline=at):
            i = int(outcome.task_id)
            result = self._to_result(candidates[i][0], outcome, levels[i])
            if held and outcome.kind is not OutcomeKind.CANCELLED and is_held[i]:
                submit(held.popleft())
            if result is None:
                continue
            if on_result is not None:
                on_result(i, result)
            results[i] = result if return_oof or result.oof is None else replace(result, oof=None)
        return results

    def stream(
        self,
        next_job: Callable[[], Job | None],
        on_result: Callable[[Job, EvaluationResult | None], None],
        *,
        deadline: Callable[[], Deadline] | Deadline | None = None,
        spare: int = 1,
    ) -> None:
        """Keep every worker busy: hand out ``next_job()`` the moment a worker frees, until it returns None.

        Up to ``n_workers + spare`` jobs are submitted at once, so that a worker
        that finishes finds the next job already queued (no worker waits for
        the caller). After every result, ``on_result(job, result)`` is called
        (``result`` is None for a job that never started before the deadline)
        and ``next_job`` is asked again: a job source that had nothing to give
        may have something after a result (a promotion to more rows). The
        stream ends when nothing runs and ``next_job()`` returns None, or at
        the deadline, when the jobs still running are stopped (``CANCELLED``).
        ``deadline`` may be a callable returning the current deadline: it is
        asked again after every result, as the search's end moves while the
        reserves for the steps after it are learned.

        If ``next_job`` or ``on_result`` raises, the jobs not finished are
        stopped before the exception propagates.
        """
        current = deadline if callable(deadline) else (lambda: deadline or Deadline(None))
        pool = self.pool
        jobs: dict[int, Job] = {}
        parked: collections.deque[int] = collections.deque()  # held-back jobs waiting for a held slot
        held_running = 0
        ids = itertools.count()

        def start(task_id: int) -> None:
            nonlocal held_running
            job = jobs[task_id]
            held = self.hooks.is_held_back(job.pipeline)
            if held and held_running >= self.n_workers:
                parked.append(task_id)
                return
            held_running += held
            curves = self._reference(job.fidelity) if self.median_stopping and held else None
            args = (job.pipeline, job.fidelity, False, curves, self.weight_inheritance and held)
            timeout = job.timeout if job.timeout is not None else self.max_eval_time
            pool.submit(task_id, cross_validate_pipeline, args, timeout=timeout,
                        lane=self._lane(job.pipeline) if held else None)

        def fill() -> None:
            while len(jobs) < self.n_workers + spare:
                job = next_job()
                if job is None:
                    return
                task_id = next(ids)
                jobs[task_id] = job
                start(task_id)

        try:
            fill()
            while jobs:
                end = current()
                moved = False
                for outcome in pool.results(deadline=None if math.isinf(end.at) else end.at):
                    job = jobs.pop(int(outcome.task_id), None)
                    if job is None:
                        continue
                    if self.hooks.is_held_back(job.pipeline):
                        held_running -= 1
                        if parked and outcome.kind is not OutcomeKind.CANCELLED:
                            start(parked.popleft())
                    on_result(job, self._to_result(job.key, outcome, job.fidelity))
                    if not end.expired():
                        fill()
                    if current().at != end.at:
                        moved = True
                        break
                if moved:
                    continue
                if end.expired():
                    break
                while parked and held_running < self.n_workers:
                    start(parked.popleft())
                if not jobs:
                    fill()
            for task_id in list(parked):  # never submitted: the deadline came first
                on_result(jobs.pop(task_id), None)
        finally:
            if jobs:
                pool.cancel_pending()
                for _ in pool.results(deadline=time.monotonic()):
                    pass

    def _reference(self, fidelity: float) -> tuple[np.ndarray, ...]:
        return tuple(self._curves.get(fidelity, ()))

    def _lane(self, estimator: BaseEstimator) -> str | None:
        """``"gpu"`` for an estimator that trains on a CUDA device, by the hooks."""
        return "gpu" if self.hooks.uses_gpu(estimator) else None

    def fit(
        self, candidates: Sequence[tuple[str, BaseEstimator]], *, deadline: Deadline | None = None,
        timeouts: Sequence[float | None] | None = None,
    ) -> list[tuple[BaseEstimator | None, str]]:
        """Fit ``(key, estimator)`` candidates on all rows in the workers, in parallel.

        Each fit is bounded by ``deadline`` (its worker is killed when it is
        reached) and by its entry in ``timeouts`` (seconds from its start;
        None: no limit), not by ``max_eval_time``. Returns, in input order,
        the fitted estimator and an empty string, or ``None`` and why the fit
        failed.
        """
        deadline = deadline or Deadline(None)
        timeouts = list(timeouts) if timeouts is not None else [None] * len(candidates)
        pool = self.pool
        for i, (_, estimator) in enumerate(candidates):
            pool.submit(i, fit_on_all_rows, (estimator,), timeout=timeouts[i], lane=self._lane(estimator))
        fitted: list[tuple[BaseEstimator | None, str]] = [(None, "not started before the deadline")] * len(candidates)
        at = None if math.isinf(deadline.at) else deadline.at
        for outcome in pool.results(deadline=at):
            i = int(outcome.task_id)
            if outcome.kind is OutcomeKind.OK:
                fitted[i] = (outcome.value[0], "")
            elif outcome.kind is OutcomeKind.CANCELLED:
                fitted[i] = (None, f"stopped at the deadline after {outcome.elapsed:.1f} s")
            else:
                fitted[i] = (None, outcome.error)
        return fitted

    def _to_result(self, key: str, outcome: TaskOutcome, fidelity: float) -> EvaluationResult | None:
        if outcome.kind is OutcomeKind.OK:
            report: CVReport = outcome.value
            if report.curves:
                self._curves.setdefault(fidelity, collections.deque(maxlen=_MAX_CURVES)).extend(report.curves)
            scores = np.asarray(report.fold_scores, dtype=float)
            return EvaluationResult(
                key=key,
                status=Status.OK,
                score=float(scores.mean()),
                score_std=float(scores.std()),
                fold_scores=tuple(float(s) for s in scores),
                oof=report.oof,
                oof_kind=report.oof_kind,
                fit_time=float(report.fit_time),
                score_time=float(report.score_time),
                wall_time=outcome.elapsed,
                fidelity=fidelity,
                stopped_early=int(report.stopped_early),
                inherited=int(report.inherited),
                cache_hits=int(report.cache_hits),
            )
        if outcome.kind is OutcomeKind.CANCELLED:
            if outcome.elapsed <= 0.0:
                return None
            error = f"stopped at the search deadline after {outcome.elapsed:.1f} s"
            return EvaluationResult.failed(key, Status.CANCELLED, error, wall_time=outcome.elapsed, fidelity=fidelity)
        status = Status.TIMEOUT if outcome.kind is OutcomeKind.TIMEOUT else Status.ERROR
        return EvaluationResult.failed(key, status, outcome.error, wall_time=outcome.elapsed, fidelity=fidelity)
