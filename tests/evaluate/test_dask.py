"""Evaluation on a dask.distributed cluster: ``DaskPool`` and fits under the joblib Dask backend."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted, check_X_y

distributed = pytest.importorskip("distributed")

from autopipe import AutoClassifier  # noqa: E402
from autopipe.evaluate import DaskPool, OutcomeKind, active_dask_client  # noqa: E402

pytestmark = pytest.mark.dask


# --------------------------------------------------------------------------
# Task functions and a test operator; workers import them from this module.
# --------------------------------------------------------------------------


def _add(payload: int, x: int) -> int:
    return payload + x


def _raise(payload: Any, message: str) -> None:
    raise ValueError(message)


def _sleep(payload: Any, seconds: float, marker: str | None = None) -> float:
    """Sleep, then (if given) write this process's pid to ``marker``."""
    time.sleep(seconds)
    if marker is not None:
        Path(marker).write_text(str(os.getpid()))
    return seconds


def _announce_then_sleep(payload: Any, marker: str, seconds: float) -> float:
    """Write this process's pid to ``marker``, then sleep."""
    Path(marker).write_text(str(os.getpid()))
    time.sleep(seconds)
    return seconds


def _exit_worker(payload: Any) -> None:
    os._exit(1)


class ExitOnceClassifier(ClassifierMixin, BaseEstimator):
    """Kills its process in the first ``fit`` on the machine, then predicts the majority class.

    Parameters
    ----------
    marker : str
        A file path; the ``fit`` that creates it writes its pid there and
        exits the process.
    """

    def __init__(self, marker: str = "") -> None:
        self.marker = marker

    def fit(self, X: Any, y: Any) -> ExitOnceClassifier:
        """Exit the process if no fit did so before; else store the majority class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self
            The fitted estimator.
        """
        try:
            fd = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            pass
        else:
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)
            os._exit(1)
        X, y = check_X_y(X, y)
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[int(np.argmax(counts))]
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predict the majority training class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        ndarray of shape (n_samples,)
            The majority class for every row.
        """
        check_is_fitted(self, "majority_")
        return np.full(len(X), self.majority_)


# --------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
        silence_logs=logging.CRITICAL,
    ) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def module_client(cluster: Any) -> Iterator[Any]:
    with distributed.Client(cluster) as client:
        # Workers import this module (for its task functions) once, here,
        # rather than inside a timed test.
        client.run(_add, 0, 0)
        yield client


def _worker_pids(client: Any) -> dict[str, int]:
    return client.run(os.getpid)


def _settle(client: Any, timeout: float = 30.0) -> None:
    """Wait until both workers are up and no thread runs an (abandoned) task."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            busy = client.run(lambda dask_worker: len(dask_worker.state.executing))
        except Exception:  # a worker going away mid-call
            busy = {}
        if len(busy) == 2 and not any(busy.values()):
            client.run(_add, 0, 0)  # a replaced worker imports this module now
            return
        time.sleep(0.1)
    raise AssertionError(f"the cluster did not settle in {timeout} s")


@pytest.fixture
def client(module_client: Any) -> Any:
    """The cluster's client, with both workers up and idle."""
    _settle(module_client)
    return module_client


@pytest.fixture
def pool(client: Any) -> Iterator[DaskPool]:
    with DaskPool(client) as pool:
        pool.set_payload(10)
        yield pool


def _outcomes(pool: DaskPool, deadline: float | None = None) -> dict[Any, Any]:
    return {o.task_id: o for o in pool.results(deadline)}


def _set_payload(pool: DaskPool, client: Any, payload: Any) -> Any:
    """``pool.set_payload(payload)``; return a future of the data it scattered (found through the client)."""
    before = set(client.who_has())
    pool.set_payload(payload)
    [key] = set(client.who_has()) - before
    return distributed.Future(key, client)


