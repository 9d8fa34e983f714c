"""The documentation builds without a single warning, API pages and gallery pages included.

The test builds the gallery's pages without running the examples
(``-D plot_gallery=0``), so it stays fast; ``tests/test_examples.py`` runs
them, and the full build (``python -m sphinx -W -b html docs docs/_build/html``)
runs them at a short budget.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def test_docs_build_without_warnings(tmp_path):
    pytest.importorskip("sphinx")
    pytest.importorskip("numpydoc")
    pytest.importorskip("sphinx_gallery")
    pytest.importorskip("pydata_sphinx_theme")
    out = tmp_path / "html"
    proc = subprocess.run(
        [
            sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html",
            "-d", str(tmp_path / "doctrees"),  # a fresh build: no cached state hides warnings
            "-D", "plot_gallery=0",  # gallery pages without running the examples
            str(DOCS), str(out),
        ],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, (proc.stdout[-2000:] + "\n" + proc.stderr[-4000:])

    api_page = out / "api" / "generated" / "autopipe.AutoEstimator.html"
    assert api_page.is_file(), sorted(p.name for p in (out / "api").rglob("*.html"))[:20]
    page = api_page.read_text(encoding="utf-8")
    assert "time_budget" in page and "leaderboard_" in page  # parameters and attributes rendered

    for name in ("index", "getting_started", "benchmarks", "examples", "user_guide/search_space",
                 "gallery/index", "coming_from/tpot", "coming_from/flaml", "coming_from/autogluon"):
        assert (out / f"{name}.html").is_file(), name
    # the benchmark table is rendered from benchmarks/results as a real table
    assert "<table" in (out / "benchmarks.html").read_text(encoding="utf-8")

    # every example script has its gallery page
    for script in sorted((ROOT / "examples").glob("*.py")):
        assert (out / "gallery" / f"{script.stem}.html").is_file(), script.name

    # the front page links the main sections directly
    front = (out / "index.html").read_text(encoding="utf-8")
    for target in ("user_guide/index.html", "gallery/index.html", "api/index.html", "benchmarks.html",
                   "coming_from/index.html"):
        assert f'href="{target}' in front, target
