"""Two runs of one tool on the same cells, side by side: is the second one as good as the first?

Usage::

    python benchmarks/paired.py results/architecture-60s-before.jsonl results/architecture-60s-after.jsonl

Each file holds ``compare.py`` records (``--results``). Cells (data set and
seed) present in both are paired; the table gives each cell's held-out score,
evaluated pipelines and fit wall time in both runs, then the mean difference,
wins / ties / losses (ties: within 0.001) and the two-sided Wilcoxon
signed-rank p of the differences.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from scipy.stats import wilcoxon

TIE = 1e-3


def load(path: Path) -> dict[tuple[str, int], dict]:
    """The last record per (data set, seed) of a results file."""
    cells = {}
    for line in path.read_text().splitlines():
        if line.strip():
            record = json.loads(line)
            cells[(record["dataset"], record["seed"])] = record
    return cells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    args = parser.parse_args()
    before, after = load(args.before), load(args.after)
    cells = sorted(set(before) & set(after))
    print("| data set | seed | score before | score after | difference | pipelines before / after | "
          "wall before / after (s) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    diffs = []
    for cell in cells:
        a, b = before[cell], after[cell]
        diff = b["test_score"] - a["test_score"]
        diffs.append(diff)
        print(f"| {cell[0]} | {cell[1]} | {a['test_score']:.4f} | {b['test_score']:.4f} | {diff:+.4f} | "
              f"{a.get('pipelines')} / {b.get('pipelines')} | {a['fit_wall']:.1f} / {b['fit_wall']:.1f} |")
    d = np.asarray(diffs)
    wins, losses = int((d > TIE).sum()), int((d < -TIE).sum())
    p = wilcoxon(d).pvalue if np.any(d != 0) else 1.0
    walls = np.asarray([after[c]["fit_wall"] / after[c]["budget"] for c in cells])
    print(f"\n{len(cells)} cells: mean score {np.mean([before[c]['test_score'] for c in cells]):.4f} before, "
          f"{np.mean([after[c]['test_score'] for c in cells]):.4f} after; mean difference {d.mean():+.4f}, "
          f"median {np.median(d):+.4f}; wins / ties / losses {wins} / {len(d) - wins - losses} / {losses}; "
          f"Wilcoxon p = {p:.3f}")
    pipelines = [(before[c].get("pipelines") or 0, after[c].get("pipelines") or 0) for c in cells]
    print(f"pipelines evaluated, median: {np.median([x for x, _ in pipelines]):.0f} before, "
          f"{np.median([y for _, y in pipelines]):.0f} after; fit wall / budget after: median "
          f"{np.median(walls):.3f}, max {walls.max():.3f}")


if __name__ == "__main__":
    main()
