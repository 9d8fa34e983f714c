"""The networks' device policy: which torch device a network trains on, and finding the networks in a pipeline."""

from __future__ import annotations

import glob
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from autopipe.space._space import SearchSpace

__all__ = ["check_device", "find_networks", "holds_networks", "resolve_device", "set_device", "uses_gpu"]


class _DeviceMixin:
    """Mixin of the network operators: they train on the torch device their ``device`` parameter names.

    The device policy (and the networks' training hooks) find the networks
    inside a pipeline by it.
    """

    device: str

    def _torch_device(self) -> str:
        """The device this network trains on (``device`` resolved)."""
        return resolve_device(self.device)


def resolve_device(device: str) -> str:
    """The torch device a network is trained on.

    Parameters
    ----------
    device : {"auto", "cpu", "cuda"}
        ``"auto"`` picks ``"cuda"`` when ``torch.cuda.is_available()``, else
        ``"cpu"``; the other values are returned as they are.

    Returns
    -------
    device : {"cpu", "cuda"}

    Notes
    -----
    On Linux without an NVIDIA device file (``/dev/nvidia*``) the answer is
    ``"cpu"`` without importing torch (1-2 s), unless torch is imported
    already: the search asks for every network candidate, in the parent
    process, to place it in the GPU lane or not.
    """
    if device != "auto":
        return device
    if "torch" not in sys.modules and sys.platform.startswith("linux") and not glob.glob("/dev/nvidia[0-9]*"):
        return "cpu"
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def find_networks(estimator: Any) -> list[Any]:
    """The network operators inside ``estimator`` (itself, or its nested parameters), in order.

    Looks through pipelines, unions and other meta-estimators; a stacked
    network's fitted clone is not a parameter and is not found.
    """
    if not hasattr(estimator, "get_params"):
        return []
    parts = [estimator, *estimator.get_params(deep=True).values()]
    return [p for p in parts if isinstance(p, _DeviceMixin)]


def uses_gpu(estimator: Any) -> bool:
    """Whether fitting ``estimator`` trains a network operator on a CUDA device.

    Looks through pipelines, unions and other meta-estimators (their nested
    parameters); torch is imported only when a network with
    ``device="auto"`` is found.

    Parameters
    ----------
    estimator : sklearn estimator

    Returns
    -------
    uses_gpu : bool
    """
    return any(net._torch_device() == "cuda" for net in find_networks(estimator))


def set_device(estimator: Any, device: str) -> Any:
    """Set ``device`` on every network operator inside ``estimator``.

    Parameters
    ----------
    estimator : sklearn estimator
    device : {"auto", "cpu", "cuda"}

    Returns
    -------
    estimator : sklearn estimator
        The same object.
    """
    for net in find_networks(estimator):
        net.device = device
    return estimator


def check_device(device: str, space: SearchSpace) -> None:
    """A clear error when ``device="cuda"`` is asked for networks but no GPU is usable.

    Parameters
    ----------
    device : {"auto", "cpu", "cuda"}
    space : SearchSpace
        The search space; nothing is checked when it holds no network.

    Raises
    ------
    ValueError
        When ``device="cuda"``, the space holds a network and
        ``torch.cuda.is_available()`` is False.
    """
    if device != "cuda" or not holds_networks(space.operators):
        return
    import torch

    if not torch.cuda.is_available():
        raise ValueError(
            "device='cuda' was given, but torch.cuda.is_available() is False (torch "
            f"{torch.__version__}): use device='auto' or 'cpu', or install a CUDA build of torch."
        )


def holds_networks(operators: Any) -> bool:
    """Whether any of ``operators`` (``Operator`` records) builds a network."""
    return any(issubclass(op.estimator_class, _DeviceMixin) for op in operators)
