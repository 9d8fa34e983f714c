"""Synthetic tables for the scale benchmark, deterministic from a seed and cached as ``.npz`` files.

Usage::

    python benchmarks/generated.py                      # every table, timed, into benchmarks/.data
    python benchmarks/generated.py very_wide_2k --data-dir /tmp/tables

Three generators:

- ``wide_strings``: 40 numeric columns (normal, log-normal, bounded, small
  counts; 5 of them partly missing) and 10 string columns of 2 to 5,000
  levels with skewed frequencies (4 of them partly missing); binary target
  from a nonlinear function of 9 numeric and 3 string columns plus noise,
  about 39 % positive.
- ``very_wide``: numeric only, 20 informative columns scattered among noise;
  binary target from linear, sine and product terms plus noise.
- ``many_classes``: 12 informative numeric columns drawn around one centre
  per class, 8 nonlinear transforms of them and 20 noise columns; integer
  labels 0..k-1 with priors proportional to 1 / (label + 10).

Every random block is drawn row by row from its own stream, so a table is a
prefix of the same generator's table with more rows (``growth_10k`` is the
first 10,000 rows of ``growth_1m``). A table is written once to
``<data dir>/<generator>-<rows>x<columns>-seed<seed>-v<VERSION>.npz`` (numbers
as float64, strings as integer codes plus their levels) and listed in
``<data dir>/manifest.json``, so that ``suite.load_split`` and
``peers/run_tool.py`` read it like any data set of a suite.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

VERSION = 1  # bump when a generator changes, so that stale cached files are not reused
DATA_DIR = Path(__file__).resolve().parent / ".data"

#: name -> (generator, rows, columns, seed)
TABLES = {
    "wide_strings_1m": ("wide_strings", 1_000_000, 50, 0),
    "very_wide_2k": ("very_wide", 2_000, 10_000, 0),
    "classes_100": ("many_classes", 50_000, 40, 0),
    "growth_10k": ("wide_strings", 10_000, 50, 0),
    "growth_100k": ("wide_strings", 100_000, 50, 0),
    "growth_1m": ("wide_strings", 1_000_000, 50, 0),
}
N_CLASSES = 100  # of the many_classes generator


# ------------------------------------------------------------------ random streams
def _streams(seed: int, n: int) -> list[np.random.Generator]:
    """``n`` independent generators for one table: parameters, then one per random block."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence([seed, VERSION]).spawn(n)]


def _skewed_codes(uniform: np.ndarray, n_levels: int, exponent: float = 1.1) -> np.ndarray:
    """Level codes with Zipf-like frequencies (level i has weight 1 / (i + 1) ** exponent)."""
    weights = 1.0 / np.arange(1, n_levels + 1) ** exponent
    cdf = np.cumsum(weights / weights.sum())
    return np.minimum(np.searchsorted(cdf, uniform, side="right"), n_levels - 1).astype(np.int32)


