"""The scale benchmark: autopipe, HistGradientBoosting defaults and FLAML on large, wide and many-class tables.

Usage::

    python benchmarks/generated.py                                      # once: the generated tables
    python benchmarks/scale.py --budgets 60 300 --n-jobs 1 2 --seeds 0  # the whole suite (hours)
    python benchmarks/scale.py --only classes_100 kddcup --tools hgb autopipe --budgets 10
    python benchmarks/scale.py --dask --budgets 60 300 --n-jobs 1 2     # autopipe on a local Dask cluster
    python benchmarks/scale.py --growth --budgets 60                    # growth_10k/100k/1m: table and plot
    python benchmarks/scale.py --table results/scale.jsonl              # only print the saved results
    python benchmarks/scale.py --growth --table results/scale.jsonl     # only the growth table and plot

Tables: six large tables of the corpus (``../shared/corpus``) and the tables
of ``generated.py`` (1M rows with strings and missing values, 10,000 columns,
100 classes; ``--growth``: one generator at 10k, 100k and 1M rows). Every fit
goes through ``compare.py``'s machinery: ``peers/run_tool.py`` in its own
subprocess, a 75/25 split by seed (stratified for classification), held-out
balanced accuracy or r2, peak resident memory of the process tree, the raw
table first and the shared pre-encoding after a failure on it. autopipe and
FLAML run at every budget and n_jobs; HGB defaults take no budget and use
every core, so they run once per table and seed. The run is resumable: a fit
already in ``--results`` is skipped (``--rerun`` repeats it).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from compare import TOOLS, Job, run_with_fallback
from generated import DATA_DIR, TABLES, ensure, manifest_entry
from suite import DEFAULT_CORPUS, load_manifest

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "scale.jsonl"
PLOT = HERE / "results" / "scale-growth.png"
CORPUS_TABLES = ("kddcup", "1203_BNG_pwLinear", "1201_BNG_breastTumor", "sleep", "fars", "connect-4")
GENERATED_TABLES = ("wide_strings_1m", "very_wide_2k", "classes_100")
GROWTH_TABLES = ("growth_10k", "growth_100k", "growth_1m")
SCALE_TOOLS = ("autopipe", "hgb", "flaml")
HGB_LIMIT = 1800.0  # seconds: HGB has no budget, so its hard limit is fixed
FAILED_RAW = "failed on the raw table"


# ------------------------------------------------------------------ which tables
def locate(names: list[str], corpus: Path, data_dir: Path) -> list[tuple[dict, Path]]:
    """Each table's manifest entry and the folder it lives in; generated tables are made if missing."""
    corpus_entries = {e["name"]: e for e in load_manifest(corpus)}
    unknown = [n for n in names if n not in TABLES and n not in corpus_entries]
    if unknown:
        raise SystemExit(f"unknown table(s): {', '.join(unknown)}")
    generated = [n for n in names if n in TABLES]
    for name, seconds in ensure(generated, data_dir).items():
        print(f"generated {name} in {seconds:.1f} s", flush=True)
    return [(manifest_entry(n), data_dir) if n in TABLES else (corpus_entries[n], corpus) for n in names]


def table_names(args: argparse.Namespace) -> list[str]:
    """The tables a run covers: ``--only``, else the growth series or the scale suite."""
    if args.only:
        return args.only
    return list(GROWTH_TABLES) if args.growth else [*CORPUS_TABLES, *GENERATED_TABLES]


# ------------------------------------------------------------------ which fits
def run_key(record: dict) -> tuple:
    """What identifies a fit: HGB ignores budget and n_jobs, so its key leaves them out."""
    base = (record["dataset"], record["tool"], record["seed"])
    if record["tool"] == "hgb":
        return base
    return (*base, float(record["budget"]), int(record["n_jobs"]), record.get("backend", "local"))


