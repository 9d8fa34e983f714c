"""Optuna, imported on demand (an optional dependency, the ``tune`` extra)."""

from __future__ import annotations

from typing import Any


def import_optuna(purpose: str) -> Any:
    """The ``optuna`` module, quiet below warnings; an ``ImportError`` naming ``purpose`` and the extra if missing."""
    try:
        import optuna
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError(f"{purpose} needs Optuna: pip install 'autopipe[tune]' (or optuna)") from exc
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna
