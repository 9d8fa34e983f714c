"""Large payloads reach the workers as one shared, read-only memory-mapped copy, and leave no files behind."""

from __future__ import annotations

import glob
import mmap
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from typing import Any

import cloudpickle
import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import Ridge
from sklearn.metrics import get_scorer
from sklearn.model_selection import KFold

import autopipe
from autopipe.evaluate import Evaluator, OutcomeKind, WorkerPool

# Workers do not necessarily see this test module on their path, so what it defines travels by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def memory_mapped(a: Any) -> bool:
    """Whether an array's memory is (a view of) a memory-mapped file."""
    while a is not None:
        if isinstance(a, (np.memmap, mmap.mmap)):
            return True
        a = getattr(a, "base", None)
    return False


def payload_folders() -> list[str]:
    """The payload folders this process has now."""
    pattern = f"autopipe-payload-{os.getpid()}-*"
    roots = {"/dev/shm", tempfile.gettempdir()}
    return sorted(path for root in roots for path in glob.glob(os.path.join(root, pattern)))


def describe(payload: Any) -> dict[str, Any]:
    X, table = payload["X"], payload["table"]
    return {"mapped": memory_mapped(X), "writeable": X.flags.writeable, "sum": float(X.sum()),
            "column_mapped": memory_mapped(table["number"].to_numpy()), "table": table, "pid": os.getpid()}


def exit_worker(payload: Any) -> None:
    os._exit(3)


class ProbeRegressor(RegressorMixin, BaseEstimator):
    """Predicts the mean; records whether the ``X`` it was fitted on was a read-only memory map."""

    def fit(self, X: Any, y: Any) -> ProbeRegressor:
        self.mapped_ = memory_mapped(X)
        self.writeable_ = bool(np.asarray(X).flags.writeable)
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X: Any) -> np.ndarray:
        return np.full(len(X), self.mean_)


def big_payload() -> dict[str, Any]:
    rng = np.random.default_rng(0)
    n = 20_000
    table = pd.DataFrame({"number": rng.normal(size=n), "text": [f"w{i % 7}" for i in range(n)],
                          "object": pd.Series([f"o{i % 3}" for i in range(n)], dtype=object)})
    return {"X": rng.normal(size=(2_000, 100)), "table": table}  # about 2 MB


def run_all(pool: WorkerPool) -> dict[Any, Any]:
    return {o.task_id: o for o in pool.results()}


def test_every_worker_reads_one_memory_mapped_copy_of_a_large_payload() -> None:
    payload = big_payload()
    with WorkerPool(2) as pool:
        pool.set_payload(payload)
        assert len(payload_folders()) == 1
        for i in range(4):
            pool.submit(i, describe)
        seen = [o.value for o in run_all(pool).values()]
    with WorkerPool(1) as pool:
        pool.set_payload(payload)
        pool.submit(4, describe)
        pool.submit("exit", exit_worker)
        pool.submit(5, describe)  # in the worker that replaced the one that exited
        outcomes = run_all(pool)
    assert outcomes["exit"].kind is OutcomeKind.CRASH
    assert outcomes[4].value["pid"] != outcomes[5].value["pid"]
    seen += [outcomes[4].value, outcomes[5].value]
    for s in seen:
        assert s["mapped"] and not s["writeable"] and s["column_mapped"]
        assert s["sum"] == pytest.approx(float(payload["X"].sum()))
        pd.testing.assert_frame_equal(s["table"], payload["table"])
    assert payload_folders() == []


def test_small_or_unshared_payloads_arrive_as_writable_copies() -> None:
    payload = big_payload()
    with WorkerPool(1, share_min_bytes=None) as pool:
        pool.set_payload(payload)
        pool.submit("big", describe)
        assert payload_folders() == []
        pool.set_payload({"X": np.ones((10, 10)), "table": payload["table"].head(5)})  # far below 1 MiB
        pool.submit("small", describe)
        outcomes = run_all(pool)
    for key in ("big", "small"):
        assert not outcomes[key].value["mapped"] and outcomes[key].value["writeable"]


def test_replacing_or_dropping_the_payload_deletes_its_file() -> None:
    with WorkerPool(2) as pool:
        pool.set_payload(big_payload())
        pool.submit("a", describe)
        run_all(pool)
        (first,) = payload_folders()
        pool.set_payload(big_payload())
        (second,) = payload_folders()
        assert second != first
        pool.submit("b", describe)
        assert run_all(pool)["b"].value["mapped"]
        pool.set_payload(None)
        assert payload_folders() == []
        pool.set_payload(big_payload())
        assert len(payload_folders()) == 1
    assert payload_folders() == []
    with pytest.raises(ValueError, match="share_min_bytes"):
        WorkerPool(1, share_min_bytes=-1)


def _evaluator(n_rows: int = 3_000) -> tuple[Evaluator, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_rows, 60))  # 1.4 MB
    y = X[:, 0] + rng.normal(size=n_rows)
    splits = list(KFold(3, shuffle=True, random_state=0).split(X))
    return Evaluator(X, y, splits=splits, scorer=get_scorer("r2"), is_classifier=False, n_jobs=2), X


def test_estimators_in_the_workers_fit_on_the_memory_mapped_rows() -> None:
    evaluator, _ = _evaluator()
    with evaluator:
        assert len(payload_folders()) == 1
        (fitted, error), = evaluator.fit([("probe", ProbeRegressor())])
        results = evaluator.evaluate([("probe", ProbeRegressor()), ("ridge", Ridge())])
    assert error == "" and fitted.mapped_ and not fitted.writeable_
    assert all(r.ok for r in results)
    assert payload_folders() == []


def test_a_shared_pool_reused_across_fits_keeps_no_old_payload() -> None:
    for _ in range(2):
        evaluator, _ = _evaluator()
        with evaluator:
            evaluator.evaluate([("ridge", Ridge())])
            assert len(payload_folders()) == 1
        assert payload_folders() == []


def test_no_payload_file_remains_after_an_exception_in_the_caller() -> None:
    evaluator, _ = _evaluator()
    with pytest.raises(RuntimeError, match="boom"), evaluator:
        evaluator.evaluate([("ridge", Ridge())])
        raise RuntimeError("boom")
    assert payload_folders() == []


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs a POSIX system with /proc")
def test_the_payload_folder_is_deleted_when_the_parent_is_killed(tmp_path: Any) -> None:
    script = tmp_path / "killed.py"
    script.write_text(textwrap.dedent("""
        import os, signal
        import numpy as np
        from autopipe.evaluate import WorkerPool

        def shape(payload):
            return payload.shape

        pool = WorkerPool(1)
        pool.set_payload(np.ones((1000, 300)))
        pool.submit("s", shape)
        assert list(pool.results())[0].value == (1000, 300)
        print(pool._shared.folder, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """))
    root = os.path.dirname(os.path.dirname(autopipe.__file__))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, env=env,
                          check=False)
    folder = done.stdout.strip()
    assert folder, done.stderr
    end = time.monotonic() + 30
    while os.path.exists(folder) and time.monotonic() < end:
        time.sleep(0.2)
    assert not os.path.exists(folder)