def plan(entry: dict, suite: Path, args: argparse.Namespace) -> list[Job]:
    """Every fit of one table: autopipe and FLAML per budget, n_jobs and seed; HGB once per seed."""
    jobs = []
    budgets, n_jobs = (args.budgets[:1], args.n_jobs[-1:]) if args.growth else (args.budgets, args.n_jobs)
    for seed in args.seeds:
        for tool in args.tools:
            if args.dask and tool != "autopipe":
                continue
            if tool == "hgb":
                jobs.append(Job(tool, entry["name"], seed, budgets[0], max(n_jobs), suite, args.venvs, args.run,
                                limit=HGB_LIMIT))
                continue
            jobs.extend(Job(tool, entry["name"], seed, budget, n, suite, args.venvs, args.run,
                            dask=args.dask and tool == "autopipe")
                        for budget in budgets for n in n_jobs)
    return jobs


def _job_key(job: Job) -> tuple:
    return run_key({"dataset": job.dataset, "tool": job.tool, "seed": job.seed, "budget": job.budget,
                    "n_jobs": job.n_jobs, "backend": "dask" if job.dask else "local"})


def annotator(entry: dict):
    """A function that adds the table's shape, its source and the budget check to a record."""
    source = "generated" if entry["name"] in TABLES else "corpus"

    def annotate(record: dict) -> None:
        record.update(rows=entry["rows"], columns=entry["columns"], source=source)
        record.setdefault("backend", "local")
        if record["tool"] != "hgb" and record.get("fit_wall") is not None:
            record["within_budget"] = bool(record["fit_wall"] <= 1.10 * record["budget"] + 2)

    return annotate


def run(args: argparse.Namespace, names: list[str]) -> None:
    """Fit every planned job not yet in the results file; print one line per fit."""
    args.results.parent.mkdir(parents=True, exist_ok=True)
    done = set() if args.rerun else {run_key(r) for r in read_records([args.results])}
    if args.dask and set(args.tools) - {"autopipe"}:
        print("--dask: only autopipe runs (on the Dask cluster); the other tools are skipped", flush=True)
    for entry, suite in locate(names, args.corpus, args.data_dir):
        annotate = annotator(entry)
        for job in plan(entry, suite, args):
            if _job_key(job) in done:
                continue
            record = run_with_fallback(job, args.results, annotate)
            print(_progress(record), flush=True)


def _progress(r: dict) -> str:
    score = r.get("test_score")
    head = (f"{r['dataset']:>20} {r['tool']:>8} {r['backend']:>5} {r['budget']:>5g} s n_jobs {r['n_jobs']} "
            f"seed {r['seed']}: {r['status']:>7}")
    parts = [head, f"score {'-' if score is None else score:>7}", f"wall {r['fit_wall']:>7} s",
             f"peak {r['peak_memory_mb']:.0f} MiB"]
    if r["tool"] == "autopipe" and r["status"] == "ok":
        parts.append(f"candidates {r.get('pipelines')} idle {r.get('worker_idle')}")
    return ", ".join(parts)


# ------------------------------------------------------------------ records
def read_records(paths: list[Path]) -> list[dict]:
    """The last final record of every fit (a failure on the raw table is not final)."""
    last: dict[tuple, dict] = {}
    for path in paths:
        if not path.exists():
            continue
        for line in path.read_text().splitlines():
            record = json.loads(line)
            if record["status"] != FAILED_RAW:
                last[run_key(record)] = record
    return list(last.values())


def _ordered(datasets: set[str]) -> list[str]:
    known = [*CORPUS_TABLES, *GENERATED_TABLES, *GROWTH_TABLES]
    return [d for d in known if d in datasets] + sorted(datasets - set(known))


def _select(records: list[dict], tool: str, dataset: str, budget: float | None = None,
            n_jobs: int | None = None, backend: str = "local") -> list[dict]:
    """One tool's records on one table; HGB's at any budget and n_jobs (it takes neither)."""
    out = [r for r in records if r["tool"] == tool and r["dataset"] == dataset]
    if tool == "hgb":
        return out
    return [r for r in out if (budget is None or r["budget"] == budget) and (n_jobs is None or r["n_jobs"] == n_jobs)
            and r.get("backend", "local") == backend]


def _reference(rs: list[dict]) -> list[dict]:
    """The records at the largest n_jobs among ``rs``: the ones the score columns show."""
    if not rs:
        return []
    top = max(r["n_jobs"] for r in rs)
    return [r for r in rs if r["n_jobs"] == top]


