"""Directives of the autopipe documentation.

``space-table`` renders the operators of a search space preset, read from the
installed autopipe at build time, so the page always lists what the code has::

    .. space-table:: light classification

``md-table`` renders a Markdown pipe table from a file. The benchmark scripts
print Markdown; this directive lets a page show such a file as a real table
that stays in sync with it::

    .. md-table:: ../benchmarks/results/budget-60s-seed0.md
       :caption: Wall time and throughput, 60 s budget

Lines of the file that are not part of the table (a summary line, say) are
rendered as paragraphs after it. Inline Markdown code spans become literals;
``**bold**`` is the same in both languages.

Options pick part of a table: ``:columns:`` names the columns to keep, in
order, by their header text; ``:rows:`` the rows to keep, by the text of
their first cell; ``:no-notes:`` leaves out the lines after the table. Each
name must be in the file, so a renamed column or row fails the build instead
of vanishing from the page::

    .. md-table:: ../benchmarks/results/compare-60s.md
       :columns: data set, autopipe, tpot
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

_CODE = re.compile(r"(?<!`)`([^`]+)`(?!`)")


def _inline(text: str) -> str:
    """Markdown inline markup that differs from reST: code spans."""
    return _CODE.sub(r"``\1``", text.strip())


def _cells(line: str) -> list[str]:
    return [_inline(c) for c in line.strip().strip("|").split("|")]


def _is_rule(line: str) -> bool:
    """The ``|---|---:|`` line under a Markdown table's header."""
    return bool(re.fullmatch(r"\|?(\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*\|?", line.strip()))


class MarkdownTable(SphinxDirective):
    """Include the pipe table of a Markdown file as a ``list-table``."""

    required_arguments = 1
    has_content = False
    option_spec = {
        "caption": directives.unchanged,
        "columns": directives.unchanged,
        "rows": directives.unchanged,
        "no-notes": directives.flag,
    }

    def run(self) -> list[nodes.Node]:
        rel, path = self.env.relfn2path(self.arguments[0])
        self.env.note_dependency(rel)
        file = Path(path)
        if not file.is_file():
            raise self.error(f"md-table: no such file {self.arguments[0]!r}")
        lines = file.read_text(encoding="utf-8").splitlines()
        table = [line for line in lines if line.strip().startswith("|")]
        rest = [line for line in lines if line.strip() and not line.strip().startswith("|")]
        if len(table) < 2 or not _is_rule(table[1]):
            raise self.error(f"md-table: {self.arguments[0]!r} holds no Markdown pipe table")
        header, body = _cells(table[0]), [_cells(line) for line in table[2:]]
        width = len(header)
        if any(len(row) != width for row in body):
            raise self.error(f"md-table: rows of {self.arguments[0]!r} have different lengths")

        header, body = self._pick(header, body)
        if "no-notes" in self.options:
            rest = []

        caption = self.options.get("caption", "")
        rst = [f".. list-table:: {caption}".rstrip(), "   :header-rows: 1", ""]
        for row in [header, *body]:
            for j, cell in enumerate(row):
                bullet = "   * - " if j == 0 else "     - "
                rst.append(bullet + (cell or r"\ "))
        rst.append("")
        for line in rest:
            rst += [_inline(line), ""]

        container = nodes.container(classes=["md-table"])
        self.state.nested_parse(StringList(rst, source=path), self.content_offset, container)
        return container.children

    def _pick(self, header: list[str], body: list[list[str]]) -> tuple[list[str], list[list[str]]]:
        """The columns and rows named by the ``:columns:`` and ``:rows:`` options (all by default)."""
        if "columns" in self.options:
            wanted = [name.strip() for name in self.options["columns"].split(",")]
            missing = [name for name in wanted if name not in header]
            if missing:
                raise self.error(f"md-table: no column {missing} in {self.arguments[0]!r}; it has {header}")
            keep = [header.index(name) for name in wanted]
            header, body = wanted, [[row[j] for j in keep] for row in body]
        if "rows" in self.options:
            wanted = [name.strip() for name in self.options["rows"].split(",")]
            first = [row[0] for row in body]
            missing = [name for name in wanted if name not in first]
            if missing:
                raise self.error(f"md-table: no row {missing} in {self.arguments[0]!r}")
            body = [body[first.index(name)] for name in wanted]
        return header, body


def _cell(*paragraphs: nodes.Node) -> nodes.entry:
    entry = nodes.entry()
    for para in paragraphs:
        entry += para
    return entry


def _para(text: str, *, literal: bool = False, classes: tuple[str, ...] = ()) -> nodes.paragraph:
    """A paragraph of plain or literal text (never parsed as markup)."""
    para = nodes.paragraph(classes=list(classes))
    para += nodes.literal(text, text) if literal else nodes.Text(text)
    return para


class SpaceTable(SphinxDirective):
    """The operators of a preset for one task: name and class, role, searched and fixed parameters."""

    required_arguments = 2  # preset, task
    has_content = False

    def run(self) -> list[nodes.Node]:
        from autopipe.space import build_space

        preset, task = self.arguments
        try:
            space = build_space(preset, task)
        except Exception as exc:  # noqa: BLE001 - reported as a build error
            raise self.error(f"space-table: {type(exc).__name__}: {exc}") from None
        fixed = dict(zip(space.describe()["name"], space.describe()["fixed"]))

        table = nodes.table(classes=["space-table", "colwidths-given"])
        group = nodes.tgroup(cols=4)
        table += group
        for width in (26, 14, 38, 22):
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        header = nodes.row()
        for title in ("operator", "role", "searched parameters", "fixed arguments"):
            header += _cell(_para(title))
        head += header
        body = nodes.tbody()
        for op in space:
            row = nodes.row()
            row += _cell(_para(op.name, literal=True), _para(op.class_path, classes=("class-path",)))
            row += _cell(_para(op.role.value))
            row += _cell(*[_para(f"{name}: {dist}", literal=True) for name, dist in op.params.items()])
            row += _cell(*([_para(fixed[op.name], literal=True)] if fixed[op.name] else []))
            body += row
        group += head
        group += body
        return [table]


def setup(app):  # noqa: ANN001, ANN201 - Sphinx's extension entry point
    app.add_directive("md-table", MarkdownTable)
    app.add_directive("space-table", SpaceTable)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
