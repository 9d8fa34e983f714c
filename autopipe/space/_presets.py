"""Named presets: which registry operators a search uses, and with what ranges."""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from autopipe.exceptions import SearchSpaceError
from autopipe.space._distributions import Categorical, Distribution, IntDistribution
from autopipe.space._operator import TASKS
from autopipe.space._registry import NN_OPERATORS, registry_by_name

__all__ = ["PRESETS", "get_preset"]

PRESETS: tuple[str, ...] = ("default", "light", "nn")

# "light": operators that fit in well under a second on mid-sized data. A value
# of None keeps the registry's distributions; a dict replaces the named ones.
_LIGHT: dict[str, Mapping[str, Distribution] | None] = {
    "StandardScaler": None,
    "RobustScaler": None,
    "MinMaxScaler": None,
    "MaxAbsScaler": None,
    "Normalizer": None,
    "Binarizer": None,
    "PCA": None,
    "VarianceThreshold": None,
    "SelectPercentile": None,
    "SelectFwe": None,
    "LogisticRegression": None,
    "GaussianNB": None,
    "BernoulliNB": None,
    "DecisionTreeClassifier": None,
    "DecisionTreeRegressor": None,
    "KNeighborsClassifier": None,
    "KNeighborsRegressor": None,
    "HistGradientBoostingClassifier": {"max_iter": IntDistribution(50, 200)},
    "HistGradientBoostingRegressor": {"max_iter": IntDistribution(50, 200)},
    "LGBMClassifier": None,
    "LGBMRegressor": None,
    "Ridge": None,
    "ElasticNet": None,
    "LinearSVC": None,
    "LinearSVR": None,
    "SGDClassifier": None,
    "SGDRegressor": None,
    "ExtraTreesClassifier": {"n_estimators": Categorical((50,))},
    "ExtraTreesRegressor": {"n_estimators": Categorical((50,))},
}


# The networks' training in "default": at most 40 epochs and 256 units per layer.
_DEFAULT_NETS: dict[str, Distribution] = {
    "max_epochs": IntDistribution(5, 40),
    "width": IntDistribution(16, 256, log=True),
}


# "nn": the neural networks (torch and skorch needed) and the preprocessing that
# suits them: scaling, PCA and cheap feature selection.
_NN: dict[str, Mapping[str, Distribution] | None] = {
    "StandardScaler": None,
    "RobustScaler": None,
    "MinMaxScaler": None,
    "MaxAbsScaler": None,
    "PCA": None,
    "VarianceThreshold": None,
    "SelectPercentile": None,
    **{op_name: None for op_name in NN_OPERATORS},
}


def _preset_table(name: str) -> dict[str, Mapping[str, Distribution] | None]:
    if name == "default":
        # Networks join when torch and skorch are installed, with shorter training
        # than in "nn": next to trees and linear models they must earn their time.
        return {op_name: _DEFAULT_NETS if op_name in NN_OPERATORS else None for op_name in registry_by_name()}
    if name == "light":
        return _LIGHT
    if name == "nn":
        by_name = registry_by_name()
        if not all(op_name in by_name for op_name in NN_OPERATORS):
            raise SearchSpaceError(
                "The 'nn' search space preset needs PyTorch and skorch, which are not "
                "installed: install autopipe[nn] (pip install 'autopipe[nn]')."
            )
        return _NN
    hint = difflib.get_close_matches(str(name), PRESETS, n=1)
    raise SearchSpaceError(
        f"Unknown search space preset {name!r}. Valid presets are: {list(PRESETS)}."
        + (f" Did you mean {hint[0]!r}?" if hint else "")
    )


def check_task(task: object) -> str:
    """Return ``task`` if it is a known task, else raise ``SearchSpaceError``."""
    if task in TASKS:
        return str(task)
    hint = difflib.get_close_matches(str(task), TASKS, n=1)
    raise SearchSpaceError(
        f"The task must be one of {list(TASKS)}, got {task!r} instead."
        + (f" Did you mean {hint[0]!r}?" if hint else "")
    )


def get_preset(name: str, task: str | None = None) -> dict[str, dict[str, Distribution]]:
    """A preset as a plain, user-style search space dict.

    Parameters
    ----------
    name : str
        One of :data:`PRESETS`.
    task : {"classification", "regression"} or None, default=None
        Keep only the operators serving this task; ``None`` keeps the operators
        of both tasks.

    Returns
    -------
    space : dict
        ``{operator name: {parameter name: Distribution}}``, a fresh dict that
        can be modified and passed to :func:`build_space`, e.g.
        ``{**get_preset("light"), "sklearn.svm.SVC": {"C": [0.1, 1.0, 10.0]}}``.

    Raises
    ------
    SearchSpaceError
        If ``name`` is not a preset or ``task`` is not a task, or for ``"nn"``
        when torch and skorch are not installed.

    Examples
    --------
    >>> space = get_preset("light", "regression")
    >>> "Ridge" in space and "LogisticRegression" not in space
    True
    """
    if not isinstance(name, str):
        raise SearchSpaceError(
            f"A preset name must be a str among {list(PRESETS)}, got {name!r} instead."
        )
    table = _preset_table(name)
    if task is not None:
        check_task(task)
    by_name = registry_by_name()
    out: dict[str, dict[str, Distribution]] = {}
    for op_name, overrides in table.items():
        records = [op for op in by_name[op_name] if task is None or task in op.tasks]
        if not records:
            continue
        params: dict[str, Distribution] = {}
        for op in records:
            params.update(op.params)
        if overrides:
            params.update(overrides)
        out[op_name] = params
    return out
