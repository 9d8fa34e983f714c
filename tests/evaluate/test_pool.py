"""Tests for ``WorkerPool``, the killable local worker processes of ``autopipe.evaluate``."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from typing import Any, Iterator

import cloudpickle
import pytest

import autopipe
from autopipe.evaluate import OutcomeKind, TaskOutcome, WorkerPool, default_n_workers

# Workers do not necessarily see this test module on their path (it depends on
# pytest's import mode), so its task functions travel by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


# ------------------------------------------------------------ task functions


def add_to_payload(payload: Any, x: int) -> int:
    return payload["offset"] + x


def identity_and_pid(payload: Any, x: Any) -> tuple[Any, int]:
    return x, os.getpid()


def payload_and_pid(payload: Any) -> tuple[Any, int]:
    return payload, os.getpid()


def sleep_for(payload: Any, seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def sleep_then_pid(payload: Any, seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def announce_then_sleep(payload: Any, marker: str, seconds: float) -> float:
    """Write this process's pid to ``marker``, then sleep."""
    with open(marker, "w") as f:
        f.write(str(os.getpid()))
    time.sleep(seconds)
    return seconds


def interrupt_self_then_pid(payload: Any) -> int:
    """Send SIGINT to this process (as Ctrl-C in a terminal does to the group), then go on."""
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(0.2)
    return os.getpid()


def raise_value_error(payload: Any) -> None:
    raise ValueError("bad hyper-parameter alpha=-1")


def call_abort(payload: Any) -> None:
    os.abort()


def call_exit(payload: Any) -> None:
    os._exit(3)


def return_lock(payload: Any) -> Any:
    return threading.Lock()


