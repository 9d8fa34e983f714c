"""Fixtures of the evaluator tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def lanes_of(monkeypatch):
    """``lanes = lanes_of(evaluator)`` records the lane of every task the evaluator then submits, by task id."""

    def spy_on(evaluator):
        lanes = {}
        original = evaluator.pool.submit

        def submit(task_id, fn, args=(), timeout=None, lane=None):
            lanes[task_id] = lane
            return original(task_id, fn, args, timeout=timeout, lane=lane)

        monkeypatch.setattr(evaluator.pool, "submit", submit)
        return lanes

    return spy_on
