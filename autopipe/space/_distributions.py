"""Hyperparameter distributions: what values a searched parameter may take."""

from __future__ import annotations

import abc
import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from autopipe.exceptions import SearchSpaceError

__all__ = [
    "Categorical",
    "Distribution",
    "FloatDistribution",
    "IntDistribution",
    "as_distribution",
]

# Probability that ``mutate`` draws a fresh sample instead of perturbing.
_RESAMPLE_PROB = 0.3
# Attempts at finding a value different from the current one before falling back.
_MAX_TRIES = 16


def _is_bool(value: Any) -> bool:
    return isinstance(value, (bool, np.bool_))


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not _is_bool(value)


def _is_float(value: Any) -> bool:
    return isinstance(value, (float, np.floating))


def _same(a: Any, b: Any) -> bool:
    """Whether two parameter values are the same value for an estimator.

    Stricter than ``==``: ``True`` is not ``1`` and ``1`` is not ``1.0`` (sklearn
    gives ints and floats different meanings, e.g. ``max_features``); two NaNs are
    the same; values whose comparison is not a plain boolean (arrays) are only the
    same when they are the same object.
    """
    if a is b:
        return True
    if _is_bool(a) != _is_bool(b):
        return False
    if isinstance(a, numbers.Number) and isinstance(b, numbers.Number):
        if _is_int(a) != _is_int(b):
            return False
        if _is_float(a) and _is_float(b) and math.isnan(a) and math.isnan(b):
            return True
    if type(a) is not type(b) and not (
        isinstance(a, numbers.Number) and isinstance(b, numbers.Number)
    ):
        if not (isinstance(a, str) and isinstance(b, str)):
            # e.g. a tuple and a list of the same items: different values.
            return False
    try:
        result = a == b
    except Exception:  # noqa: BLE001 - arbitrary user objects
        return False
    if isinstance(result, (bool, np.bool_)):
        return bool(result)
    return False


def _round_sig(value: float, digits: int = 4) -> float:
    """Round ``value`` to ``digits`` significant digits."""
    if value == 0.0 or not math.isfinite(value):
        return float(value)
    return float(f"{value:.{digits}g}")


def _format_number(value: float) -> str:
    return f"{value:g}"


class Distribution(abc.ABC):
    """The set of values a searched hyperparameter may take, and how to draw them.

    Subclasses are frozen dataclasses; every random draw takes an explicit
    ``numpy.random.Generator``.
    """

    @abc.abstractmethod
    def sample(self, rng: np.random.Generator) -> Any:
        """Draw one value.

        Parameters
        ----------
        rng : numpy.random.Generator
            Source of randomness.

        Returns
        -------
        value : object
            A value for which :meth:`contains` is true.
        """

    @abc.abstractmethod
    def mutate(self, value: Any, rng: np.random.Generator) -> Any:
        """Return a value near ``value`` that differs from it where possible.

        Parameters
        ----------
        value : object
            The current value. A value the distribution does not contain is
            replaced by a fresh sample.
        rng : numpy.random.Generator
            Source of randomness.

        Returns
        -------
        value : object
            A value for which :meth:`contains` is true; it differs from ``value``
            unless the distribution holds a single value.
        """

    @abc.abstractmethod
    def contains(self, value: Any) -> bool:
        """Whether ``value`` is one of the distribution's values.

        Parameters
        ----------
        value : object
            The value to test.

        Returns
        -------
        contained : bool
        """

    @abc.abstractmethod
    def default(self) -> Any:
        """A deterministic representative value.

        Used when an estimator's own default is not in the distribution: the
        first choice of a categorical, the (geometric, if log) midpoint of a range.

        Returns
        -------
        value : object
        """

    @property
    @abc.abstractmethod
    def size(self) -> float:
        """Number of distinct values (``inf`` for a continuous range)."""


@dataclass(frozen=True)
class Categorical(Distribution):
    """A choice among a fixed tuple of values.

    Parameters
    ----------
    choices : tuple
        The values; any objects (``None``, strings, booleans, numbers, tuples,
        callables such as ``f_classif``, estimator instances). Must not be empty.

    Examples
    --------
    >>> import numpy as np
    >>> d = Categorical(("l1", "l2"))
    >>> d.sample(np.random.default_rng(0)) in ("l1", "l2")
    True
    """

    choices: tuple

    def __post_init__(self) -> None:
        if isinstance(self.choices, (str, bytes)) or not isinstance(
            self.choices, (tuple, list, range)
        ):
            raise SearchSpaceError(
                "Categorical choices must be a tuple of values, got "
                f"{type(self.choices).__name__} {self.choices!r} instead."
            )
        object.__setattr__(self, "choices", tuple(self.choices))
        if not self.choices:
            raise SearchSpaceError("Categorical needs at least one choice, got ().")

    def sample(self, rng: np.random.Generator) -> Any:
        """Draw one of the choices uniformly (see :meth:`Distribution.sample`)."""
        return self.choices[int(rng.integers(len(self.choices)))]

    def mutate(self, value: Any, rng: np.random.Generator) -> Any:
        """Draw a choice other than ``value`` (see :meth:`Distribution.mutate`)."""
        if not self.contains(value):
            return self.sample(rng)
        others = [c for c in self.choices if not _same(c, value)]
        if not others:
            return value
        return others[int(rng.integers(len(others)))]

    def contains(self, value: Any) -> bool:
        """Whether ``value`` is one of the choices (see :meth:`Distribution.contains`)."""
        return any(_same(value, c) for c in self.choices)

    def default(self) -> Any:
        """The first choice."""
        return self.choices[0]

    @property
    def size(self) -> float:
        """Number of choices."""
        return float(len(self.choices))

    def __str__(self) -> str:
        return "{" + ", ".join(_short_repr(c) for c in self.choices) + "}"


