"""Sync blocks: which objects pair (and with what), and how their records match (R6).

Any HubSpot object of the catalogs (standard, engagement or custom) pairs with any
Salesforce object of the catalogs. The seed's three pairs keep HubSpot's connector's own
rules: contacts sync with leads and contacts, companies with accounts, deals with
opportunities, each matched the one way the connector matches them.
"""

from __future__ import annotations

from mapc.compiler import ir
from mapc.compiler.catalog import ObjectDef
from mapc.compiler.check.context import Context, ResolvedBlock
from mapc.compiler.check.names import did_you_mean

SEED_PAIRS: dict[str, tuple[str, ...]] = {
    "contacts": ("Lead", "Contact"),
    "companies": ("Account",),
    "deals": ("Opportunity",),
}
"""HubSpot's connector's own pairs: each side pairs with the other and nothing else."""
NOT_RECORDS = {
    "owners": "HubSpot owners are not records to sync: owner fields sync through `owner` (R10)",
    "User": "Salesforce users are not records to sync: owner fields sync through `owner` (R10)",
    "Group": "Salesforce queues are not records to sync: owner fields sync through `owner` (R10)",
}
_SEED_MATCH_HINTS = {
    "contacts": "HubSpot deduplicates leads and contacts by email: write `match email ignore case`",
    "companies": "HubSpot deduplicates accounts by their associated contacts, and once a "
    "company is linked to an account it never moves: write `match associated contacts sticky`",
    "deals": "HubSpot does not deduplicate opportunities: write `match none`",
}
_MATCH_HINT = (
    "write `match none` (every new record creates its counterpart) or `match PROPERTY` "
    "(a property this block maps, e.g. an external id; add `ignore case` for text)"
)
_CREATE_HINT = "declare it in the project catalog (`catalogs:` setting) or run `mapc schema pull`"


def _seed_partner(salesforce_object: str) -> str | None:
    return next((h for h, sf in SEED_PAIRS.items() if salesforce_object in sf), None)


def resolve_pair(context: Context, block: ir.SyncBlock) -> ResolvedBlock | None:
    name = block.hubspot_object.value
    hubspot = context.catalog.hubspot.object(name)
    ok = True
    if hubspot is None:
        hint = did_you_mean(name, context.catalog.hubspot.suggest_objects(name)) or (
            f"no HubSpot object `{name}` is known; if it is a custom object, {_CREATE_HINT}"
        )
        context.error("E201", f"unknown HubSpot object `{name}`", block.hubspot_object.span, hint)
        ok = False
    elif hubspot.name in NOT_RECORDS:
        context.error(
            "E207",
            f"HubSpot {hubspot.name} do not sync with Salesforce",
            block.hubspot_object.span,
            NOT_RECORDS[hubspot.name],
        )
        ok = False
    hs_name = hubspot.name if hubspot is not None else name
    pairable = ok
    salesforce: dict[str, ObjectDef] = {}
    for object_name in block.salesforce_objects:
        obj = context.catalog.salesforce.object(object_name.value)
        if obj is None:
            hint = did_you_mean(
                object_name.value, context.catalog.salesforce.suggest_objects(object_name.value)
            ) or (
                f"no Salesforce object `{object_name.value}` is known; custom objects end in "
                f"`__c`: {_CREATE_HINT}"
            )
            context.error(
                "E202", f"unknown Salesforce object `{object_name.value}`", object_name.span, hint
            )
            ok = False
            continue
        problem = (
            _pair_problem(context, hs_name, obj, salesforce, block)
            if pairable
            else (
                (f"`{obj.name}` is listed twice", "list it once")
                if obj.name in salesforce
                else None
            )
        )
        if problem is not None:
            context.error("E207", problem[0], object_name.span, problem[1])
            ok = False
        else:
            salesforce[obj.name] = obj
    if not ok or hubspot is None:
        return None
    return ResolvedBlock(node=block, hubspot=hubspot, salesforce=salesforce)


