"""Value maps: complete, naming real options, and one-to-one when used both ways (R3)."""

from __future__ import annotations

import json

from mapc.compiler import ir
from mapc.compiler.catalog import FieldDef
from mapc.compiler.check.context import Context, ResolvedField


def check_value_maps(context: Context) -> None:
    for block in context.value_maps.values():
        _check_entries(context, block)
        if block.name.value not in context.referenced_maps:
            context.warn(
                "W102",
                f"value map `{block.name.value}` is never used",
                block.name.span,
                f"use it with `, values {block.name.value}` on a field mapping, or delete it",
            )
    for block, resolved in context.value_map_uses:
        _check_use(context, block, resolved)


def _check_entries(context: Context, block: ir.ValuesBlock) -> None:
    seen: dict[tuple[str, str], ir.ValueEntry] = {}
    for entry in block.entries:
        key = (str(entry.hubspot.value), str(entry.salesforce.value))
        if key in seen:
            context.error(
                "E506",
                f"{key[0]!r} -> {key[1]!r} is written twice in `{block.name.value}`",
                entry.span,
                f"the first is on line {seen[key].span.line}; keep one",
            )
        else:
            seen[key] = entry


def _check_use(context: Context, block: ir.ValuesBlock, resolved: ResolvedField) -> None:
    to_sf, to_hs = resolved.to_salesforce, resolved.to_hubspot
    hubspot = resolved.hubspot
    # Objects whose field has the same options (Lead and Contact's Lifecycle_Stage__c) are
    # reported together: one problem, one diagnostic.
    groups: dict[tuple[str, ...], list[tuple[str, FieldDef]]] = {}
    for object_name, sf_field in resolved.salesforce.items():
        if sf_field.is_enum:
            groups.setdefault(sf_field.option_values, []).append((object_name, sf_field))
    partner = next(iter(groups.values()))[0][1] if groups else None
    if hubspot.is_enum:
        where = f"HubSpot {hubspot.name}"
        _check_side(context, block, hubspot, where, left=True, complete=to_sf, partner=partner)
    for members in groups.values():
        names = " and ".join(o for o, _ in members)
        where = f"Salesforce {names} {members[0][1].name}"
        _check_side(
            context, block, members[0][1], where, left=False, complete=to_hs, partner=hubspot
        )
    if to_sf:
        _check_function(context, block, left=True, both_ways=to_hs)
    if to_hs:
        _check_function(context, block, left=False, both_ways=to_sf)


def _check_function(
    context: Context, block: ir.ValuesBlock, *, left: bool, both_ways: bool
) -> None:
    """Each value on the reading side must translate to exactly one value on the other."""
    first_for: dict[str, ir.ValueEntry] = {}
    for entry in block.entries:
        source, target = (
            (entry.hubspot, entry.salesforce) if left else (entry.salesforce, entry.hubspot)
        )
        key = str(source.value)
        first = first_for.setdefault(key, entry)
        if first is entry:
            continue
        earlier = first.salesforce if left else first.hubspot
        if str(earlier.value) == str(target.value):
            continue
        hint = (
            "a two-way value map must be one-to-one, or values flip-flop between the systems; "
            "make the mapping one-way or give each option its own value"
            if both_ways
            else f"the first is on line {first.span.line}; keep one"
        )
        side = "HubSpot" if left else "Salesforce"
        context.error(
            "E503" if both_ways else "E506",
            f"`{block.name.value}` translates {side} {key!r} both to {earlier.value!r} and to {target.value!r}",
            source.span,
            hint,
        )


def _check_side(
    context: Context,
    block: ir.ValuesBlock,
    field: FieldDef,
    where: str,
    *,
    left: bool,
    complete: bool,
    partner: FieldDef | None = None,
) -> None:
    options = field.option_values
    written: list[tuple[str, ir.Literal]] = [
        (str(lit.value), lit)
        for lit in (e.hubspot if left else e.salesforce for e in block.entries)
    ]
    for value, literal in written:
        # An unrestricted Salesforce picklist stores values outside its options as well.
        if value not in options and not field.accepts_other_values:
            shown = ", ".join(repr(o) for o in options[:10]) + (
                ", ..." if len(options) > 10 else ""
            )
            context.error(
                "E502",
                f"{value!r} is not an option of {where}",
                literal.span,
                f"the options are: {shown}",
            )
    if complete:
        present = {value for value, _ in written}
        missing = [o for o in options if o not in present]
        if missing:
            context.error(
                "E501",
                f"value map `{block.name.value}` does not cover every option of {where}: "
                + ", ".join(repr(m) for m in missing),
                block.name.span,
                "add an entry for each missing option, e.g. "
                + _example_entry(missing[0], left=left, partner=partner),
            )


def _example_entry(missing: str, *, left: bool, partner: FieldDef | None) -> str:
    """An entry to add, with the other side guessed from its options when one fits."""
    other = _closest_option(missing, partner) if partner is not None else None
    if left:
        return f"`{missing} -> {json.dumps(other or '...')}`"
    return f"`{other or '...'} -> {json.dumps(missing)}`"


def _closest_option(value: str, field: FieldDef) -> str | None:
    def squash(text: str) -> str:
        return "".join(c for c in text.casefold() if c.isalnum())

    wanted = squash(value)
    for option in field.options:
        if wanted in (squash(option.value), squash(option.label)):
            return option.value
    return None