def _score_cell(rs: list[dict]) -> tuple[str, float | None]:
    """Mean held-out score over seeds (with † if pre-encoded), or the failures; and the mean."""
    if not rs:
        return "—", None
    failed = sorted({r["status"] for r in rs if r["status"] != "ok"})
    if failed:
        return ", ".join(failed), None
    mean = float(np.mean([r["test_score"] for r in rs]))
    return f"{mean:.4f}{' †' if any(r.get('encoded') for r in rs) else ''}", mean


def _mean_of(rs: list[dict], field: str, fmt: str) -> str:
    vals = [r[field] for r in rs if r.get(field) is not None]
    return format(float(np.mean(vals)), fmt) if vals else "—"


# ------------------------------------------------------------------ the tables
def summary_table(records: list[dict], budget: float, backend: str) -> str:
    """One row per table at one budget: scores, autopipe's gain over HGB, wall time, memory, search figures."""
    n_jobs_all = sorted({r["n_jobs"] for r in records if r["tool"] == "autopipe"})
    head = ["table", "rows", "cols", "hgb", "flaml", "autopipe", "autopipe − hgb", "wall / budget (within)",
            *[f"peak MiB n_jobs={n}" for n in n_jobs_all], "candidates", "idle share"]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for dataset in _ordered({r["dataset"] for r in records}):
        ours = _select(records, "autopipe", dataset, budget, backend=backend)
        flaml = _reference(_select(records, "flaml", dataset, budget))
        hgb = _select(records, "hgb", dataset)
        if not (ours or flaml or hgb):
            continue
        shape = next(r for r in records if r["dataset"] == dataset)
        ref = _reference(ours)
        (ours_cell, ours_mean), (hgb_cell, hgb_mean) = _score_cell(ref), _score_cell(hgb)
        gap = "—" if ours_mean is None or hgb_mean is None else f"{ours_mean - hgb_mean:+.4f}"
        peaks = [_peak(_select(records, "autopipe", dataset, budget, n, backend)) for n in n_jobs_all]
        cells = [dataset, f"{shape['rows']:,}", str(shape["columns"]), hgb_cell,
                 _score_cell(flaml)[0], ours_cell, gap, _wall_cell(ours, budget), *peaks,
                 _mean_of(ref, "pipelines", ".0f"), _mean_of(ref, "worker_idle", ".3f")]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _peak(rs: list[dict]) -> str:
    return f"{max(r['peak_memory_mb'] for r in rs):,.0f}" if rs else "—"


def _wall_cell(rs: list[dict], budget: float) -> str:
    """The largest fit wall / budget and how many fits were within 1.10 x budget + 2 s."""
    walls = [r["fit_wall"] for r in rs if r.get("fit_wall") is not None]
    if not walls:
        return "—"
    within = sum(w <= 1.10 * budget + 2 for w in walls)
    return f"{max(walls) / budget:.2f} ({within}/{len(walls)})"


