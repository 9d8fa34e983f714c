"""What sharing fitted transformers between candidates saves: the same candidates with and without it.

Usage::

    python benchmarks/caching.py --budget 30 --seed 0 [--only spambase titanic] [--results results/caching.jsonl]

For each data set: one search (``time_budget=--budget``, one worker, no
successive halving) gives a realistic sequence of candidates, as genetic
programming proposes them; then that sequence is cross-validated twice by an
``Evaluator`` with one worker, once with ``cache_prefixes=True`` and once
without, alternating which goes first. Prints the total wall time of each, their
ratio and the share of folds that reused a cached prefix; appends JSON lines.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.metrics import get_scorer
from sklearn.model_selection import KFold, StratifiedKFold
from suite import DEFAULT_SUITE, load_manifest, load_split

from autopipe import AutoEstimator
from autopipe.evaluate import Evaluator
from autopipe.space import NetworkTrainingHooks

RESULTS = Path(__file__).resolve().parent / "results" / "caching.jsonl"


def measure(entry: dict, suite: Path, budget: float, seed: int) -> dict:
    X, _, y, _ = load_split(entry, suite, seed)
    is_clf = entry["task"] == "classification"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = AutoEstimator(task=entry["task"], time_budget=budget, n_jobs=1, random_state=seed,
                            successive_halving=False, ensemble=None, rescore_top=0).fit(X, y)
    lb = est.leaderboard_
    ok = lb[lb.status == "ok"].reset_index(drop=True)
    order = ok.sort_values("elapsed").index
    candidates = [(str(i), est.candidate_pipeline(int(i))) for i in order]
    y_enc = np.asarray(y)
    splitter = StratifiedKFold if is_clf else KFold
    splits = list(splitter(est.n_splits_, shuffle=True, random_state=seed).split(X, y_enc))
    scorer = get_scorer("balanced_accuracy" if is_clf else "r2")
    walls, hits = {}, 0
    for cache in ([True, False] if seed % 2 == 0 else [False, True]):
        evaluator = Evaluator(X, y_enc, splits=splits, scorer=scorer, is_classifier=is_clf, n_jobs=1,
                              cache_prefixes=cache, hooks=NetworkTrainingHooks())
        with evaluator:
            evaluator.evaluate(candidates[:1])  # start the worker and send the data before timing
            start = time.monotonic()
            results = evaluator.evaluate(candidates)
            walls[cache] = time.monotonic() - start
        if cache:
            hits = sum(r.cache_hits for r in results if r is not None)
    folds = len(candidates) * len(splits)
    return {"dataset": entry["name"], "seed": seed, "budget": budget, "candidates": len(candidates),
            "with_cache": round(walls[True], 2), "without_cache": round(walls[False], 2),
            "ratio": round(walls[True] / walls[False], 3), "folds_reused": round(hits / max(folds, 1), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--suite", type=Path, default=DEFAULT_SUITE)
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    print("| data set | candidates | with cache (s) | without (s) | ratio | folds reused |")
    print("|---|---:|---:|---:|---:|---:|")
    ratios = []
    for entry in load_manifest(args.suite):
        if args.only and entry["name"] not in args.only:
            continue
        row = measure(entry, args.suite, args.budget, args.seed)
        ratios.append(row["ratio"])
        with args.results.open("a") as fh:
            fh.write(json.dumps(row) + "\n")
        print(f"| {row['dataset']} | {row['candidates']} | {row['with_cache']:.1f} | {row['without_cache']:.1f} | "
              f"{row['ratio']:.3f} | {row['folds_reused']:.0%} |", flush=True)
    if ratios:
        print(f"\nmedian ratio (with / without) {np.median(ratios):.3f}")


if __name__ == "__main__":
    main()
