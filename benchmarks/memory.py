"""Peak memory of a fit's process tree with one and two workers: do the workers share the training data?

Usage::

    python benchmarks/memory.py [--rows 1000000] [--cols 50] [--budget 30] [--tables numeric strings] \
        [--pythonpath DIR --label NAME] [--markdown results/memory.md]

For each table (``numeric``: ``rows x cols`` float64 in a NumPy array;
``strings``: a DataFrame of as many rows, ``cols - 3`` float64 columns and
3 string columns of pandas' default string dtype) and each ``n_jobs`` in
(1, 2), a fresh subprocess builds the table (same seed) and fits
``AutoEstimator(time_budget=budget, n_jobs=n_jobs, random_state=0)`` on it,
while this process samples the subprocess and all its descendants every
0.25 s. Per sample it sums, over the tree:

- RSS (``psutil``'s ``memory_info().rss``): pages of a file that several
  workers map count once per process;
- PSS (``memory_full_info().pss``, Linux): each shared page divided among
  the processes that map it;
- memory: PSS without shared-memory pages (``Pss - Pss_Shmem`` of
  ``/proc/<pid>/smaps_rollup``) plus the size of the fit's payload files in
  ``/dev/shm`` (tmpfs memory, which counts whether mapped or not, and once).

and reports each one's peak, and the peak PSS of the fitting process alone
(the parent of the workers). The last rows give, per table, the peak with
two workers minus the peak with one, in copies of the data (the table's
in-memory size). ``--pythonpath`` runs another copy of autopipe (e.g. one
extracted with ``git archive``) in the subprocesses, under ``--label``.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
SHM = "/dev/shm"


def make_table(kind: str, rows: int, cols: int, seed: int = 0):
    """The benchmark's table and binary target."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    n_float = cols if kind == "numeric" else cols - 3
    X = rng.standard_normal((rows, n_float))
    score = X[:, :5].sum(axis=1)
    if kind == "numeric":
        return X, (score + rng.standard_normal(rows) > 0).astype(int)
    table = pd.DataFrame(X, columns=[f"x{i}" for i in range(n_float)])
    del X
    for j, n_levels in enumerate((5, 50, 1000)):
        codes = rng.integers(n_levels, size=rows)
        table[f"s{j}"] = pd.array([f"level-{c}" for c in range(n_levels)], dtype="str")[codes]
        score = score + (codes % 2) * 0.5
    return table, (score + rng.standard_normal(rows) > 0).astype(int)


def data_bytes(X) -> int:
    return int(X.memory_usage(deep=True).sum()) if hasattr(X, "memory_usage") else int(X.nbytes)


def child(args: argparse.Namespace) -> None:
    """The measured process: build the table, fit, print a JSON line."""
    import autopipe
    from autopipe import AutoEstimator
    from autopipe.exceptions import AllCandidatesFailedError

    X, y = make_table(args.child, args.rows, args.cols)
    start = time.monotonic()
    est = AutoEstimator(time_budget=args.budget, n_jobs=args.n_jobs, random_state=0)
    try:  # the memory was used all the same when every candidate ran out of time
        est.fit(X, y)
        ok = sum(e.result.ok for e in est.history_)
    except AllCandidatesFailedError:
        ok = 0
    print(json.dumps({"data_bytes": data_bytes(X), "fit_s": round(time.monotonic() - start, 1),
                      "candidates_ok": ok, "autopipe": autopipe.__file__}), flush=True)


def _shmem_pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss_Shmem:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _payload_files(pid: int) -> int:
    total = 0
    for folder in glob.glob(os.path.join(SHM, f"autopipe-payload-{pid}-*")):
        for name in glob.glob(os.path.join(folder, "*")):
            try:
                total += os.path.getsize(name)
            except OSError:
                pass
    return total


