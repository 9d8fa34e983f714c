"""Loading a data suite (``manifest.json`` plus table files) for benchmarks.

A suite is a folder whose ``manifest.json`` lists its tables (name, file,
task, target, rows). The files may be comma-separated (``.csv``, ``.csv.gz``:
the development suite), tab-separated (``.tsv``, ``.tsv.gz``: the corpus) or
generated tables cached by ``generated.py`` (``.npz``).
"""

from __future__ import annotations

import json
import time
import warnings
from pathlib import Path

import pandas as pd
from sklearn.metrics import balanced_accuracy_score, r2_score
from sklearn.model_selection import train_test_split

DEFAULT_SUITE = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"
DEFAULT_CORPUS = DEFAULT_SUITE.parent / "corpus"


def load_manifest(path: str | Path = DEFAULT_SUITE) -> list[dict]:
    """The suite's manifest: one dict per data set (name, file, task, target, rows)."""
    return json.loads((Path(path) / "manifest.json").read_text())


def read_table(path: str | Path) -> pd.DataFrame:
    """One table file as a DataFrame, read by its suffix (CSV, TSV, or a generated ``.npz``)."""
    path = Path(path)
    suffixes = path.suffixes[-2:]
    if path.suffix == ".npz":
        from generated import read_frame

        return read_frame(path)
    return pd.read_csv(path, sep="\t" if ".tsv" in suffixes else ",")


def load_split(entry: dict, path: str | Path, seed: int) -> tuple:
    """75/25 train/test split of one data set (stratified for classification)."""
    frame = read_table(Path(path) / entry["file"])
    X, y = frame.drop(columns=[entry["target"]]), frame[entry["target"]]
    stratify = y if entry["task"] == "classification" else None
    return train_test_split(X, y, test_size=0.25, random_state=seed, stratify=stratify)


def pre_encode(X_train: pd.DataFrame, X_test: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The shared pre-encoding for a tool that rejects a raw mixed-type table.

    Numbers and booleans become float64 with missing values replaced by the
    training median; every other column (strings, categories) becomes integer
    codes in order of first appearance in the training rows, with missing and
    unseen values coded -1. Fitted on the training rows only.
    """
    train, test = {}, {}
    for col in X_train.columns:
        a, b = X_train[col], X_test[col]
        if pd.api.types.is_bool_dtype(a) or pd.api.types.is_numeric_dtype(a):
            a, b = a.astype("float64"), b.astype("float64")
            fill = a.median() if a.notna().any() else 0.0
            train[col], test[col] = a.fillna(fill), b.fillna(fill)
        else:
            codes = {v: i for i, v in enumerate(pd.unique(a.dropna()))}
            train[col] = a.map(codes).fillna(-1).astype("int64")
            test[col] = b.map(codes).fillna(-1).astype("int64")
    return pd.DataFrame(train, index=X_train.index), pd.DataFrame(test, index=X_test.index)


def fit_quietly(estimator, X, y) -> float:
    """Fit with warnings silenced; return the wall time in seconds."""
    start = time.monotonic()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator.fit(X, y)
    return time.monotonic() - start


def held_out_score(task: str, y_true, y_pred) -> float:
    """Balanced accuracy (classification) or r2 (regression): the metric every benchmark reports."""
    return float(balanced_accuracy_score(y_true, y_pred) if task == "classification" else r2_score(y_true, y_pred))