def _wait_for(condition: Any, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


# --------------------------------------------------------------------------
# DaskPool
# --------------------------------------------------------------------------


def test_dask_is_imported_lazily_and_the_backend_is_detected(module_client: Any) -> None:
    code = ("import sys, autopipe; from autopipe.evaluate import DaskPool, active_dask_client; "
            "sys.exit(any(m.split('.')[0] in ('dask', 'distributed') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
    assert active_dask_client() is None
    with joblib.parallel_config(backend="dask"):
        assert active_dask_client() is module_client
    with joblib.parallel_config(backend="loky"):
        assert active_dask_client() is None


def test_missing_distributed_gives_install_advice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ImportError, match=r"pip install 'autopipe\[dask\]'"):
        DaskPool(object())


def test_ok_results_get_the_payload_and_errors_are_reported(pool: DaskPool) -> None:
    for i in range(3):
        pool.submit(i, _add, (i,), timeout=30.0)
    pool.submit("raise", _raise, ("bad thing",))
    out = _outcomes(pool)
    assert [out[i].value for i in range(3)] == [10, 11, 12]
    assert all(out[i].kind is OutcomeKind.OK and out[i].elapsed > 0 for i in range(3))
    error = out["raise"]
    assert error.kind is OutcomeKind.ERROR and error.value is None
    assert error.error.startswith("ValueError: bad thing")
    assert "in _raise" in error.error and "run_announced" not in error.error
    assert pool.n_running == pool.n_queued == 0


def test_time_limits_count_from_the_start_not_from_submission(pool: DaskPool) -> None:
    # Four 0.8 s tasks on two one-thread workers: the last two wait ~0.8 s
    # in the queue and would pass a 1.2 s limit counted from submission.
    for i in range(4):
        pool.submit(i, _sleep, (0.8,), timeout=1.2)
    out = _outcomes(pool)
    assert {o.kind for o in out.values()} == {OutcomeKind.OK}


def test_timeout_abandons_the_task_but_its_worker_thread_runs_on(pool: DaskPool, tmp_path: Path) -> None:
    marker = tmp_path / "finished"
    start = time.monotonic()
    pool.submit("slow", _sleep, (2.5, str(marker)), timeout=0.5)
    pool.submit("quick", _add, (1,), timeout=5.0)
    out = _outcomes(pool)
    waited = time.monotonic() - start
    slow = out["slow"]
    assert slow.kind is OutcomeKind.TIMEOUT and "exceeded 0.5 s limit" in slow.error
    assert 0.4 < slow.elapsed < 2.0 and waited < 2.0
    assert out["quick"].kind is OutcomeKind.OK and out["quick"].value == 11
    # Dask cannot stop a running thread: the abandoned task runs to its end.
    assert not marker.exists()
    _wait_for(marker.exists, 10.0, "the abandoned task to finish in its worker")
    assert int(marker.read_text()) in _worker_pids(pool.client).values()


def test_deadline_cancels_running_and_queued_tasks(pool: DaskPool) -> None:
    for i in range(4):
        pool.submit(i, _sleep, (1.5,))
    start = time.monotonic()
    out = _outcomes(pool, deadline=start + 0.6)
    assert time.monotonic() - start < 1.2
    assert {o.kind for o in out.values()} == {OutcomeKind.CANCELLED}
    started = sorted(o.elapsed > 0 for o in out.values())
    assert started == [False, False, True, True]  # two ran, two never started
    assert pool.n_running == pool.n_queued == 0


def test_cancel_pending_and_close_keep_the_client_open(client: Any) -> None:
    pool = DaskPool(client)
    pool.set_payload(10)
    for i in range(4):
        pool.submit(i, _sleep, (0.5,))
    _wait_for(lambda: sum(len(v) for v in client.processing().values()) > 0, 5.0, "tasks to start")
    # Without iterating, no start was reported to the pool yet: all are queued.
    assert pool.cancel_pending() == [0, 1, 2, 3]
    assert list(pool.results()) == []
    pool.close()
    pool.close()
    assert client.status == "running"
    with pytest.raises(RuntimeError, match="closed"):
        pool.submit(0, _add, (1,))


def test_tasks_cancelled_with_the_payload_are_submitted_again(client: Any, pool: DaskPool) -> None:
    payload = _set_payload(pool, client, 10)
    for i in range(4):
        pool.submit(i, _sleep, (0.3,))
    time.sleep(0.1)
    client.cancel([payload], force=True)  # as if its holder had died
    out = _outcomes(pool)
    assert [out[i].kind for i in range(4)] == [OutcomeKind.OK] * 4


# --------------------------------------------------------------------------
# AutoClassifier under joblib.parallel_config(backend="dask")
# --------------------------------------------------------------------------


def _board(est: Any) -> list[tuple[str, float, str]]:
    lb = est.leaderboard_
    return sorted((p, round(float(s), 9), st) for p, s, st in zip(lb["pipeline"], lb["score"], lb["status"]))


def test_fit_with_the_dask_backend_runs_on_the_cluster_and_matches_local(
    client: Any, fast: dict, clf_data: tuple[np.ndarray, np.ndarray]
) -> None:
    X, y = clf_data
    local = AutoClassifier(**fast, n_jobs=2).fit(X, y)
    with distributed.get_task_stream(client) as stream, joblib.parallel_config(backend="dask"):
        remote = AutoClassifier(**fast).fit(X, y)
    tasks = [t for t in stream.data if t["key"].startswith("autopipe-evaluate")]
    pids = _worker_pids(client)
    # Every candidate, and every re-score of the best ones, was cross-validated in a cluster worker process.
    assert remote.history_.checks
    assert len(tasks) == len(remote.history_) + len(remote.history_.checks) > 0
    assert {t["worker"] for t in tasks} <= set(pids) and os.getpid() not in pids.values()
    assert _board(remote) == _board(local)
    assert remote.score(X, y) == local.score(X, y)


# --------------------------------------------------------------------------
# Lost workers (last: each kills a worker, which the nanny replaces)
# --------------------------------------------------------------------------


def test_a_task_that_kills_its_worker_is_a_crash(cluster: Any, pool: DaskPool) -> None:
    # Report a task at the first death of its worker, as the local pool does.
    scheduler = cluster.scheduler
    allowed = scheduler.allowed_failures
    scheduler.allowed_failures = 0
    try:
        pool.submit("exit", _exit_worker)
        crash = _outcomes(pool)["exit"]
    finally:
        scheduler.allowed_failures = allowed
    assert crash.kind is OutcomeKind.CRASH
    assert "died while running the task" in crash.error and "KilledWorker" in crash.error
    # The search goes on (and the payload is scattered again if it was lost).
    pool.submit("next", _add, (5,))
    assert _outcomes(pool)["next"].value == 15


def test_losing_the_only_copy_of_the_payload(client: Any, pool: DaskPool, tmp_path: Path) -> None:
    # Dask keeps one copy of idle data: wait until the payload has one holder.
    payload = _set_payload(pool, client, 10)

    def holders() -> tuple[str, ...]:
        return tuple(client.who_has([payload]).get(payload.key, ()))

    _wait_for(lambda: len(holders()) == 1, 15.0, "the memory manager to drop the extra payload copy")
    marker = tmp_path / "running"
    pool.submit("victim", _announce_then_sleep, (str(marker), 30.0))
    _wait_for(marker.exists, 10.0, "the task to start")
    pid = int(marker.read_text())
    address = next(a for a, p in _worker_pids(client).items() if p == pid)
    # The running worker fetched the payload; wait until it holds the only copy.
    _wait_for(lambda: holders() == (address,), 15.0, "the running worker to hold the only payload copy")
    os.kill(pid, signal.SIGKILL)
    victim = _outcomes(pool)["victim"]
    assert victim.kind is OutcomeKind.CRASH and victim.elapsed > 0
    assert victim.error == f"Dask worker {address} died while running the task"
    # The next task gets the payload scattered again.
    pool.submit("next", _add, (1,))
    assert _outcomes(pool)["next"].value == 11
    assert payload.key not in client.who_has()  # it was scattered again, under a new key


def test_losing_a_worker_mid_search_loses_at_most_its_in_flight_candidates(
    client: Any, fast: dict, clf_data: tuple[np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    X, y = clf_data
    marker = tmp_path / "exited"
    before = set(_worker_pids(client).values())
    # Every candidate ends in the exiting model, so the first fit on the
    # cluster kills its worker in the middle of generation 0.
    space = {"StandardScaler": None, "MinMaxScaler": None, ExitOnceClassifier: {"marker": [str(marker)]}}
    with joblib.parallel_config(backend="dask"):
        est = AutoClassifier(**{**fast, "search_space": space}).fit(X, y)
    killed = int(marker.read_text())
    assert killed in before and killed not in _worker_pids(client).values()
    results = [entry.result for entry in est.history_]
    failed = [r for r in results if not r.ok]
    # One thread per worker, at most two tasks assigned to it: Dask runs them
    # again elsewhere, or they are reported as crashed.
    assert len(failed) <= 2
    assert all("died" in r.error for r in failed)
    assert len(results) - len(failed) >= 1 and hasattr(est, "fitted_pipeline_")
