"""Sphinx configuration of the autopipe documentation.

Build with (no warnings allowed, as the test suite does)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

Needs ``pip install -e ".[docs]"``. The API pages are generated from the
docstrings (autodoc, autosummary, numpydoc) into ``docs/api/generated/``; the
gallery pages from ``examples/*.py`` (sphinx-gallery) into ``docs/gallery/``.
The build runs every example with a search budget of ``AUTOPIPE_BUDGET``
seconds (8 unless the environment says otherwise); ``-D plot_gallery=0``
builds the gallery pages without running the examples (the test suite does).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
# An installed autopipe is used when there is one; otherwise the checkout's.
sys.path.append(str(HERE.parent))

import autopipe  # noqa: E402

# autosummary writes a stub page per API object into api/generated/ on every
# build; start from none, so that a stub left from a renamed or removed object
# never becomes an orphan page (a warning, hence a failed -W build).
shutil.rmtree(HERE / "api" / "generated", ignore_errors=True)

# The examples read their search budget from AUTOPIPE_BUDGET (60 s when run by
# hand); in the documentation build each runs at a few seconds, so that the
# whole gallery builds in a few minutes on two cores. Figures need no display.
os.environ.setdefault("AUTOPIPE_BUDGET", "8")
os.environ.setdefault("MPLBACKEND", "Agg")

# -- project ---------------------------------------------------------------------
project = "autopipe"
author = "the autopipe developers"
copyright = "the autopipe developers"  # noqa: A001 - Sphinx's name
release = autopipe.__version__
version = ".".join(release.split(".")[:2])

# -- general ---------------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "autopipe_docs",
]
templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
root_doc = "index"
default_role = "code"  # `text` in a page is literal, as in Markdown
pygments_style = "sphinx"
smartquotes = False  # parameter values and messages keep their straight quotes

# -- autodoc / autosummary / numpydoc ----------------------------------------------
autosummary_generate = True
autodoc_member_order = "bysource"
# Docstrings give every type in numpydoc form; signatures stay short.
autodoc_typehints = "none"
autodoc_inherit_docstrings = False
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True

# -- gallery (sphinx-gallery) -------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "gallery",
    # run every example, not only plot_*.py; AUTOPIPE_GALLERY_PATTERN=quickstart
    # (a regular expression on the path) runs only the matching ones
    "filename_pattern": os.environ.get("AUTOPIPE_GALLERY_PATTERN", "/"),
    "within_subsection_order": "gallery_order.GalleryOrder",
    "download_all_examples": False,
    "remove_config_comments": True,
    "capture_repr": (),  # the examples print what they show
    "min_reported_time": 1,
    "show_memory": False,
    "matplotlib_animations": False,
}

# -- html ------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"autopipe {release}"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_theme_options = {
    "logo": {"text": f"autopipe {version}"},
    "header_links_before_dropdown": 8,
    "navbar_align": "left",
    "navbar_end": ["search-button", "theme-switcher"],
    "navbar_persistent": [],
    "secondary_sidebar_items": ["page-toc"],
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "navigation_with_keys": False,
}
# light or dark as the reader's system prefers, until they pick one
html_context = {"default_mode": "auto"}
html_favicon = "_static/favicon.svg"
html_sidebars = {"index": []}  # the front page spans the width; others list their section
html_show_sourcelink = False
html_copy_source = False


# -- hooks -----------------------------------------------------------------------
def _skip_sklearn_plumbing(app, what, name, obj, skip, options):  # noqa: ANN001, ANN202, ARG001
    """Leave out the ``set_<method>_request`` methods scikit-learn adds to every estimator.

    They belong to scikit-learn's metadata routing, are documented there, and
    their docstrings refer to scikit-learn's own glossary.
    """
    if what == "class" and name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def _comment_doc(fullname: str, obj: object) -> list[str] | None:
    """The ``#:`` comment above a constant where it is defined, in a private submodule.

    Public modules re-export constants such as ``MAX_COMPLEXITY`` from their
    private submodules, where autodoc does not look for the comment.
    """
    from sphinx.pycode import ModuleAnalyzer

    package, _, name = fullname.rpartition(".")
    for modname, module in sorted(sys.modules.items()):
        if not modname.startswith(package + ".") or getattr(module, name, None) is not obj:
            continue
        try:
            docs = ModuleAnalyzer.for_module(modname).find_attr_docs()
        except Exception:  # noqa: BLE001 - no source: try the next module
            continue
        if ("", name) in docs:
            return list(docs[("", name)])
    return None


def _constant_docs(app, what, name, obj, options, lines):  # noqa: ANN001, ANN202, ARG001
    """Constants: their ``#:`` comment, never the docstring of their type (int, tuple, dict)."""
    if what not in ("data", "attribute") or not lines:
        return
    first = next((line.strip() for line in lines if line.strip()), "")
    if first and first in (type(obj).__doc__ or ""):
        lines[:] = _comment_doc(name, obj) or []


def setup(app):  # noqa: ANN001, ANN201
    app.connect("autodoc-skip-member", _skip_sklearn_plumbing)
    app.connect("autodoc-process-docstring", _constant_docs)
