"""The adapter between the space's distributions and Optuna: distributions, values and define-by-run suggestions."""

from __future__ import annotations

import math

import optuna
import pytest

from autopipe.space import (
    Categorical,
    Distribution,
    FloatDistribution,
    IntDistribution,
    from_optuna_value,
    import_optuna,
    suggest_value,
    to_optuna,
    to_optuna_value,
)


def test_import_optuna_is_optuna_and_quiet():
    assert import_optuna("a test") is optuna
    assert optuna.logging.get_verbosity() == optuna.logging.WARNING


@pytest.mark.parametrize(
    ("distribution", "expected"),
    [
        (Categorical((None, "l2", math.sqrt)), optuna.distributions.CategoricalDistribution([0, 1, 2])),
        (IntDistribution(1, 100, log=True), optuna.distributions.IntDistribution(1, 100, log=True)),
        (FloatDistribution(0.0, 1.0), optuna.distributions.FloatDistribution(0.0, 1.0)),
    ],
)
def test_distributions_map_to_optuna_categoricals_by_position(distribution, expected):
    assert to_optuna(distribution) == expected


def test_an_unknown_distribution_is_refused():
    class Odd(Distribution):
        sample = mutate = contains = default = size = None  # type: ignore[assignment]

    with pytest.raises(TypeError, match="no Optuna distribution"):
        to_optuna(Odd())


def test_values_go_to_optuna_and_back():
    choices = Categorical((1, 1.0, True, float("nan"), "a"))
    for position, value in enumerate(choices.choices):
        assert to_optuna_value(choices, value) == position  # 1, 1.0 and True are different values
        assert from_optuna_value(choices, position) is value
    assert to_optuna_value(choices, float("nan")) == 3
    with pytest.raises(ValueError, match="not one of the choices"):
        to_optuna_value(choices, "b")
    floats = FloatDistribution(0.0, 1.0)
    assert to_optuna_value(floats, 0.123456789) == 0.123456789
    assert from_optuna_value(floats, 0.123456789) == 0.123456789
    assert from_optuna_value(floats, 0.123456789, snap=True) == 0.1235
    assert from_optuna_value(IntDistribution(1, 5), 3) == 3


def test_suggestions_are_values_of_the_space_and_recorded_as_optuna_distributions():
    space = {"penalty": Categorical(("l1", "l2", None)), "C": FloatDistribution(1e-3, 1e3, log=True),
             "k": IntDistribution(1, 9)}
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    trial = study.ask()
    values = {name: suggest_value(trial, name, d) for name, d in space.items()}
    assert all(d.contains(values[name]) for name, d in space.items())
    assert trial.distributions == {name: to_optuna(d) for name, d in space.items()}
    assert values["penalty"] == space["penalty"].choices[trial.params["penalty"]]
    assert values["C"] == trial.params["C"]  # not snapped: the trial's own value