def runs_table(records: list[dict]) -> str:
    """Every fit, one row each."""
    head = ["table", "tool", "backend", "budget", "n_jobs", "seed", "status", "score", "fit wall s", "within",
            "peak MiB", "candidates", "idle share"]
    lines = ["| " + " | ".join(head) + " |", "|---|---|---|---:|---:|---:|---|---:|---:|---|---:|---:|---:|"]
    order = {d: i for i, d in enumerate(_ordered({r["dataset"] for r in records}))}
    for r in sorted(records, key=lambda r: (order[r["dataset"]], r["tool"], r.get("backend", "local"),
                                            r["budget"], r["n_jobs"], r["seed"])):
        hgb = r["tool"] == "hgb"
        within = "" if hgb or "within_budget" not in r else ("yes" if r["within_budget"] else "no")
        score = r.get("test_score")
        cells = [r["dataset"], r["tool"] + (" †" if r.get("encoded") else ""), r.get("backend", "local"),
                 "—" if hgb else f"{r['budget']:g}", "—" if hgb else str(r["n_jobs"]), str(r["seed"]), r["status"],
                 "—" if score is None else f"{score:.4f}", f"{r.get('fit_wall', float('nan')):.1f}", within,
                 f"{r['peak_memory_mb']:,.0f}", "" if r.get("pipelines") is None else str(r["pipelines"]),
                 "" if r.get("worker_idle") is None else f"{r['worker_idle']:.3f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def footnote(records: list[dict]) -> str:
    """Versions, the failures' messages, and what the marks mean."""
    versions = sorted({f"{r['tool']} {r['version']}" for r in records if r.get("version")})
    common = sorted({f"Python {r['python']}, numpy {r['numpy']}, scikit-learn {r['sklearn']}"
                     for r in records if r.get("python")})
    legend = ("Scores: held-out balanced accuracy (classification) or r2, mean over seeds, at the largest n_jobs "
              "run; † = fitted on the shared pre-encoding after failing on the raw table. HGB: scikit-learn "
              "defaults, no budget, every core. wall / budget: autopipe's largest fit wall time over budget, and "
              "how many of its fits (every n_jobs and seed) were within 1.10 x budget + 2 s. Peak MiB: autopipe's "
              "largest peak resident memory of the process tree. Candidates: distinct pipelines autopipe "
              "scored. Idle share: 1 - (sum of the evaluations' wall times) / (n_workers x search time), "
              "clipped at 0.")
    failures = [f"- {r['dataset']} {r['tool']} {r.get('backend', 'local')} budget {r['budget']:g} n_jobs "
                f"{r['n_jobs']} seed {r['seed']}: {r['status']}: {' / '.join(r.get('error', '').splitlines())[:300]}"
                for r in records if r["status"] != "ok"]
    parts = [legend, "Versions: " + "; ".join(versions + common) + "."]
    return "\n\n".join(parts + (["Failures:\n\n" + "\n".join(failures)] if failures else []))


def report(records: list[dict]) -> str:
    """The summary per budget (and backend), every fit, and the footnote, as Markdown."""
    parts = []
    budgets = sorted({r["budget"] for r in records if r["tool"] != "hgb"}) or [records[0]["budget"]]
    backends = sorted({r.get("backend", "local") for r in records if r["tool"] == "autopipe"}) or ["local"]
    for budget in budgets:
        for backend in backends:
            where = "local workers" if backend == "local" else "a local Dask cluster"
            parts.append(f"### Budget {budget:g} s, autopipe on {where}\n\n{summary_table(records, budget, backend)}")
    parts += ["### Every fit\n\n" + runs_table(records), footnote(records)]
    return "\n\n".join(parts)


# ------------------------------------------------------------------ growth
def growth_rows(records: list[dict], budget: float) -> list[dict]:
    """Per growth table: rows, and per tool the mean score, candidates, peak memory (and autopipe's idle share)."""
    out = []
    for dataset in [d for d in GROWTH_TABLES if any(r["dataset"] == d for r in records)]:
        row = {"dataset": dataset, "rows": next(r["rows"] for r in records if r["dataset"] == dataset)}
        for tool in SCALE_TOOLS:
            rs = _reference(_select(records, tool, dataset, budget))
            ok = [r for r in rs if r["status"] == "ok"]
            row[tool] = {"score": _mean(ok, "test_score"), "candidates": _mean(ok, "pipelines"),
                         "encoded": any(r.get("encoded") for r in rs),
                         "peak": _mean(rs, "peak_memory_mb"), "wall": _mean(rs, "fit_wall"),
                         "idle": _mean(ok, "worker_idle"), "failed": sorted({r["status"] for r in rs} - {"ok"})}
        out.append(row)
    return out


def _mean(rs: list[dict], field: str) -> float | None:
    vals = [r[field] for r in rs if r.get(field) is not None]
    return float(np.mean(vals)) if vals else None


def growth_table(rows: list[dict], budget: float) -> str:
    """The growth series as Markdown: one row per table size."""
    head = ["rows", "hgb score", "flaml score", "autopipe score", "flaml trials", "autopipe candidates",
            "peak MiB hgb", "peak MiB flaml", "peak MiB autopipe", "autopipe wall / budget", "autopipe idle share"]
    lines = [f"### Growth, budget {budget:g} s", "", "| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]

    def fmt(value: float | None, spec: str, failed: list[str]) -> str:
        return ", ".join(failed) if failed and value is None else ("—" if value is None else format(value, spec))

    def score(cell: dict) -> str:
        return fmt(cell["score"], ".4f", cell["failed"]) + (" †" if cell["encoded"] else "")

    for row in rows:
        h, f, a = row["hgb"], row["flaml"], row["autopipe"]
        cells = [f"{row['rows']:,}", score(h), score(f), score(a), fmt(f["candidates"], ".0f", []),
                 fmt(a["candidates"], ".0f", []), fmt(h["peak"], ",.0f", []), fmt(f["peak"], ",.0f", []),
                 fmt(a["peak"], ",.0f", []), fmt(None if a["wall"] is None else a["wall"] / budget, ".2f", []),
                 fmt(a["idle"], ".3f", [])]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def growth_plot(rows: list[dict], budget: float, path: Path) -> None:
    """Candidates evaluated, held-out score and peak memory against rows, one line per tool."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colours = {"autopipe": "C0", "hgb": "C1", "flaml": "C2"}
    panels = [("candidates", "candidates evaluated (log)", ("autopipe", "flaml")),
              ("score", "held-out balanced accuracy", SCALE_TOOLS), ("peak", "peak memory (MiB)", SCALE_TOOLS)]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    for ax, (field, label, tools) in zip(axes, panels, strict=True):
        for tool in tools:
            points = [(row["rows"], row[tool][field]) for row in rows if row[tool][field] is not None]
            if points:
                ax.plot(*zip(*points, strict=True), marker="o", label=tool, color=colours[tool])
        ax.set_xscale("log")
        ax.set_xlabel("table rows (training + test)")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        if ax.lines:
            ax.legend()
    axes[0].set_yscale("log")
    fig.suptitle(f"Growth series (wide_strings generator), budget {budget:g} s")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


# ------------------------------------------------------------------ command line
def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", help="table names (default: the scale suite, or the growth series)")
    parser.add_argument("--tools", nargs="+", choices=TOOLS, default=list(SCALE_TOOLS))
    parser.add_argument("--budgets", type=float, nargs="+", default=[60.0, 300.0])
    parser.add_argument("--n-jobs", type=int, nargs="+", default=[2])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--dask", action="store_true", help="fit autopipe on a local Dask cluster (others skipped)")
    parser.add_argument("--growth", action="store_true",
                        help="the growth series at the first budget and the largest n_jobs: table and plot")
    parser.add_argument("--plot", type=Path, default=PLOT, help="where --growth saves its plot")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="cache of the generated tables")
    parser.add_argument("--venvs", type=Path, default=HERE / ".venvs", help="where setup.sh made the peers' venvs")
    parser.add_argument("--results", type=Path, default=RESULTS, help="JSON lines file to append to")
    parser.add_argument("--rerun", action="store_true", help="fit again what the results file already holds")
    parser.add_argument("--run", default=time.strftime("%Y-%m-%dT%H:%M"), help="label stored with every record")
    parser.add_argument("--table", type=Path, nargs="*", help="only print the tables of these results files")
    args = parser.parse_args()
    args.corpus, args.data_dir = args.corpus.resolve(), args.data_dir.resolve()
    args.n_jobs = sorted(set(args.n_jobs))
    return args


def main() -> None:
    args = parse_args()
    names = table_names(args)
    if args.table is None:
        run(args, names)
        paths = [args.results]
    else:
        paths = args.table or [args.results]
    records = [r for r in read_records(paths) if r["dataset"] in names and r["tool"] in args.tools]
    if not records:
        raise SystemExit("no results to show")
    if args.growth:
        rows = growth_rows(records, args.budgets[0])
        growth_plot(rows, args.budgets[0], args.plot)
        print(f"\n{growth_table(rows, args.budgets[0])}\n\n† = fitted on the shared pre-encoding after failing on "
              f"the raw table. Plot: {args.plot}")
    else:
        print("\n" + report(records))


if __name__ == "__main__":
    main()
