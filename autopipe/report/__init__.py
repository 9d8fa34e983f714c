"""Reports on fitted searches: the leaderboard, plots, permutation importance and export to code."""

from __future__ import annotations

from ._explain import permutation_importances, plot_importances
from ._export import estimator_to_code
from ._leaderboard import make_leaderboard
from ._plots import plot_history, plot_pareto

__all__ = [
    "estimator_to_code",
    "make_leaderboard",
    "permutation_importances",
    "plot_history",
    "plot_importances",
    "plot_pareto",
]
