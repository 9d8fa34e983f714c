"""The device policy: which device a step that can train on a GPU uses, and finding such steps in a pipeline.

Two kinds of operator can train on a GPU: the neural networks (torch) and the
gradient-boosting libraries that have a CUDA build (XGBoost, CatBoost). Both
carry a ``device`` parameter (``"auto"``, ``"cpu"`` or ``"cuda"``) and
inherit :class:`_DeviceMixin`, by which the evaluator's GPU lane, the
estimator's ``device`` setting and the networks' training hooks find them.
"""

from __future__ import annotations

import glob
import importlib.util
import shutil
import subprocess
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from autopipe.space._space import SearchSpace

__all__ = [
    "check_device",
    "cuda_available",
    "find_device_steps",
    "find_networks",
    "holds_device_steps",
    "holds_networks",
    "resolve_device",
    "set_device",
    "uses_gpu",
]


class _DeviceMixin:
    """Mixin of the operators that train on the device their ``device`` parameter names."""

    device: str

    def _resolved_device(self) -> str:
        """The device this step trains on (``device`` resolved)."""
        return resolve_device(self.device)


class _NetworkMixin(_DeviceMixin):
    """Mixin of the network operators (the training hooks' median stopping and weight inheritance find them by it)."""


def cuda_available() -> bool:
    """Whether a CUDA device can be used, asked without initialising CUDA in this process where possible.

    Returns
    -------
    available : bool

    Notes
    -----
    On Linux without an NVIDIA device file (``/dev/nvidia*``) the answer is
    False at once, unless torch is imported already. Otherwise torch answers
    (``torch.cuda.is_available()``) when it is installed, else ``nvidia-smi
    -L`` lists the devices: XGBoost and CatBoost need no torch.
    """
    if "torch" not in sys.modules and sys.platform.startswith("linux") and not glob.glob("/dev/nvidia[0-9]*"):
        return False
    if "torch" in sys.modules or importlib.util.find_spec("torch") is not None:
        import torch

        return bool(torch.cuda.is_available())
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return False
    try:
        listed = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return listed.returncode == 0 and "GPU" in listed.stdout


def resolve_device(device: str) -> str:
    """The device a step is trained on.

    Parameters
    ----------
    device : {"auto", "cpu", "cuda"}
        ``"auto"`` picks ``"cuda"`` when :func:`cuda_available`, else
        ``"cpu"``; the other values are returned as they are.

    Returns
    -------
    device : {"cpu", "cuda"}

    Notes
    -----
    On Linux without an NVIDIA device file the answer is ``"cpu"`` without
    importing torch (1-2 s): the search asks for every candidate that holds
    such a step, in the parent process, to place it in the GPU lane or not.
    """
    if device != "auto":
        return device
    return "cuda" if cuda_available() else "cpu"


def _find(estimator: Any, kind: type) -> list[Any]:
    if not hasattr(estimator, "get_params"):
        return []
    parts = [estimator, *estimator.get_params(deep=True).values()]
    return [p for p in parts if isinstance(p, kind)]


def find_device_steps(estimator: Any) -> list[Any]:
    """The steps inside ``estimator`` (itself, or its nested parameters) that can train on a GPU, in order.

    Looks through pipelines, unions and other meta-estimators; a stacked
    step's fitted clone is not a parameter and is not found.
    """
    return _find(estimator, _DeviceMixin)


def find_networks(estimator: Any) -> list[Any]:
    """The network operators inside ``estimator`` (itself, or its nested parameters), in order."""
    return _find(estimator, _NetworkMixin)


def uses_gpu(estimator: Any) -> bool:
    """Whether fitting ``estimator`` trains a step (a network, XGBoost, CatBoost) on a CUDA device.

    Looks through pipelines, unions and other meta-estimators (their nested
    parameters).

    Parameters
    ----------
    estimator : sklearn estimator

    Returns
    -------
    uses_gpu : bool
    """
    return any(step._resolved_device() == "cuda" for step in find_device_steps(estimator))


def set_device(estimator: Any, device: str) -> Any:
    """Set ``device`` on every step inside ``estimator`` that can train on a GPU.

    Parameters
    ----------
    estimator : sklearn estimator
    device : {"auto", "cpu", "cuda"}

    Returns
    -------
    estimator : sklearn estimator
        The same object.
    """
    for step in find_device_steps(estimator):
        step.device = device
    return estimator


def check_device(device: str, space: SearchSpace) -> None:
    """A clear error when ``device="cuda"`` is asked for but no GPU is usable.

    Parameters
    ----------
    device : {"auto", "cpu", "cuda"}
    space : SearchSpace
        The search space; nothing is checked when it holds no step that can
        train on a GPU.

    Raises
    ------
    ValueError
        When ``device="cuda"``, the space holds such a step and
        :func:`cuda_available` is False.
    """
    if device != "cuda" or not holds_device_steps(space.operators):
        return
    if not cuda_available():
        raise ValueError(
            "device='cuda' was given, but no CUDA device is usable here (torch.cuda.is_available() or "
            "nvidia-smi found none): use device='auto' or 'cpu', or install CUDA builds of torch, XGBoost "
            "and CatBoost on a machine with an NVIDIA GPU."
        )


def holds_device_steps(operators: Any) -> bool:
    """Whether any of ``operators`` (``Operator`` records) builds a step that can train on a GPU."""
    return any(issubclass(op.estimator_class, _DeviceMixin) for op in operators)


def holds_networks(operators: Any) -> bool:
    """Whether any of ``operators`` (``Operator`` records) builds a network."""
    return any(issubclass(op.estimator_class, _NetworkMixin) for op in operators)
