"""Lay out data literals (tuples, lists, dicts, calls) the way `ruff format` does.

A node is written on one line when it fits in `WIDTH` columns, else exploded one item per
line with a trailing comma (ruff's "magic trailing comma" keeps it exploded). Atoms are
already-rendered, short code (literals from `literals.py`, names from `names.py`), so the
result is in ruff's canonical form for any line length from `WIDTH` up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mapc.compiler.codegen.literals import display_width

__all__ = ["WIDTH", "Call", "Dict", "Node", "Seq", "def_line", "layout"]

WIDTH = 100
"""The line length generated code is formatted for (mapc's pinned ruff configuration)."""


@dataclass(frozen=True)
class Seq:
    """A tuple `(...)` or list `[...]` of nodes."""

    items: tuple[Node, ...]
    brackets: str = "()"
    explode: bool = False


@dataclass(frozen=True)
class Dict:
    items: tuple[tuple[str, Node], ...]
    explode: bool = False


@dataclass(frozen=True)
class Call:
    """`func(key=value, ...)`: keyword arguments only."""

    func: str
    kwargs: tuple[tuple[str, Node], ...]
    explode: bool = False
    extra: tuple[str, ...] = field(default=())
    """Positional arguments (rendered atoms) before the keywords."""


Node = str | Seq | Dict | Call


def _inline(node: Node) -> str | None:
    """The one-line form, or None when the node must be exploded."""
    if isinstance(node, str):
        return node
    if node.explode:
        return None
    parts: list[str] = []
    if isinstance(node, Seq):
        for item in node.items:
            text = _inline(item)
            if text is None:
                return None
            parts.append(text)
        body = ", ".join(parts)
        if node.brackets == "()" and len(parts) == 1:
            body += ","
        return node.brackets[0] + body + node.brackets[1]
    if isinstance(node, Dict):
        for key, value in node.items:
            text = _inline(value)
            if text is None:
                return None
            parts.append(f"{key}: {text}")
        return "{" + ", ".join(parts) + "}"
    parts.extend(node.extra)
    for key, value in node.kwargs:
        text = _inline(value)
        if text is None:
            return None
        parts.append(f"{key}={text}")
    return f"{node.func}(" + ", ".join(parts) + ")"


def _children(node: Seq | Dict | Call) -> tuple[str, str, list[tuple[str, Node]]]:
    if isinstance(node, Seq):
        return node.brackets[0], node.brackets[1], [("", item) for item in node.items]
    if isinstance(node, Dict):
        return "{", "}", [(f"{key}: ", value) for key, value in node.items]
    items: list[tuple[str, Node]] = [("", atom) for atom in node.extra]
    items.extend((f"{key}=", value) for key, value in node.kwargs)
    return f"{node.func}(", ")", items


def layout(node: Node, indent: int = 0, used: int = 0, tail: int = 0) -> str:
    """Render `node` starting at column `indent + used`, followed by `tail` characters.

    Lines after the first are indented by `indent` spaces (the caller's statement level).
    """
    text = _inline(node)
    if text is not None and indent + used + display_width(text) + tail <= WIDTH:
        return text
    if isinstance(node, str):  # an atom cannot be split; ruff leaves it too
        return node
    opener, closer, items = _children(node)
    if not items:
        return opener + closer
    pad = " " * (indent + 4)
    lines = [opener]
    for prefix, child in items:
        lines.append(pad + prefix + layout(child, indent + 4, len(prefix), 1) + ",")
    lines.append(" " * indent + closer)
    return "\n".join(lines)


def def_line(name: str, params: tuple[str, ...], returns: str) -> str:
    """A `def` line: on one line when it fits, else one parameter per line."""
    line = f"def {name}({', '.join(params)}) -> {returns}:"
    if display_width(line) <= WIDTH:
        return line
    inner = "".join(f"\n    {p}," for p in params)
    return f"def {name}({inner}\n) -> {returns}:"
