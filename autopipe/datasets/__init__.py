"""Small data sets bundled with autopipe, for examples, docs and the quickstart."""

from __future__ import annotations

from importlib import resources

import pandas as pd

#: Bundled data sets: name -> (file, target column, task, description).
DATASETS = {
    "credit-g": (
        "credit-g.csv.gz",
        "target",
        "classification",
        "German credit risk: 1000 applicants, 20 numerically encoded attributes, "
        "good (1) or bad (0) risk. From PMLB (classification/credit-g).",
    ),
}

__all__ = ["DATASETS", "load_dataset"]


def load_dataset(name: str, *, return_X_y: bool = False) -> pd.DataFrame | tuple[pd.DataFrame, pd.Series]:
    """Load a bundled data set as a DataFrame.

    Parameters
    ----------
    name : str
        One of ``DATASETS`` (``"credit-g"``).
    return_X_y : bool, default=False
        Return ``(X, y)`` instead of the whole frame.

    Returns
    -------
    frame : pandas.DataFrame, or (X, y)
        The table, the target in its last column.

    Examples
    --------
    >>> from autopipe.datasets import load_dataset
    >>> X, y = load_dataset("credit-g", return_X_y=True)
    >>> X.shape
    (1000, 20)
    """
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; bundled: {', '.join(sorted(DATASETS))}.")
    file, target, _, _ = DATASETS[name]
    with resources.files(__name__).joinpath(file).open("rb") as fh:
        frame = pd.read_csv(fh, compression="gzip")
    if return_X_y:
        return frame.drop(columns=[target]), frame[target]
    return frame
