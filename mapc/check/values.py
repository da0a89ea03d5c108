"""Value maps: complete, naming real options, and one-to-one when used both ways (R3)."""

from __future__ import annotations

from mapc import ir
from mapc.catalog import FieldDef
from mapc.check.context import Context, ResolvedField


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
    if hubspot.is_enum:
        _check_side(context, block, hubspot, f"HubSpot {hubspot.name}", left=True, complete=to_sf)
    for object_name, sf_field in resolved.salesforce.items():
        if sf_field.is_enum:
            where = f"Salesforce {object_name}.{sf_field.name}"
            _check_side(context, block, sf_field, where, left=False, complete=to_hs)
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
) -> None:
    options = field.option_values
    written: list[tuple[str, ir.Literal]] = [
        (str(lit.value), lit)
        for lit in (e.hubspot if left else e.salesforce for e in block.entries)
    ]
    for value, literal in written:
        if value not in options:
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
                + (
                    f'`{missing[0]} -> "..."`'
                    if left
                    else f"`... -> {missing[0]!r}`".replace("'", '"')
                ),
            )
