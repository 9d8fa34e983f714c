"""Ensembles built from the out-of-fold predictions the search recorded."""

from __future__ import annotations

from ._build import assemble_voting, make_stacking, make_voting, stacking_oof_score
from ._ensembler import (
    EnsemblePlan,
    EnsembleProblem,
    Ensembler,
    EnsembleReport,
    SelectionEnsembler,
    StackingEnsembler,
)
from ._selection import (
    CrossCheck,
    Selection,
    cross_check,
    oof_scorer,
    select_ensemble,
)

__all__ = [
    "CrossCheck",
    "EnsemblePlan",
    "EnsembleProblem",
    "EnsembleReport",
    "Ensembler",
    "Selection",
    "SelectionEnsembler",
    "StackingEnsembler",
    "assemble_voting",
    "cross_check",
    "make_stacking",
    "make_voting",
    "oof_scorer",
    "select_ensemble",
    "stacking_oof_score",
]
