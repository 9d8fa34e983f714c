"""Search strategies behind one ask/tell protocol, the search history and the search loop."""

from __future__ import annotations

from ._base import BaseStrategy, SearchContext, SearchStrategy
from ._checkpoint import CheckpointCallback, load_checkpoint, save_checkpoint
from ._callbacks import EarlyStopping, ProgressCallback, SearchCallback, SearchState
from ._history import HistoryEntry, SearchHistory
from ._loop import run_search, summarize_failures
from ._nsga2 import EvolutionStrategy, select_nsga2
from ._random import RandomStrategy

#: Strategy names accepted by ``AutoEstimator(strategy=...)``.
STRATEGIES = {"evolution": EvolutionStrategy, "random": RandomStrategy}

__all__ = [
    "STRATEGIES",
    "BaseStrategy",
    "CheckpointCallback",
    "EarlyStopping",
    "EvolutionStrategy",
    "HistoryEntry",
    "ProgressCallback",
    "RandomStrategy",
    "SearchCallback",
    "SearchContext",
    "SearchHistory",
    "SearchState",
    "SearchStrategy",
    "load_checkpoint",
    "run_search",
    "save_checkpoint",
    "select_nsga2",
    "summarize_failures",
]
