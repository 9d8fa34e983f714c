"""The ``autopipe`` logger and the mapping from ``verbose`` to logging levels."""

from __future__ import annotations

import logging

logger = logging.getLogger("autopipe")


def get_logger(name: str) -> logging.Logger:
    """Return a child of the ``autopipe`` logger."""
    return logging.getLogger(name)


def level_for_verbose(verbose: int) -> int:
    """Map ``verbose`` (0, 1, 2, ...) to a logging level."""
    if verbose <= 0:
        return logging.WARNING
    if verbose == 1:
        return logging.INFO
    return logging.DEBUG
