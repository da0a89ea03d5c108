"""The inclusion filter (R4): field names, operators and constants against property kinds."""

from __future__ import annotations

from mapc.compiler import ir
from mapc.compiler.catalog import ENUM_KINDS, FieldDef, ObjectDef
from mapc.compiler.check.context import Context
from mapc.compiler.check.literals import check_literal
from mapc.compiler.check.names import resolve_hubspot

_ORDERED_KINDS = {"number", "currency", "percent", "date", "datetime"}


def check_filter(context: Context, hubspot: ObjectDef, expr: ir.Expr) -> None:
    if isinstance(expr, ir.And | ir.Or):
        for operand in expr.operands:
            check_filter(context, hubspot, operand)
    elif isinstance(expr, ir.Not):
        check_filter(context, hubspot, expr.operand)
    else:
        field = resolve_hubspot(context, hubspot, expr.field)
        if field is None:
            return
        where = f"HubSpot {hubspot.name}.{field.name}"
        if isinstance(expr, ir.Compare):
            _check_operator(context, expr, field, where)
            check_literal(context, expr.value, field, where)
        elif isinstance(expr, ir.InList):
            for value in expr.values:
                check_literal(context, value, field, where)


def _check_operator(context: Context, expr: ir.Compare, field: FieldDef, where: str) -> None:
    if expr.op in ("==", "!=") or field.type in _ORDERED_KINDS:
        return
    hint = "compare it with `==`, `!=` or `in [...]`"
    if field.type in ENUM_KINDS:
        hint = "options have no order: list the ones you mean with `in [...]`"
    context.error(
        "E304",
        f"`{expr.op}` needs an ordered value, but {where} is {field.type}",
        expr.span,
        hint,
    )


def filter_properties(expr: ir.Expr) -> set[str]:
    if isinstance(expr, ir.And | ir.Or):
        return set().union(*(filter_properties(o) for o in expr.operands))
    if isinstance(expr, ir.Not):
        return filter_properties(expr.operand)
    return {expr.field.field.value}
