"""Parse the SOQL subset the emulator answers into a small syntax tree."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mapc.emulator.salesforce.errors import SfApiError

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:[^'\\]|\\.)*')
      | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2}))
      | (?P<date>\d{4}-\d{2}-\d{2})
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<op><=|>=|!=|<>|=|<|>)
      | (?P<punct>[(),])
      | (?P<word>[A-Za-z_][A-Za-z0-9_.]*(?::\d+)?)
    )""",
    re.VERBOSE,
)
_KEYWORDS = {
    "SELECT",
    "FROM",
    "WHERE",
    "AND",
    "OR",
    "NOT",
    "IN",
    "LIKE",
    "ORDER",
    "BY",
    "ASC",
    "DESC",
    "NULLS",
    "FIRST",
    "LAST",
    "LIMIT",
    "OFFSET",
    "NULL",
    "TRUE",
    "FALSE",
    "INCLUDES",
    "EXCLUDES",
}
_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "b": "\b",
    "f": "\f",
    "'": "'",
    '"': '"',
    "\\": "\\",
    "%": "\\%",
    "_": "\\_",
}


@dataclass(frozen=True)
class Literal:
    kind: str  # string, number, date, datetime, boolean, null, date_literal
    value: Any


@dataclass(frozen=True)
class Comparison:
    field: str
    op: str  # = != < <= > >= LIKE IN NOT IN
    value: Literal | tuple[Literal, ...]


@dataclass(frozen=True)
class BoolOp:
    op: str  # AND, OR, NOT
    parts: tuple[Condition, ...]


Condition = Comparison | BoolOp


@dataclass(frozen=True)
class Ordering:
    field: str
    descending: bool
    nulls_last: bool


@dataclass(frozen=True)
class Query:
    fields: tuple[str, ...]
    count_only: bool
    sobject: str
    where: Condition | None
    order_by: tuple[Ordering, ...]
    limit: int | None
    offset: int | None


def malformed(message: str) -> SfApiError:
    return SfApiError.one(400, "MALFORMED_QUERY", message)


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        position = 0
        stripped = text.rstrip()
        while position < len(stripped):
            match = _TOKEN.match(stripped, position)
            if match is None or match.end() == position:
                raise malformed(f"unexpected token: '{stripped[position:].split()[0]}'")
            kind = match.lastgroup or ""
            value = match.group(kind)
            if kind == "word" and value.upper() in _KEYWORDS:
                kind, value = "kw", value.upper()
            self.tokens.append((kind, value))
            position = match.end()
        self.index = 0

    def peek(self, offset: int = 0) -> tuple[str, str]:
        at = self.index + offset
        return self.tokens[at] if at < len(self.tokens) else ("end", "")

    def take(self) -> tuple[str, str]:
        token = self.peek()
        self.index += 1
        return token

    def accept(self, keyword: str) -> bool:
        if self.peek() in (("kw", keyword), ("punct", keyword), ("op", keyword)):
            self.index += 1
            return True
        return False

    def expect(self, keyword: str) -> None:
        if not self.accept(keyword):
            found = self.peek()[1] or "end of query"
            raise malformed(f"unexpected token: '{found}', expecting {keyword}")

    def name(self) -> str:
        kind, value = self.take()
        if kind != "word":
            raise malformed(f"unexpected token: '{value or 'end of query'}'")
        return value


def parse(text: str) -> Query:
    p = _Parser(text)
    p.expect("SELECT")
    fields: list[str] = []
    count_only = False
    if p.peek()[1].upper() == "COUNT" and p.peek(1) == ("punct", "("):
        p.take(), p.take()
        p.expect(")")
        count_only = True
    else:
        fields.append(p.name())
        while p.accept(","):
            fields.append(p.name())
    p.expect("FROM")
    sobject = p.name()
    where = None
    if p.accept("WHERE"):
        where = _condition(p)
    order: list[Ordering] = []
    if p.accept("ORDER"):
        p.expect("BY")
        while True:
            field = p.name()
            descending = p.accept("DESC")
            if not descending:
                p.accept("ASC")
            nulls_last = descending
            if p.accept("NULLS"):
                nulls_last = p.accept("LAST")
                if not nulls_last:
                    p.expect("FIRST")
            order.append(Ordering(field, descending, nulls_last))
            if not p.accept(","):
                break
    limit = offset = None
    if p.accept("LIMIT"):
        limit = _integer(p)
    if p.accept("OFFSET"):
        offset = _integer(p)
    if p.peek()[0] != "end":
        raise malformed(f"unexpected token: '{p.peek()[1]}'")
    return Query(tuple(fields), count_only, sobject, where, tuple(order), limit, offset)


def _integer(p: _Parser) -> int:
    kind, value = p.take()
    if kind != "number" or not value.isdigit():
        raise malformed(f"unexpected token: '{value}'")
    return int(value)


def _condition(p: _Parser) -> Condition:
    parts = [_conjunction(p)]
    while p.accept("OR"):
        parts.append(_conjunction(p))
    return parts[0] if len(parts) == 1 else BoolOp("OR", tuple(parts))


def _conjunction(p: _Parser) -> Condition:
    parts = [_negation(p)]
    while p.accept("AND"):
        parts.append(_negation(p))
    return parts[0] if len(parts) == 1 else BoolOp("AND", tuple(parts))


def _negation(p: _Parser) -> Condition:
    if p.accept("NOT"):
        return BoolOp("NOT", (_negation(p),))
    if p.accept("("):
        inner = _condition(p)
        p.expect(")")
        return inner
    field = p.name()
    if p.accept("NOT"):
        p.expect("IN")
        return Comparison(field, "NOT IN", _list(p))
    if p.accept("IN"):
        return Comparison(field, "IN", _list(p))
    if p.accept("LIKE"):
        return Comparison(field, "LIKE", _literal(p))
    kind, op = p.take()
    if kind != "op":
        raise malformed(f"unexpected token: '{op or 'end of query'}'")
    return Comparison(field, "!=" if op == "<>" else op, _literal(p))


def _list(p: _Parser) -> tuple[Literal, ...]:
    p.expect("(")
    values = [_literal(p)]
    while p.accept(","):
        values.append(_literal(p))
    p.expect(")")
    return tuple(values)


def _literal(p: _Parser) -> Literal:
    kind, value = p.take()
    if kind == "string":
        return Literal("string", _unescape(value[1:-1]))
    if kind == "number":
        return Literal("number", float(value))
    if kind in ("date", "datetime"):
        return Literal(kind, value)
    if kind == "kw" and value in ("TRUE", "FALSE"):
        return Literal("boolean", value == "TRUE")
    if kind == "kw" and value == "NULL":
        return Literal("null", None)
    if kind == "word":
        return Literal("date_literal", value.upper())
    raise malformed(f"unexpected token: '{value or 'end of query'}'")


def _unescape(text: str) -> str:
    out: list[str] = []
    chars = iter(text)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            out.append(_ESCAPES.get(following, following))
        else:
            out.append(char)
    return "".join(out)
