"""The one adapter between the space's distributions and Optuna: the lazy import and the mapping."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from autopipe.space._distributions import Categorical, Distribution, FloatDistribution, IntDistribution

if TYPE_CHECKING:
    import optuna

__all__ = ["from_optuna_value", "import_optuna", "suggest_value", "to_optuna", "to_optuna_value"]


def import_optuna(purpose: str) -> Any:
    """Import Optuna on demand, with its logging quiet below warnings.

    Parameters
    ----------
    purpose : str
        What needs Optuna (e.g. ``"strategy='bayesian'"``), named in the
        error when it is missing.

    Returns
    -------
    optuna : module
        The ``optuna`` module.

    Raises
    ------
    ImportError
        When Optuna is not installed, with the command that installs it.
    """
    try:
        import optuna
    except ImportError as exc:  # pragma: no cover - only in a broken install
        raise ImportError(f"{purpose} needs Optuna, a dependency of autopipe: pip install optuna") from exc
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def _optuna_arguments(distribution: Distribution) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
    """The kind of Optuna distribution (``"categorical"``, ``"int"``, ``"float"``) and its arguments."""
    if isinstance(distribution, Categorical):
        # choices may be any objects (callables, estimators): Optuna keeps only plain values, so it sees positions
        return "categorical", (list(range(len(distribution.choices))),), {}
    if isinstance(distribution, IntDistribution):
        return "int", (distribution.low, distribution.high), {"log": distribution.log}
    if isinstance(distribution, FloatDistribution):
        return "float", (distribution.low, distribution.high), {"log": distribution.log}
    raise TypeError(f"no Optuna distribution for {distribution!r}")


def to_optuna(distribution: Distribution) -> optuna.distributions.BaseDistribution:
    """The Optuna distribution of an autopipe distribution.

    Parameters
    ----------
    distribution : Distribution
        A :class:`Categorical`, :class:`IntDistribution` or
        :class:`FloatDistribution`.

    Returns
    -------
    optuna.distributions.BaseDistribution
        A ``CategoricalDistribution`` over the positions of the choices (the
        choices themselves may be objects Optuna cannot store), or an
        ``IntDistribution`` / ``FloatDistribution`` with the same bounds and
        scale.

    Raises
    ------
    TypeError
        For another kind of distribution.

    See Also
    --------
    suggest_value : Draw a value of a distribution in a define-by-run trial.
    to_optuna_value, from_optuna_value : Convert values between the two.
    """
    kind, args, kwargs = _optuna_arguments(distribution)
    distributions = import_optuna("an Optuna distribution").distributions
    return getattr(distributions, f"{kind.title()}Distribution")(*args, **kwargs)


def to_optuna_value(distribution: Distribution, value: Any) -> Any:
    """A value of ``distribution`` as Optuna stores it: a categorical choice as its position.

    Parameters
    ----------
    distribution : Distribution
        The distribution ``value`` belongs to.
    value : object
        One of its values.

    Returns
    -------
    object
        The position of ``value`` among a :class:`Categorical`'s choices
        (compared as :meth:`Categorical.contains` does), or ``value`` itself.

    Raises
    ------
    ValueError
        When ``value`` is not among a categorical's choices.
    """
    if isinstance(distribution, Categorical):
        for position, choice in enumerate(distribution.choices):
            if Categorical((choice,)).contains(value):
                return position
        raise ValueError(f"{value!r} is not one of the choices of {distribution}")
    return value


def from_optuna_value(distribution: Distribution, value: Any, *, snap: bool = False) -> Any:
    """The value of ``distribution`` that an Optuna value stands for.

    Parameters
    ----------
    distribution : Distribution
        The distribution the value was drawn for (see :func:`to_optuna`).
    value : object
        The value as Optuna holds it.
    snap : bool, default=False
        Round a float to the precision the distribution's own draws have
        (:meth:`FloatDistribution.snap`), so that near-identical values make
        one pipeline.

    Returns
    -------
    object
        The choice at position ``value`` of a :class:`Categorical`, a
        (snapped) float, or ``value`` itself.
    """
    if isinstance(distribution, Categorical):
        return distribution.choices[int(value)]
    if snap and isinstance(distribution, FloatDistribution):
        return distribution.snap(value)
    return value


def suggest_value(trial: Any, name: str, distribution: Distribution) -> Any:
    """Ask an Optuna trial, define-by-run, for a value of ``distribution``.

    Parameters
    ----------
    trial : optuna.trial.Trial
        The trial (or anything with its ``suggest_categorical``,
        ``suggest_int`` and ``suggest_float`` methods).
    name : str
        The parameter's name in the trial.
    distribution : Distribution
        What the value may be; the trial sees :func:`to_optuna`'s image of it.

    Returns
    -------
    object
        The value, as the space holds it (a categorical's choice, not its
        position; a float as the trial drew it).

    Examples
    --------
    >>> from autopipe.space import Categorical
    >>> trial = import_optuna("this example").trial.FixedTrial({"penalty": 1})
    >>> suggest_value(trial, "penalty", Categorical(("l1", "l2")))
    'l2'
    """
    kind, args, kwargs = _optuna_arguments(distribution)
    return from_optuna_value(distribution, getattr(trial, f"suggest_{kind}")(name, *args, **kwargs))
