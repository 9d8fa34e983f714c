"""Input checks and task inference for the training data."""

from __future__ import annotations

from ._target import check_target, infer_task

__all__ = ["check_target", "infer_task"]
