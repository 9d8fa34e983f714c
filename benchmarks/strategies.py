"""Every search strategy (and tuning share) side by side: held-out scores, ranks and anytime curves.

Usage::

    python benchmarks/strategies.py run --budgets 30 60 120 --seeds 0 1 --n-jobs 2 [--only adult titanic]
        [--strategies evolution random ...] [--results results/strategies.jsonl] [--skip other.jsonl]
    python benchmarks/strategies.py table results/strategies.jsonl [--plot results/strategies.png] [--budgets 30 60]
    python benchmarks/strategies.py surrogate results/strategies.jsonl

``run`` (resumable: a run already in the results file is skipped) fits ``AutoEstimator(strategy=..., time_budget=..., n_jobs=...)`` for
every data set, seed, budget and variant (a strategy name, or
``evolution+tune0.2``: that strategy with ``tune_share=0.2``) on the
75/25 split of ``compare.py``, and appends one JSON line per fit: the
held-out score, the anytime curve (elapsed seconds and best full-fidelity
validation score after each evaluation) and, for ``surrogate-evolution``,
the surrogate's Kendall tau against the true scores of the candidates it had
not seen when it was last refitted. ``table`` prints, per budget, each
variant's mean held-out score and mean rank, and plots the anytime curves
(median over data sets of the best validation score relative to each data
set's best, against the share of the budget) and, over all budgets, each
strategy paired with plain evolution and each tuning share with its strategy
untuned (wins/losses, Wilcoxon signed-rank p). ``surrogate`` prints how many
evaluations surrogate-assisted evolution needed to reach the validation score
plain evolution reached at 60 s.
"""

from __future__ import annotations

import argparse
import json
import warnings
from collections import defaultdict
from pathlib import Path

import numpy as np
from suite import DEFAULT_SUITE, fit_quietly, held_out_score, load_manifest, load_split

from autopipe import AutoEstimator
from autopipe.estimator import _STARTERS

RESULTS = Path(__file__).resolve().parent / "results" / "strategies.jsonl"
VARIANTS = ["evolution", "regularized-evolution", "random", "bayesian", "reinforce", "surrogate-evolution",
            "evolution+tune0.1", "evolution+tune0.2", "evolution+tune0.4", "surrogate-evolution+tune0.2"]
TAU_MIN_RESULTS = 40  # full-fidelity results a run needs for a tau: half fit the surrogate, half are ranked


def fit_one(entry: dict, suite: Path, variant: str, budget: float, seed: int, n_jobs: int) -> dict:
    X_train, X_test, y_train, y_test = load_split(entry, suite, seed)
    is_clf = entry["task"] == "classification"
    strategy, _, share = variant.partition("+tune")
    est = AutoEstimator(task=entry["task"], time_budget=budget, n_jobs=n_jobs, random_state=seed,
                        strategy=strategy, tune_share=float(share or 0.0),
                        scoring="balanced_accuracy" if is_clf else "r2")
    wall = fit_quietly(est, X_train, y_train)
    score = held_out_score(entry["task"], y_test, est.predict(X_test))
    curve, best = [], -np.inf
    for e in sorted(est.history_, key=lambda e: e.elapsed):
        if e.result.ok and e.result.fidelity == 1.0 and e.result.score > best:
            best = e.result.score
        curve.append((round(e.elapsed, 2), None if not np.isfinite(best) else round(float(best), 5)))
    row = {"dataset": entry["name"], "variant": variant, "budget": budget, "seed": seed, "n_jobs": n_jobs,
           "test_score": round(float(score), 4), "wall": round(wall, 2), "evaluations": len(est.history_),
           "curve": curve}
    if strategy == "surrogate-evolution":
        row["surrogate_tau"] = _surrogate_tau(est)
    return row


