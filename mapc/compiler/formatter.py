"""IR -> canonical text. Keeps every comment; formatting twice changes nothing."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from mapc.compiler import ir
from mapc.compiler.source import Source

INDENT = "  "
_NAME = re.compile(r"[^\W\d]\w*\Z")
# Words that would be read as a keyword where a name can also stand: quote them there.
_RESERVED = {
    "match",
    "include",
    "default",
    "on",
    "associate",
    "idempotency",
    "not",
    "true",
    "false",
}
_BINDING = {ir.Or: 1, ir.And: 2}


def format_mapping(mapping: ir.MappingFile, source: Source) -> str:
    writer = _Writer(mapping.comments, source)
    for index, statement in enumerate(mapping.statements):
        if index:
            writer.force_blank()
        _statement(writer, statement)
    writer.flush_comments(until=None, depth=0)
    return writer.text()


def name(value: str) -> str:
    if _NAME.match(value) and value not in _RESERVED:
        return value
    return f"`{value}`"


def literal(value: ir.Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def field_ref(ref: ir.FieldRef) -> str:
    if ref.object is None:
        return name(ref.field.value)
    return f"{name(ref.object.value)}.{name(ref.field.value)}"


def expr(node: ir.Expr, parent: int = 0) -> str:
    if isinstance(node, ir.And | ir.Or):
        binding = _BINDING[type(node)]
        joiner = " and " if isinstance(node, ir.And) else " or "
        text = joiner.join(expr(o, binding) for o in node.operands)
        return f"({text})" if parent > binding else text
    if isinstance(node, ir.Not):
        return f"not {expr(node.operand, 3)}"
    if isinstance(node, ir.Compare):
        return f"{field_ref(node.field)} {node.op} {literal(node.value.value)}"
    if isinstance(node, ir.InList):
        values = ", ".join(literal(v.value) for v in node.values)
        return f"{field_ref(node.field)} {'not in' if node.negated else 'in'} [{values}]"
    return f"{field_ref(node.field)} is {'not blank' if node.negated else 'blank'}"


def _clause(clause: ir.Clause) -> str:
    if isinstance(clause, ir.Rule):
        return clause.kind.value
    if isinstance(clause, ir.Standard):
        return f"standard {name(clause.name.value)}"
    if isinstance(clause, ir.ValuesRef):
        return f"values {name(clause.name.value)}"
    return "owner"


def _value(value: ir.Literal) -> str:
    if isinstance(value.value, str) and _NAME.match(value.value) and value.value not in _RESERVED:
        return value.value
    return literal(value.value)


class _Writer:
    def __init__(self, comments: Sequence[ir.Comment], source: Source) -> None:
        self.lines: list[str] = []
        self.pending = [c for c in comments if c.own_line]
        self.trailing = {c.span.line: c.text for c in comments if not c.own_line}
        self.last_output_for: dict[int, int] = {}
        self.source = source
        self.last_line = 0

    def text(self) -> str:
        # A trailing comment goes on the last line made from its source line; one whose
        # line made nothing (never expected) still survives, on a line of its own.
        for line, comment in sorted(self.trailing.items()):
            index = self.last_output_for.get(line)
            if index is None:
                self.lines.append(comment.rstrip())
            else:
                self.lines[index] += f"  {comment.rstrip()}"
        while self.lines and not self.lines[-1]:
            self.lines.pop()
        return "\n".join(self.lines) + "\n"

    def force_blank(self) -> None:
        if self.lines and self.lines[-1]:
            self.lines.append("")

    def _blank_between(self, line: int) -> None:
        # One blank line where the source had one or more, never at a block's start.
        if self.last_line and any(
            not self.source.line_text(n).strip() for n in range(self.last_line + 1, line)
        ):
            if self.lines and self.lines[-1] and not self.lines[-1].endswith("{"):
                self.lines.append("")

    def flush_comments(self, until: int | None, depth: int) -> None:
        while self.pending and (until is None or self.pending[0].span.line < until):
            comment = self.pending.pop(0)
            self._blank_between(comment.span.line)
            self.lines.append(INDENT * depth + comment.text.rstrip())
            self.last_line = comment.span.line

    def emit(self, text: str, line: int, depth: int) -> None:
        self.flush_comments(line, depth)
        self._blank_between(line)
        self.last_output_for[line] = len(self.lines)
        self.lines.append(INDENT * depth + text)
        self.last_line = max(self.last_line, line)

    def close(self, end_line: int, depth: int) -> None:
        self.flush_comments(end_line, depth + 1)
        self.emit("}", end_line, depth)


def _statement(writer: _Writer, statement: ir.Statement) -> None:
    line = statement.span.line
    if isinstance(statement, ir.MappingDecl):
        writer.emit(f"mapping {name(statement.name.value)}", line, 0)
    elif isinstance(statement, ir.SettingsBlock):
        writer.emit("settings {", line, 0)
        for setting in statement.settings:
            value = setting.value
            shown = name(value.value) if isinstance(value, ir.Name) else literal(value.value)
            writer.emit(f"{name(setting.key.value)}: {shown}", setting.span.line, 1)
        writer.close(statement.span.end_line, 0)
    elif isinstance(statement, ir.SyncBlock):
        _sync(writer, statement)
    elif isinstance(statement, ir.ValuesBlock):
        writer.emit(f"values {name(statement.name.value)} {{", line, 0)
        lefts = [_value(e.hubspot) for e in statement.entries]
        width = max((len(left) for left in lefts), default=0)
        for entry, left in zip(statement.entries, lefts, strict=True):
            writer.emit(
                f"{left.ljust(width)} -> {literal(entry.salesforce.value)}", entry.span.line, 1
            )
        writer.close(statement.span.end_line, 0)
    else:
        kinds = ", ".join(name(k.value) for k in statement.kinds)
        head = f"events {kinds} -> {name(statement.target.value)}"
        if not statement.dedupe and not statement.look_back:
            writer.emit(head, line, 0)
            return
        writer.emit(head + " {", line, 0)
        clauses: list[tuple[int, str]] = [
            (d.span.line, f"dedupe {name(d.mode.value)}") for d in statement.dedupe
        ]
        clauses += [
            (b.span.line, f"look back {literal(b.amount.value)} {name(b.unit.value)}")
            for b in statement.look_back
        ]
        for clause_line, text in sorted(clauses, key=lambda c: c[0]):
            writer.emit(text, clause_line, 1)
        writer.close(statement.span.end_line, 0)


def _sync(writer: _Writer, block: ir.SyncBlock) -> None:
    objects = ", ".join(name(o.value) for o in block.salesforce_objects)
    writer.emit(
        f"sync {name(block.hubspot_object.value)} {block.direction.value} {objects} {{",
        block.span.line,
        0,
    )
    maps = block.field_maps
    left = max((len(field_ref(m.hubspot)) for m in maps), default=0)
    right = max((len(field_ref(m.salesforce)) for m in maps), default=0)
    for item in block.items:
        writer.emit(_item(item, left, right), item.span.line, 1)
    writer.close(block.span.end_line, 0)


def _item(item: ir.SyncItem, left: int, right: int) -> str:
    if isinstance(item, ir.FieldMap):
        text = f"{field_ref(item.hubspot).ljust(left)} {item.direction.value.rjust(3)} {field_ref(item.salesforce)}"
        if item.clauses:
            text = (
                text.ljust(left + right + 5) + " : " + ", ".join(_clause(c) for c in item.clauses)
            )
        return text.rstrip()
    if isinstance(item, ir.MatchField):
        return f"match {field_ref(item.field)}" + (" ignore case" if item.ignore_case else "")
    if isinstance(item, ir.MatchAssociated):
        return f"match associated {name(item.via.value)}" + (" sticky" if item.sticky else "")
    if isinstance(item, ir.MatchNone):
        return "match none"
    if isinstance(item, ir.Include):
        return f"include where {expr(item.where)}"
    if isinstance(item, ir.Default):
        return f"default {field_ref(item.target)} = {literal(item.value.value)}"
    if isinstance(item, ir.OnDelete):
        return f"on delete in {name(item.side.value)}: {name(item.action.value)}"
    if isinstance(item, ir.IdempotencyKey):
        return f"idempotency key {field_ref(item.field)}"
    if isinstance(item, ir.Associate):
        return (
            f"associate {name(item.hubspot_object.value)} {item.direction.value} "
            f"{field_ref(item.salesforce)}"
        )
    return (
        f"on {name(item.event.value)}: {field_ref(item.target)} = {literal(item.value.value)} "
        f"via {name(item.via.value)}"
    )
