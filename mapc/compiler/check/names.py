"""Name resolution against the catalogs, with "did you mean" hints."""

from __future__ import annotations

from mapc.compiler import ir
from mapc.compiler.catalog import FieldDef, ObjectDef, suggest
from mapc.compiler.check.context import Context


def did_you_mean(name: str, candidates: list[str]) -> str | None:
    if not candidates:
        return None
    quoted = " or ".join(f"`{c}`" for c in candidates)
    return f"did you mean {quoted}?"


def resolve_hubspot(context: Context, hubspot: ObjectDef, ref: ir.FieldRef) -> FieldDef | None:
    """A HubSpot property of `hubspot`; `ref` may be qualified with that object's name."""
    if ref.object is not None and ref.object.value != hubspot.name:
        context.error(
            "E206",
            f"`{ref.object.value}` is not this block's HubSpot object `{hubspot.name}`",
            ref.object.span,
            f"write the property without a prefix, or as `{hubspot.name}.{ref.field.value}`",
        )
        return None
    field = hubspot.field(ref.field.value)
    if field is None:
        name = ref.field.value
        hint = did_you_mean(name, hubspot.suggest_fields(name)) or (
            "create the property in HubSpot, then refresh the catalog (`mapc schema pull`) "
            "or declare it in the project catalog"
        )
        context.error(
            "E203", f"HubSpot {hubspot.name} has no property `{name}`", ref.field.span, hint
        )
    return field


def salesforce_targets(
    context: Context, pair: dict[str, ObjectDef], ref: ir.FieldRef
) -> dict[str, FieldDef] | None:
    """The field on each Salesforce object of the pair that `ref` names.

    Unqualified, it must exist on every object of the pair; `Lead.Company` names one.
    None when anything failed to resolve (the diagnostics say what).
    """
    if ref.object is not None:
        obj = pair.get(ref.object.value)
        if obj is None:
            context.error(
                "E206",
                f"`{ref.object.value}` is not one of this block's Salesforce objects",
                ref.object.span,
                f"the block pairs with {', '.join(pair)}",
            )
            return None
        objects = {obj.name: obj}
    else:
        objects = pair
    name = ref.field.value
    found: dict[str, FieldDef] = {}
    missing: list[ObjectDef] = []
    for obj in objects.values():
        field = obj.field(name)
        if field is None:
            missing.append(obj)
        else:
            found[obj.name] = field
    if not missing:
        return found
    if found and ref.object is None:
        having = next(iter(found))
        for obj in missing:
            context.error(
                "E204",
                f"Salesforce {obj.name} has no field `{name}`",
                ref.field.span,
                f"only {', '.join(found)} has it: write `{having}.{name}` to map it there alone",
            )
        return None
    names = " and ".join(o.name for o in missing)
    elsewhere = [
        o.name for o in pair.values() if o.name not in objects and o.field(name) is not None
    ]
    if elsewhere:
        context.error(
            "E204",
            f"Salesforce {names} has no field `{name}`",
            ref.field.span,
            f"`{name}` is on {' and '.join(elsewhere)}: write `{elsewhere[0]}.{name}`",
        )
        return None
    close = suggest(name, missing[0].fields, 3)
    hint = did_you_mean(name, close) or (
        f"create the custom field on {names} in Salesforce (custom fields end in `__c`), then "
        f"refresh the catalog with `mapc schema pull`, or declare it in the project catalog "
        f"(setting `catalogs`)"
    )
    verb = "has" if len(missing) == 1 else "have"
    context.error("E204", f"Salesforce {names} {verb} no field `{name}`", ref.field.span, hint)
    return None
