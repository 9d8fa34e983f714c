"""Loading the development data suite (``manifest.json`` plus gzip CSVs) for benchmarks."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from sklearn.model_selection import train_test_split

DEFAULT_SUITE = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"


def load_manifest(path: str | Path = DEFAULT_SUITE) -> list[dict]:
    """The suite's manifest: one dict per data set (name, file, task, target, rows)."""
    return json.loads((Path(path) / "manifest.json").read_text())


def load_split(entry: dict, path: str | Path, seed: int) -> tuple:
    """75/25 train/test split of one data set (stratified for classification)."""
    frame = pd.read_csv(Path(path) / entry["file"])
    X, y = frame.drop(columns=[entry["target"]]), frame[entry["target"]]
    stratify = y if entry["task"] == "classification" else None
    return train_test_split(X, y, test_size=0.25, random_state=seed, stratify=stratify)
