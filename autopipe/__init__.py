"""autopipe: scikit-learn pipelines found by Bayesian optimization or genetic programming under a time budget."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["AutoClassifier", "AutoEstimator", "AutoRegressor", "__version__"]

if TYPE_CHECKING:
    from .estimator import AutoClassifier, AutoEstimator, AutoRegressor


def __getattr__(name: str) -> Any:
    # The facades import scikit-learn, pandas and DEAP: load them on first use,
    # so that ``import autopipe`` stays fast.
    if name in ("AutoClassifier", "AutoEstimator", "AutoRegressor"):
        from . import estimator

        return getattr(estimator, name)
    raise AttributeError(f"module 'autopipe' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
