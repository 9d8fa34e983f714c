"""Checkpoints: the search history saved atomically, so that a killed search can resume."""

from __future__ import annotations

import logging
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from ._callbacks import SearchCallback, SearchState
from ._history import SearchHistory

logger = logging.getLogger(__name__)

_FORMAT = "autopipe-checkpoint-1"


def save_checkpoint(path: str | Path, history: SearchHistory, fingerprint: str, seed: int = 0) -> None:
    """Write ``history`` (and the search's ``seed``) to ``path`` atomically: temporary file, fsync, rename.

    A reader never sees a half-written file: either the old checkpoint or the new one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {"format": _FORMAT, "fingerprint": fingerprint, "seed": seed, "history": history}
    blob = pickle.dumps(state, protocol=5)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_checkpoint(path: str | Path, fingerprint: str) -> tuple[SearchHistory, int] | None:
    """The history and seed saved at ``path`` for the same data and settings, else ``None``.

    A checkpoint made for other data, task, folds, scorer or search space is
    ignored (with a warning in the log) and will be overwritten.
    """
    path = Path(path)
    if not path.exists():
        return None
    with path.open("rb") as fh:
        saved: Any = pickle.load(fh)
    if not isinstance(saved, dict) or saved.get("format") != _FORMAT:
        raise ValueError(f"{path} is not an autopipe checkpoint.")
    if saved["fingerprint"] != fingerprint:
        logger.warning("checkpoint %s was made for other data or settings; starting a new search", path)
        return None
    history: SearchHistory = saved["history"]
    logger.info("resuming from %s: %d candidates already evaluated", path, len(history))
    return history, int(saved["seed"])


class CheckpointCallback(SearchCallback):
    """Save the search history after every generation and when the search ends.

    Parameters
    ----------
    path : str or Path
        The checkpoint file.
    fingerprint : str
        Identifies the data and settings the history belongs to.
    seed : int, default=0
        The search's seed, reused when it resumes.
    """

    def __init__(self, path: str | Path, fingerprint: str, seed: int = 0) -> None:
        self.path = path
        self.fingerprint = fingerprint
        self.seed = seed

    def on_batch_end(self, state: SearchState) -> None:
        save_checkpoint(self.path, state.history, self.fingerprint, self.seed)

    def on_search_end(self, state: SearchState) -> None:
        save_checkpoint(self.path, state.history, self.fingerprint, self.seed)
