"""autopipe side by side with TPOT, FLAML and HistGradientBoosting defaults at equal time budgets.

Usage::

    bash benchmarks/peers/setup.sh                     # once: one virtualenv per peer
    python benchmarks/compare.py --budget 60 --seeds 0 1 --n-jobs 2
    python benchmarks/compare.py --only adult titanic --tools autopipe hgb
    python benchmarks/compare.py --table results/compare-60s.jsonl   # print the table of saved results

Protocol: for every data set of the suite and every seed, a 75/25 split
(stratified for classification); every tool is fitted in its own subprocess
(its own interpreter: TPOT and FLAML in their virtualenvs) that is killed, with
all its children, at 3 x budget + 120 s (recorded as a timeout). The held-out
score is balanced accuracy (classification) or r2 (regression), and every tool
is told to optimize that metric. Raw tables go to each tool as they are; a tool
that fails on one is recorded as such and re-run on the shared pre-encoding
(``suite.pre_encode``). Peak memory is the largest sum of resident memory over
the tool's process and all its descendants, sampled every 0.2 s. Every run
appends one JSON line (with the versions of the tool, Python, numpy and
scikit-learn) to ``--results``; the table is printed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import psutil
from suite import DEFAULT_SUITE, load_manifest

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "peers" / "run_tool.py"
RESULTS = HERE / "results" / "compare.jsonl"
TOOLS = ("autopipe", "tpot", "flaml", "hgb", "lgbm")


def interpreter(tool: str, venvs: Path) -> str:
    """The Python that runs ``tool``: the peers' own virtualenvs, this one for autopipe, HGB and LightGBM defaults."""
    if tool in ("tpot", "flaml"):
        python = venvs / tool / "bin" / "python"
        if not python.exists():
            sys.exit(f"no virtualenv for {tool} at {python}: run bash benchmarks/peers/setup.sh first")
        return str(python)
    return sys.executable


@dataclass
class Job:
    """One fit of one tool on one data set and seed, as ``peers/run_tool.py`` runs it.

    ``suite`` is the folder whose manifest lists ``dataset``; ``limit`` is the
    hard limit in seconds (default 3 x budget + 120 s); ``dask`` runs autopipe
    on a local Dask cluster of ``n_jobs`` workers.
    """

    tool: str
    dataset: str
    seed: int
    budget: float
    n_jobs: int
    suite: Path
    venvs: Path
    run: str = ""
    encoded: bool = False
    dask: bool = False
    limit: float | None = None

    def command(self, out: Path) -> list[str]:
        """The ``run_tool.py`` command line that writes this fit's record to ``out``."""
        cmd = [interpreter(self.tool, self.venvs), str(RUNNER), "--tool", self.tool, "--dataset", self.dataset,
               "--seed", str(self.seed), "--budget", str(self.budget), "--n-jobs", str(self.n_jobs),
               "--suite", str(self.suite), "--out", str(out)]
        return cmd + (["--encoded"] if self.encoded else []) + (["--dask"] if self.dask else [])

    @property
    def hard_limit(self) -> float:
        """Seconds after which the fit is killed with all its children."""
        return self.limit if self.limit is not None else 3 * self.budget + 120


def run_once(job: Job) -> dict:
    """One fit in a subprocess, watched for peak memory and killed at the hard limit."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "record.json"
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE.parent), os.environ.get("PYTHONPATH", "")]))
        start = time.monotonic()
        proc = subprocess.Popen(job.command(out), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                                start_new_session=True, cwd=tmp)
        peak, timed_out = 0, False
        while proc.poll() is None:
            peak = max(peak, _tree_rss(proc.pid))
            if time.monotonic() - start > job.hard_limit:
                os.killpg(proc.pid, signal.SIGKILL)
                timed_out = True
                break
            time.sleep(0.2)
        proc.wait()
        _kill_leftovers(proc.pid)
        wall = time.monotonic() - start
        stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        if out.exists():
            record = json.loads(out.read_text())
        else:
            record = {"tool": job.tool, "dataset": job.dataset, "seed": job.seed, "budget": job.budget,
                      "n_jobs": job.n_jobs, "encoded": job.encoded, "backend": "dask" if job.dask else "local",
                      "status": "timeout" if timed_out else "crashed",
                      "error": f"killed at {job.hard_limit:g} s" if timed_out else stderr[-500:],
                      "fit_wall": round(wall, 2)}
    record.update(process_wall=round(wall, 2), peak_memory_mb=round(peak / 2**20, 1), run=job.run)
    return record


def run_with_fallback(job: Job, results: Path, annotate: Callable[[dict], None] | None = None) -> dict:
    """Fit on the raw table; on an error, save that record and fit again on the shared pre-encoding.

    Every record is passed to ``annotate`` (which may add fields) and appended
    to ``results``; returns the last one.
    """
    record = run_once(job)
    if record["status"] == "error" and not job.encoded:
        # raw table rejected (or another failure): keep the record, retry on the shared encoding
        record["status"] = "failed on the raw table"
        _save(results, record, annotate)
        record = run_once(replace(job, encoded=True))
    _save(results, record, annotate)
    return record


def _tree_rss(pid: int) -> int:
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def _kill_leftovers(pgid: int) -> None:
    """Workers a tool left behind (same process group) must not slow down the next tool."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run(args: argparse.Namespace) -> None:
    entries = [e for e in load_manifest(args.suite) if not args.only or e["name"] in args.only]
    args.results.parent.mkdir(exist_ok=True)
    for entry in entries:
        for seed in args.seeds:
            for tool in args.tools:
                job = Job(tool, entry["name"], seed, args.budget, args.n_jobs, args.suite, args.venvs, args.run)
                record = run_with_fallback(job, args.results)
                score = record.get("test_score")
                print(f"{entry['name']:>15} seed {seed} {tool:>8}: {record['status']:>7} "
                      f"score {score if score is not None else '-':>7} wall {record['fit_wall']:>6} s "
                      f"pipelines {record.get('pipelines')} peak {record['peak_memory_mb']:.0f} MiB", flush=True)


