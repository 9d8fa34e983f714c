"""Search strategies behind one ask/tell protocol, the search history and the search loop."""

from __future__ import annotations

from ._bayesian import BayesianStrategy
from ._base import BaseStrategy, SearchContext, SearchStrategy
from ._checkpoint import CheckpointCallback, load_checkpoint, save_checkpoint
from ._callbacks import EarlyStopping, ProgressCallback, SearchCallback, SearchState
from ._history import HistoryEntry, SearchHistory
from ._loop import Evaluations, run_search, summarize_failures
from ._nsga2 import EvolutionStrategy, select_nsga2
from ._grid import GridStrategy, grid_size
from ._random import RandomStrategy
from ._regularized import RegularizedEvolutionStrategy
from ._reinforce import ReinforceStrategy
from ._surrogate import PipelineEncoder, SurrogateModel

#: Strategy names accepted by ``AutoEstimator(strategy=...)``.
STRATEGIES = {
    "evolution": EvolutionStrategy,
    "regularized-evolution": RegularizedEvolutionStrategy,
    "random": RandomStrategy,
    "grid": GridStrategy,
    "bayesian": BayesianStrategy,
    "surrogate-evolution": EvolutionStrategy,
    "reinforce": ReinforceStrategy,
}

__all__ = [
    "STRATEGIES",
    "BaseStrategy",
    "BayesianStrategy",
    "CheckpointCallback",
    "EarlyStopping",
    "Evaluations",
    "EvolutionStrategy",
    "GridStrategy",
    "HistoryEntry",
    "ProgressCallback",
    "RandomStrategy",
    "PipelineEncoder",
    "RegularizedEvolutionStrategy",
    "ReinforceStrategy",
    "SearchCallback",
    "SearchContext",
    "SearchHistory",
    "SearchState",
    "SurrogateModel",
    "SearchStrategy",
    "load_checkpoint",
    "run_search",
    "save_checkpoint",
    "grid_size",
    "select_nsga2",
    "summarize_failures",
]
