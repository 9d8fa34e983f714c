"""Reliability: checkpoint and resume after SIGKILL, Ctrl-C, warm start, memory limits, determinism."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from autopipe import AutoClassifier
from autopipe.search import load_checkpoint
from autopipe.testing import MemoryHungryClassifier, make_tiny_classification

SCRIPT_HEAD = """
import sys, warnings
from autopipe import AutoClassifier
from autopipe.testing import make_tiny_classification
X, y = make_tiny_classification(n_samples=150, n_features=6, random_state=0)
"""


def _spawn(body: str, tmp_path: Path) -> subprocess.Popen:
    script = tmp_path / "job.py"
    script.write_text(SCRIPT_HEAD + textwrap.dedent(body))
    return subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _generations_in(path: Path) -> int:
    try:
        with path.open("rb") as fh:
            history = pickle.load(fh)["history"]
    except (OSError, EOFError, pickle.UnpicklingError, KeyError):
        return 0
    return len({e.generation for e in history})


def test_resume_after_sigkill_reevaluates_nothing(tmp_path):
    ckpt = tmp_path / "search.ckpt"
    settings = "time_budget=120, population_size=6, search_space='light', cv=3, random_state=0"
    proc = _spawn(f"AutoClassifier({settings}, checkpoint={str(ckpt)!r}).fit(X, y)\n", tmp_path)
    try:
        deadline = time.monotonic() + 60
        while _generations_in(ckpt) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _generations_in(ckpt) >= 2, proc.stderr.read() if proc.poll() is not None else "no checkpoint"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    with ckpt.open("rb") as fh:
        saved = pickle.load(fh)["history"]
    before = [e.genome.key for e in saved]
    best_before = saved.best_score()

    X, y = make_tiny_classification(n_samples=150, n_features=6, random_state=0)
    est = AutoClassifier(
        time_budget=None, generations=1, population_size=6, search_space="light", cv=3,
        random_state=0, checkpoint=ckpt,
    ).fit(X, y)
    keys = [e.genome.key for e in est.history_]
    assert keys[: len(before)] == before  # resumed, in order
    assert len(keys) == len(set(keys)) > len(before)  # nothing evaluated twice, new work done
    assert est.history_.best_score() >= best_before


def test_checkpoint_is_ignored_for_other_data(tmp_path):
    ckpt = tmp_path / "c.ckpt"
    fast = dict(time_budget=None, generations=0, population_size=3, search_space="light", cv=3, random_state=0)
    X, y = make_tiny_classification(n_samples=80, random_state=0)
    AutoClassifier(**fast, checkpoint=ckpt).fit(X, y)
    X2, y2 = make_tiny_classification(n_samples=80, random_state=1)
    est = AutoClassifier(**fast, checkpoint=ckpt).fit(X2, y2)
    assert len(est.history_) == 3
    assert load_checkpoint(ckpt, "no such fingerprint") is None
    (tmp_path / "junk").write_bytes(pickle.dumps([1, 2]))
    with pytest.raises(ValueError, match="not an autopipe checkpoint"):
        load_checkpoint(tmp_path / "junk", "x")


def test_sigint_keeps_the_best_so_far(tmp_path):
    proc = _spawn(
        """
        est = AutoClassifier(time_budget=120, population_size=6, search_space='light', cv=3, random_state=0,
                             verbose=1)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            est.fit(X, y)
        print("FITTED", len(est.leaderboard_), est.stop_reason_, est.score(X, y))
        print("WARN", [type(w.message).__name__ for w in caught])
        """,
        tmp_path,
    )
    time.sleep(0.5)
    # wait until the progress bar reports candidates, then press Ctrl-C once
    start = time.monotonic()
    buffer = ""
    while "evaluated=" not in buffer and time.monotonic() - start < 60:
        buffer += os.read(proc.stderr.fileno(), 4096).decode(errors="replace")
    time.sleep(1.0)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err[-2000:]
    assert time.monotonic() - sent < 30  # stopped long before the 120 s budget
    assert "FITTED" in out and "interrupted" in out
    assert "SearchInterruptedWarning" in out


def test_second_sigint_aborts_at_once(tmp_path):
    proc = _spawn(
        """
        from autopipe.testing import SlowClassifier
        est = AutoClassifier(time_budget=120, population_size=2, generations=5, cv=2, random_state=0,
                             search_space={SlowClassifier: {"seconds": [1.5]}}, verbose=1)
        est.fit(X, y)
        print("FITTED")
        """,
        tmp_path,
    )
    start = time.monotonic()
    buffer = ""
    while "evaluated=2" not in buffer and time.monotonic() - start < 60:
        buffer += os.read(proc.stderr.fileno(), 4096).decode(errors="replace")
    proc.send_signal(signal.SIGINT)  # stops the search; the refit (1.5 s) starts
    time.sleep(0.5)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)  # aborts the refit
    out, err = proc.communicate(timeout=30)
    assert time.monotonic() - sent < 5
    assert proc.returncode != 0 and "FITTED" not in out
    assert "KeyboardInterrupt" in err


def test_warm_start_continues_the_search(clf_data):
    X, y = clf_data
    est = AutoClassifier(time_budget=None, generations=1, population_size=4, search_space="light", cv=3,
                         random_state=0, warm_start=True).fit(X, y)
    first = list(est.leaderboard_.pipeline[est.leaderboard_.status != "ensemble"])
    best = est.history_.best_score()
    est.set_params(generations=1).fit(X, y)
    keys = [e.genome.key for e in est.history_]
    assert set(first) < set(keys) and len(keys) == len(set(keys))
    assert est.history_.best_score() >= best
    assert max(e.generation for e in est.history_) == 3


def test_memory_limit_fails_only_the_hungry_candidate(clf_data):
    X, y = clf_data
    space = {MemoryHungryClassifier: {"gigabytes": [4.0]}, "GaussianNB": {}}
    est = AutoClassifier(time_budget=None, generations=0, population_size=4, search_space=space, cv=2,
                         random_state=0, memory_limit=1500, n_jobs=2).fit(X, y)
    errors = " ".join(est.leaderboard_.error)
    assert "MemoryError" in errors
    assert "GaussianNB" in est.best_candidate_


def test_same_leaderboard_with_one_or_two_workers(clf_data):
    X, y = clf_data
    fast = dict(time_budget=None, generations=2, population_size=5, search_space="light", cv=3, random_state=3)
    one = AutoClassifier(**fast, n_jobs=1).fit(X, y).leaderboard_
    two = AutoClassifier(**fast, n_jobs=2).fit(X, y).leaderboard_
    # The same pipelines with the same scores; pipelines whose scores and sizes tie exactly are
    # listed in the order their results came in (two workers may finish them in either order).
    assert sorted(one.pipeline) == sorted(two.pipeline)
    scores_one, scores_two = dict(zip(one.pipeline, one.score)), dict(zip(two.pipeline, two.score))
    np.testing.assert_allclose([scores_one[p] for p in sorted(scores_one)], [scores_two[p] for p in sorted(scores_one)])
    np.testing.assert_allclose(one.score.to_numpy(dtype=float), two.score.to_numpy(dtype=float))


def test_checkpoint_resumes_without_a_random_state(tmp_path, clf_data):
    X, y = clf_data
    ckpt = tmp_path / "unseeded.ckpt"
    fast = dict(time_budget=None, generations=0, population_size=3, search_space="light", cv=3, checkpoint=ckpt)
    first = AutoClassifier(**fast).fit(X, y)
    second = AutoClassifier(**{**fast, "generations": 1}).fit(X, y)
    keys = [e.genome.key for e in second.history_]
    assert keys[:3] == [e.genome.key for e in first.history_]  # resumed with the saved seed
    assert len(keys) == len(set(keys)) > 3


def test_cv_as_a_list_of_splits(clf_data):
    from sklearn.model_selection import KFold

    X, y = clf_data
    splits = list(KFold(4, shuffle=True, random_state=0).split(X))
    est = AutoClassifier(time_budget=None, generations=0, population_size=3, search_space="light", cv=splits,
                         random_state=0).fit(X, y)
    assert all(len(e.result.fold_scores) == 4 for e in est.history_ if e.result.ok)
