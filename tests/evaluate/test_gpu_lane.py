"""The GPU lane: network candidates on a CUDA device take turns; the CPU lanes go on meanwhile.

The scheduling is tested on the CPU: tasks are put in the ``"gpu"`` lane by
hand (or by forcing ``device="cuda"`` on a network that is never fitted).
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from sklearn.metrics import get_scorer
from sklearn.model_selection import StratifiedKFold
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from autopipe.evaluate import Evaluator, OutcomeKind, WorkerPool
from autopipe.testing import make_tiny_classification


def _interval(payload, seconds):
    start = time.time()
    time.sleep(seconds)
    return start, time.time()


def _overlaps(a, b):
    return a[0] < b[1] and b[0] < a[1]


def test_tasks_of_a_lane_of_width_one_never_overlap():
    with WorkerPool(3, lanes={"gpu": 1}) as pool:
        pool.set_payload(None)
        for i in range(3):
            pool.submit(("gpu", i), _interval, (0.6,), lane="gpu")
        for i in range(2):
            pool.submit(("cpu", i), _interval, (0.6,))
        outcomes = {o.task_id: o.value for o in pool.results()}
    gpu = [outcomes[("gpu", i)] for i in range(3)]
    cpu = [outcomes[("cpu", i)] for i in range(2)]
    assert all(not _overlaps(a, b) for i, a in enumerate(gpu) for b in gpu[i + 1:])
    assert len(cpu) == 2


def _most_at_once(intervals):
    """The largest number of ``(start, end)`` intervals that overlap at one time."""
    return max(sum(a[0] <= b[0] < a[1] for a in intervals) for b in intervals)


@pytest.mark.parametrize("width", [1, 2])
def test_the_lane_width_caps_the_tasks_run_at_once(width):
    with WorkerPool(3, lanes={"gpu": width}) as pool:
        pool.set_payload(None)
        for i in range(4):
            pool.submit(("gpu", i), _interval, (0.3,), lane="gpu")
        pool.submit("cpu", _interval, (0.3,))
        outcomes = {o.task_id: o for o in pool.results()}
    assert len(outcomes) == 5 and all(o.ok for o in outcomes.values())
    gpu = [outcomes[("gpu", i)].value for i in range(4)]
    assert _most_at_once(gpu) <= width
    if width == 1:  # the CPU task behind the full lane went ahead while GPU tasks still waited
        assert outcomes["cpu"].value[0] < max(start for start, _ in gpu)


@pytest.mark.parametrize("width", [0, -1, 1.5, True])
def test_bad_lane_widths_are_refused(width):
    with pytest.raises(ValueError, match="lane 'gpu'"):
        WorkerPool(1, lanes={"gpu": width})


def test_evaluator_puts_cuda_networks_in_the_gpu_lane(lanes_of):
    pytest.importorskip("skorch")
    from autopipe.space import NetworkTrainingHooks, NeuralNetClassifierOperator

    X, y = make_tiny_classification(n_samples=60, random_state=0)
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    evaluator = Evaluator(X, y, splits=splits, scorer=get_scorer("accuracy"), is_classifier=True, n_jobs=2,
                          gpu_lanes=1, hooks=NetworkTrainingHooks())
    with evaluator:
        lanes = lanes_of(evaluator)
        net = make_pipeline(StandardScaler(), NeuralNetClassifierOperator(device="cuda", max_epochs=1))
        cpu_net = make_pipeline(StandardScaler(), NeuralNetClassifierOperator(device="cpu", max_epochs=1))
        results = evaluator.evaluate([("nb", GaussianNB()), ("net", net), ("cpu-net", cpu_net)])
        assert evaluator.pool.lanes == {"gpu": 1}
    assert lanes == {0: None, 1: "gpu", 2: None}
    assert results[0].ok and results[2].ok
    import torch

    if not torch.cuda.is_available():  # the forced CUDA net fails as a candidate, the search goes on
        assert not results[1].ok


def _imported_torch(payload):
    import sys

    return "torch" in sys.modules


def test_workers_are_fresh_interpreters_so_cuda_state_is_never_inherited():
    torch = pytest.importorskip("torch")
    torch.cuda.is_available()  # the parent has torch loaded and has asked about CUDA
    with WorkerPool(1) as pool:
        pool.set_payload(None)
        pool.submit(0, _imported_torch)
        (outcome,) = pool.results()
    # a forked worker would carry the parent's torch (and any CUDA context) with it
    assert outcome.kind is OutcomeKind.OK and outcome.value is False
