"""Reports on fitted searches: the leaderboard and export of pipelines as Python code."""

from __future__ import annotations

from ._export import estimator_to_code
from ._leaderboard import make_leaderboard

__all__ = ["estimator_to_code", "make_leaderboard"]
