"""Build autopipe's portfolio of starting pipelines from the PMLB corpus, and validate it.

The portfolio is an ordered list of pipelines per task that together do well
on many data sets; a search evaluates it first (after the floor). It is
chosen offline, here:

1. ``pool``: the candidate pipelines, per task (``results/portfolio-pool.json``):
   every model of the registry with its defaults; random configurations of
   the boosting, forest, linear and neighbour models drawn from the
   registry's distributions; and preprocessing chains a search would only
   find later (scaling before linear models, kernel features, polynomial
   features, feature selection before forests, a row normalizer before trees).
2. ``evaluate``: each pool on a subset of ``../shared/corpus`` (data sets of
   at most ``--max-columns`` columns and 150 rows or more, spread over the
   corpus by size; the scale suite's tables are left out),
   subsampled to ``--max-rows`` rows: 3-fold cross-validation of every pool
   member through autopipe's own public API (``AutoEstimator`` with
   ``initial_pipelines=pool``, ``generations=0``), balanced accuracy or r2,
   ``max_eval_time`` per member. One data set is one unit of work: results
   are appended to ``results/portfolio-evaluations.jsonl`` as each ends, so
   the build resumes where it stopped (``--minutes`` bounds one piece).
3. ``select``: greedily, the member that most raises the mean over data sets
   of the best normalized score so far (score scaled to [0, 1] between the
   pool's worst and best on that data set), until ``--size`` members; written
   to ``autopipe/run/portfolio.json`` with how it was built.
4. ``validate``: leave-data-set-out: for each data set, a portfolio selected
   on the others; its first k members (k = 1, 5, 20) against the three fixed
   starters autopipe used before (HGB, scaled logistic regression or ridge,
   random forest, all with defaults), by the best normalized score among them.

``build`` runs all four. Usage::

    python benchmarks/portfolio.py build --n-jobs 2 --minutes 90
    python benchmarks/portfolio.py evaluate --minutes 30    # one more piece
    python benchmarks/portfolio.py evaluate --tasks regression --datasets 25
    python benchmarks/portfolio.py select validate
"""

from __future__ import annotations

import argparse
import json
import re
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from suite import DEFAULT_CORPUS, read_table

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
POOL = RESULTS / "portfolio-pool.json"
EVALUATIONS = RESULTS / "portfolio-evaluations.jsonl"
VALIDATION = RESULTS / "portfolio-validation.md"
PACKAGE_FILE = HERE.parent / "autopipe" / "run" / "portfolio.json"
TASKS = ("classification", "regression")
SCORING = {"classification": "balanced_accuracy", "regression": "r2"}
# The three fixed starters autopipe had before the portfolio (the baseline of the validation).
FIXED_STARTERS = {
    "classification": [["HistGradientBoostingClassifier"], ["StandardScaler", "LogisticRegression"],
                       ["RandomForestClassifier"]],
    "regression": [["HistGradientBoostingRegressor"], ["StandardScaler", "Ridge"], ["RandomForestRegressor"]],
}
# The scale suite's tables (benchmarks/scale.py) measure autopipe: the portfolio never sees them.
SCALE_TABLES = {"kddcup", "1203_BNG_pwLinear", "1201_BNG_breastTumor", "sleep", "fars", "connect-4"}
# Random configurations drawn per model, beyond its defaults.
DRAWS = {
    "LGBM": 16, "XGB": 8, "CatBoost": 6, "HistGradientBoosting": 8, "RandomForest": 4, "ExtraTrees": 4,
    "LogisticRegression": 2, "Ridge": 2, "KNeighbors": 2, "MLP": 2, "DecisionTree": 1,
}
CHAINS = {
    "classification": [
        ["StandardScaler", "LogisticRegression"], ["StandardScaler", "KNeighborsClassifier"],
        ["StandardScaler", "LinearSVC"], ["StandardScaler", "MLPClassifier"], ["StandardScaler", "SGDClassifier"],
        ["PolynomialFeatures", "LogisticRegression"], ["Nystroem", "LinearSVC"],
        ["PCA", "KNeighborsClassifier"], ["SelectPercentile", "RandomForestClassifier"],
        ["SelectPercentile", "LGBMClassifier"], ["Normalizer", "ExtraTreesClassifier"],
        ["Normalizer", "SelectFwe", "RandomForestClassifier"], ["VarianceThreshold", "LGBMClassifier"],
        ["RobustScaler", "MLPClassifier"], ["MinMaxScaler", "MultinomialNB"],
    ],
    "regression": [
        ["StandardScaler", "Ridge"], ["StandardScaler", "KNeighborsRegressor"], ["StandardScaler", "LinearSVR"],
        ["StandardScaler", "MLPRegressor"], ["StandardScaler", "ElasticNet"],
        ["PolynomialFeatures", "Ridge"], ["Nystroem", "Ridge"], ["PCA", "KNeighborsRegressor"],
        ["SelectPercentile", "RandomForestRegressor"], ["SelectPercentile", "LGBMRegressor"],
        ["Normalizer", "ExtraTreesRegressor"], ["Normalizer", "SelectFwe", "RandomForestRegressor"],
        ["VarianceThreshold", "LGBMRegressor"], ["RobustScaler", "MLPRegressor"],
    ],
}


