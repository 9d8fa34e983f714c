"""Helpers for explicit random number generators (never the global state)."""

from __future__ import annotations

import numpy as np


def make_rng(random_state: int | np.random.Generator | None) -> np.random.Generator:
    """Return a ``numpy.random.Generator`` for ``random_state``."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    return np.random.default_rng(random_state)


def draw_seed(rng: np.random.Generator) -> int:
    """Draw an int seed suitable for sklearn's ``random_state``."""
    return int(rng.integers(0, 2**31 - 1))
