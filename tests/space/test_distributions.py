"""Tests of the hyperparameter distributions and ``as_distribution``."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_selection import f_classif

from autopipe.exceptions import SearchSpaceError
from autopipe.space import (
    Categorical,
    Distribution,
    FloatDistribution,
    IntDistribution,
    as_distribution,
)

DISTRIBUTIONS = [
    Categorical((None, "balanced")),
    Categorical((True, False)),
    Categorical((f_classif, "x", 3, 2.5, (50,), None)),
    Categorical(("only",)),
    IntDistribution(1, 100),
    IntDistribution(1, 100, log=True),
    IntDistribution(2, 3),
    IntDistribution(5, 5),
    FloatDistribution(0.0, 1.0),
    FloatDistribution(1e-4, 1e4, log=True),
    FloatDistribution(0.05, 0.06),
    FloatDistribution(0.5, 0.5),
]


@pytest.mark.parametrize("dist", DISTRIBUTIONS, ids=str)
def test_sample_within_range_and_deterministic(dist: Distribution) -> None:
    a = [dist.sample(np.random.default_rng(7)) for _ in range(3)]
    rng1, rng2 = np.random.default_rng(42), np.random.default_rng(42)
    s1 = [dist.sample(rng1) for _ in range(200)]
    s2 = [dist.sample(rng2) for _ in range(200)]
    assert s1 == s2
    assert a[0] == a[1] == a[2]
    assert all(dist.contains(v) for v in s1)
    assert dist.contains(dist.default())


def test_sample_types_and_rounding() -> None:
    rng = np.random.default_rng(0)
    ints = [IntDistribution(1, 1000, log=True).sample(rng) for _ in range(200)]
    assert all(type(v) is int for v in ints)
    assert min(ints) >= 1 and max(ints) <= 1000
    # log scale: small values are as likely as large ones per decade
    assert sum(v < 32 for v in ints) > 60
    floats = [FloatDistribution(1e-4, 1e4, log=True).sample(rng) for _ in range(200)]
    assert all(type(v) is float for v in floats)
    assert all(float(f"{v:.4g}") == v for v in floats)
    assert sum(v < 1 for v in floats) > 60
    # every choice is reachable
    cat = Categorical(("a", "b", "c"))
    assert {cat.sample(rng) for _ in range(100)} == {"a", "b", "c"}


@pytest.mark.parametrize("dist", DISTRIBUTIONS, ids=str)
def test_mutate_returns_different_valid_value(dist: Distribution) -> None:
    rng = np.random.default_rng(3)
    for _ in range(100):
        value = dist.sample(rng)
        new = dist.mutate(value, rng)
        assert dist.contains(new)
        if dist.size > 1:
            assert not (new == value and type(new) is type(value)), (value, new)
        else:
            assert new == value


def test_mutate_numeric_is_a_local_move_mostly() -> None:
    rng = np.random.default_rng(0)
    d = FloatDistribution(0.0, 100.0)
    steps = [abs(d.mutate(50.0, rng) - 50.0) for _ in range(500)]
    assert np.mean([s <= 10.0 for s in steps]) > 0.6  # perturbations are <= 10% of range
    logd = FloatDistribution(1e-4, 1e4, log=True)
    ratios = [logd.mutate(1.0, rng) for _ in range(500)]
    assert np.mean([0.5 <= r <= 2.0 for r in ratios]) > 0.6
    # clipped to the range
    assert all(0.0 <= d.mutate(100.0, rng) <= 100.0 for _ in range(100))


def test_mutate_value_outside_distribution_resamples() -> None:
    rng = np.random.default_rng(0)
    assert Categorical(("a", "b")).mutate("zzz", rng) in ("a", "b")
    assert IntDistribution(1, 3).mutate(99, rng) in (1, 2, 3)
    assert 0.0 <= FloatDistribution(0.0, 1.0).mutate("x", rng) <= 1.0


def test_contains_is_type_strict() -> None:
    assert not Categorical((True, False)).contains(1)
    assert not Categorical((1, 2)).contains(True)
    assert not Categorical((1, 2)).contains(1.0)
    assert Categorical((None, "balanced")).contains(None)
    assert Categorical((f_classif,)).contains(f_classif)
    assert Categorical(((50,), (100,))).contains((50,))
    assert not Categorical(((50,),)).contains([50])
    assert Categorical((float("nan"),)).contains(float("nan"))
    assert IntDistribution(1, 5).contains(3)
    assert IntDistribution(1, 5).contains(np.int64(3))
    assert not IntDistribution(1, 5).contains(3.0)
    assert not IntDistribution(1, 5).contains(True)
    assert not IntDistribution(1, 5).contains(6)
    assert FloatDistribution(0.0, 1.0).contains(0.5)
    assert FloatDistribution(0.0, 1.0).contains(np.float64(1.0))
    # max_features=1 (one feature) is not max_features=1.0 (all features)
    assert not FloatDistribution(0.0, 1.0).contains(1)
    assert not FloatDistribution(0.0, 1.0).contains(1.5)
    assert not FloatDistribution(0.0, 1.0).contains("0.5")


def test_default_is_first_choice_or_midpoint() -> None:
    assert Categorical(("x", "y")).default() == "x"
    assert IntDistribution(1, 9).default() == 5
    assert IntDistribution(1, 100, log=True).default() == 10
    assert FloatDistribution(0.0, 1.0).default() == 0.5
    assert FloatDistribution(1e-4, 1e4, log=True).default() == 1.0


@pytest.mark.parametrize(
    "make",
    [
        lambda: Categorical(()),
        lambda: Categorical("ab"),
        lambda: IntDistribution(5, 1),
        lambda: IntDistribution(0, 10, log=True),
        lambda: IntDistribution(1.5, 3),
        lambda: FloatDistribution(1.0, 0.0),
        lambda: FloatDistribution(0.0, 1.0, log=True),
        lambda: FloatDistribution(0.0, float("inf")),
        lambda: FloatDistribution("a", 1.0),
    ],
)
def test_invalid_distributions_raise(make: object) -> None:
    with pytest.raises(SearchSpaceError):
        make()  # type: ignore[operator]


def test_distributions_are_frozen_and_hashable() -> None:
    d = FloatDistribution(0.0, 1.0)
    with pytest.raises(AttributeError):
        d.low = 0.5  # type: ignore[misc]
    assert hash(d) == hash(FloatDistribution(0.0, 1.0))
    assert IntDistribution(1, 3) == IntDistribution(1, 3)


def test_as_distribution() -> None:
    d = FloatDistribution(0.0, 1.0)
    assert as_distribution(d) is d
    assert as_distribution([1, 2]) == Categorical((1, 2))
    assert as_distribution((None, "balanced")) == Categorical((None, "balanced"))
    assert as_distribution(range(3)) == Categorical((0, 1, 2))
    assert as_distribution("l2") == Categorical(("l2",))
    assert as_distribution(None) == Categorical((None,))
    assert as_distribution(0.5) == Categorical((0.5,))
    assert as_distribution(np.array([1, 2])) == Categorical((1, 2))
    assert as_distribution(f_classif).choices == (f_classif,)
    assert as_distribution([(50,), (100,)]).choices == ((50,), (100,))
    for bad in ([], (), range(0), {1, 2}, {"a": 1}):
        with pytest.raises(SearchSpaceError):
            as_distribution(bad)


@settings(max_examples=60, deadline=None)
@given(
    low=st.floats(-1e6, 1e6, allow_nan=False),
    width=st.floats(0.0, 1e6, allow_nan=False),
    log=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_float_distribution_properties(low: float, width: float, log: bool, seed: int) -> None:
    if log:
        low = abs(low) + 1e-6
    dist = FloatDistribution(low, low + width, log=log)
    rng = np.random.default_rng(seed)
    value = dist.sample(rng)
    assert dist.contains(value)
    new = dist.mutate(value, rng)
    assert dist.contains(new)
    if dist.low != dist.high:
        assert new != value


@settings(max_examples=60, deadline=None)
@given(
    low=st.integers(1, 10_000),
    width=st.integers(0, 10_000),
    log=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_int_distribution_properties(low: int, width: int, log: bool, seed: int) -> None:
    dist = IntDistribution(low, low + width, log=log)
    rng = np.random.default_rng(seed)
    value = dist.sample(rng)
    assert dist.contains(value)
    new = dist.mutate(value, rng)
    assert dist.contains(new)
    assert (new != value) == (width > 0)
