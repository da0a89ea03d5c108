"""Name resolution against the catalogs, with "did you mean" hints."""

from __future__ import annotations

from mapc.compiler import ir
from mapc.compiler.catalog import FieldDef, ObjectDef, suggest
from mapc.compiler.check.context import Context

# The catalogs ship the standard fields; an account's own (and any standard one they
# miss) reach mapc through a project catalog.
_DECLARE = (
    "refresh the catalog with `mapc schema pull`, or declare it in the project catalog "
    "(setting `catalogs`, docs/catalogs.md)"
)


def did_you_mean(name: str, candidates: list[str]) -> str | None:
    if not candidates:
        return None
    quoted = " or ".join(f"`{c}`" for c in candidates)
    return f"did you mean {quoted}?"


def resolve_hubspot(context: Context, hubspot: ObjectDef, ref: ir.FieldRef) -> FieldDef | None:
    """A HubSpot property of `hubspot`; `ref` may be qualified with that object's name."""
    if ref.object is not None and context.catalog.hubspot.object(ref.object.value) is not hubspot:
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
        close = did_you_mean(name, hubspot.suggest_fields(name))
        hint = (
            f"{close} If `{name}` is a property of your HubSpot account, {_DECLARE}"
            if close
            else f"create the property in HubSpot, then {_DECLARE}"
        )
        context.error(
            "E203", f"HubSpot {hubspot.name} has no property `{name}`", ref.field.span, hint
        )
    return field


def salesforce_targets(
    context: Context,
    pair: dict[str, ObjectDef],
    ref: ir.FieldRef,
    counterpart: FieldDef | None = None,
) -> dict[str, FieldDef] | None:
    """The field on each Salesforce object of the pair that `ref` names.

    Unqualified, it must exist on every object of the pair; `Lead.Company` names one.
    None when anything failed to resolve (the diagnostics say what). `counterpart`, the
    HubSpot property mapped to it, lets a hint name the field that would fit instead.
    """
    if ref.object is not None:
        obj = pair.get(ref.object.value)
        if obj is None:
            context.error(
                "E206",
                f"`{ref.object.value}` is not one of this block's Salesforce objects",
                ref.object.span,
                _outside_hint(context, pair, ref, counterpart),
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
    close = did_you_mean(name, suggest(name, missing[0].fields, 3))
    hint = (
        f"{close} If {names} {'has' if len(missing) == 1 else 'have'} `{name}` in your org, "
        f"{_DECLARE}"
        if close
        else f"create the custom field on {names} in Salesforce (custom fields end in `__c`), "
        f"then {_DECLARE}"
    )
    verb = "has" if len(missing) == 1 else "have"
    context.error("E204", f"Salesforce {names} {verb} no field `{name}`", ref.field.span, hint)
    return None


def _outside_hint(
    context: Context, pair: dict[str, ObjectDef], ref: ir.FieldRef, counterpart: FieldDef | None
) -> str:
    """Where the named object does sync, and what this block can map instead (R2: a
    contact's Account Name is its account's, linked by a reference, never text)."""
    from mapc.compiler.check.likeness import same_meaning, writable_namesake
    from mapc.compiler.check.pairs import SEED_PAIRS

    named = ref.object.value if ref.object is not None else ""
    here = f"the block pairs with {', '.join(pair)}"
    # The block of this mapping that syncs the object, else the connector's own pair.
    home = next(
        (
            b.hubspot_object.value
            for b in context.mapping.of_type(ir.SyncBlock)
            if any(o.value == named for o in b.salesforce_objects)
        ),
        None,
    ) or next((h for h, objects in SEED_PAIRS.items() if named in objects), None)
    if home is None:
        return here
    where = f"`{named}` is synced by `sync {home} <-> {named}`"
    field = context.catalog.salesforce.field(named, ref.field.value)
    hubspot_home = context.catalog.hubspot.object(home)
    if field is not None and hubspot_home is not None:
        there = next((p for p in hubspot_home.fields.values() if same_meaning(p, field)), None)
        if there is not None:
            where += f" (there: `{there.name} <-> {field.name}`)"
    instead = None
    if counterpart is not None:
        instead = next(
            (
                (name, found)
                for name, obj in pair.items()
                if (found := writable_namesake(counterpart, obj.fields.values())) is not None
            ),
            None,
        )
    if counterpart is None or instead is None:
        return f"{where}; {here}"
    name, found = instead
    linked = [
        o
        for o, obj in pair.items()
        if any(
            f.type == "reference" and named in f.reference_to and f.writable_on_update
            for f in obj.fields.values()
        )
    ]
    link = (
        f", and let `sync {home} <-> {named}` link the {linked[0].lower()}'s {named.lower()}"
        if linked
        else ""
    )
    return f"{where}; here, map `{counterpart.name}` to `{name}.{found.name}` ({found.type}) instead{link}"
