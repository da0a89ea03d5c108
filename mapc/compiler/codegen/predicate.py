"""The inclusion filter (R4) compiled twice: to Python statements and to HubSpot search.

The Python predicate decides. The search filter only narrows what is read, so it must
match a superset of the records the predicate accepts: a negative test (`!=`, `not in`,
`not`) also matches records where the property has no value, as it does in Python, and
a filter HubSpot's search cannot hold (more than 5 groups of 6, or 18 filters) is None.

Search compares what Python does not: strings case-insensitively, dates and datetimes as
instants. So a test search could narrow wrongly is left out of the search filter (it
reads more, the predicate still decides): `!=` and `not in` on free text ("B" != "b" in
Python, equal to search), and anything but `==` / `in` on dates and datetimes
("2024-01-01" and "2024-01-01T00:00:00.000Z" are one instant, two strings). Enumeration
values are the property's options, which search matches exactly, so they are kept.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from mapc.compiler import ir
from mapc.compiler.catalog import ENUM_KINDS
from mapc.compiler.codegen.context import ModuleContext
from mapc.compiler.codegen.pretty import Dict, Node, Seq, layout
from mapc.compiler.codegen.transforms import kind_class

__all__ = ["PredicateView", "build_predicate", "search_filter"]

_FLIP = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
_SEARCH_OP = {"==": "EQ", "!=": "NEQ", "<": "LT", "<=": "LTE", ">": "GT", ">=": "GTE"}
MAX_GROUPS, MAX_FILTERS, MAX_TOTAL = 5, 6, 18


@dataclass
class PredicateView:
    name: str
    lines: list[str] = field(default_factory=list)
    """Statements computing the parts of the filter, one per atom or operator."""
    result: str = "True"
    uses_get: bool = True
    constants: list[tuple[str, str]] = field(default_factory=list)
    """(name, tuple) of the value lists `in` tests use, hoisted to module constants."""


def _as_number(value: object) -> int | float | None:
    """A literal as a number, for a test on a number property; None when it is none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    try:
        return float(str(value))
    except ValueError:
        return None


class _Compiler:
    def __init__(self, ctx: ModuleContext, view: PredicateView, kinds: dict[str, str]):
        self.ctx, self.view, self.kinds = ctx, view, kinds
        self.count = 0

    def _temp(self, prefix: str, expr: str) -> str:
        name = f"{prefix}{self.count}"
        self.count += 1
        self.view.lines.append(f"{name} = {expr}")
        return name

    def _class(self, ref: ir.FieldRef) -> str:
        return kind_class(self.kinds.get(ref.field.value, "text"))

    def _get(self, ref: ir.FieldRef) -> str:
        return f"get({self.ctx.lit(ref.field.value)})"

    def _compare(self, node: ir.Compare) -> str:
        cls, get, value = self._class(node.field), self._get(node.field), node.value.value
        if cls == "bool" and node.op in ("==", "!="):
            forms = (True, "true") if value is True else (False, "false")
            op = "in" if node.op == "==" else "not in"
            return f"{get} {op} ({forms[0]!r}, {self.ctx.lit(forms[1])})"
        if cls == "number":
            number = _as_number(value)
            if number is None:  # a number is never equal to, or ordered with, text
                return "True" if node.op == "!=" else "False"
            get = self._temp("v", f"{self.ctx.helper('_number')}({get})")
            literal = self.ctx.lit(number)
            if node.op in ("==", "!="):
                return f"{get} {node.op} {literal}"
            return f"{get} is not None and {get} {node.op} {literal}"
        literal = self.ctx.lit(value)
        if node.op in ("==", "!="):
            return f"{get} {node.op} {literal}"
        # An ordering never holds for a blank value, in Python as in HubSpot's search.
        v = self._temp("v", get)
        return f'{v} not in (None, "") and {v} {node.op} {literal}'

    def _in_list(self, node: ir.InList) -> str:
        cls, get = self._class(node.field), self._get(node.field)
        values: list[object] = []
        for literal in node.values:
            values.append(literal.value)
            if cls == "bool" and isinstance(literal.value, bool):
                values.append("true" if literal.value else "false")
        if cls == "number":
            numbers = [n for n in map(_as_number, values) if n is not None]
            if not numbers:  # no number in the list: nothing is in it
                return "True" if node.negated else "False"
            values = list(numbers)
            get = self._temp("v", f"{self.ctx.helper('_number')}({get})")
        name = self.ctx.names.take(self.view.name, "values", upper=True)
        items = tuple(self.ctx.lit(v) for v in values)
        values_node = Seq(items, explode=len(items) > 1)
        self.view.constants.append((name, layout(values_node, 0, len(name) + 3)))
        return f"{get} {'not in' if node.negated else 'in'} {name}"

    def compile(self, node: ir.Expr) -> str:
        """Emit statements for `node`; return the name (or short expression) of its value."""
        if isinstance(node, ir.Compare):
            return self._temp("c", self._compare(node))
        if isinstance(node, ir.InList):
            return self._temp("c", self._in_list(node))
        if isinstance(node, ir.IsBlank):
            op = "not in" if node.negated else "in"
            return self._temp("c", f'{self._get(node.field)} {op} (None, "")')
        if isinstance(node, ir.Not):
            return self._temp("c", f"not {self.compile(node.operand)}")
        parts = [self.compile(operand) for operand in node.operands]
        joiner = " and " if isinstance(node, ir.And) else " or "
        result = parts[0]
        for part in parts[1:]:  # pairwise, so every line stays short
            result = self._temp("c", f"{result}{joiner}{part}")
        return result


