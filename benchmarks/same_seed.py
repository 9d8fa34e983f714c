"""Same seed, same leaderboard: record a generation-bounded search's leaderboard, or compare two records.

A refactoring that should not change behaviour is checked by running this
before and after it and comparing the records::

    python benchmarks/same_seed.py record before.json          # on the old commit
    python benchmarks/same_seed.py record after.json           # on the new one
    python benchmarks/same_seed.py compare before.json after.json

Each record holds, per data set and strategy, every leaderboard row's
pipeline, status and score (rounded to 10 digits) and the final model's name.
The searches have no time budget (``time_budget=None``, ``generations=2``), so
nothing in them depends on the machine's speed.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

from suite import DEFAULT_SUITE, load_manifest, load_split

DATASETS = ("credit-g", "vehicle", "mpg")
STRATEGIES = ("bayesian", "evolution")


def record_one(entry: dict, strategy: str, n_jobs: int) -> dict:
    """Fit one bounded search and describe its leaderboard."""
    from autopipe import AutoEstimator

    X_train, _, y_train, _ = load_split(entry, DEFAULT_SUITE, seed=0)
    est = AutoEstimator(
        time_budget=None, generations=2, population_size=8, strategy=strategy,
        n_jobs=n_jobs, random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X_train, y_train)
    rows = [
        [str(r.pipeline), str(r.status), None if r.score != r.score else round(float(r.score), 10)]
        for r in est.leaderboard_.itertuples()
    ]
    return {"rows": rows, "best": est.best_candidate_, "final": type(est.fitted_pipeline_).__name__}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record", help="fit the bounded searches and write their leaderboards")
    rec.add_argument("path")
    rec.add_argument("--n-jobs", type=int, default=2)
    cmp = sub.add_parser("compare", help="compare two records row by row")
    cmp.add_argument("before")
    cmp.add_argument("after")
    args = parser.parse_args()
    if args.command == "record":
        manifest = {e["name"]: e for e in load_manifest()}
        out = {
            f"{name}/{strategy}": record_one(manifest[name], strategy, args.n_jobs)
            for name in DATASETS for strategy in STRATEGIES
        }
        Path(args.path).write_text(json.dumps(out, indent=1))
        print(f"wrote {len(out)} leaderboards to {args.path}")
        return
    before, after = (json.loads(Path(p).read_text()) for p in (args.before, args.after))
    same = 0
    for key in before:
        old, new = before[key], after.get(key, {})
        renamed = _renamed_skips(old, new)
        if old == new or renamed:
            same += 1
            note = f"; {renamed} row(s) 'error' -> 'skipped'" if renamed else ""
            print(f"{key}: identical ({len(old['rows'])} rows, best {old['best']}){note}")
        else:
            print(f"{key}: DIFFERENT")
    print(f"{same} of {len(before)} leaderboards identical")
    sys.exit(0 if same == len(before) else 1)


def _renamed_skips(old: dict, new: dict) -> int:
    """Rows that differ only by status 'error' becoming 'skipped' (pipelines skipped as unfit got their
    own status); 0 when anything else differs."""
    if {k: v for k, v in old.items() if k != "rows"} != {k: v for k, v in new.items() if k != "rows"}:
        return 0
    if len(old["rows"]) != len(new.get("rows", [])):
        return 0
    renamed = 0
    for a, b in zip(old["rows"], new["rows"]):
        if a == b:
            continue
        if a[0] == b[0] and a[1:] == ["error", None] and b[1:] == ["skipped", None]:
            renamed += 1
        else:
            return 0
    return renamed


if __name__ == "__main__":
    main()