# -- the pool ------------------------------------------------------------------------------
def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def make_pool(task: str, seed: int = 0) -> list[list]:
    """The candidate pipelines of ``task`` as step lists (``[[name, params], ...]``), each once."""
    from autopipe.space import build_space, get_preset

    space = build_space({name: None for name in get_preset("default", task)}, task)
    rng = np.random.default_rng(seed)
    pool: list[list] = [[[name, {}] for name in steps] for steps in FIXED_STARTERS[task]]
    models = [op for op in space.models if not op.name.startswith("NeuralNet")]
    pool += [[[op.name, {}]] for op in models]
    for op in models:
        draws = next((n for prefix, n in DRAWS.items() if op.name.startswith(prefix)), 0)
        for _ in range(draws):
            params = {k: _plain(v) for k, v in op.sample_params(rng).items()}
            pool.append([[op.name, params]])
    pool += [[[name, {}] for name in steps] for steps in CHAINS[task] if all(name in space for name in steps)]
    seen, unique = set(), []
    for member in pool:
        key = json.dumps(member, sort_keys=True)
        if key not in seen:
            seen.add(key)
            unique.append(member)
    return unique


def member_key(task: str, member: list) -> str:
    """The pipeline's key in autopipe's leaderboard."""
    from autopipe.genome import genome_from_sklearn
    from autopipe.space import build_space

    return genome_from_sklearn(build_space("default", task), member).key


# -- the corpus ----------------------------------------------------------------------------
MIN_ROWS = 150  # smaller tables make 3-fold scores too noisy to rank pipelines by


def corpus_subset(task: str, n: int, max_columns: int, corpus: Path) -> list[dict]:
    """``n`` data sets of ``task`` with at most ``max_columns`` columns, spread evenly over the corpus by size.

    Tables of fewer than ``MIN_ROWS`` rows and the scale suite's tables are left out.
    """
    entries = json.loads((corpus / "manifest.json").read_text())
    eligible = sorted((e for e in entries if e["task"] == task and e["columns"] <= max_columns
                       and e["rows"] >= MIN_ROWS and e["name"] not in SCALE_TABLES),
                      key=lambda e: (e["rows"] * e["columns"], e["name"]))
    if len(eligible) <= n:
        return eligible
    picks = np.linspace(0, len(eligible) - 1, n).round().astype(int)
    return [eligible[i] for i in sorted(set(picks))]


def load_subsample(entry: dict, corpus: Path, max_rows: int, seed: int) -> tuple[pd.DataFrame, pd.Series]:
    frame = read_table(corpus / entry["file"])
    if len(frame) > max_rows:
        if entry["task"] == "classification":
            from sklearn.model_selection import train_test_split

            y = frame[entry["target"]]
            keep = y.map(y.value_counts()) >= 3  # classes too small to stratify are left out of the sample
            frame, _ = train_test_split(frame[keep], train_size=max_rows, random_state=seed,
                                        stratify=y[keep])
        else:
            frame = frame.sample(n=max_rows, random_state=seed)
    return frame.drop(columns=[entry["target"]]), frame[entry["target"]]


