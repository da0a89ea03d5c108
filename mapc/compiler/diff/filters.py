"""Inclusion filters: when does a new filter provably include every record the old one did?"""

from __future__ import annotations

from mapc.compiler import ir
from mapc.compiler.formatter import expr as canonical


def implies(old: ir.Expr, new: ir.Expr) -> bool:
    """True only when every record matching `old` matches `new` (sound, not complete)."""
    if canonical(old) == canonical(new):
        return True
    if isinstance(old, ir.Or):
        return all(implies(o, new) for o in old.operands)
    if isinstance(new, ir.And):
        return all(implies(old, n) for n in new.operands)
    if isinstance(new, ir.Or) and any(implies(old, n) for n in new.operands):
        return True
    if isinstance(old, ir.And) and any(implies(o, new) for o in old.operands):
        return True
    return _atom_implies(old, new)


def _atom_implies(old: ir.Expr, new: ir.Expr) -> bool:
    if isinstance(old, ir.InList) and isinstance(new, ir.InList):
        if str(old.field) != str(new.field) or old.negated != new.negated:
            return False
        old_values = {canonical_value(v) for v in old.values}
        new_values = {canonical_value(v) for v in new.values}
        # `in` admits more with more values; `not in` admits more with fewer.
        return new_values <= old_values if old.negated else old_values <= new_values
    if isinstance(old, ir.Compare) and isinstance(new, ir.InList):
        if str(old.field) != str(new.field):
            return False
        values = {canonical_value(v) for v in new.values}
        value = canonical_value(old.value)
        if old.op == "==" and not new.negated:
            return value in values
        if old.op == "!=" and new.negated:
            return values <= {value}
    if isinstance(old, ir.InList) and isinstance(new, ir.Compare):
        if str(old.field) != str(new.field):
            return False
        values = {canonical_value(v) for v in old.values}
        value = canonical_value(new.value)
        if new.op == "!=" and old.negated:
            return value in values
        if new.op == "==" and not old.negated:
            return values <= {value}
    return False


def canonical_value(literal: ir.Literal) -> str:
    return repr(literal.value)


def describe(node: ir.Expr | None) -> str:
    return "(none: every contact)" if node is None else canonical(node)