def _surrogate_tau(est: AutoEstimator) -> float | None:
    """Kendall tau of a surrogate fitted on the first half of the history, on the second half."""
    from scipy.stats import kendalltau

    from autopipe.search import SearchHistory, SurrogateModel

    done = [e for e in est.history_ if e.result.ok and e.result.fidelity == 1.0]
    if len(done) < TAU_MIN_RESULTS:
        return None
    half = SearchHistory()
    for e in done[: len(done) // 2]:
        half.add(e.genome, e.result, e.generation, e.elapsed)
    model = SurrogateModel(done[0].genome.space)
    if not model.fit(half):
        return None
    rest = done[len(done) // 2:]
    return round(float(kendalltau(model.predict([e.genome for e in rest]), [e.result.score for e in rest]).statistic), 3)


def run(args: argparse.Namespace) -> None:
    entries = [e for e in load_manifest(args.suite) if not args.only or e["name"] in args.only]
    done = {(r["dataset"], r["variant"], r["budget"], r["seed"]) for r in _load([args.results, *args.skip])}
    for budget in args.budgets:
        for entry in entries:
            for seed in args.seeds:
                for variant in args.strategies:
                    if (entry["name"], variant, budget, seed) in done:
                        continue
                    row = fit_one(entry, args.suite, variant, budget, seed, args.n_jobs)
                    with args.results.open("a") as fh:
                        fh.write(json.dumps(row) + "\n")
                    print(f"{budget:>5g} s {entry['name']:>15} seed {seed} {variant:>22}: "
                          f"{row['test_score']:.4f} ({row['evaluations']} evaluations, {row['wall']:.0f} s)",
                          flush=True)


def _load(paths: list[Path]) -> list[dict]:
    rows = {}
    for path in paths:
        if not path.exists():
            continue
        for line in path.read_text().splitlines():
            r = json.loads(line)
            rows[(r["dataset"], r["variant"], r["budget"], r["seed"])] = r
    return list(rows.values())


def table(args: argparse.Namespace) -> None:
    rows = [r for r in _load(args.files) if not args.budgets or r["budget"] in args.budgets]
    cells = []  # (budget, data set, seed, {variant: held-out score}) where every variant of that budget ran
    for budget in sorted({r["budget"] for r in rows}):
        sub = [r for r in rows if r["budget"] == budget]
        variants = [v for v in VARIANTS if any(r["variant"] == v for r in sub)]
        by = {(r["dataset"], r["seed"], r["variant"]): r for r in sub}
        pairs = sorted({(r["dataset"], r["seed"]) for r in sub if all((r["dataset"], r["seed"], v) in by
                                                                       for v in variants)})
        cells += [(budget, d, s, {v: by[(d, s, v)]["test_score"] for v in variants}) for d, s in pairs]
        ranks = _ranks([c[3] for c in cells if c[0] == budget])
        print(f"\n### {budget:g} s ({len(pairs)} data set x seed pairs)\n")
        print("| strategy | mean held-out score | mean rank | evaluations (median) |")
        print("|---|---:|---:|---:|")
        for v in variants:
            scores = [by[(d, s, v)]["test_score"] for d, s in pairs]
            evals = [by[(d, s, v)]["evaluations"] for d, s in pairs]
            print(f"| {v} | {np.mean(scores):.4f} | {np.mean(ranks[v]):.2f} | {np.median(evals):.0f} |")
    _overall(cells)
    if args.plot:
        _plot(rows, args.plot)


def _ranks(cells: list[dict]) -> dict[str, list[float]]:
    """Each variant's rank (1 = best held-out score, ties share the mean rank) in every cell."""
    ranks = defaultdict(list)
    for vals in cells:
        order = sorted(vals.values(), reverse=True)
        for v, x in vals.items():
            ranks[v].append(np.mean([i + 1 for i, o in enumerate(order) if o == x]))
    return ranks


def _overall(cells: list) -> None:
    """All budgets together, one row per variant, best mean rank first.

    Per budget: mean held-out score and mean rank; over all cells: the mean
    rank and each variant paired with its base, which is what the defaults
    are chosen from: a strategy against plain evolution, a tuning share
    against the same strategy without tuning (mean difference, wins / ties /
    losses, and the two-sided Wilcoxon signed-rank p-value over the budget x
    data set x seed cells both ran).
    """
    budgets = sorted({c[0] for c in cells})
    if len(budgets) < 2:
        return
    common = [v for v in VARIANTS if all(v in c[3] for c in cells)]
    ranks = _ranks([{v: c[3][v] for v in common} for c in cells])
    per_budget = {b: [{v: c[3][v] for v in common} for c in cells if c[0] == b] for b in budgets}
    budget_ranks = {b: _ranks(vals) for b, vals in per_budget.items()}
    print(f"\n### all budgets ({len(cells)} budget x data set x seed cells)\n")
    head = "".join(f" {b:g} s score | {b:g} s rank |" for b in budgets)
    print(f"| strategy |{head} rank, all | vs. | mean difference | wins / ties / losses | Wilcoxon p |")
    print("|---|" + "---:|---:|" * len(budgets) + "---:|---|---:|---:|---:|")
    by_rank = sorted(common, key=lambda v: np.mean(ranks[v]))
    for v in by_rank:
        cols = "".join(
            f" {np.mean([vals[v] for vals in per_budget[b]]):.4f} | {np.mean(budget_ranks[b][v]):.2f} |"
            for b in budgets
        )
        base = _base(v)
        paired = _paired(cells, v, base) if base != v and base in common else " | | "
        print(f"| {v} |{cols} {np.mean(ranks[v]):.2f} | {base if base != v else ''} | {paired} |")
    first, second = by_rank[:2]
    print(f"\nfirst against second: {first} vs. {second}: {_paired(cells, first, second).replace(' | ', '; ')}")
    print(f"default by the rule: {_default_by_rule(cells, by_rank)}")


def _base(variant: str) -> str:
    """What a variant is paired with: its untuned strategy for a tuning share, else plain evolution."""
    return variant.partition("+tune")[0] if "+tune" in variant else "evolution"


def _default_by_rule(cells: list, by_rank: list[str]) -> str:
    """The best-ranked variant whose gain over its base is positive and significant (p < 0.05), else evolution.

    The base is plain evolution for a strategy and the untuned strategy for a
    tuning share. A mean-rank lead alone does not make a default: it has to
    be measurably better than the baseline too.
    """
    for v in by_rank:
        base = _base(v)
        if base == v or base not in by_rank:
            continue
        diff, p = _differences(cells, v, base)
        if diff.mean() > 0 and p < 0.05:
            return v
    return "evolution"


def _differences(cells: list, v: str, base: str) -> tuple[np.ndarray, float]:
    """Per-cell score differences of ``v`` over ``base`` and their two-sided Wilcoxon signed-rank p."""
    from scipy.stats import wilcoxon

    diff = np.array([c[3][v] - c[3][base] for c in cells])
    return diff, (wilcoxon(diff).pvalue if np.any(diff != 0) else 1.0)


def _paired(cells: list, v: str, base: str) -> str:
    diff, p = _differences(cells, v, base)
    return f"{diff.mean():+.4f} | {(diff > 0).sum()} / {(diff == 0).sum()} / {(diff < 0).sum()} | {p:.3f}"


def _plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    budgets = sorted({r["budget"] for r in rows})
    fig, axes = plt.subplots(1, len(budgets), figsize=(5 * len(budgets), 4), squeeze=False)
    grid = np.linspace(0, 1, 51)
    for ax, budget in zip(axes[0], budgets):
        sub = [r for r in rows if r["budget"] == budget]
        best = defaultdict(lambda: -np.inf)
        for r in sub:
            finals = [b for _, b in r["curve"] if b is not None]
            if finals:
                best[(r["dataset"], r["seed"])] = max(best[(r["dataset"], r["seed"])], finals[-1])
        for v in [v for v in VARIANTS if any(r["variant"] == v for r in sub)]:
            curves = []
            for r in (r for r in sub if r["variant"] == v):
                top = best[(r["dataset"], r["seed"])]
                t = np.array([c[0] for c in r["curve"] if c[1] is not None]) / budget
                y = np.array([c[1] for c in r["curve"] if c[1] is not None]) - top
                if len(t):
                    curves.append(np.interp(grid, t, y, left=np.nan))
            if curves:
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)  # no curve has started yet at the left edge
                    ax.plot(grid, np.nanmedian(np.array(curves), axis=0), label=v)
        ax.set_title(f"{budget:g} s")
        ax.set_xlabel("share of the budget")
        ax.set_ylabel("best validation score - best of all (median)")
    axes[0][-1].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def surrogate(args: argparse.Namespace) -> None:
    every = _load(args.files)
    rows = [r for r in every if r["budget"] == 60]
    by = {(r["dataset"], r["seed"], r["variant"]): r for r in rows}
    print("| data set | seed | evolution's best at 60 s | evaluations: evolution | surrogate | saved | tau |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    saved = []
    for (d, s, v), r in sorted(by.items()):
        other = by.get((d, s, "surrogate-evolution"))
        if v != "evolution" or other is None:
            continue
        target = max((b for _, b in r["curve"] if b is not None), default=None)
        if target is None:
            continue
        need = next((i + 1 for i, (_, b) in enumerate(other["curve"]) if b is not None and b >= target), None)
        plain = next(i + 1 for i, (_, b) in enumerate(r["curve"]) if b is not None and b >= target)
        share = None if need is None else 1 - need / plain
        saved.append((plain, share))
        print(f"| {d} | {s} | {target:.4f} | {plain} | {need if need else 'not reached'} | "
              f"{'' if share is None else f'{share:+.0%}'} | {other.get('surrogate_tau')} |")
    # Both strategies evaluate the same starter pipelines first, so a target
    # one of them reached is reached at the same evaluation by both.
    starters = len(_STARTERS["classification"])
    for label, runs in (("all runs", saved), ("runs where evolution's best came after the starters",
                                              [x for x in saved if x[0] > starters])):
        reached = [x for _, x in runs if x is not None]
        if reached:
            print(f"\n{label}: reached on {len(reached)}/{len(runs)}; "
                  f"median evaluations saved {np.median(reached):+.0%}")
    for budget in sorted({r["budget"] for r in every}):
        taus = [r.get("surrogate_tau") for r in every
                if r["budget"] == budget and r["variant"] == "surrogate-evolution"]
        known = [t for t in taus if t is not None]
        if known:
            print(f"\nKendall tau at {budget:g} s: median {np.median(known):+.3f} over the {len(known)} of "
                  f"{len(taus)} runs with {TAU_MIN_RESULTS} or more full-fidelity results; positive in {sum(t > 0 for t in known)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    p = sub.add_parser("run")
    p.add_argument("--budgets", type=float, nargs="+", default=[30, 60, 120])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    p.add_argument("--n-jobs", type=int, default=2)
    p.add_argument("--suite", type=Path, default=DEFAULT_SUITE)
    p.add_argument("--only", nargs="*")
    p.add_argument("--strategies", nargs="+", default=VARIANTS)
    p.add_argument("--results", type=Path, default=RESULTS)
    p.add_argument("--skip", type=Path, nargs="*", default=[],
                   help="other result files whose runs are not repeated (runs already in --results never are)")
    for name in ("table", "surrogate"):
        q = sub.add_parser(name)
        q.add_argument("files", type=Path, nargs="+")
        if name == "table":
            q.add_argument("--plot", type=Path)
            q.add_argument("--budgets", type=float, nargs="+", help="only these budgets (default: all in the files)")
    args = parser.parse_args()
    {"run": run, "table": table, "surrogate": surrogate}[args.mode](args)


if __name__ == "__main__":
    main()