def _save(path: Path, record: dict, annotate: Callable[[dict], None] | None = None) -> None:
    if annotate is not None:
        annotate(record)
    with path.open("a") as fh:
        fh.write(json.dumps(record) + "\n")


# ------------------------------------------------------------------ the table
def load_records(paths: list[Path], budget: float | None) -> list[dict]:
    """The last final record per (tool, data set, seed), for one budget."""
    last: dict[tuple, dict] = {}
    for path in paths:
        for line in path.read_text().splitlines():
            r = json.loads(line)
            if r["status"] == "failed on the raw table" or (budget is not None and r["budget"] != budget):
                continue
            last[(r["tool"], r["dataset"], r["seed"])] = r
    return list(last.values())


def _chance(record: dict, n_classes: dict[str, int]) -> float:
    """The score of a constant prediction: what a failed run leaves its user with."""
    return 1.0 / n_classes.get(record["dataset"], 2) if record.get("task") == "classification" else 0.0


def table(records: list[dict], suite: Path) -> tuple[str, str, str]:
    """The markdown comparison: per data set, per tool, and a footnote."""
    manifest = {e["name"]: e for e in load_manifest(suite)}
    n_classes = {r["dataset"]: r["classes"] for r in records if r.get("classes")}
    tools = [t for t in TOOLS if any(r["tool"] == t for r in records)]
    by = {(r["tool"], r["dataset"], r["seed"]): r for r in records}
    datasets = [d for d in manifest if any(r["dataset"] == d for r in records)]
    seeds = sorted({r["seed"] for r in records})
    budget = records[0]["budget"]

    def score(tool: str, d: str, s: int) -> float | None:
        r = by.get((tool, d, s))
        if r is None:
            return None
        r.setdefault("task", manifest[d]["task"])
        return r["test_score"] if r["status"] == "ok" else _chance(r, n_classes)

    lines = [f"| data set | {' | '.join(tools)} |", "|---|" + "---:|" * len(tools)]
    ranks, wins = defaultdict(list), defaultdict(int)
    for d in datasets:
        cells = []
        for t in tools:
            vals = [score(t, d, s) for s in seeds]
            failed = [by[(t, d, s)]["status"] for s in seeds if (t, d, s) in by and by[(t, d, s)]["status"] != "ok"]
            if any(v is None for v in vals):
                cells.append("—")
                continue
            mark = f" ({', '.join(sorted(set(failed)))})" if failed else ""
            enc = " †" if any(by[(t, d, s)].get("encoded") for s in seeds) else ""
            cells.append(f"{np.mean(vals):.4f}{enc}{mark}")
        lines.append(f"| {d} | {' | '.join(cells)} |")
        for s in seeds:
            vals = {t: score(t, d, s) for t in tools}
            if any(v is None for v in vals.values()):
                continue
            order = sorted(vals.values(), reverse=True)
            for t, v in vals.items():
                # ties share the mean of their ranks
                ranks[t].append(np.mean([i + 1 for i, o in enumerate(order) if o == v]))
            best = max(vals.values())
            for t, v in vals.items():
                wins[t] += v == best
    complete = [(d, s) for d in datasets for s in seeds if all((t, d, s) in by for t in tools)]
    per_dataset, lines = "\n".join(lines), []
    lines.append("| tool | mean score | mean rank | wins | fit wall / budget: median, max | within 1.10 x budget + 2 s "
                 "| pipelines evaluated (median) | pipelines per second (median) | peak memory MiB: median, max "
                 "| failed runs |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for t in tools:
        rs = [by[(t, d, s)] for d, s in complete]
        walls = [r["fit_wall"] / budget for r in rs]
        within = sum(r["fit_wall"] <= 1.10 * budget + 2 for r in rs)
        pipes = [r["pipelines"] for r in rs if r.get("pipelines") is not None]
        per_s = [r["pipelines"] / r["fit_wall"] for r in rs if r.get("pipelines") and r["fit_wall"] > 0]
        mem = [r["peak_memory_mb"] for r in rs]
        failed = sum(r["status"] != "ok" for r in rs)
        mean = np.mean([score(t, d, s) for d, s in complete])
        lines.append(
            f"| {t} | {mean:.4f} | {np.mean(ranks[t]):.2f} | {wins[t]} | {np.median(walls):.3f}, {max(walls):.3f} "
            f"| {within}/{len(rs)} | {np.median(pipes) if pipes else float('nan'):.0f} "
            f"| {np.median(per_s) if per_s else float('nan'):.2f} | {np.median(mem):.0f}, {max(mem):.0f} | {failed} |"
        )
    summary = "\n".join(lines)
    lines = [_targets(by, datasets, seeds, score, budget)] if "autopipe" in tools else []
    versions = sorted({f"{r['tool']} {r['version']}" for r in records if r.get("version")})
    footnote = (f"{len(datasets)} data sets x {len(seeds)} seeds (scores: mean over seeds), budget {budget:g} s, "
                 f"n_jobs={records[0]['n_jobs']}; ranks and wins per data set and seed (ties share). "
                 "† = run on the shared pre-encoding after failing on the raw table. A failed or timed-out run "
                 "scores as a constant prediction. Versions: " + ", ".join(versions) + ".")
    return per_dataset, summary + ("\n\n" + lines[0] if lines else ""), footnote


def _targets(by: dict, datasets: list[str], seeds: list[int], score, budget: float) -> str:
    """autopipe against the issue's targets: the figures a reader checks first."""
    out = []
    for peer, name in (("hgb", "HGB defaults"), ("lgbm", "LightGBM defaults")):
        gaps = {d: np.mean([score("autopipe", d, s) - score(peer, d, s) for s in seeds]) for d in datasets
                if all((t, d, s) in by for t in ("autopipe", peer) for s in seeds)}
        if gaps:
            worst = min(gaps, key=gaps.get)
            below = sum(g < -0.005 for g in gaps.values())
            out.append(f"autopipe minus {name}, per data set (mean of seeds): worst {gaps[worst]:+.4f} ({worst}), "
                       f"{below} more than 0.005 below")
    ratios, totals = [], [0.0, 0.0, 0.0, 0.0]
    for d in datasets:
        for s in seeds:
            a, t = by.get(("autopipe", d, s)), by.get(("tpot", d, s))
            if a and t and a.get("pipelines") and t.get("pipelines"):
                ra, rt = a["pipelines"] / a["fit_wall"], t["pipelines"] / t["fit_wall"]
                ratios.append(ra / rt)
                totals = [totals[0] + a["pipelines"], totals[1] + a["fit_wall"], totals[2] + t["pipelines"],
                          totals[3] + t["fit_wall"]]
    if ratios:
        overall = (totals[0] / totals[1]) / (totals[2] / totals[3])
        out.append(f"pipelines per second, autopipe / TPOT: median {np.median(ratios):.2f}x, "
                   f"min {min(ratios):.2f}x over data set x seed; {overall:.2f}x over all runs together")
    walls = [r["fit_wall"] for (t, _, _), r in by.items() if t == "autopipe"]
    if walls:
        within = sum(w <= 1.10 * budget + 2 for w in walls)
        out.append(f"autopipe fit wall time: max {max(walls) / budget:.3f} x budget, {within}/{len(walls)} within "
                   "1.10 x budget + 2 s")
    return "; ".join(out) + "."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--suite", type=Path, default=DEFAULT_SUITE)
    parser.add_argument("--only", nargs="*", help="data set names (default: all)")
    parser.add_argument("--tools", nargs="+", choices=TOOLS, default=list(TOOLS))
    parser.add_argument("--venvs", type=Path, default=HERE / ".venvs", help="where setup.sh made the peers' venvs")
    parser.add_argument("--results", type=Path, default=RESULTS, help="JSON lines file to append to")
    parser.add_argument("--run", default=time.strftime("%Y-%m-%dT%H:%M"), help="label stored with every record")
    parser.add_argument("--table", type=Path, nargs="*", help="only print the table of these results files")
    parser.add_argument("--markdown", type=Path, help="also write the tables to PREFIX.md and PREFIX-summary.md")
    args = parser.parse_args()
    args.suite = args.suite.resolve()
    if args.table is None:
        run(args)
        paths = [args.results]
    else:
        paths = args.table or [args.results]
    records = [r for r in load_records(paths, args.budget) if not args.only or r["dataset"] in args.only]
    if records:
        per_dataset, summary, footnote = table(records, args.suite)
        print(f"\n{per_dataset}\n\n{summary}\n\n{footnote}")
        if args.markdown:
            args.markdown.with_name(args.markdown.name + ".md").write_text(per_dataset + "\n")
            args.markdown.with_name(args.markdown.name + "-summary.md").write_text(summary + "\n\n" + footnote + "\n")


if __name__ == "__main__":
    main()