def _short_repr(value: Any) -> str:
    if isinstance(value, type) or callable(value) and hasattr(value, "__qualname__"):
        return getattr(value, "__qualname__", repr(value))
    return repr(value)


def _log_factor(rng: np.random.Generator) -> float:
    """A random factor between 1/2 and 2, uniform on the log scale."""
    return math.exp(rng.uniform(-math.log(2), math.log(2)))


class _Range(Distribution):
    """Base of the numeric ranges ``[low, high]``: mutation perturbs within the bounds."""

    low: Any
    high: Any

    @abc.abstractmethod
    def _cast(self, value: Any) -> Any:
        """``value`` as the range's type."""

    @abc.abstractmethod
    def _perturb(self, value: Any, rng: np.random.Generator) -> Any:
        """A value near ``value``, within the bounds."""

    @abc.abstractmethod
    def _fallback(self, value: Any) -> Any:
        """A deterministic value other than ``value``, for when random tries keep hitting it."""

    def mutate(self, value: Any, rng: np.random.Generator) -> Any:
        """Perturb ``value`` or redraw it (see :meth:`Distribution.mutate`)."""
        if not self.contains(value):
            return self.sample(rng)
        value = self._cast(value)
        if self.low == self.high:
            return value
        for _ in range(_MAX_TRIES):
            new = self.sample(rng) if rng.random() < _RESAMPLE_PROB else self._perturb(value, rng)
            if new != value:
                return new
        return self._fallback(value)


@dataclass(frozen=True)
class IntDistribution(_Range):
    """Integers in the inclusive range ``[low, high]``.

    Parameters
    ----------
    low, high : int
        Inclusive bounds, ``low <= high``.
    log : bool, default=False
        Draw uniformly on the log scale (requires ``low >= 1``).

    Examples
    --------
    >>> import numpy as np
    >>> IntDistribution(1, 10).sample(np.random.default_rng(0)) in range(1, 11)
    True
    """

    low: int
    high: int
    log: bool = False

    def __post_init__(self) -> None:
        for attr in ("low", "high"):
            value = getattr(self, attr)
            if _is_int(value):
                object.__setattr__(self, attr, int(value))
            elif _is_float(value) and float(value).is_integer():
                object.__setattr__(self, attr, int(value))
            else:
                raise SearchSpaceError(
                    f"IntDistribution {attr} must be an int, got {value!r} instead."
                )
        object.__setattr__(self, "log", bool(self.log))
        if self.low > self.high:
            raise SearchSpaceError(
                f"IntDistribution needs low <= high, got low={self.low}, high={self.high}."
            )
        if self.log and self.low < 1:
            raise SearchSpaceError(
                f"IntDistribution with log=True needs low >= 1, got low={self.low}."
            )

    def sample(self, rng: np.random.Generator) -> int:
        """Draw an int, uniformly or log-uniformly (see :meth:`Distribution.sample`)."""
        if self.log:
            u = rng.uniform(math.log(self.low), math.log(self.high + 1))
            return min(self.high, max(self.low, int(math.floor(math.exp(u)))))
        return int(rng.integers(self.low, self.high + 1))

    def _cast(self, value: Any) -> int:
        return int(value)

    def _perturb(self, value: int, rng: np.random.Generator) -> int:
        if self.log:
            new = int(round(value * _log_factor(rng)))
        else:
            step = max(1.0, 0.1 * (self.high - self.low))
            new = int(round(value + rng.uniform(-step, step)))
        return min(self.high, max(self.low, new))

    def _fallback(self, value: int) -> int:
        """A neighbour inside the range."""
        return value + 1 if value < self.high else value - 1

    def contains(self, value: Any) -> bool:
        """Whether ``value`` is an int in range (see :meth:`Distribution.contains`)."""
        return _is_int(value) and self.low <= int(value) <= self.high

    def default(self) -> int:
        """The midpoint (geometric midpoint if ``log``), as an int."""
        if self.log:
            mid = int(round(math.sqrt(self.low * self.high)))
        else:
            mid = (self.low + self.high) // 2
        return min(self.high, max(self.low, mid))

    @property
    def size(self) -> float:
        """Number of ints in the range."""
        return float(self.high - self.low + 1)

    def __str__(self) -> str:
        return f"int in [{self.low}, {self.high}]" + (" (log)" if self.log else "")


