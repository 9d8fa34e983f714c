"""Do test scores hold as the budget grows? A table from the rows ``budget.py`` wrote.

Usage::

    for b in 30 120 300; do
        python benchmarks/budget.py --budget $b --n-jobs 1 --seed 0 --results results/growth.jsonl
    done
    python benchmarks/growth.py results/growth.jsonl

For each data set: the held-out score at every budget found (averaged over
seeds), the change from the smallest budget to the largest, and how often
re-scoring the best candidates on other folds changed the final choice. A
"fall" is a score more than 0.005 below the one at the previous budget.
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections import defaultdict
from pathlib import Path

import numpy as np

FALL = 0.005


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, nargs="+")
    args = parser.parse_args()

    rows = [json.loads(line) for path in args.results for line in path.read_text().splitlines() if line.strip()]
    scores: dict[tuple[str, float], list[float]] = defaultdict(list)
    for row in rows:
        scores[(row["dataset"], row["budget"])].append(row["test_score"])
    budgets = sorted({row["budget"] for row in rows})
    datasets = list(dict.fromkeys(row["dataset"] for row in rows))

    head = " | ".join(f"{b:g} s" for b in budgets)
    print(f"| data set | {head} | {budgets[-1]:g} s - {budgets[0]:g} s | falls |")
    print("|---|" + "---:|" * len(budgets) + "---:|---:|")
    means = {b: [] for b in budgets}
    total_falls = 0
    for name in datasets:
        if not all((name, b) in scores for b in budgets):
            continue
        row = [float(np.mean(scores[(name, b)])) for b in budgets]
        falls = sum(later < earlier - FALL for earlier, later in itertools.pairwise(row))
        total_falls += falls
        for b, s in zip(budgets, row):
            means[b].append(s)
        cells = " | ".join(f"{s:.4f}" for s in row)
        print(f"| {name} | {cells} | {row[-1] - row[0]:+.4f} | {falls} |")
    cells = " | ".join(f"**{np.mean(means[b]):.4f}**" for b in budgets)
    change = np.mean(means[budgets[-1]]) - np.mean(means[budgets[0]])
    print(f"| mean | {cells} | {change:+.4f} | {total_falls} |")

    print()
    for b in budgets:
        at = [row for row in rows if row["budget"] == b]
        overruns = [row["overrun"] for row in at]
        changed = sum(row.get("rescore_changed", False) for row in at)
        rescored = sum(row.get("rescored", 0) > 0 for row in at)
        print(
            f"- {b:g} s: wall/budget median {np.median(overruns):.3f}, max {max(overruns):.3f}; "
            f"re-scoring ran on {rescored}/{len(at)} data sets and changed the final choice on {changed}"
        )


if __name__ == "__main__":
    main()