# ------------------------------------------------------------------ generators
def wide_strings(rows: int, seed: int) -> dict:
    """40 numeric and 10 string columns, some missing; binary target from a nonlinear signal."""
    params, num_rng, cat_rng, miss_rng, noise_rng = _streams(seed, 5)
    z = num_rng.standard_normal((rows, 40))
    num = z.copy()
    num[:, 10:15] = np.exp(z[:, 10:15])                      # log-normal, skewed
    num[:, 15:20] = 100.0 * (0.5 + 0.5 * np.tanh(z[:, 15:20]))  # bounded
    num[:, 20:25] = np.floor(np.exp(0.8 * z[:, 20:25]))       # small counts
    levels = (2, 3, 5, 8, 12, 20, 50, 200, 1000, 5000)
    codes = np.empty((rows, len(levels)), dtype=np.int32)
    u = cat_rng.random((rows, len(levels)))
    for j, k in enumerate(levels):
        codes[:, j] = _skewed_codes(u[:, j], k)
    effects = [params.normal(0.0, 0.8, size=k) for k in (5, 12, 200)]
    signal = (1.2 * np.sin(2.0 * z[:, 0]) + z[:, 1] * z[:, 2] + 0.8 * np.abs(z[:, 3])
              + 0.7 * (z[:, 4] > 0.5) * z[:, 5] + 0.5 * np.log1p(num[:, 10]) - 0.01 * num[:, 15]
              + 0.3 * num[:, 20] / (1.0 + num[:, 20])
              + effects[0][codes[:, 2]] + effects[1][codes[:, 4]] * np.sign(z[:, 0]) + effects[2][codes[:, 7]])
    target = (signal + noise_rng.normal(0.0, 1.0, rows) > 1.3).astype(np.int64)
    # missing values (after the target, so that a missing value hides part of the signal)
    missing = miss_rng.random((rows, 9))
    for slot, (j, share) in enumerate(zip((0, 6, 11, 16, 30), (0.05, 0.1, 0.2, 0.3, 0.5), strict=True)):
        num[missing[:, slot] < share, j] = np.nan
    for slot, (j, share) in enumerate(zip((1, 4, 6, 9), (0.05, 0.1, 0.2, 0.4), strict=True), start=5):
        codes[missing[:, slot] < share, j] = -1
    num_names = [f"x{j:02d}" for j in range(40)]
    str_names = [f"s{j}" for j in range(len(levels))]
    str_levels = [np.array([f"{name}_{i:04d}" for i in range(k)]) for name, k in zip(str_names, levels, strict=True)]
    return {"num": num, "num_names": num_names, "codes": codes, "str_names": str_names,
            "str_levels": str_levels, "target": target, "task": "classification"}


def very_wide(rows: int, seed: int, columns: int = 10_000) -> dict:
    """Numeric columns only, 20 of them informative; binary target from linear, sine and product terms."""
    params, num_rng, noise_rng = _streams(seed, 3)
    informative = params.choice(columns, size=20, replace=False)
    weights = params.normal(0.0, 1.0, size=12)
    num = num_rng.standard_normal((rows, columns))
    x = num[:, informative]
    signal = (x[:, :12] @ weights / np.sqrt(12.0) + np.sin(2.0 * x[:, 12]) + x[:, 13] * x[:, 14]
              + 0.5 * np.abs(x[:, 15]) - 0.4 + 0.5 * (x[:, 16] > 0) * x[:, 17] + 0.3 * x[:, 18] * x[:, 19])
    target = (signal + noise_rng.normal(0.0, 0.7, rows) > 0).astype(np.int64)
    return {"num": num, "num_names": [f"x{j:05d}" for j in range(columns)], "codes": np.empty((rows, 0), np.int32),
            "str_names": [], "str_levels": [], "target": target, "task": "classification"}


def many_classes(rows: int, seed: int, n_classes: int = N_CLASSES) -> dict:
    """40 numeric columns (12 informative, 8 transforms of them, 20 noise), integer labels of ``n_classes`` classes."""
    params, label_rng, num_rng, noise_rng = _streams(seed, 4)
    centres = params.normal(0.0, 1.0, size=(n_classes, 12))
    priors = 1.0 / (np.arange(n_classes) + 10.0)
    labels = np.minimum(np.searchsorted(np.cumsum(priors / priors.sum()), label_rng.random(rows), side="right"),
                        n_classes - 1).astype(np.int64)
    x = centres[labels] + num_rng.standard_normal((rows, 12))
    transforms = np.column_stack([
        x[:, 0] * x[:, 1], np.sin(x[:, 2]), x[:, 3] ** 2, np.exp(x[:, 4] / 2.0), np.abs(x[:, 5]),
        np.tanh(x[:, 6] + x[:, 7]), x[:, 8] - x[:, 9], np.log1p(x[:, 10] ** 2),
    ])
    num = np.hstack([x, transforms, noise_rng.standard_normal((rows, 20))])[:, params.permutation(40)]
    return {"num": num, "num_names": [f"x{j:02d}" for j in range(40)], "codes": np.empty((rows, 0), np.int32),
            "str_names": [], "str_levels": [], "target": labels, "task": "classification"}


GENERATORS = {"wide_strings": wide_strings, "very_wide": very_wide, "many_classes": many_classes}