def _pair_problem(
    context: Context,
    hubspot: str,
    obj: ObjectDef,
    already: dict[str, ObjectDef],
    block: ir.SyncBlock,
) -> tuple[str, str] | None:
    """(message, hint) when `obj` cannot join this block's pair, else None."""
    if obj.name in already:
        return f"`{obj.name}` is listed twice", "list it once"
    if obj.name in NOT_RECORDS:
        return f"HubSpot {hubspot} cannot sync with Salesforce {obj.name}", NOT_RECORDS[obj.name]
    if hubspot in SEED_PAIRS and obj.name not in SEED_PAIRS[hubspot]:
        hint = f"HubSpot {hubspot} sync with {', '.join(SEED_PAIRS[hubspot])}"
        partner = _seed_partner(obj.name)
        if partner:
            hint += f"; {obj.name} pairs with `sync {partner} <-> {obj.name}`"
        return f"HubSpot {hubspot} cannot sync with Salesforce {obj.name}", hint
    partner = _seed_partner(obj.name)
    if hubspot not in SEED_PAIRS and partner is not None:
        return (
            f"HubSpot {hubspot} cannot sync with Salesforce {obj.name}",
            f"{obj.name} syncs with HubSpot {partner} (`sync {partner} <-> "
            f"{', '.join(SEED_PAIRS[partner])}`), the pair HubSpot's connector keeps",
        )
    if hubspot not in SEED_PAIRS and already:
        return (
            f"HubSpot {hubspot} sync with one Salesforce object",
            f"only contacts sync with two (Lead, Contact); pair {obj.name} in its own "
            "block with another HubSpot object",
        )
    owner = context.salesforce_owners.get(obj.name)
    if owner is not None and owner[0] != hubspot:
        return (
            f"Salesforce {obj.name} already syncs with HubSpot {owner[0]}",
            f"that block is on line {owner[1]}; a Salesforce object syncs in one block",
        )
    context.salesforce_owners.setdefault(obj.name, (hubspot, block.span.line))
    return None


def check_match(context: Context, block: ResolvedBlock) -> None:
    node = block.node
    matches = [
        i for i in node.items if isinstance(i, ir.MatchField | ir.MatchAssociated | ir.MatchNone)
    ]
    kind = block.hubspot.name
    if not matches:
        context.error(
            "E405",
            f"`sync {kind}` does not say how records match",
            node.hubspot_object.span,
            _SEED_MATCH_HINTS.get(kind, _MATCH_HINT),
        )
        return
    for extra in matches[1:]:
        context.error("E404", "more than one `match` clause", extra.span, "keep one")
    match = matches[0]
    if kind not in SEED_PAIRS:
        _check_free_match(context, block, match)
        return
    if kind == "contacts":
        right = (
            isinstance(match, ir.MatchField)
            and (match.field.object is None or match.field.object.value == "contacts")
            and match.field.field.value == "email"
            and match.ignore_case
        )
        if (
            isinstance(match, ir.MatchField)
            and match.field.field.value == "email"
            and not match.ignore_case
        ):
            context.error(
                "E404",
                "email matching must ignore case",
                match.span,
                "`Ann@Example.com` and `ann@example.com` are one person: write `match email ignore case`",
            )
            return
    elif kind == "companies":
        right = (
            isinstance(match, ir.MatchAssociated) and match.via.value == "contacts" and match.sticky
        )
    else:
        right = isinstance(match, ir.MatchNone)
    if not right:
        context.error(
            "E404", f"{kind} cannot be matched this way", match.span, _SEED_MATCH_HINTS[kind]
        )


def _check_free_match(
    context: Context, block: ResolvedBlock, match: ir.MatchField | ir.MatchAssociated | ir.MatchNone
) -> None:
    """A pair of the integrator's own: `match none`, or a property the block maps."""
    kind = block.hubspot.name
    if isinstance(match, ir.MatchNone):
        return
    if isinstance(match, ir.MatchAssociated):
        context.error(
            "E404",
            f"{kind} cannot be matched through associated records",
            match.span,
            "only companies match through their contacts (R6); " + _MATCH_HINT,
        )
        return
    ref = match.field
    hubspot = context.catalog.hubspot

    def names_this_object(qualifier: ir.Name | None) -> bool:
        return qualifier is None or hubspot.object(qualifier.value) is hubspot.object(kind)

    if not names_this_object(ref.object):
        context.error(
            "E404",
            f"`{ref}` is not a property of HubSpot {kind}",
            ref.span,
            f"match on a property of {kind} that this block maps",
        )
        return
    mapped = [
        m
        for m in block.node.field_maps
        if m.hubspot.field.value == ref.field.value and names_this_object(m.hubspot.object)
    ]
    if len(mapped) != 1 or mapped[0].salesforce.object is not None:
        context.error(
            "E404",
            f"`match {ref.field.value}` needs `{ref.field.value}` mapped once, to one field of "
            f"every object of the pair",
            ref.span,
            f"map it in this block, e.g. `{ref.field.value} <-> External_Id__c : two way`; "
            "the match key is compared on both sides of that mapping",
        )


def match_salesforce_field(block: ResolvedBlock, hubspot_field: str) -> str | None:
    """The Salesforce field a matched HubSpot property is mapped to in this block."""
    for resolved in block.fields:
        if resolved.hubspot.name == hubspot_field:
            return next(iter(resolved.salesforce.values())).name
    return None
