"""Re-parse after a one-line edit: parse the changed line alone and splice it into the IR.

A statement never continues on the next line, so a line inside a sync or values block that
holds one item is parsed alone as exactly that: the same tree the whole file's parse makes,
for a fraction of the time. Anything else (lines added or removed, a line with a brace or a
`;`, a line that does not parse alone) is left to the whole-file parse, which also words
every syntax error.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from typing import Any

from mapc.compiler import ir
from mapc.compiler.build import _Builder
from mapc.compiler.frontend import Parsed
from mapc.compiler.grammar import Lark, LarkError, Token, Tree
from mapc.compiler.lark_standalone import line_parser as load_line_parser
from mapc.compiler.parser import code_part
from mapc.compiler.source import Source, Span

_comments: list[Token] = []


def _collect(token: Token) -> Token:
    _comments.append(token)
    return token


@cache
def line_parser() -> Lark:
    # Start symbols for one line of a block (mapc.compiler.standalone.LINE_RULES).
    return load_line_parser(lexer_callbacks={"COMMENT": _collect})


def reparse(previous: Parsed, source: Source) -> Parsed | None:
    """`source` parsed, given the parse of the text before one line changed; None if not so."""
    mapping = previous.mapping
    old, new = previous.source.lines, source.lines
    if mapping is None or len(old) != len(new):
        return None
    if any(d.code == "E010" for d in previous.diagnostics):
        return None  # an over-deep filter left its item out of the IR
    changed = [n for n, (a, b) in enumerate(zip(old, new, strict=True), start=1) if a != b]
    if not changed:
        return Parsed(source, mapping, previous.diagnostics)
    if len(changed) > 1:
        return None
    line = changed[0]
    found = _item_on(mapping, line)
    if found is None or not _one_item(old[line - 1]) or not _one_item(new[line - 1]):
        return None
    index, statement, position = found
    built = _parse_line(
        source, line, "value_entry" if isinstance(statement, ir.ValuesBlock) else "sync_item_line"
    )
    if built is None:
        return None
    node, comments, diagnostics = built
    if isinstance(statement, ir.SyncBlock):
        items = statement.items
        replaced: Any = _replace(statement, items=(*items[:position], node, *items[position + 1 :]))
    else:
        entries = statement.entries
        replaced = _replace(
            statement, entries=(*entries[:position], node, *entries[position + 1 :])
        )
    statements = mapping.statements
    kept = [c for c in mapping.comments if c.span.line != line]
    spliced = _replace(
        mapping,
        statements=(*statements[:index], replaced, *statements[index + 1 :]),
        comments=tuple(sorted([*kept, *comments], key=lambda c: (c.span.line, c.span.column))),
    )
    found_diagnostics = [d for d in previous.diagnostics if d.span.line != line] + diagnostics
    return Parsed(source, spliced, tuple(sorted(found_diagnostics, key=lambda d: d.sort_key())))


def _item_on(
    mapping: ir.MappingFile, line: int
) -> tuple[int, ir.SyncBlock | ir.ValuesBlock, int] | None:
    """(statement index, the block, item index) of the one item written on `line`."""
    for index, statement in enumerate(mapping.statements):
        span = statement.span
        if not span.line < line < span.end_line:
            continue
        if not isinstance(statement, ir.SyncBlock | ir.ValuesBlock):
            return None
        items = statement.items if isinstance(statement, ir.SyncBlock) else statement.entries
        on_line = [
            n for n, item in enumerate(items) if item.span.line <= line <= item.span.end_line
        ]
        if len(on_line) != 1 or items[on_line[0]].span.line != items[on_line[0]].span.end_line:
            return None
        return index, statement, on_line[0]
    return None


def _one_item(text: str) -> bool:
    """No brace and no `;` outside strings, quoted names and comments."""
    return not any(char in "{};" for char in code_part(text))


def _parse_line(
    source: Source, line: int, start: str
) -> tuple[Any, list[ir.Comment], list[Any]] | None:
    text = source.line_text(line)
    _comments.clear()
    try:
        tree = line_parser().parse(text, start=start)
    except LarkError:
        return None
    shift = line - 1
    _shift(tree, shift)
    builder = _Builder(source.name)
    node = builder.node(tree.children[0] if start == "sync_item_line" else tree)
    if node is None:
        return None
    comments = [
        ir.Comment(
            span=Span(
                file=source.name,
                line=line,
                column=token.column or 1,
                end_line=line,
                end_column=(token.column or 1) + len(token),
            ),
            text=str(token),
            own_line=False,
        )
        for token in _comments
    ]
    return node, comments, builder.diagnostics


def _shift(tree: Tree[Token], lines: int) -> None:
    """Move a tree parsed from one line (line 1) down to its line in the file."""
    stack: list[Tree[Token]] = [tree]
    while stack:
        node = stack.pop()
        meta = node.meta
        if not meta.empty:
            meta.line += lines
            meta.end_line += lines
        for child in node.children:
            if isinstance(child, Tree):
                stack.append(child)
            elif isinstance(child, Token) and child.line is not None:
                child.line += lines
                if child.end_line is not None:
                    child.end_line += lines


def _replace(node: Any, **changes: Any) -> Any:
    """A copy of an IR node with some fields changed, whatever kind of record the IR uses."""
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        return dataclasses.replace(node, **changes)
    import msgspec

    return msgspec.structs.replace(node, **changes)
