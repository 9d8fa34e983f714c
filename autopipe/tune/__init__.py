"""Bayesian refinement (Optuna) of the hyperparameters of fixed pipeline structures."""

from __future__ import annotations

from ._optuna import SAMPLERS, StructureTuner, check_sampler, make_pruner, make_sampler, resource, tune
from ._schedule import TuneDuringSearch, TuningReport, TuningSchedule

__all__ = ["SAMPLERS", "StructureTuner", "TuneDuringSearch", "TuningReport", "TuningSchedule", "check_sampler",
           "make_pruner", "make_sampler", "resource", "tune"]
