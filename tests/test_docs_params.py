"""The parameter table of ``AutoEstimator``'s docstring matches the code.

The Parameters section (numpydoc) is what the API page shows; it must name
every parameter ``get_params()`` returns, no other, and give the defaults the
constructor has.
"""

from __future__ import annotations

import ast
import inspect
import re

import pytest

from autopipe import AutoClassifier, AutoEstimator, AutoRegressor

docscrape = pytest.importorskip("numpydoc.docscrape")

_DEFAULT = re.compile(r"default\s*=\s*(.+)$")


def _documented() -> dict[str, str]:
    """Parameter name -> its type line, from the docstring's Parameters section."""
    doc = docscrape.NumpyDocString(inspect.getdoc(AutoEstimator))
    return {param.name: param.type for param in doc["Parameters"]}


def test_documented_parameters_are_get_params():
    documented, actual = set(_documented()), set(AutoEstimator().get_params())
    assert documented == actual, (
        f"in get_params() but not documented: {sorted(actual - documented)}; "
        f"documented but not in get_params(): {sorted(documented - actual)}"
    )


def test_documented_parameters_follow_the_signature():
    # the page lists them in the order of the constructor, as numpydoc asks
    signature = list(inspect.signature(AutoEstimator.__init__).parameters)[1:]
    assert list(_documented()) == signature


@pytest.mark.parametrize("name", sorted(AutoEstimator().get_params()))
def test_documented_default_is_the_constructor_default(name):
    type_line = _documented().get(name)
    if type_line is None:
        pytest.skip("undocumented: reported by test_documented_parameters_are_get_params")
    match = _DEFAULT.search(type_line)
    assert match, f"{name}: no 'default=' in {type_line!r}"
    try:
        documented = ast.literal_eval(match.group(1).strip())
    except (ValueError, SyntaxError):
        pytest.skip(f"{name}: default {match.group(1)!r} is not a literal")
    assert AutoEstimator().get_params()[name] == documented, name


@pytest.mark.parametrize("cls", [AutoClassifier, AutoRegressor])
def test_subclasses_have_the_documented_parameters(cls):
    # their docstrings say "Parameters are those of AutoEstimator"
    assert set(cls().get_params()) == set(_documented())
