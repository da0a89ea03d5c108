"""Changes to the field mappings of one pair: removed, added, rule, objects, clauses."""

from __future__ import annotations

from collections.abc import Iterator

from mapc.compiler import ir
from mapc.compiler.check.fieldmaps import clauses_of, effective_rule
from mapc.compiler.diff.change import Change
from mapc.compiler.diff.context import PairContext, was
from mapc.runtime.kinds import Rule

# How strongly each rule lets a side write to the other: (HubSpot -> Salesforce,
# Salesforce -> HubSpot); 2 always, 1 only while the receiving side is blank, 0 never.
_STRENGTH = {
    Rule.TWO_WAY: (2, 2),
    Rule.PREFER_SALESFORCE: (1, 2),
    Rule.ALWAYS_SALESFORCE: (0, 2),
    Rule.ALWAYS_HUBSPOT: (2, 0),
    Rule.DO_NOT_SYNC: (0, 0),
    Rule.OPT_OUT: (2, 2),
}
_RULE_TEXT = {
    Rule.TWO_WAY: "two way",
    Rule.PREFER_SALESFORCE: "prefer salesforce unless blank",
    Rule.ALWAYS_SALESFORCE: "Salesforce -> HubSpot only",
    Rule.ALWAYS_HUBSPOT: "HubSpot -> Salesforce only",
    Rule.DO_NOT_SYNC: "do not sync",
    Rule.OPT_OUT: "standard opt_out",
}

FieldKey = tuple[str, str]


def _fields(block: ir.SyncBlock) -> dict[FieldKey, ir.FieldMap]:
    found: dict[FieldKey, ir.FieldMap] = {}
    for node in block.field_maps:
        found.setdefault((node.hubspot.field.value, node.salesforce.field.value), node)
    return found


def field_label(node: ir.FieldMap) -> str:
    return f"{node.hubspot} {node.direction.value} {node.salesforce}"


def compare_fields(
    ctx: PairContext, old_objects: set[str], new_objects: set[str]
) -> Iterator[Change]:
    old_fields, new_fields = _fields(ctx.old), _fields(ctx.new)
    for key, node in old_fields.items():
        if key not in new_fields:
            yield Change(
                "B301",
                f"pair {ctx.name}: field mapping `{field_label(node)}` removed{was(node.span)}",
                ctx.anchor,
                node.span,
            )
    for key, node in new_fields.items():
        if key not in old_fields:
            yield Change(
                "S301", f"pair {ctx.name}: field mapping `{field_label(node)}` added", node.span
            )
            continue
        before = old_fields[key]
        yield from _compare_flow(ctx, before, node)
        yield from _compare_objects(ctx, before, node, old_objects, new_objects)
        yield from _compare_clauses(ctx, before, node)


def _rule(node: ir.FieldMap) -> Rule:
    return effective_rule(node, clauses_of(node).rule)


def _compare_flow(ctx: PairContext, old: ir.FieldMap, new: ir.FieldMap) -> Iterator[Change]:
    old_rule, new_rule = _rule(old), _rule(new)
    if old_rule is new_rule:
        return
    (a, b), (c, d) = _STRENGTH[old_rule], _STRENGTH[new_rule]
    what = (
        f"pair {ctx.name}: `{field_label(old)}` ({_RULE_TEXT[old_rule]}) is now "
        f"`{field_label(new)}` ({_RULE_TEXT[new_rule]})"
    )
    if Rule.OPT_OUT in (old_rule, new_rule):  # R1's rule is not a matter of strength
        code = "B309"
    elif (c, d) == (0, 0):
        code = "B304"
    elif a and b and not (c and d):
        code = "B303"
    elif (a and not b and d and not c) or (b and not a and c and not d):
        code = "B302"
    elif c < a or d < b:
        code = "B307"
    elif c > a or d > b:
        code = "S302"
    else:  # the same strengths under another rule: unknown effect, so not called safe
        code = "B307"
    yield Change(code, what, new.direction_span, old.direction_span)


def _targets(node: ir.FieldMap, objects: set[str]) -> set[str]:
    return {node.salesforce.object.value} if node.salesforce.object else set(objects)


def _compare_objects(
    ctx: PairContext,
    old: ir.FieldMap,
    new: ir.FieldMap,
    old_objects: set[str],
    new_objects: set[str],
) -> Iterator[Change]:
    before, after = _targets(old, old_objects), _targets(new, new_objects)
    # Objects that left or joined the whole pair are reported once, for the pair.
    lost = (before - after) & new_objects
    gained = (after - before) & old_objects
    label = f"`{new.hubspot} {new.salesforce.field.value}`"
    if lost:
        yield Change(
            "B305",
            f"pair {ctx.name}: {label} no longer syncs on {', '.join(sorted(lost))}",
            new.salesforce.span,
            old.salesforce.span,
        )
    if gained:
        yield Change(
            "S304",
            f"pair {ctx.name}: {label} now also syncs on {', '.join(sorted(gained))}",
            new.salesforce.span,
            old.salesforce.span,
        )


def _map_pairs(
    name: str | None, maps: dict[str, ir.ValuesBlock]
) -> tuple[tuple[str, str], ...] | None:
    if name is None or name not in maps:
        return None
    return tuple((str(e.hubspot.value), str(e.salesforce.value)) for e in maps[name].entries)


def _compare_clauses(ctx: PairContext, old: ir.FieldMap, new: ir.FieldMap) -> Iterator[Change]:
    old_clauses, new_clauses = clauses_of(old), clauses_of(new)
    old_map = old_clauses.values.name.value if old_clauses.values else None
    new_map = new_clauses.values.name.value if new_clauses.values else None
    if old_map != new_map and _map_pairs(old_map, ctx.old_maps) != _map_pairs(
        new_map, ctx.new_maps
    ):
        yield Change(
            "B306",
            f"pair {ctx.name}: `{new.hubspot} {new.salesforce}` value map "
            f"{_quote(old_map)} is now {_quote(new_map)}",
            new_clauses.values.span if new_clauses.values else new.span,
            old.span,
        )
    if (old_clauses.owner is None) != (new_clauses.owner is None):
        now = "translates owners" if new_clauses.owner else "no longer translates owners"
        yield Change(
            "B308",
            f"pair {ctx.name}: `{new.hubspot} {new.salesforce}` {now}",
            new_clauses.owner.span if new_clauses.owner else new.span,
            old.span,
        )


def _quote(name: str | None) -> str:
    return f"`{name}`" if name else "(none)"