# -- evaluation ----------------------------------------------------------------------------
def evaluate_dataset(entry: dict, pool: list[list], args: argparse.Namespace) -> list[dict]:
    from autopipe import AutoClassifier, AutoRegressor

    task = entry["task"]
    X, y = load_subsample(entry, args.corpus, args.max_rows, args.seed)
    cls = AutoClassifier if task == "classification" else AutoRegressor
    start = time.monotonic()
    left_out: set[int] = set()
    while True:
        # A member the fit's space lacks (PolynomialFeatures beyond 40 featurized columns) is left out,
        # as a search on this data would leave it out: it scores as a failure here.
        members = [m for i, m in enumerate(pool) if i not in left_out]
        model = cls(scoring=SCORING[task], cv=3, time_budget=None, generations=0, population_size=len(members),
                    initial_pipelines=members, strategy="random", ensemble=None, rescore_top=0,
                    max_eval_time=args.max_eval_time, n_jobs=args.n_jobs, random_state=args.seed,
                    successive_halving=False)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(X, y)
            break
        except ValueError as exc:
            found = re.match(r"initial_pipelines\[(\d+)\] does not fit the search space", str(exc))
            if found is None:
                raise
            left_out.add(pool.index(members[int(found.group(1))]))
    board = model.leaderboard_.set_index("pipeline")
    rows = []
    for i, member in enumerate(pool):
        key = member_key(task, member)
        row = board.loc[key] if key in board.index else None
        if isinstance(row, pd.DataFrame):
            row = row.iloc[0]
        ok = row is not None and row["status"] == "ok" and np.isfinite(row["score"])
        rows.append({"dataset": entry["name"], "task": task, "member": i, "rows": len(X),
                     "score": float(row["score"]) if ok else None,
                     "fit_time": float(row["fit_time"]) if row is not None and np.isfinite(row["fit_time"]) else None,
                     "status": ("not in the space" if i in left_out else "missing") if row is None
                     else str(row["status"])})
    print(f"{entry['name']:>40} ({task}, {len(X)} rows): {sum(r['score'] is not None for r in rows)}/{len(pool)} "
          f"scored in {time.monotonic() - start:.0f} s", flush=True)
    return rows


def done_datasets(path: Path) -> set[str]:
    if not path.exists():
        return set()
    return {json.loads(line)["dataset"] for line in path.read_text().splitlines() if line.strip()}


def cmd_pool(args: argparse.Namespace) -> None:
    pools = {task: make_pool(task, args.seed) for task in TASKS}
    POOL.parent.mkdir(parents=True, exist_ok=True)
    POOL.write_text(json.dumps(pools, indent=1) + "\n")
    print({task: len(p) for task, p in pools.items()}, "pipelines in", POOL)


def cmd_evaluate(args: argparse.Namespace) -> None:
    pools = json.loads(POOL.read_text())
    deadline = time.monotonic() + args.minutes * 60
    done = done_datasets(EVALUATIONS)
    for task in args.tasks:
        for entry in corpus_subset(task, args.datasets, args.max_columns, args.corpus):
            if entry["name"] in done:
                continue
            if time.monotonic() > deadline:
                print("time is up for this piece: run evaluate again to go on")
                return
            rows = evaluate_dataset(entry, pools[task], args)
            with EVALUATIONS.open("a") as fh:
                fh.writelines(json.dumps(r) + "\n" for r in rows)