def sample(pid: int) -> tuple[int, int, int, int]:
    """(RSS, PSS, memory) of ``pid`` and its descendants, and the PSS of ``pid`` alone, in bytes."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0, 0, 0, 0
    rss = pss = own = parent = 0
    for p in procs:
        try:
            info = p.memory_full_info()
        except psutil.Error:
            continue
        rss += info.rss
        pss += info.pss
        own += info.pss - _shmem_pss(p.pid)
        if p.pid == pid:
            parent = info.pss
    return rss, pss, own + _payload_files(pid), parent


def measure(kind: str, n_jobs: int, args: argparse.Namespace) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--n-jobs", str(n_jobs),
           "--rows", str(args.rows), "--cols", str(args.cols), "--budget", str(args.budget)]
    env = {**os.environ, "PYTHONPATH": args.pythonpath}
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, env=env, start_new_session=True)
        peaks = [0, 0, 0, 0]
        limit = time.monotonic() + 5 * args.budget + 300
        while proc.poll() is None:
            peaks = [max(a, b) for a, b in zip(peaks, sample(proc.pid))]
            if time.monotonic() > limit:
                os.killpg(proc.pid, signal.SIGKILL)
                break
            time.sleep(0.25)
        _, stderr = proc.communicate()
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # workers left behind must not weigh on the next run
        except (ProcessLookupError, PermissionError):
            pass
        out.seek(0)
        lines = out.read().strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"the {kind} fit with n_jobs={n_jobs} failed:\n{stderr.decode()[-2000:]}")
    record = json.loads(lines[-1])
    record.update(table=kind, n_jobs=n_jobs, rss=peaks[0], pss=peaks[1], memory=peaks[2], parent_pss=peaks[3])
    return record


def table(records: list[dict], label: str) -> str:
    mb = 2**20
    header = (f"| {label}: table | data (MB) | n_jobs | peak RSS (MB) | peak PSS (MB) | peak memory (MB) "
              "| parent's peak PSS (MB) | candidates ok | fit (s) |")
    lines = [header, "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in records:
        lines.append(f"| {r['table']} | {r['data_bytes'] / mb:.0f} | {r['n_jobs']} | {r['rss'] / mb:.0f} "
                     f"| {r['pss'] / mb:.0f} | {r['memory'] / mb:.0f} | {r['parent_pss'] / mb:.0f} "
                     f"| {r['candidates_ok']} | {r['fit_s']} |")
    lines += ["", f"| {label}: table | n_jobs 2 - 1, RSS (copies) | PSS (copies) | memory (copies) |",
              "|---|---:|---:|---:|"]
    for kind in dict.fromkeys(r["table"] for r in records):
        one, two = ([r for r in records if r["table"] == kind and r["n_jobs"] == n] for n in (1, 2))
        if one and two:
            size = one[0]["data_bytes"]
            diffs = [(two[0][m] - one[0][m]) / size for m in ("rss", "pss", "memory")]
            lines.append(f"| {kind} | " + " | ".join(f"{d:+.2f}" for d in diffs) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--cols", type=int, default=50)
    parser.add_argument("--budget", type=float, default=30.0)
    parser.add_argument("--tables", nargs="+", default=["numeric", "strings"], choices=["numeric", "strings"])
    parser.add_argument("--pythonpath", default=str(ROOT), help="where the subprocesses import autopipe from")
    parser.add_argument("--label", default="autopipe")
    parser.add_argument("--markdown", type=Path, help="also append the table to this file")
    parser.add_argument("--child", choices=["numeric", "strings"], help=argparse.SUPPRESS)
    parser.add_argument("--n-jobs", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    records = []
    for kind in args.tables:
        for n_jobs in (1, 2):
            records.append(measure(kind, n_jobs, args))
            print(json.dumps(records[-1]), file=sys.stderr, flush=True)
    text = table(records, args.label)
    print(text)
    if args.markdown:
        with args.markdown.open("a") as f:
            f.write(text + "\n\n")


if __name__ == "__main__":
    main()
