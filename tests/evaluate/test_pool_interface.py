"""One conformance suite for every ``Pool``: the local ``WorkerPool`` and the ``DaskPool``."""

from __future__ import annotations

import logging
import sys
import time
from typing import Any, Iterator

import cloudpickle
import pytest

from autopipe.evaluate import DaskPool, OutcomeKind, Pool, TaskOutcome, WorkerPool

# Local workers do not necessarily see this module on their path: its task
# functions travel by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def _add(payload: int, x: int) -> int:
    return payload + x


def _raise(payload: Any, message: str) -> None:
    raise ValueError(message)


def _sleep(payload: Any, seconds: float) -> float:
    time.sleep(seconds)
    return seconds


@pytest.fixture(scope="module")
def dask_client() -> Iterator[Any]:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None,
        silence_logs=logging.CRITICAL,
    ) as cluster, distributed.Client(cluster) as client:
        yield client


@pytest.fixture(params=["local", pytest.param("dask", marks=pytest.mark.dask)])
def make_pool(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A factory of open pools of the parametrized kind; every pool it made is closed afterwards."""
    made: list[Pool] = []

    def make() -> Pool:
        if request.param == "local":
            pool: Pool = WorkerPool(2)
        else:
            pool = DaskPool(request.getfixturevalue("dask_client"))
        made.append(pool)
        return pool

    yield make
    for pool in made:
        pool.close()


def _run(pool: Pool, deadline: float | None = None) -> dict[Any, TaskOutcome]:
    outcomes: dict[Any, TaskOutcome] = {}
    for outcome in pool.results(deadline):
        assert isinstance(outcome, TaskOutcome) and isinstance(outcome.kind, OutcomeKind)
        assert outcome.task_id not in outcomes
        outcomes[outcome.task_id] = outcome
    return outcomes


def test_submit_and_results_see_the_payload(make_pool: Any) -> None:
    pool = make_pool()
    assert isinstance(pool, Pool)
    pool.set_payload(10)
    for i in range(3):
        pool.submit(i, _add, (i,), timeout=30.0)
    out = _run(pool)
    assert {i: o.value for i, o in out.items()} == {0: 10, 1: 11, 2: 12}
    assert all(o.kind is OutcomeKind.OK and o.ok and o.error == "" and o.elapsed >= 0 for o in out.values())
    assert pool.n_running == pool.n_queued == 0
    pool.set_payload(20)  # replaced for the tasks from now on
    pool.submit("again", _add, (1,))
    assert _run(pool)["again"].value == 21


def test_a_failing_task_is_an_error_outcome(make_pool: Any) -> None:
    pool = make_pool()
    pool.set_payload(0)
    pool.submit("bad", _raise, ("bad thing",))
    pool.submit("good", _add, (1,))
    out = _run(pool)
    bad = out["bad"]
    assert bad.kind is OutcomeKind.ERROR and not bad.ok and bad.value is None
    assert bad.error.startswith("ValueError: bad thing") and "in _raise" in bad.error
    assert out["good"].kind is OutcomeKind.OK and out["good"].value == 1


def test_the_deadline_cancels_what_is_not_finished(make_pool: Any) -> None:
    pool = make_pool()
    pool.set_payload(None)
    for i in range(3):
        pool.submit(i, _sleep, (1.0,))
    start = time.monotonic()
    out = _run(pool, deadline=start + 0.3)
    assert time.monotonic() - start < 1.0
    assert sorted(out) == [0, 1, 2]
    assert {o.kind for o in out.values()} == {OutcomeKind.CANCELLED}
    assert {o.error for o in out.values()} == {"cancelled at the search deadline"}
    assert pool.n_running == pool.n_queued == 0


def test_cancel_pending_drops_the_tasks_not_started(make_pool: Any) -> None:
    pool = make_pool()
    pool.set_payload(0)
    for i in range(3):
        pool.submit(("q", i), _add, (i,))
    # Without iterating over results, no task was seen starting.
    assert pool.cancel_pending() == [("q", 0), ("q", 1), ("q", 2)]
    assert pool.n_queued == 0 and list(pool.results()) == []
    pool.submit("after", _add, (5,))
    assert _run(pool)["after"].value == 5


def test_close_is_idempotent_and_final(make_pool: Any) -> None:
    pool = make_pool()
    pool.set_payload(0)
    pool.submit("queued", _add, (1,))
    pool.close()
    pool.close()
    assert list(pool.results()) == []
    with pytest.raises(RuntimeError, match="closed"):
        pool.submit("late", _add, (1,))
    with pytest.raises(RuntimeError, match="closed"):
        pool.set_payload(1)


def test_the_context_manager_closes_and_submit_checks_its_arguments(make_pool: Any) -> None:
    with make_pool() as pool:
        with pytest.raises(ValueError, match="timeout"):
            pool.submit("t", _add, (1,), timeout=0)
        with pytest.raises(TypeError, match="callable"):
            pool.submit("t", "not callable")
    with pytest.raises(RuntimeError, match="closed"):
        pool.submit("late", _add, (1,))