# ------------------------------------------------------------------ files
def file_name(name: str) -> str:
    """The cache file of a table: generators sharing parameters share it (``growth_1m`` is ``wide_strings_1m``)."""
    generator, rows, columns, seed = TABLES[name]
    return f"{generator}-{rows}x{columns}-seed{seed}-v{VERSION}.npz"


def manifest_entry(name: str) -> dict:
    """The table's manifest entry, in the shape of a suite's ``manifest.json``."""
    generator, rows, columns, seed = TABLES[name]
    task = "classification"
    return {"name": name, "file": file_name(name), "task": task, "target": "target", "rows": rows,
            "columns": columns, "generator": generator, "seed": seed,
            "source": f"benchmarks/generated.py {generator}(rows={rows}, seed={seed}) v{VERSION}"}


def write_table(table: dict, path: Path) -> None:
    """Save a generated table as an uncompressed ``.npz`` (atomically: a partial file never has the final name)."""
    arrays = {"num": table["num"], "codes": table["codes"], "target": table["target"],
              "num_names": np.array(table["num_names"], dtype=str),
              "str_names": np.array(table["str_names"], dtype=str)}
    arrays.update({f"levels_{j}": levels for j, levels in enumerate(table["str_levels"])})
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as fh:
        np.savez(fh, **arrays)
    os.replace(tmp, path)


def read_frame(path: str | Path) -> pd.DataFrame:
    """A cached table as a DataFrame: float64 numbers, string columns (missing as NA) and ``target`` last."""
    with np.load(path, allow_pickle=False) as data:
        parts = [pd.DataFrame(data["num"], columns=[str(n) for n in data["num_names"]])]
        codes = data["codes"]
        strings = {}
        for j, name in enumerate(data["str_names"]):
            values = data[f"levels_{j}"].astype(object)[codes[:, j]]
            values[codes[:, j] < 0] = None
            strings[str(name)] = pd.array(values, dtype="str")
        if strings:
            parts.append(pd.DataFrame(strings))
        parts.append(pd.DataFrame({"target": data["target"]}))
    return pd.concat(parts, axis=1)


def ensure(names: list[str], data_dir: Path = DATA_DIR, force: bool = False) -> dict[str, float]:
    """Generate the tables whose files are missing and list them in the manifest; seconds per table generated."""
    data_dir.mkdir(parents=True, exist_ok=True)
    timings, made = {}, set()
    for name in names:
        path = data_dir / file_name(name)
        if path in made or (path.exists() and not force):
            continue
        made.add(path)
        generator, rows, _, seed = TABLES[name]
        start = time.monotonic()
        write_table(GENERATORS[generator](rows, seed), path)
        timings[name] = time.monotonic() - start
    _update_manifest(names, data_dir)
    return timings


def _update_manifest(names: list[str], data_dir: Path) -> None:
    """Add (or refresh) these tables' entries in ``data_dir/manifest.json``, keeping the others."""
    path = data_dir / "manifest.json"
    entries = {e["name"]: e for e in json.loads(path.read_text())} if path.exists() else {}
    entries.update({name: manifest_entry(name) for name in names})
    tmp = path.with_name("manifest.json.tmp")
    tmp.write_text(json.dumps(list(entries.values()), indent=1) + "\n")
    os.replace(tmp, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"tables to generate (default: all of {', '.join(TABLES)})")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    parser.add_argument("--force", action="store_true", help="regenerate tables whose file exists")
    args = parser.parse_args()
    unknown = sorted(set(args.names) - set(TABLES))
    if unknown:
        parser.error(f"unknown table(s) {', '.join(unknown)}; known: {', '.join(TABLES)}")
    start = time.monotonic()
    timings = ensure(args.names or list(TABLES), args.data_dir, args.force)
    for name, seconds in timings.items():
        size = (args.data_dir / file_name(name)).stat().st_size / 2**20
        print(f"{name:>16}: {seconds:6.1f} s, {size:7.1f} MiB")
    print(f"{len(timings)} table(s) generated in {time.monotonic() - start:.1f} s; files in {args.data_dir}")


if __name__ == "__main__":
    main()
