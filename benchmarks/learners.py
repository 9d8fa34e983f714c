"""The boosting libraries as autopipe operators: install size, import time, time per candidate, held-out score.

What decides which library is a dependency of autopipe and which an extra.
For every library of ``autopipe.space.boosting`` (and HistGradientBoosting,
the scikit-learn baseline):

- installed size: the package folder plus the wheels it pulls that nothing
  else needs (XGBoost's NCCL on Linux);
- import time: median of 5 fresh interpreters, after scikit-learn and pandas
  are imported (what it adds to a search worker's start);
- time per candidate: the wall time of the operator with its defaults fitted
  on every development-suite table's training rows (75%, pre-encoded), one
  thread, as a search worker runs one fold;
- held-out score: balanced accuracy or r2 on the remaining 25%.

Usage::

    python benchmarks/learners.py                       # every table, seed 0
    python benchmarks/learners.py --only adult cpu_act  # a subset

The table is printed and written to ``results/learners.md``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from suite import (
    DEFAULT_SUITE,
    fit_quietly,
    held_out_score,
    load_manifest,
    load_split,
    pre_encode,
)
from threadpoolctl import threadpool_limits

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "learners.jsonl"
LIBRARIES = {"lightgbm": "LGBM", "xgboost": "XGB", "catboost": "CatBoost"}


def folder_mib(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def installed_mib(module: str) -> float:
    """The package folder, plus NCCL for XGBoost (pulled by its Linux wheel, used by nothing else here)."""
    spec = importlib.util.find_spec(module)
    folder = Path(spec.origin).parent
    size = folder_mib(folder)
    if module == "xgboost":
        nccl = folder.parent / "nvidia" / "nccl"
        size += folder_mib(nccl) if nccl.exists() else 0.0
    return size


def import_seconds(module: str, repeats: int = 5) -> float:
    code = ("import sklearn.ensemble, pandas, time; t = time.perf_counter(); "
            f"import {module}; print(time.perf_counter() - t)")
    times = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                  check=True).stdout) for _ in range(repeats)]
    return statistics.median(times)


def operator(library: str | None, task: str, seed: int):
    if library is None:
        from sklearn.ensemble import (
            HistGradientBoostingClassifier,
            HistGradientBoostingRegressor,
        )

        cls = HistGradientBoostingClassifier if task == "classification" else HistGradientBoostingRegressor
        return cls(random_state=seed)
    from autopipe.space import boosting

    suffix = "Classifier" if task == "classification" else "Regressor"
    return getattr(boosting, LIBRARIES[library] + suffix)(random_state=seed, n_jobs=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", type=Path, default=DEFAULT_SUITE)
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--markdown", type=Path, default=HERE / "results" / "learners.md")
    args = parser.parse_args()
    names = ["hgb"] + [lib for lib in LIBRARIES if importlib.util.find_spec(lib)]
    rows = {}
    for name in names:
        module = "sklearn" if name == "hgb" else name
        rows[name] = {"library": name, "installed_mib": None if name == "hgb" else round(installed_mib(module), 1),
                      "import_s": None if name == "hgb" else round(import_seconds(module), 4),
                      "fit_s": {}, "score": {}}
    entries = [e for e in load_manifest(args.suite) if not args.only or e["name"] in args.only]
    for entry in entries:
        X_train, X_test, y_train, y_test = load_split(entry, args.suite, args.seed)
        X_train, X_test = pre_encode(X_train, X_test)
        for name in names:
            model = operator(None if name == "hgb" else name, entry["task"], args.seed)
            with threadpool_limits(1):
                seconds = fit_quietly(model, X_train, y_train)
                score = held_out_score(entry["task"], y_test, model.predict(X_test))
            rows[name]["fit_s"][entry["name"]] = round(seconds, 3)
            rows[name]["score"][entry["name"]] = round(score, 4)
            print(f"{entry['name']:>24} {name:>9}: {score:.4f} in {seconds:6.2f} s", flush=True)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    with args.results.open("a") as fh:
        for row in rows.values():
            fh.write(json.dumps({**row, "seed": args.seed, "time": time.strftime("%Y-%m-%dT%H:%M")}) + "\n")
    head = ("| library | installed MiB | import s (after sklearn) | fit s per table: median, max | "
            "held-out score: mean | tables best |")
    lines = [head, "|---|---:|---:|---:|---:|---:|"]
    best = {e["name"]: max(rows[n]["score"][e["name"]] for n in names) for e in entries}
    for name, row in rows.items():
        fits = list(row["fit_s"].values())
        wins = sum(row["score"][d] == b for d, b in best.items())
        size = "—" if row["installed_mib"] is None else f"{row['installed_mib']:.0f}"
        imp = "—" if row["import_s"] is None else f"{row['import_s']:.3f}"
        lines.append(f"| {name} | {size} | {imp} | {np.median(fits):.2f}, {max(fits):.2f} | "
                     f"{np.mean(list(row['score'].values())):.4f} | {wins}/{len(entries)} |")
    table = "\n".join(lines) + "\n"
    print("\n" + table)
    args.markdown.write_text(table)

if __name__ == "__main__":
    main()
