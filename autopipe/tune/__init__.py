"""Bayesian refinement (Optuna) of the hyperparameters of fixed pipeline structures."""

from __future__ import annotations

from ._optuna import SAMPLERS, StructureTuner, make_pruner, make_sampler, resource, tune

__all__ = ["SAMPLERS", "StructureTuner", "make_pruner", "make_sampler", "resource", "tune"]
