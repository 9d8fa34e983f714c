"""Neural networks in the search: presets, cheap performance estimation, zero-cost proxy.

Usage::

    python benchmarks/nets.py presets --budget 120 [--datasets optdigits cpu_act] [--seed 0]
    python benchmarks/nets.py stopping [--n 12]      # median stopping on/off, same candidates
    python benchmarks/nets.py inheritance [--n 6]    # weight inheritance on/off, same parents and children
    python benchmarks/nets.py proxy [--n 24]         # zero-cost proxy vs trained score (Kendall tau)
    python benchmarks/nets.py table results/nets.jsonl

Every mode appends JSON lines to ``benchmarks/results/nets.jsonl`` (or
``--results``) and prints what it measured. ``presets`` runs ``AutoEstimator``
with ``search_space="nn"`` and ``"default"`` (which holds the networks too) at
the same budget; the other modes evaluate random networks from the registry's
distributions with autopipe's evaluator (one worker, 3 folds) on the numeric
columns of each data set, standardized, so that only the technique differs.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import sklearn
from scipy.stats import kendalltau
from sklearn.impute import SimpleImputer
from sklearn.metrics import balanced_accuracy_score, get_scorer, r2_score
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from suite import DEFAULT_SUITE, fit_quietly, held_out_score, load_manifest, load_split

import autopipe
from autopipe import AutoEstimator
from autopipe.evaluate import Evaluator
from autopipe.space._registry import registry_by_name
from autopipe.space.nets import NetworkTrainingHooks, zero_cost_score

RESULTS = Path(__file__).resolve().parent / "results" / "nets.jsonl"


def _versions() -> dict:
    import skorch
    import torch

    return {"autopipe": autopipe.__version__, "sklearn": sklearn.__version__, "torch": torch.__version__,
            "skorch": skorch.__version__, "python": platform.python_version()}


def _entry(name: str, suite: Path) -> dict:
    return next(e for e in load_manifest(suite) if e["name"] == name)


def _numeric(entry: dict, suite: Path, seed: int) -> tuple:
    """Train/test rows of the numeric columns, imputed and standardized (fitted on the training rows)."""
    X_train, X_test, y_train, y_test = load_split(entry, suite, seed)
    cols = X_train.select_dtypes("number").columns
    prep = make_pipeline(SimpleImputer(), StandardScaler()).fit(X_train[cols])
    return (prep.transform(X_train[cols]).astype(np.float32), prep.transform(X_test[cols]).astype(np.float32),
            np.asarray(y_train), np.asarray(y_test))


def _random_nets(task: str, n: int, seed: int, **fixed) -> list:
    name = "NeuralNetClassifier" if task == "classification" else "NeuralNetRegressor"
    op = registry_by_name()[name][0]
    rng = np.random.default_rng(seed)
    nets = []
    for _ in range(n):
        params = {k: d.sample(rng) for k, d in op.params.items()}
        params.update(fixed)
        nets.append(op.build(params, random_state=seed))
    return nets


def _evaluator(X: np.ndarray, y: np.ndarray, task: str, seed: int, **switches) -> Evaluator:
    is_clf = task == "classification"
    splitter = StratifiedKFold(3, shuffle=True, random_state=seed) if is_clf else KFold(3, shuffle=True,
                                                                                       random_state=seed)
    scorer = get_scorer("balanced_accuracy" if is_clf else "r2")
    return Evaluator(X, y, splits=list(splitter.split(X, y)), scorer=scorer, is_classifier=is_clf, n_jobs=1,
                     random_state=seed, hooks=NetworkTrainingHooks(), **switches)


def _run_sequence(evaluator: Evaluator, nets: list) -> list:
    results = []
    with evaluator:
        for i, net in enumerate(nets):  # one at a time, so that each sees the curves/weights of the earlier ones
            results.append(evaluator.evaluate([(f"net{i}", net)])[0])
    return results


def presets(args: argparse.Namespace) -> Iterator[dict]:
    for name in args.datasets:
        entry = _entry(name, args.suite)
        X_train, X_test, y_train, y_test = load_split(entry, args.suite, args.seed)
        clf = entry["task"] == "classification"
        for preset in args.presets:
            est = AutoEstimator(time_budget=args.budget, n_jobs=args.n_jobs, random_state=args.seed,
                                task=entry["task"], search_space=preset,
                                scoring="balanced_accuracy" if clf else "r2")
            wall = fit_quietly(est, X_train, y_train)
            score = held_out_score(entry["task"], y_test, est.predict(X_test))
            nets = [e.result for e in est.history_ if "NeuralNet" in e.genome.key]
            ok_nets = [r for r in nets if r.ok]
            row = {
                "mode": "presets", "dataset": name, "preset": preset, "budget": args.budget, "seed": args.seed,
                "n_jobs": args.n_jobs, "test_score": round(float(score), 4), "wall": round(wall, 1),
                "evaluated": len(est.history_), "net_evaluations": len(nets), "net_ok": len(ok_nets),
                "net_eval_seconds_median": round(float(np.median([r.wall_time for r in ok_nets])), 2)
                if ok_nets else None,
                "net_fold_fit_seconds_median": round(float(np.median(
                    [r.fit_time / len(r.fold_scores) for r in ok_nets])), 2) if ok_nets else None,
                "stopped_early_fits": sum(r.stopped_early for r in nets),
                "inherited_fits": sum(r.inherited for r in nets),
                "final_is_net": "NeuralNet" in str(est.best_candidate_),
                "best": est.best_candidate_, **_versions(),
            }
            yield row


def stopping(args: argparse.Namespace) -> Iterator[dict]:
    for name in args.datasets:
        entry = _entry(name, args.suite)
        X, _, y, _ = _numeric(entry, args.suite, args.seed)
        nets = _random_nets(entry["task"], args.n, args.seed, early_stopping=True)
        for enabled in (False, True):
            evaluator = _evaluator(X, y, entry["task"], args.seed, median_stopping=enabled, weight_inheritance=False)
            start = time.monotonic()
            results = _run_sequence(evaluator, nets)
            wall = time.monotonic() - start
            ok = [r for r in results if r.ok]
            row = {
                "mode": "stopping", "dataset": name, "median_stopping": enabled, "n": args.n, "seed": args.seed,
                "wall": round(wall, 1), "fit_seconds": round(sum(r.fit_time for r in ok), 1),
                "best_cv": round(max(r.score for r in ok), 4), "mean_cv": round(float(np.mean([r.score for r in ok])), 4),
                "best_net": int(np.argmax([r.score if r.ok else -np.inf for r in results])),
                "stopped_fits": sum(r.stopped_early for r in results), "fits": 3 * len(ok), **_versions(),
            }
            yield row


def _children(parent, task: str, rng: np.random.Generator) -> tuple:
    """A child differing in training hyperparameters, and one residual layer deeper."""
    name = "NeuralNetClassifier" if task == "classification" else "NeuralNetRegressor"
    dists = registry_by_name()[name][0].params
    trained = sklearn.base.clone(parent).set_params(
        **{k: dists[k].sample(rng) for k in ("lr", "weight_decay", "batch_size", "optimizer")})
    deeper = sklearn.base.clone(parent).set_params(n_layers=parent.n_layers + 1)
    return trained, deeper


def inheritance(args: argparse.Namespace) -> Iterator[dict]:
    for name in args.datasets:
        entry = _entry(name, args.suite)
        X, _, y, _ = _numeric(entry, args.suite, args.seed)
        rng = np.random.default_rng(args.seed)
        parents = _random_nets(entry["task"], args.n, args.seed, early_stopping=True, skip=True, shrink=1.0,
                               dense=False, n_layers=int(rng.integers(1, 3)))
        sequence, kinds = [], []
        for parent in parents:
            trained, deeper = _children(parent, entry["task"], rng)
            sequence += [parent, trained, deeper]
            kinds += ["parent", "training hyperparameters", "one layer deeper"]
        for enabled in (False, True):
            evaluator = _evaluator(X, y, entry["task"], args.seed, weight_inheritance=enabled, median_stopping=False)
            results = _run_sequence(evaluator, sequence)
            for kind in ("training hyperparameters", "one layer deeper"):
                chosen = [r for r, k in zip(results, kinds) if k == kind and r.ok]
                row = {
                    "mode": "inheritance", "dataset": name, "weight_inheritance": enabled, "child": kind,
                    "n": len(chosen), "seed": args.seed,
                    "fit_seconds": round(sum(r.fit_time for r in chosen), 1),
                    "mean_cv": round(float(np.mean([r.score for r in chosen])), 4),
                    "inherited_fits": sum(r.inherited for r in chosen), "fits": 3 * len(chosen), **_versions(),
                }
                yield row


def proxy(args: argparse.Namespace) -> Iterator[dict]:
    for name in args.datasets:
        entry = _entry(name, args.suite)
        X_train, X_test, y_train, y_test = _numeric(entry, args.suite, args.seed)
        clf = entry["task"] == "classification"
        # architectures vary; training is the same for all, so the ranking is about the architecture
        nets = _random_nets(entry["task"], args.n, args.seed, optimizer="adam", lr=1e-3, weight_decay=1e-4,
                            batch_size=128, max_epochs=40, early_stopping=True)
        proxies, seconds, scores = [], [], []
        for net in nets:
            start = time.perf_counter()
            proxies.append(zero_cost_score(net, X_train))
            seconds.append(time.perf_counter() - start)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                net.fit(X_train, y_train)
            pred = net.predict(X_test)
            scores.append(balanced_accuracy_score(y_test, pred) if clf else r2_score(y_test, pred))
        tau = kendalltau(proxies, scores).statistic
        top = np.argsort(proxies)[::-1][: max(1, args.n // 3)]
        row = {
            "mode": "proxy", "dataset": name, "n": args.n, "seed": args.seed, "kendall_tau": round(float(tau), 3),
            "proxy_seconds_median": round(float(np.median(seconds[1:] or seconds)), 3),
            "best_score": round(float(max(scores)), 4), "best_of_top_third_by_proxy": round(float(max(np.take(scores, top))), 4),
            "mean_score": round(float(np.mean(scores)), 4), "mean_of_top_third_by_proxy": round(float(np.mean(np.take(scores, top))), 4),
            "proxies": [round(p, 2) for p in proxies], "scores": [round(float(s), 4) for s in scores], **_versions(),
        }
        yield row


def table(path: Path) -> None:
    """Markdown tables of everything in a results file."""
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    by_mode: dict[str, list[dict]] = {}
    for row in rows:
        by_mode.setdefault(row["mode"], []).append(row)
    columns = {
        "presets": ["dataset", "preset", "budget", "seed", "test_score", "wall", "evaluated", "net_evaluations",
                    "net_eval_seconds_median", "net_fold_fit_seconds_median", "stopped_early_fits",
                    "inherited_fits", "final_is_net"],
        "stopping": ["dataset", "median_stopping", "n", "fit_seconds", "best_cv", "mean_cv", "best_net",
                     "stopped_fits", "fits"],
        "inheritance": ["dataset", "child", "weight_inheritance", "n", "fit_seconds", "mean_cv", "inherited_fits"],
        "proxy": ["dataset", "n", "kendall_tau", "proxy_seconds_median", "best_score", "best_of_top_third_by_proxy",
                  "mean_score", "mean_of_top_third_by_proxy"],
    }
    for mode, cols in columns.items():
        if mode not in by_mode:
            continue
        print(f"\n{mode}\n\n| " + " | ".join(cols) + " |\n|" + "---|" * len(cols))
        for row in by_mode[mode]:
            print("| " + " | ".join(str(row.get(c, "")) for c in cols) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["presets", "stopping", "inheritance", "proxy", "table"])
    parser.add_argument("path", nargs="?", type=Path, help="results file (table mode)")
    parser.add_argument("--datasets", nargs="*", default=["optdigits", "cpu_act"])
    parser.add_argument("--suite", type=Path, default=DEFAULT_SUITE)
    parser.add_argument("--budget", type=float, default=120.0)
    parser.add_argument("--presets", nargs="*", default=["nn", "default"], help="presets mode: which presets")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n", type=int, default=None, help="networks (stopping 12, inheritance 6, proxy 24)")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    if args.mode == "table":
        table(args.path or args.results)
        return
    args.n = args.n or {"stopping": 12, "inheritance": 6, "proxy": 24}.get(args.mode, 0)
    mode = {"presets": presets, "stopping": stopping, "inheritance": inheritance, "proxy": proxy}[args.mode]
    args.results.parent.mkdir(exist_ok=True)
    for row in mode(args):  # each row is saved as soon as it is measured
        print(json.dumps({k: v for k, v in row.items() if not isinstance(v, list)}))
        with args.results.open("a") as fh:
            fh.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