def build_predicate(
    ctx: ModuleContext, name: str, expr: ir.Expr, kinds: tuple[tuple[str, str], ...]
) -> PredicateView:
    view = PredicateView(name)
    compiler = _Compiler(ctx, view, dict(kinds))
    result = compiler.compile(expr)
    if view.lines and view.lines[-1].startswith(f"{result} = "):
        view.result = view.lines.pop().split(" = ", 1)[1]  # return the last part directly
    else:
        view.result = result
    view.uses_get = any("get(" in line for line in (*view.lines, view.result))
    return view


# -- HubSpot search filterGroups ------------------------------------------------------

Filter = tuple[tuple[str, object], ...]
Groups = list[list[Filter]]
Kinds = dict[str, str]


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_ANY: Groups = [[]]
"""One group with no filter: matches every record (a test search cannot narrow safely)."""


def _narrows_safely(kind: str, operator: str) -> bool:
    """Whether search with `operator` on a `kind` property matches all Python would."""
    cls = kind_class(kind)
    if cls in ("date", "datetime"):
        return operator in ("EQ", "IN")
    if cls == "text" and kind not in ENUM_KINDS:
        return operator not in ("NEQ", "NOT_IN")
    return True


def _atom(node: ir.Compare | ir.InList | ir.IsBlank, negated: bool, kinds: Kinds) -> Groups:
    name = node.field.field.value
    kind = kinds.get(name, "text")
    prop = ("propertyName", name)
    missing: Filter = (prop, ("operator", "NOT_HAS_PROPERTY"))
    if isinstance(node, ir.IsBlank):
        blank = node.negated == negated
        return [[missing]] if blank else [[(prop, ("operator", "HAS_PROPERTY"))]]
    if isinstance(node, ir.InList):
        values = ("values", tuple(_text(v.value) for v in node.values))
        if node.negated != negated:
            if not _narrows_safely(kind, "NOT_IN"):
                return _ANY
            return [[(prop, ("operator", "NOT_IN"), values)], [missing]]
        if not _narrows_safely(kind, "IN"):
            return _ANY
        return [[(prop, ("operator", "IN"), values)]]
    op = _FLIP[node.op] if negated else node.op
    if not _narrows_safely(kind, _SEARCH_OP[op]):
        return _ANY
    found: Filter = (prop, ("operator", _SEARCH_OP[op]), ("value", _text(node.value.value)))
    # `!=` and a negated ordering hold for blank values too (see the module docstring).
    return [[found], [missing]] if op == "!=" or (negated and op != "==") else [[found]]


def _dnf(node: ir.Expr, negated: bool, kinds: Kinds) -> Groups:
    if isinstance(node, (ir.Compare, ir.InList, ir.IsBlank)):
        return _atom(node, negated, kinds)
    if isinstance(node, ir.Not):
        return _dnf(node.operand, not negated, kinds)
    children = [_dnf(operand, negated, kinds) for operand in node.operands]
    if isinstance(node, ir.Or) != negated:  # an Or, or a negated And (De Morgan)
        return [group for child in children for group in child]
    groups: Groups = []
    for combo in itertools.product(*children):
        merged: list[Filter] = []
        for group in combo:
            merged.extend(f for f in group if f not in merged)
        groups.append(merged)
        if len(groups) > MAX_GROUPS:
            break
    return groups


def search_filter(
    ctx: ModuleContext, expr: ir.Expr, kinds: tuple[tuple[str, str], ...]
) -> Seq | None:
    """The filter as filterGroups (an OR of ANDs), or None when search cannot hold it or
    it would not narrow what is read (a group with no filter matches every record)."""
    groups = _dnf(expr, False, dict(kinds))
    if any(not group for group in groups):
        return None
    total = sum(len(g) for g in groups)
    if len(groups) > MAX_GROUPS or total > MAX_TOTAL or any(len(g) > MAX_FILTERS for g in groups):
        return None
    rendered: list[Node] = []
    for group in groups:
        filters: list[Node] = []
        for f in group:
            entries: list[tuple[str, Node]] = []
            for key, value in f:
                if isinstance(value, tuple):
                    items = tuple(ctx.lit(v) for v in value)
                    entries.append((ctx.lit(key), Seq(items, "[]", explode=bool(items))))
                else:
                    entries.append((ctx.lit(key), ctx.lit(value)))
            filters.append(Dict(tuple(entries), explode=True))
        rendered.append(Dict(((ctx.lit("filters"), Seq(tuple(filters), "[]", True)),), True))
    return Seq(tuple(rendered), explode=len(rendered) > 1)
