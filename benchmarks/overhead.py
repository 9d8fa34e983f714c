"""Where a fit's wall time goes: candidate fitting and scoring vs. everything else.

Usage::

    python benchmarks/overhead.py --budget 60 --n-jobs 2 --seed 0 [--only adult titanic] \
        [--results results/overhead.jsonl]

Each data set is fitted once with the parent process under ``cProfile``. The
parent's cumulative time in the search's own machinery is read off the
profile: genetic operators (the strategy's ``ask`` and ``tell``), compiling
genomes to pipelines, bookkeeping (history, callbacks, leaderboard), starting
the workers and sending them the data, and the data checks and featurization
set-up before the search. The workers' side comes from the history: the time
each evaluation spent in its worker beyond fitting and scoring (cloning,
slicing rows, returning results), the share of the workers' time spent on
candidates with a neural network, and the share the workers were idle
(waiting at the end of a batch for its slowest candidate, starting, or during
the final refit in the parent). All are given as a share of the fit's wall
time; profiling slows the parent's Python, so its shares are upper bounds.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import time
import warnings
from pathlib import Path

import numpy as np
from suite import DEFAULT_SUITE, load_manifest, load_split

from autopipe import AutoEstimator

RESULTS = Path(__file__).resolve().parent / "results" / "overhead.jsonl"

#: (label, file suffix, function name) of the parent-side parts, read off the profile.
PARTS = {
    "genetic operators": [("search/_nsga2.py", "ask"), ("search/_nsga2.py", "tell"),
                          ("search/_random.py", "ask")],
    "compilation": [("estimator.py", "_compile")],
    "bookkeeping": [("search/_loop.py", "_call"), ("search/_history.py", "add"),
                    ("report/_leaderboard.py", "make_leaderboard")],
    "worker start-up and data transfer": [("evaluate/_evaluator.py", "open")],
    "data checks and featurization set-up": [("estimator.py", "_check_data"), ("estimator.py", "_make_featurizer"),
                                             ("estimator.py", "_validate_training_data")],
}


def _cumulative(stats: pstats.Stats, suffix: str, name: str) -> float:
    total = 0.0
    for (path, _, func), (_, _, _, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        if func == name and path.replace("\\", "/").endswith(suffix):
            total += cumulative
    return total


def measure(entry: dict, suite: Path, budget: float, n_jobs: int, seed: int) -> dict:
    X, _, y, _ = load_split(entry, suite, seed)
    est = AutoEstimator(task=entry["task"], time_budget=budget, n_jobs=n_jobs, random_state=seed,
                        scoring="balanced_accuracy" if entry["task"] == "classification" else "r2")
    profiler = cProfile.Profile()
    start = time.monotonic()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        profiler.runcall(est.fit, X, y)
    wall = time.monotonic() - start
    stats = pstats.Stats(profiler)
    row: dict = {"dataset": entry["name"], "seed": seed, "budget": budget, "n_jobs": n_jobs, "wall": round(wall, 2),
                 "evaluations": len(est.history_)}
    parent = 0.0
    for label, funcs in PARTS.items():
        seconds = sum(_cumulative(stats, suffix, name) for suffix, name in funcs)
        row[label] = round(seconds / wall, 4)
        parent += seconds
    results = [e.result for e in est.history_]
    busy = sum(r.wall_time for r in results)
    in_worker = sum(max(0.0, r.wall_time - r.fit_time - r.score_time) for r in results if r.ok)
    n_workers = max(1, n_jobs)
    row["worker side, beyond fit and score"] = round(in_worker / n_workers / wall, 4)
    row["overhead"] = round(parent / wall + in_worker / n_workers / wall, 4)
    row["workers busy"] = round(busy / n_workers / wall, 4)
    # worker time on candidates with a neural network, and workers idle (batch barriers, start-up, refit)
    nets = sum(e.result.wall_time for e in est.history_ if "NeuralNet" in e.genome.key)
    row["networks"] = round(nets / n_workers / wall, 4)
    row["idle"] = round(1 - busy / n_workers / wall, 4)
    row["timeouts"] = sum(r.status.value == "timeout" for r in results)
    row["final model"] = round(est.ensemble_report_.build_time / wall, 4)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--suite", type=Path, default=DEFAULT_SUITE)
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    labels = [*PARTS, "worker side, beyond fit and score"]
    tail = ["overhead", "workers busy", "networks", "idle", "final model"]
    print("| data set | evaluations | " + " | ".join(labels + tail) + " |")
    print("|---|---:|" + "---:|" * (len(labels) + len(tail)))
    rows = []
    for entry in load_manifest(args.suite):
        if args.only and entry["name"] not in args.only:
            continue
        row = measure(entry, args.suite, args.budget, args.n_jobs, args.seed)
        rows.append(row)
        with args.results.open("a") as fh:
            fh.write(json.dumps(row) + "\n")
        cells = " | ".join(f"{row[k]:.1%}" for k in [*labels, *tail])
        print(f"| {row['dataset']} | {row['evaluations']} | {cells} |", flush=True)
    if rows:
        print(f"\nmedian overhead {np.median([r['overhead'] for r in rows]):.1%}, "
              f"max {max(r['overhead'] for r in rows):.1%} of fit wall time")


if __name__ == "__main__":
    main()
