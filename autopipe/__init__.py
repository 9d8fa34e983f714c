"""autopipe: scikit-learn pipelines found by genetic programming under a time budget."""

from __future__ import annotations

from .estimator import AutoClassifier, AutoEstimator, AutoRegressor

__version__ = "0.1.0"

__all__ = ["AutoClassifier", "AutoEstimator", "AutoRegressor", "__version__"]