@dataclass(frozen=True)
class FloatDistribution(_Range):
    """Floats in the closed range ``[low, high]``, rounded to 4 significant digits.

    Parameters
    ----------
    low, high : float
        Finite bounds, ``low <= high``.
    log : bool, default=False
        Draw uniformly on the log scale (requires ``low > 0``).

    Examples
    --------
    >>> import numpy as np
    >>> v = FloatDistribution(1e-4, 1e4, log=True).sample(np.random.default_rng(0))
    >>> 1e-4 <= v <= 1e4
    True
    """

    low: float
    high: float
    log: bool = False

    def __post_init__(self) -> None:
        for attr in ("low", "high"):
            value = getattr(self, attr)
            if _is_bool(value) or not isinstance(value, numbers.Real):
                raise SearchSpaceError(
                    f"FloatDistribution {attr} must be a float, got {value!r} instead."
                )
            if not math.isfinite(float(value)):
                raise SearchSpaceError(
                    f"FloatDistribution {attr} must be finite, got {value!r} instead."
                )
            object.__setattr__(self, attr, float(value))
        object.__setattr__(self, "log", bool(self.log))
        if self.low > self.high:
            raise SearchSpaceError(
                "FloatDistribution needs low <= high, got "
                f"low={self.low!r}, high={self.high!r}."
            )
        if self.log and self.low <= 0:
            raise SearchSpaceError(
                f"FloatDistribution with log=True needs low > 0, got low={self.low!r}."
            )

    def _finish(self, value: float) -> float:
        return min(self.high, max(self.low, _round_sig(float(value))))

    def snap(self, value: float) -> float:
        """``value`` as this distribution draws its values: rounded to 4 significant digits, within bounds."""
        return self._finish(value)

    def sample(self, rng: np.random.Generator) -> float:
        """Draw a float, uniformly or log-uniformly (see :meth:`Distribution.sample`)."""
        if self.log:
            value = math.exp(rng.uniform(math.log(self.low), math.log(self.high)))
        else:
            value = rng.uniform(self.low, self.high)
        return self._finish(value)

    def _cast(self, value: Any) -> float:
        return float(value)

    def _perturb(self, value: float, rng: np.random.Generator) -> float:
        if self.log:
            return self._finish(value * _log_factor(rng))
        return self._finish(value + rng.uniform(-0.1, 0.1) * (self.high - self.low))

    def _fallback(self, value: float) -> float:
        """Whichever bound is not the current value."""
        return self.high if value != self.high else self.low

    def contains(self, value: Any) -> bool:
        """Whether ``value`` is a float in range (see :meth:`Distribution.contains`).

        Ints are not contained: sklearn often gives ints a different meaning
        (``max_features=1`` is one feature, ``max_features=1.0`` all of them).
        """
        return _is_float(value) and self.low <= float(value) <= self.high

    def default(self) -> float:
        """The midpoint (geometric midpoint if ``log``), rounded."""
        if self.log:
            return self._finish(math.sqrt(self.low * self.high))
        return self._finish((self.low + self.high) / 2.0)

    @property
    def size(self) -> float:
        """``inf`` unless ``low == high``."""
        return 1.0 if self.low == self.high else math.inf

    def __str__(self) -> str:
        return (
            f"float in [{_format_number(self.low)}, {_format_number(self.high)}]"
            + (" (log)" if self.log else "")
        )


def as_distribution(spec: Any) -> Distribution:
    """Turn a user's parameter specification into a :class:`Distribution`.

    Parameters
    ----------
    spec : Distribution, list, tuple, range, numpy.ndarray or scalar
        A distribution is returned as is; a list, tuple, range or 1-d array
        becomes a :class:`Categorical` of its items; anything else (a string, a
        number, ``None``, a callable, an estimator) becomes a single-choice
        :class:`Categorical`. A tuple is read as a list of choices, so write
        ``[(50,), (100,)]`` for tuple-valued parameters.

    Returns
    -------
    distribution : Distribution

    Raises
    ------
    SearchSpaceError
        If ``spec`` is empty, or an unordered collection (set, dict) whose
        iteration order would make sampling irreproducible.

    Examples
    --------
    >>> as_distribution([1, 2])
    Categorical(choices=(1, 2))
    >>> as_distribution("l2")
    Categorical(choices=('l2',))
    """
    if isinstance(spec, Distribution):
        return spec
    if isinstance(spec, (set, frozenset, dict)):
        raise SearchSpaceError(
            f"A parameter specification must be a Distribution, a list, a tuple or a "
            f"single value; got a {type(spec).__name__} ({spec!r}), whose order is "
            "not reproducible. Use a list instead."
        )
    if isinstance(spec, np.ndarray):
        spec = spec.tolist() if spec.ndim > 0 else [spec.item()]
    if isinstance(spec, (list, tuple, range)):
        if len(spec) == 0:
            raise SearchSpaceError(
                "A parameter specification must have at least one value; got an "
                f"empty {type(spec).__name__}."
            )
        return Categorical(tuple(spec))
    return Categorical((spec,))
