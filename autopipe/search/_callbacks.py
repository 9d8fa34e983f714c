"""Search callbacks: hooks called during the search (progress bar, early stopping)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .._utils.deadline import Deadline
from ..exceptions import StopSearch
from ._history import HistoryEntry, SearchHistory


@dataclass
class SearchState:
    """The live state of a search, passed to every callback hook."""

    history: SearchHistory
    deadline: Deadline
    time_budget: float | None
    generation: int = 0
    first_generation: int = 0
    stop_reason: str = ""
    interrupted: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class SearchCallback:
    """Base class of search callbacks: every hook does nothing by default.

    A hook may raise :class:`~autopipe.exceptions.StopSearch` to end the search.

    A callback that evaluates candidates itself in ``on_batch_end`` (on the
    search's workers) sets ``needs_idle_workers = True``: the search then
    lets each generation finish before the next one starts, instead of
    handing out candidates whenever a worker frees.
    """

    needs_idle_workers = False

    def on_search_begin(self, state: SearchState) -> None:
        """Called once before the first batch."""

    def on_result(self, state: SearchState, entry: HistoryEntry) -> None:
        """Called after each candidate's result is recorded."""

    def on_batch_end(self, state: SearchState) -> None:
        """Called after each generation (batch) has been evaluated and told."""

    def on_search_end(self, state: SearchState) -> None:
        """Called once when the search stops, for any reason."""


class EarlyStopping(SearchCallback):
    """Stop when the best score has not improved for ``patience`` generations.

    Parameters
    ----------
    patience : int
        Generations without improvement before stopping.
    min_delta : float, default=1e-6
        Smallest change of the best score that counts as an improvement.
    """

    def __init__(self, patience: int, min_delta: float = 1e-6) -> None:
        self.patience = patience
        self.min_delta = min_delta
        self._best = -math.inf
        self._stale = 0

    def on_batch_end(self, state: SearchState) -> None:
        best = state.history.best_score()
        if best > self._best + self.min_delta:
            self._best, self._stale = best, 0
            return
        self._stale += 1
        if self._stale >= self.patience:
            raise StopSearch(f"no improvement for {self.patience} generations")


class ProgressCallback(SearchCallback):
    """A live progress bar (tqdm; works in terminals and Jupyter).

    Shows seconds used of the budget (or generations), candidates evaluated
    and the best score so far.
    """

    def __init__(self, generations: int | None = None) -> None:
        self.generations = generations
        self._bar: Any = None

    def on_search_begin(self, state: SearchState) -> None:
        from tqdm.auto import tqdm

        if state.time_budget is not None:
            self._bar = tqdm(total=round(state.time_budget, 1), unit="s", desc="autopipe", leave=True)
        else:
            self._bar = tqdm(total=self.generations, unit="gen", desc="autopipe", leave=True)

    def _refresh(self, state: SearchState) -> None:
        if self._bar is None:
            return
        if state.time_budget is not None:
            used = min(round(state.deadline.elapsed(), 1), self._bar.total)
            self._bar.update(used - self._bar.n)
        best = state.history.best_score()
        self._bar.set_postfix(
            evaluated=len(state.history), best=f"{best:.4f}" if math.isfinite(best) else "-", refresh=False
        )
        self._bar.refresh()

    def on_result(self, state: SearchState, entry: HistoryEntry) -> None:
        self._refresh(state)

    def on_batch_end(self, state: SearchState) -> None:
        if state.time_budget is None and self._bar is not None:
            self._bar.update(1)
        self._refresh(state)

    def on_search_end(self, state: SearchState) -> None:
        if self._bar is not None:
            self._refresh(state)
            self._bar.close()
            self._bar = None
