"""What a user gets without AutoML: HistGradientBoosting defaults on the same splits as ``budget.py``.

Usage::

    python benchmarks/baseline.py --seed 0 [--suite ../shared/datasets]

Raw tables are encoded with autopipe's featurizer (the same for every tool);
prints one markdown row per data set with the held-out score and fit time, and
appends JSON lines to ``benchmarks/results/baseline.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import sklearn
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.metrics import balanced_accuracy_score, r2_score
from sklearn.pipeline import make_pipeline
from suite import DEFAULT_SUITE, load_manifest, load_split

from autopipe.data import make_featurizer

RESULTS = Path(__file__).resolve().parent / "results" / "baseline.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--suite", type=Path, default=DEFAULT_SUITE)
    args = parser.parse_args()
    print("| data set | HGB defaults test score | fit (s) |")
    print("|---|---:|---:|")
    for entry in load_manifest(args.suite):
        X_train, X_test, y_train, y_test = load_split(entry, args.suite, args.seed)
        is_clf = entry["task"] == "classification"
        model = HistGradientBoostingClassifier() if is_clf else HistGradientBoostingRegressor()
        featurizer = make_featurizer(X_train)
        pipe = make_pipeline(featurizer, model) if featurizer is not None else make_pipeline(model)
        start = time.monotonic()
        pipe.fit(X_train, y_train)
        fit = time.monotonic() - start
        pred = pipe.predict(X_test)
        score = balanced_accuracy_score(y_test, pred) if is_clf else r2_score(y_test, pred)
        row = {"dataset": entry["name"], "tool": "hgb-defaults", "seed": args.seed,
               "test_score": round(float(score), 4), "fit": round(fit, 2), "sklearn": sklearn.__version__}
        with RESULTS.open("a") as fh:
            fh.write(json.dumps(row) + "\n")
        print(f"| {entry['name']} | {score:.4f} | {fit:.1f} |", flush=True)


if __name__ == "__main__":
    main()