# -- selection and validation ---------------------------------------------------------------
def score_matrix(task: str, n_members: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Data sets, normalized scores (data set x member; a failure counts as the worst) and fit times."""
    records = [json.loads(line) for line in EVALUATIONS.read_text().splitlines() if line.strip()]
    records = [r for r in records if r["task"] == task]
    names = sorted({r["dataset"] for r in records})
    raw = np.full((len(names), n_members), np.nan)
    times = np.full((len(names), n_members), np.nan)
    index = {n: i for i, n in enumerate(names)}
    for r in records:
        if r["score"] is not None:
            raw[index[r["dataset"]], r["member"]] = r["score"]
        if r["fit_time"] is not None:
            times[index[r["dataset"]], r["member"]] = r["fit_time"]
    low, high = np.nanmin(raw, axis=1, keepdims=True), np.nanmax(raw, axis=1, keepdims=True)
    span = np.where(high > low, high - low, 1.0)
    normalized = np.nan_to_num((raw - low) / span, nan=0.0)
    return names, normalized, times


def greedy(normalized: np.ndarray, size: int) -> list[int]:
    """Members in greedy order: each raises the mean best-so-far normalized score the most.

    Ties (once the portfolio covers every data set, all gains are zero) go to
    the member with the higher mean normalized score on its own.
    """
    chosen: list[int] = []
    best = np.zeros(normalized.shape[0])
    alone = normalized.mean(axis=0)
    for _ in range(min(size, normalized.shape[1])):
        gains = np.maximum(best[:, None], normalized).mean(axis=0)
        gains[chosen] = -np.inf
        tied = np.flatnonzero(gains >= gains.max() - 1e-9)
        pick = int(tied[np.argmax(alone[tied])])
        chosen.append(pick)
        best = np.maximum(best, normalized[:, pick])
    return chosen


def cmd_select(args: argparse.Namespace) -> None:
    pools = json.loads(POOL.read_text())
    out = {"built": time.strftime("%Y-%m-%d"),
           "how": (f"greedy mean best-so-far normalized score over PMLB corpus data sets (<= {args.max_columns} "
                   f"columns, <= {args.max_rows} rows), 3-fold CV, balanced accuracy / r2; "
                   "benchmarks/portfolio.py"),
           "tasks": {}}
    for task in TASKS:
        names, normalized, times = score_matrix(task, len(pools[task]))
        order = greedy(normalized, args.size)
        cost = np.nanmedian(times, axis=0)
        out["tasks"][task] = {
            "datasets": len(names),
            "pipelines": [{"steps": pools[task][m], "mean_normalized": round(float(normalized[:, m].mean()), 4),
                           "median_fit_seconds": None if np.isnan(cost[m]) else round(float(cost[m]), 3)}
                          for m in order],
        }
        print(f"{task}: {len(order)} members from {len(pools[task])} on {len(names)} data sets")
    PACKAGE_FILE.write_text(json.dumps(out, indent=1) + "\n")
    print("written to", PACKAGE_FILE)


def cmd_validate(args: argparse.Namespace) -> None:
    pools = json.loads(POOL.read_text())
    head = "| task | data sets | fixed starters (3) | portfolio k=1 | k=5 | k=20 | mean rank: starters, k=1, k=5, k=20 |"
    lines = [head, "|---|---:|---:|---:|---:|---:|---:|"]
    for task in TASKS:
        names, normalized, _ = score_matrix(task, len(pools[task]))
        fixed = [pools[task].index([[n, {}] for n in steps]) for steps in FIXED_STARTERS[task]]
        rows = []
        for d in range(len(names)):
            others = np.delete(normalized, d, axis=0)
            order = greedy(others, 20)
            held = normalized[d]
            rows.append([held[fixed].max()] + [held[order[:k]].max() for k in (1, 5, 20)])
        table = np.array(rows)
        ranks = pd.DataFrame(-table).rank(axis=1).to_numpy().mean(axis=0)
        means = table.mean(axis=0)
        lines.append(f"| {task} | {len(names)} | {means[0]:.4f} | {means[1]:.4f} | {means[2]:.4f} | {means[3]:.4f} | "
                     + ", ".join(f"{r:.2f}" for r in ranks) + " |")
    text = ("Leave-data-set-out: mean over held-out corpus data sets of the best normalized score (1 = the pool's "
            "best on that data set) among the first k members of a portfolio selected without it, against the "
            "three fixed starters.\n\n" + "\n".join(lines) + "\n")
    VALIDATION.write_text(text)
    print(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("commands", nargs="+", choices=("pool", "evaluate", "select", "validate", "build"))
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--datasets", type=int, default=40, help="data sets per task")
    parser.add_argument("--max-rows", type=int, default=2000)
    parser.add_argument("--max-columns", type=int, default=200)
    parser.add_argument("--max-eval-time", type=float, default=20.0)
    parser.add_argument("--size", type=int, default=32, help="members per task")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--minutes", type=float, default=float("inf"), help="evaluate: stop starting data sets after")
    parser.add_argument("--tasks", nargs="+", choices=TASKS, default=list(TASKS), help="evaluate: these tasks")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.corpus = args.corpus.resolve()
    steps = ["pool", "evaluate", "select", "validate"] if "build" in args.commands else args.commands
    if "pool" in steps and POOL.exists() and "build" in args.commands:
        steps.remove("pool")  # a build resumes with the pool it started with
    for step in steps:
        {"pool": cmd_pool, "evaluate": cmd_evaluate, "select": cmd_select, "validate": cmd_validate}[step](args)


if __name__ == "__main__":
    main()
