"""The documentation builds without a single warning, API pages included."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_docs_build_without_warnings(tmp_path):
    pytest.importorskip("sphinx")
    pytest.importorskip("numpydoc")
    out = tmp_path / "html"
    proc = subprocess.run(
        [
            sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html",
            "-d", str(tmp_path / "doctrees"),  # a fresh build: no cached state hides warnings
            str(DOCS), str(out),
        ],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, (proc.stdout[-2000:] + "\n" + proc.stderr[-4000:])

    api_page = out / "api" / "generated" / "autopipe.AutoEstimator.html"
    assert api_page.is_file(), sorted(p.name for p in (out / "api").rglob("*.html"))[:20]
    page = api_page.read_text(encoding="utf-8")
    assert "time_budget" in page and "leaderboard_" in page  # parameters and attributes rendered

    for name in ("index", "getting_started", "benchmarks", "examples", "user_guide/search_space"):
        assert (out / f"{name}.html").is_file(), name
    # the benchmark table is rendered from benchmarks/results as a real table
    assert "<table" in (out / "benchmarks.html").read_text(encoding="utf-8")
