"""The default search fits on training data the workers share as read-only memory maps."""

from __future__ import annotations

import glob
import os
import tempfile

import numpy as np
import pandas as pd
import pytest

from autopipe import AutoClassifier, AutoRegressor
from autopipe.evaluate import _pool


def _payload_folders() -> list[str]:
    pattern = f"autopipe-payload-{os.getpid()}-*"
    return [p for root in {"/dev/shm", tempfile.gettempdir()} for p in glob.glob(os.path.join(root, pattern))]


@pytest.fixture
def shared(monkeypatch):
    """The payloads the fit wrote to a file for its workers (counted by a spy on the pool's writer)."""
    written = []
    original = _pool.share_payload

    def spy(stream, buffers):
        result = original(stream, buffers)
        written.append(result)
        return result

    monkeypatch.setattr(_pool, "share_payload", spy)
    return written


def _numeric(n=4_000, d=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))  # 1.3 MB: above the pool's 1 MiB threshold
    return X, (X[:, 0] + X[:, 1] > 0).astype(int)


def _with_strings(n=4_000, seed=0):
    X, _ = _numeric(n, 36, seed)
    table = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    rng = np.random.default_rng(seed + 1)
    table["city"] = rng.choice(["oslo", "lima", "pune"], n)  # pandas' string dtype
    table["note"] = pd.Series(rng.choice(["a b", "c", "d e f"], n), dtype=object)
    y = X[:, 0] * 2 + (table["city"] == "lima") + rng.normal(scale=0.1, size=n)
    return table, y


def _no_read_only_failures(est):
    errors = " ".join(est.leaderboard_["error"].astype(str))
    assert "read-only" not in errors and "not writeable" not in errors.lower()
    assert (est.leaderboard_["status"] == "ok").any()


@pytest.mark.parametrize(("make", "cls", "least"), [(_numeric, AutoClassifier, 0.8),
                                                     (_with_strings, AutoRegressor, 0.5)],
                         ids=["numeric", "with-string-columns"])
def test_default_search_on_a_shared_table(shared, make, cls, least):
    X, y = make()
    est = cls(time_budget=10, n_jobs=2, random_state=0).fit(X, y)
    assert shared and all(s is not None for s in shared)
    _no_read_only_failures(est)
    assert est.score(X, y) > least
    assert _payload_folders() == []


def test_no_payload_file_remains_when_the_fit_raises(shared, tmp_path):
    X, y = _numeric()
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    est = AutoClassifier(time_budget=None, generations=1, population_size=2, search_space="light", cv=3, n_jobs=2,
                         checkpoint=blocker / "checkpoint.pkl")  # cannot be written: the fit raises mid-search
    with pytest.raises(OSError):
        est.fit(X, y)
    assert shared
    assert _payload_folders() == []
