"""Optuna, imported on demand, quiet below warnings."""

from __future__ import annotations

from typing import Any


def import_optuna(purpose: str) -> Any:
    """The ``optuna`` module, quiet below warnings; an ``ImportError`` naming ``purpose`` if missing."""
    try:
        import optuna
    except ImportError as exc:  # pragma: no cover - only in a broken install
        raise ImportError(f"{purpose} needs Optuna, a dependency of autopipe: pip install optuna") from exc
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna
