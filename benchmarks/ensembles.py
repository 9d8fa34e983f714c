"""Ensemble vs. single best pipeline: a table from the rows ``budget.py`` wrote.

Usage::

    python benchmarks/budget.py --ensemble none --seed 0 --results results/ensembles.jsonl
    python benchmarks/budget.py --ensemble selection --seed 0 --results results/ensembles.jsonl
    ...  (the same for --seed 1)
    python benchmarks/ensembles.py results/ensembles.jsonl

For each data set: the held-out score with ``ensemble=None`` and with the
ensemble, averaged over the seeds found, their difference, how often the
ensemble was used, and the time spent building the final model (choosing the
members and refitting them) as a share of the budget. The two settings run
separate searches, so their difference also holds search-to-search noise;
the "paired" column compares the final model of the ensemble runs with the
best single pipeline of the same search (``single_test_score``, recorded by
``budget.py``), which isolates the ensemble's own effect.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path)
    parser.add_argument("--ensemble", default="selection", help="the ensemble kind to compare with 'none'")
    args = parser.parse_args()

    rows = [json.loads(line) for line in args.results.read_text().splitlines() if line.strip()]
    by = defaultdict(dict)
    for row in rows:
        by[(row["dataset"], row["ensemble"])][row["seed"]] = row
    datasets = list(dict.fromkeys(row["dataset"] for row in rows))

    print(f"| data set | none | {args.ensemble} | difference | paired | used | members | final model time / budget |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    diffs, singles, ensembles, shares, single_shares, paired = [], [], [], [], [], []
    for name in datasets:
        single, ens = by.get((name, "none"), {}), by.get((name, args.ensemble), {})
        seeds = sorted(set(single) & set(ens))
        if not seeds:
            continue
        s = np.mean([single[k]["test_score"] for k in seeds])
        e = np.mean([ens[k]["test_score"] for k in seeds])
        share = [ens[k]["final_model_time"] / ens[k]["budget"] for k in seeds]
        single_shares += [single[k]["final_model_time"] / single[k]["budget"] for k in seeds]
        used = sum(ens[k]["ensemble_used"] for k in seeds)
        members = "/".join(str(ens[k]["ensemble_members"]) for k in seeds)
        pair = [ens[k]["test_score"] - ens[k]["single_test_score"] for k in seeds if "single_test_score" in ens[k]]
        diffs.append(e - s)
        singles.append(s)
        ensembles.append(e)
        shares += share
        paired += pair
        pair_text = f"{np.mean(pair):+.4f}" if pair else ""
        print(f"| {name} | {s:.4f} | {e:.4f} | {e - s:+.4f} | {pair_text} | {used}/{len(seeds)} | {members} | "
              f"{max(share):.3f} |")
    if not diffs:
        print("\nno data set has rows for both settings")
        return
    print(
        f"| **mean** | **{np.mean(singles):.4f}** | **{np.mean(ensembles):.4f}** | "
        f"**{np.mean(diffs):+.4f}** | **{np.mean(paired) if paired else float('nan'):+.4f}** | | | |"
    )
    print(
        f"\n{len(diffs)} data sets; worst difference {min(diffs):+.4f}; "
        f"final model time / budget with the ensemble: median {np.median(shares):.3f}, max {max(shares):.3f} "
        f"(single pipeline refit: median {np.median(single_shares):.3f}, max {max(single_shares):.3f})"
    )


if __name__ == "__main__":
    main()
