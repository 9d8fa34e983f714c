"""Ensembles built from the out-of-fold predictions the search recorded."""

from __future__ import annotations

from ._build import make_stacking, make_voting, stacking_oof_score
from ._selection import Selection, oof_scorer, select_ensemble

__all__ = ["Selection", "make_stacking", "make_voting", "oof_scorer", "select_ensemble", "stacking_oof_score"]