def allocate_mb(payload: Any, mb: int) -> int:
    import numpy as np

    return int(np.ones(mb * 2**20 // 8).nbytes)


def thread_env(payload: Any) -> tuple[str | None, ...]:
    names = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
    return tuple(os.environ.get(name) for name in names)


def array_sum(payload: Any) -> tuple[float, bool]:
    X = payload["X"]
    return float(X.sum()), bool(X.flags.writeable)


# ------------------------------------------------------------------ helpers


@pytest.fixture
def pool() -> Iterator[WorkerPool]:
    p = WorkerPool(2)
    try:
        yield p
    finally:
        p.close()


def run_all(pool: WorkerPool, **kwargs: Any) -> dict[Any, TaskOutcome]:
    outcomes: dict[Any, TaskOutcome] = {}
    for outcome in pool.results(**kwargs):
        assert outcome.task_id not in outcomes
        outcomes[outcome.task_id] = outcome
    return outcomes


def wait_for_file(path: Any, timeout: float = 30.0) -> str:
    end = time.monotonic() + timeout
    while not os.path.exists(path) or not open(path).read():
        assert time.monotonic() < end, f"timed out waiting for {path}"
        time.sleep(0.05)
    return open(path).read()


def pid_alive(pid: int) -> bool:
    """Whether a process runs (an unreaped zombie does not count)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    except (OSError, IndexError):
        return True  # no /proc: trust os.kill
    return state not in ("Z", "X")


# -------------------------------------------------------------------- tests


def test_ok_results_see_payload(pool: WorkerPool) -> None:
    pool.set_payload({"offset": 100})
    for i in range(3):
        pool.submit(("t", i), add_to_payload, (i,))
    outcomes = run_all(pool)
    assert {k: o.value for k, o in outcomes.items()} == {
        ("t", 0): 100, ("t", 1): 101, ("t", 2): 102}
    for o in outcomes.values():
        assert o.kind is OutcomeKind.OK and o.error == "" and o.elapsed >= 0
    assert pool.n_running == 0 and pool.n_queued == 0


def test_many_tasks_across_two_workers(pool: WorkerPool) -> None:
    n = 200
    for i in range(n):
        pool.submit(i, identity_and_pid, (i,))
    assert pool.n_queued == n
    outcomes = run_all(pool)
    assert sorted(outcomes) == list(range(n))
    assert all(o.kind is OutcomeKind.OK and o.value[0] == k for k, o in outcomes.items())
    assert len({o.value[1] for o in outcomes.values()}) <= 2
    assert os.getpid() not in {o.value[1] for o in outcomes.values()}


def test_exception_becomes_error_and_worker_survives() -> None:
    with WorkerPool(1) as pool:
        pool.submit("a", identity_and_pid, (0,))
        pool.submit("bad", raise_value_error)
        pool.submit("b", identity_and_pid, (1,))
        outcomes = run_all(pool)
    bad = outcomes["bad"]
    assert bad.kind is OutcomeKind.ERROR and bad.value is None
    assert bad.error.startswith("ValueError: bad hyper-parameter alpha=-1")
    assert "raise_value_error" in bad.error  # traceback tail
    assert len(bad.error.splitlines()) <= 16
    assert outcomes["a"].value[1] == outcomes["b"].value[1]  # same worker


def test_unpicklable_result_is_an_error(pool: WorkerPool) -> None:
    pool.submit("lock", return_lock)
    pool.submit("fine", identity_and_pid, (1,))
    outcomes = run_all(pool)
    assert outcomes["lock"].kind is OutcomeKind.ERROR
    assert "could not be pickled" in outcomes["lock"].error
    assert outcomes["fine"].kind is OutcomeKind.OK


def test_unpicklable_task_is_an_error(pool: WorkerPool) -> None:
    pool.submit("lock", identity_and_pid, (threading.Lock(),))
    outcome = next(iter(pool.results()))
    assert outcome.kind is OutcomeKind.ERROR and "could not be pickled" in outcome.error


def test_timeout_kills_sleeping_task_and_pool_continues(pool: WorkerPool) -> None:
    pool.submit("warm", identity_and_pid, (0,))
    run_all(pool)  # start-up is not counted in the limit anyway
    start = time.monotonic()
    pool.submit("slow", sleep_then_pid, (30,), timeout=1.0)
    pool.submit("quick", sleep_for, (0.1,), timeout=5.0)
    outcomes = run_all(pool)
    assert time.monotonic() - start < 3.0
    slow = outcomes["slow"]
    assert slow.kind is OutcomeKind.TIMEOUT and slow.value is None
    assert slow.error == "evaluation exceeded 1.0 s limit"
    assert 0.9 <= slow.elapsed < 2.0
    assert outcomes["quick"].kind is OutcomeKind.OK
    pool.submit("after", identity_and_pid, (2,), timeout=5.0)
    assert run_all(pool)["after"].kind is OutcomeKind.OK


def test_timeout_starts_when_the_worker_starts(pool: WorkerPool) -> None:
    # A fresh worker takes a while to boot; that must not eat the limit.
    pool.set_payload({"offset": 1})
    pool.submit("t", sleep_for, (0.3,), timeout=0.6)
    assert run_all(pool)["t"].kind is OutcomeKind.OK


def test_crashes_are_reported_and_pool_continues() -> None:
    with WorkerPool(1) as pool:
        pool.submit("abort", call_abort)
        pool.submit("exit", call_exit)
        pool.submit("fine", identity_and_pid, (1,))
        outcomes = run_all(pool)
    assert outcomes["abort"].kind is OutcomeKind.CRASH
    assert outcomes["abort"].error == "worker process died (exit code -6, SIGABRT)"
    assert outcomes["exit"].kind is OutcomeKind.CRASH
    assert outcomes["exit"].error == "worker process died (exit code 3)"
    assert outcomes["fine"].kind is OutcomeKind.OK


def test_deadline_cancels_running_and_queued(pool: WorkerPool) -> None:
    pool.submit("warm-0", sleep_for, (0.2,))
    pool.submit("warm-1", sleep_for, (0.2,))
    run_all(pool)
    for i in range(5):
        pool.submit(i, sleep_then_pid, (30,))
    start = time.monotonic()
    outcomes = run_all(pool, deadline=start + 0.5)
    took = time.monotonic() - start
    assert took < 2.0
    assert sorted(outcomes) == list(range(5))
    assert {o.kind for o in outcomes.values()} == {OutcomeKind.CANCELLED}
    assert {o.error for o in outcomes.values()} == {"cancelled at the search deadline"}
    assert pool.n_running == 0 and pool.n_queued == 0
    # the pool starts new workers afterwards
    pool.submit("after", identity_and_pid, (0,))
    assert run_all(pool)["after"].kind is OutcomeKind.OK


def test_deadline_in_the_past_cancels_everything(pool: WorkerPool) -> None:
    pool.submit("a", sleep_for, (0.1,))
    outcomes = run_all(pool, deadline=time.monotonic() - 1.0)
    assert outcomes["a"].kind is OutcomeKind.CANCELLED


def test_set_payload_replacement_is_seen_by_all_workers(pool: WorkerPool) -> None:
    pool.set_payload("first")
    for i in range(2):
        pool.submit(i, sleep_then_pid, (0.3,))  # occupy both workers
    run_all(pool)
    for i in range(6):
        pool.submit(("a", i), payload_and_pid)
    first = run_all(pool)
    assert {o.value[0] for o in first.values()} == {"first"}
    pool.set_payload("second")
    for i in range(6):
        pool.submit(("b", i), payload_and_pid)
    second = run_all(pool)
    assert {o.value[0] for o in second.values()} == {"second"}
    # the same (reused) workers got the new payload
    assert {o.value[1] for o in second.values()} <= {o.value[1] for o in first.values()}


def test_array_payload_arrives_intact_and_writable(pool: WorkerPool) -> None:
    np = pytest.importorskip("numpy")
    X = np.arange(10000, dtype=float).reshape(100, 100)[:, ::2]  # not contiguous
    pool.set_payload({"X": X, "X2": np.arange(5.0)})
    pool.submit("s", array_sum)
    outcome = run_all(pool)["s"]
    assert outcome.kind is OutcomeKind.OK
    assert outcome.value == (float(X.sum()), True)


@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="RLIMIT_AS is enforced reliably on Linux only")
def test_memory_limit_gives_memory_error() -> None:
    pytest.importorskip("resource")
    pytest.importorskip("numpy")
    with WorkerPool(1, memory_limit_mb=1000) as pool:
        pool.submit("big", allocate_mb, (2000,))
        pool.submit("small", allocate_mb, (100,))
        outcomes = run_all(pool)
    assert outcomes["big"].kind is OutcomeKind.ERROR
    assert "MemoryError" in outcomes["big"].error
    assert outcomes["small"].kind is OutcomeKind.OK


def test_locally_defined_function_travels_by_value(pool: WorkerPool) -> None:
    scale = 3

    def local_task(payload: Any, x: int) -> int:
        return payload * scale + x

    pool.set_payload(2)
    pool.submit("local", local_task, (1,))
    pool.submit("lambda", lambda payload: payload + 40)
    outcomes = run_all(pool)
    assert outcomes["local"].value == 7
    assert outcomes["lambda"].value == 42


def test_submit_while_iterating_and_cancel_pending(pool: WorkerPool) -> None:
    pool.submit(0, identity_and_pid, (0,))
    seen = []
    for outcome in pool.results():
        seen.append(outcome.task_id)
        if outcome.task_id < 4:
            pool.submit(outcome.task_id + 1, identity_and_pid, (0,))
    assert seen == [0, 1, 2, 3, 4]
    for i in range(3):
        pool.submit(("q", i), identity_and_pid, (i,))
    assert pool.cancel_pending() == [("q", 0), ("q", 1), ("q", 2)]
    assert pool.n_queued == 0
    assert list(pool.results()) == []


def test_outcomes_survive_leaving_the_loop_early(pool: WorkerPool) -> None:
    for i in range(6):
        pool.submit(i, identity_and_pid, (i,))
    first = next(iter(pool.results()))
    rest = run_all(pool)
    assert sorted([first.task_id, *rest]) == list(range(6))


def test_close_is_idempotent_and_leaves_no_children() -> None:
    pool = WorkerPool(2)
    for i in range(2):
        pool.submit(i, sleep_then_pid, (0.3,))
    pids = {o.value for o in pool.results()}
    assert len(pids) == 2 and all(pid_alive(pid) for pid in pids)
    pool.submit("queued", identity_and_pid, (0,))
    pool.close()
    pool.close()
    assert not any(pid_alive(pid) for pid in pids)
    assert not [p for p in multiprocessing.active_children() if p.pid in pids]
    assert list(pool.results()) == []
    with pytest.raises(RuntimeError):
        pool.submit("late", identity_and_pid, (0,))


def test_context_manager_closes_running_workers(tmp_path: Any) -> None:
    marker = tmp_path / "long"
    with WorkerPool(2) as pool:
        pool.submit("long", announce_then_sleep, (str(marker), 30))
        pool.submit("quick", identity_and_pid, (0,))
        for outcome in pool.results():  # leave while "long" runs
            assert outcome.task_id == "quick"
            break
        pid = int(wait_for_file(marker))
        assert pool.n_running == 1 and pid_alive(pid)
    assert not pid_alive(pid)


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError):
        WorkerPool(0)
    with pytest.raises(ValueError):
        WorkerPool(1, threads_per_worker=0)
    with pytest.raises(ValueError):
        WorkerPool(1, memory_limit_mb=-5)
    with pytest.raises(ValueError, match="idle_timeout"):
        WorkerPool(1, idle_timeout=0)
    with WorkerPool(1) as pool:
        with pytest.raises(ValueError):
            pool.submit("t", identity_and_pid, (0,), timeout=0)
        with pytest.raises(TypeError):
            pool.submit("t", "not callable")  # type: ignore[arg-type]


def test_default_n_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    import joblib

    monkeypatch.setattr(joblib, "cpu_count", lambda *a, **k: 4)
    assert default_n_workers(None) == 1
    assert default_n_workers(1) == 1
    assert default_n_workers(3) == 3
    assert default_n_workers(-1) == 4
    assert default_n_workers(-2) == 3
    assert default_n_workers(-10) == 1
    with pytest.raises(ValueError):
        default_n_workers(0)


def test_threads_per_worker_sets_environment() -> None:
    with WorkerPool(1, threads_per_worker=2) as pool:
        pool.submit("env", thread_env)
        assert run_all(pool)["env"].value == ("2", "2", "2")


@pytest.mark.skipif(not hasattr(signal, "SIGINT") or sys.platform == "win32",
                    reason="POSIX signals")
def test_workers_ignore_sigint(pool: WorkerPool) -> None:
    pool.submit("pid", identity_and_pid, (0,))
    pid = run_all(pool)["pid"].value[1]
    pool.submit("interrupted", interrupt_self_then_pid)
    outcome = run_all(pool)["interrupted"]
    assert outcome.kind is OutcomeKind.OK and outcome.value == pid


def test_idle_worker_exits_and_is_replaced() -> None:
    with WorkerPool(1, idle_timeout=0.3) as pool:
        pool.submit("first", identity_and_pid, (0,))
        pid = run_all(pool)["first"].value[1]
        deadline = time.monotonic() + 5.0
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not pid_alive(pid)
        pool.submit("second", identity_and_pid, (1,))
        outcome = run_all(pool)["second"]
        assert outcome.kind is OutcomeKind.OK and outcome.value[1] != pid



def exit_cleanly(payload: Any) -> None:
    """Leave the worker with exit code 0."""
    os._exit(0)


def exit_cleanly_once(payload: Any, marker: str) -> int:
    """Leave the worker with exit code 0 the first time (as an idle worker does), then return its pid."""
    if not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(0)
    return os.getpid()


def test_a_task_whose_worker_exits_cleanly_before_running_it_goes_to_a_fresh_worker(tmp_path) -> None:
    # an idle worker may leave just as a task is sent to it; the task never ran, so it is not a crash
    marker = str(tmp_path / "exited")
    with WorkerPool(1) as pool:
        pool.submit("once", exit_cleanly_once, (marker,))
        outcome = run_all(pool)["once"]
    assert outcome.kind is OutcomeKind.OK and os.path.exists(marker)


def test_a_task_that_always_exits_cleanly_is_a_crash_after_one_retry() -> None:
    with WorkerPool(1) as pool:
        pool.submit("exit", exit_cleanly)
        outcome = run_all(pool)["exit"]
    assert outcome.kind is OutcomeKind.CRASH and "exit code 0" in outcome.error

_SCRIPT = """
import os, sys, time
from autopipe.evaluate import WorkerPool

# No ``if __name__ == "__main__"`` guard: workers must not re-run this.
def task(payload, x):
    return payload + x, os.getpid()

pool = WorkerPool(2)
pool.set_payload(40)
pool.submit("a", task, (2,))
outcome = next(iter(pool.results()))
print(outcome.kind.value, outcome.value[0], outcome.value[1], flush=True)
pool.submit("b", lambda payload: time.sleep(60))  # to the worker that ran "a"
pool.submit("c", task, (0,))  # to a second worker
assert next(iter(pool.results())).task_id == "c" and pool.n_running == 1
os._exit(0)  # die without closing the pool while "b" runs
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX process checks")
def test_unguarded_script_and_orphaned_worker_exits(tmp_path: Any) -> None:
    script = tmp_path / "unguarded_script.py"
    script.write_text(textwrap.dedent(_SCRIPT))
    root = os.path.dirname(os.path.dirname(os.path.abspath(autopipe.__file__)))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [root, *filter(None, [env.get("PYTHONPATH")])])
    proc = subprocess.run([sys.executable, str(script)], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    kind, value, pid = proc.stdout.split()
    assert (kind, value) == ("ok", "42")
    # The worker, orphaned in the middle of a 60 s task, exits by itself.
    deadline = time.monotonic() + 5.0
    while pid_alive(int(pid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not pid_alive(int(pid))
