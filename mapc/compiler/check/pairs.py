"""Sync blocks: which objects pair (and with what), and how their records match (R6)."""

from __future__ import annotations

from mapc.compiler import ir
from mapc.compiler.catalog import ObjectDef
from mapc.compiler.check.context import Context, ResolvedBlock
from mapc.compiler.check.names import did_you_mean

PAIRS: dict[str, tuple[str, ...]] = {
    "contacts": ("Lead", "Contact"),
    "companies": ("Account",),
    "deals": ("Opportunity",),
}
_MATCH_HINTS = {
    "contacts": "HubSpot deduplicates leads and contacts by email: write `match email ignore case`",
    "companies": "HubSpot deduplicates accounts by their associated contacts, and once a "
    "company is linked to an account it never moves: write `match associated contacts sticky`",
    "deals": "HubSpot does not deduplicate opportunities: write `match none`",
}


def resolve_pair(context: Context, block: ir.SyncBlock) -> ResolvedBlock | None:
    name = block.hubspot_object.value
    hubspot = context.catalog.hubspot.object(name)
    ok = True
    if hubspot is None:
        hint = did_you_mean(name, context.catalog.hubspot.suggest_objects(name)) or (
            f"the synced HubSpot objects are {', '.join(PAIRS)}"
        )
        context.error("E201", f"unknown HubSpot object `{name}`", block.hubspot_object.span, hint)
        ok = False
    elif name not in PAIRS:
        context.error(
            "E207",
            f"HubSpot {name} do not sync with Salesforce",
            block.hubspot_object.span,
            f"the synced objects are {', '.join(PAIRS)}",
        )
        ok = False
    salesforce: dict[str, ObjectDef] = {}
    for object_name in block.salesforce_objects:
        obj = context.catalog.salesforce.object(object_name.value)
        if obj is None:
            hint = (
                did_you_mean(
                    object_name.value, context.catalog.salesforce.suggest_objects(object_name.value)
                )
                or f"HubSpot {name} sync with {', '.join(PAIRS.get(name, ('Lead', 'Contact')))}"
            )
            context.error(
                "E202", f"unknown Salesforce object `{object_name.value}`", object_name.span, hint
            )
            ok = False
        elif obj.name in salesforce:
            context.error("E207", f"`{obj.name}` is listed twice", object_name.span, "list it once")
            ok = False
        elif name in PAIRS and obj.name not in PAIRS[name]:
            partner = next((h for h, sf in PAIRS.items() if obj.name in sf), None)
            hint = f"HubSpot {name} sync with {', '.join(PAIRS[name])}"
            if partner:
                hint += f"; {obj.name} pairs with `sync {partner} <-> {obj.name}`"
            context.error(
                "E207",
                f"HubSpot {name} cannot sync with Salesforce {obj.name}",
                object_name.span,
                hint,
            )
            ok = False
        else:
            salesforce[obj.name] = obj
    if not ok or hubspot is None:
        return None
    return ResolvedBlock(node=block, hubspot=hubspot, salesforce=salesforce)


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
            _MATCH_HINTS[kind],
        )
        return
    for extra in matches[1:]:
        context.error("E404", "more than one `match` clause", extra.span, "keep one")
    match = matches[0]
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
        context.error("E404", f"{kind} cannot be matched this way", match.span, _MATCH_HINTS[kind])
