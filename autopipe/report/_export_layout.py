"""A tiny expression tree for generated source code, written on one line or exploded one item per line."""

from __future__ import annotations

from dataclasses import dataclass

LINE_LENGTH = 88
INDENT = 4


@dataclass(frozen=True)
class Atom:
    """Source text that is never split across lines."""

    text: str


@dataclass(frozen=True)
class Group:
    """A bracketed, comma-separated sequence: a call, list, tuple, set or dict.

    Each item is a ``(prefix, node)`` pair where the prefix is ``"name="`` for a
    keyword argument, ``"key: "`` for a dict entry and ``""`` otherwise.
    """

    opening: str
    closing: str
    items: tuple[tuple[str, Node], ...]
    single_tuple: bool = False


Node = Atom | Group


def flat(node: Node) -> str:
    """Return ``node`` written on a single line."""
    if isinstance(node, Atom):
        return node.text
    inner = ", ".join(prefix + flat(child) for prefix, child in node.items)
    if node.single_tuple:
        inner += ","
    return node.opening + inner + node.closing


def layout(node: Node, indent: int, used: int, trailing: int) -> str:
    """Return ``node`` as source, exploding groups that do not fit on a line.

    Parameters
    ----------
    node : Atom or Group
        The expression to print.
    indent : int
        Indentation (in spaces) of the line on which ``node`` starts.
    used : int
        Columns already taken on that line before ``node`` starts.
    trailing : int
        Characters that will follow ``node`` on its last line (a comma, say).

    Returns
    -------
    str
        The source; continuation lines carry their own indentation but the
        first line does not.
    """
    text = flat(node)
    if (
        isinstance(node, Atom)
        or not node.items
        or used + len(text) + trailing <= LINE_LENGTH
    ):
        return text
    inner = indent + INDENT
    lines = [node.opening]
    for prefix, child in node.items:
        body = layout(child, inner, inner + len(prefix), 1)
        lines.append(" " * inner + prefix + body + ",")
    lines.append(" " * indent + node.closing)
    return "\n".join(lines)


def string_literal(text: str) -> str:
    """Return a literal for ``text``, preferring double quotes as black does."""
    literal = repr(text)
    if literal.startswith("'") and '"' not in text:
        literal = '"' + literal[1:-1] + '"'
    return literal

