"""Reports on fitted searches: leaderboard, plots, permutation importance, export to code and notebooks."""

from __future__ import annotations

from ._candidates import candidate_genome, export_candidate_notebook, export_code, successful_row
from ._explain import permutation_importances, plot_importances
from ._export import estimator_to_code
from ._leaderboard import make_leaderboard
from ._notebook import candidate_notebook, data_format, write_notebook
from ._plots import plot_history, plot_pareto

__all__ = [
    "candidate_genome",
    "export_candidate_notebook",
    "export_code",
    "successful_row",
    "candidate_notebook",
    "data_format",
    "estimator_to_code",
    "make_leaderboard",
    "permutation_importances",
    "plot_history",
    "plot_importances",
    "plot_pareto",
    "write_notebook",
]
