"""Permutation importance of the input columns of a fitted estimator, as a table and a bar chart."""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.inspection import permutation_importance
from sklearn.utils.validation import check_is_fitted

from ._plots import _check_columns, _get_ax, _plural

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["permutation_importances", "plot_importances"]

IMPORTANCE_COLUMNS = ["feature", "importance_mean", "importance_std"]


def _as_table(estimator: Any, X: Any) -> tuple[Any, list[str]]:
    """``X`` in a form ``permutation_importance`` can shuffle, and one name per input column.

    DataFrames keep their column names. Arrays are named after the
    estimator's ``feature_names_in_`` when it has them for as many columns
    (and are then passed as a DataFrame with those columns, as at fit time),
    and ``x0 .. x{n-1}`` otherwise.
    """
    if isinstance(X, pd.DataFrame):
        return X, [str(c) for c in X.columns]
    if sp.issparse(X):
        X = X.toarray()
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-dimensional (n_samples, n_features), got an array of shape {X.shape}.")
    names = getattr(estimator, "feature_names_in_", None)
    if names is not None and len(names) == X.shape[1]:
        names = [str(c) for c in names]
        return pd.DataFrame(X, columns=names), names
    return X, [f"x{i}" for i in range(X.shape[1])]


def permutation_importances(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    scoring: Any = None,
    n_repeats: int = 5,
    random_state: Any = None,
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """How much the score drops when each input column is shuffled.

    A thin wrapper around :func:`sklearn.inspection.permutation_importance`
    that works on the original input columns (before any featurization or
    preprocessing inside the pipeline) and returns a tidy table, most
    important column first. Importances are in units of the score: a column
    whose shuffling costs 0.2 accuracy has importance 0.2; values near 0 (or
    below) mean the model does not rely on the column.

    Parameters
    ----------
    estimator : estimator
        A fitted :class:`~autopipe.AutoEstimator`, or any fitted scikit-learn
        estimator or pipeline that accepts ``X``.
    X : array-like, sparse matrix or DataFrame of shape (n_samples, n_features)
        Data to permute, ideally held out from training. DataFrame columns
        are reported by name; array columns take the estimator's
        ``feature_names_in_`` when it has them, ``x0 .. x{n-1}`` otherwise.
    y : array-like of shape (n_samples,)
        Targets of ``X``.
    scoring : str, callable or None, default=None
        A single scorer name or callable ``scorer(estimator, X, y)`` (greater
        is better); None uses the estimator's own ``score`` method.
    n_repeats : int, default=5
        Times each column is shuffled; the table reports the mean and
        standard deviation over the repeats.
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffles, for reproducible importances.
    n_jobs : int or None, default=None
        Columns permuted in parallel (-1: one job per core).

    Returns
    -------
    importances : pandas.DataFrame
        One row per input column, sorted by decreasing ``importance_mean``,
        with the columns ``feature``, ``importance_mean`` and
        ``importance_std``.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        When ``estimator`` is not fitted.
    ValueError
        When ``scoring`` names several metrics or ``X`` is not 2-dimensional.

    See Also
    --------
    plot_importances : Bar chart of the table this function returns.
    sklearn.inspection.permutation_importance : The underlying computation.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sklearn.linear_model import LogisticRegression
    >>> from autopipe.report import permutation_importances
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"signal": rng.normal(size=200), "noise": rng.normal(size=200)})
    >>> y = (X["signal"] > 0).astype(int)
    >>> model = LogisticRegression().fit(X, y)
    >>> table = permutation_importances(model, X, y, random_state=0)
    >>> table["feature"].tolist()
    ['signal', 'noise']
    >>> list(table.columns)
    ['feature', 'importance_mean', 'importance_std']
    """
    if isinstance(scoring, (list, tuple, set, Mapping)):
        raise ValueError(
            "scoring must be a single scorer name or callable (or None for the estimator's own score), "
            f"got {type(scoring).__name__} {scoring!r}."
        )
    if not isinstance(n_repeats, Integral) or isinstance(n_repeats, bool) or n_repeats < 1:
        raise ValueError(f"n_repeats must be a positive integer, got {n_repeats!r}.")
    check_is_fitted(estimator)
    X, names = _as_table(estimator, X)
    result = permutation_importance(
        estimator, X, y, scoring=scoring, n_repeats=int(n_repeats), random_state=random_state, n_jobs=n_jobs
    )
    table = pd.DataFrame(
        {
            "feature": names,
            "importance_mean": np.asarray(result.importances_mean, dtype=float),
            "importance_std": np.asarray(result.importances_std, dtype=float),
        },
        columns=IMPORTANCE_COLUMNS,
    )
    return table.sort_values("importance_mean", ascending=False, kind="stable").reset_index(drop=True)


def plot_importances(importances: pd.DataFrame, *, top: int = 20, ax: Axes | None = None) -> Axes:
    """Horizontal bar chart of permutation importances, most important at the top.

    Each bar is a column's mean importance, with its standard deviation over
    the repeats as an error bar; only the ``top`` most important columns are
    drawn.

    Parameters
    ----------
    importances : pandas.DataFrame
        A table as :func:`permutation_importances` returns it: columns
        ``feature`` and ``importance_mean``, and ``importance_std`` for error
        bars (optional). Rows may be in any order.
    top : int, default=20
        How many of the most important columns to draw.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure, sized to the number of bars, is
        created when None.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The Axes drawn on.

    Raises
    ------
    ImportError
        When matplotlib is not installed.
    ValueError
        When a column is missing, the table is empty or ``top`` is not a
        positive integer.

    See Also
    --------
    permutation_importances : Computes the table.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from autopipe.report import plot_importances
    >>> table = pd.DataFrame({"feature": ["age", "income", "zip"],
    ...                       "importance_mean": [0.12, 0.30, 0.01],
    ...                       "importance_std": [0.02, 0.04, 0.01]})
    >>> ax = plot_importances(table, top=2)
    >>> [label.get_text() for label in ax.get_yticklabels()]
    ['income', 'age']
    """
    _check_columns(importances, ["feature", "importance_mean"], "importances", such_as="",
                   remedy="pass the table permutation_importances returns")
    if not isinstance(top, Integral) or isinstance(top, bool) or top < 1:
        raise ValueError(f"top must be a positive integer, got {top!r}.")
    if len(importances) == 0:
        raise ValueError("importances is empty: there is nothing to plot.")

    shown = importances.sort_values("importance_mean", ascending=False, kind="stable").head(int(top))
    ax = _get_ax(ax, figsize=(7.0, 1.2 + 0.32 * len(shown)))
    positions = np.arange(len(shown))
    xerr = shown["importance_std"].to_numpy(dtype=float) if "importance_std" in shown.columns else None
    ax.barh(positions, shown["importance_mean"].to_numpy(dtype=float), xerr=xerr, color="C0", alpha=0.8,
            error_kw={"ecolor": "0.3", "capsize": 3, "lw": 1})
    ax.set_yticks(positions, [str(f) for f in shown["feature"]])
    ax.invert_yaxis()  # most important on top
    ax.axvline(0.0, color="0.4", lw=0.8)
    ax.set_xlabel("decrease in score when the column is shuffled")
    ax.set_ylabel("input column")
    if len(shown) < len(importances):
        ax.set_title(f"Permutation importance (top {len(shown)} of {len(importances)} columns)")
    else:
        ax.set_title(f"Permutation importance ({_plural(len(shown), 'column')})")
    ax.grid(True, axis="x", alpha=0.3)
    return ax
