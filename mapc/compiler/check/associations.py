"""`associate`: a HubSpot association between two synced objects as a Salesforce lookup.

`sync tickets <-> Case { associate contacts <-> ContactId }` says: a ticket's associated
contact is the Case's ContactId, through the links of `sync contacts`. Checked once every
block has resolved, since the associated object's block may come later in the file.
"""

from __future__ import annotations

from mapc.compiler import ir
from mapc.compiler.catalog import hubspot_api_name
from mapc.compiler.check.context import Context, ResolvedAssociation, ResolvedBlock
from mapc.compiler.check.names import did_you_mean, salesforce_targets

_ALLOWED = {
    ir.Direction.BOTH: (ir.Direction.BOTH, ir.Direction.TO_SALESFORCE, ir.Direction.TO_HUBSPOT),
    ir.Direction.TO_SALESFORCE: (ir.Direction.TO_SALESFORCE,),
    ir.Direction.TO_HUBSPOT: (ir.Direction.TO_HUBSPOT,),
}
BUILT_IN = {("contacts", "companies")}
"""Associations HubSpot's connector keeps itself (R6: a contact's company is its account)."""


def check_associations(context: Context) -> None:
    by_object = {b.hubspot.name: b for b in context.blocks}
    for block in context.blocks:
        seen: dict[tuple[str, str], ir.Associate] = {}
        for item in block.node.items:
            if isinstance(item, ir.Associate):
                resolved = _check_one(context, block, by_object, item)
                if resolved is None:
                    continue
                for sobject, field in resolved.salesforce.items():
                    first = seen.get((sobject, field.name))
                    if first is not None:
                        context.error(
                            "E412",
                            f"Salesforce {sobject}.{field.name} is written by two associations",
                            item.salesforce.span,
                            f"the other is on line {first.span.line}; keep one",
                        )
                        break
                    seen[(sobject, field.name)] = item
                else:
                    block.associations.append(resolved)


def _check_one(
    context: Context, block: ResolvedBlock, by_object: dict[str, ResolvedBlock], node: ir.Associate
) -> ResolvedAssociation | None:
    name = node.hubspot_object.value
    known = context.catalog.hubspot.object(name)
    other = by_object.get(known.name if known is not None else name)
    if other is None:
        synced = ", ".join(sorted(by_object)) or "none"
        if known is None:
            hint = did_you_mean(name, context.catalog.hubspot.suggest_objects(name))
            context.error(
                "E201",
                f"unknown HubSpot object `{name}`",
                node.hubspot_object.span,
                hint or f"the objects this mapping syncs are {synced}",
            )
        else:
            context.error(
                "E415",
                f"HubSpot {name} do not sync in this mapping",
                node.hubspot_object.span,
                f"add a `sync {name} <-> ...` block, or associate one of: {synced}",
            )
        return None
    pair = (block.hubspot.name, other.hubspot.name)
    if pair in BUILT_IN:
        context.error(
            "E415",
            f"{pair[0]} and {pair[1]} are associated by the connector already",
            node.span,
            "a contact's company follows Contact.AccountId through `sync companies` (R6); "
            "remove this line",
        )
        return None
    if node.direction not in _ALLOWED[block.node.direction]:
        context.error(
            "E413",
            f"`{node.direction.value}` syncs a way its block (`{block.node.direction.value}`) "
            "does not",
            node.direction_span,
            f"use `{block.node.direction.value}`, or change the block's arrow",
        )
        return None
    fields = salesforce_targets(context, block.salesforce, node.salesforce)
    if fields is None:
        return None
    targets: set[str] = set()
    for sobject, field in fields.items():
        if field.type != "reference":
            context.error(
                "E415",
                f"Salesforce {sobject}.{field.name} is not a lookup field",
                node.salesforce.span,
                f"an association maps to a reference field that points at a record "
                f"{name} sync with ({', '.join(other.salesforce)}), e.g. `ContactId`",
            )
            return None
        reachable = [t for t in field.reference_to if t in other.salesforce]
        if not reachable:
            context.error(
                "E415",
                f"Salesforce {sobject}.{field.name} refers to {', '.join(field.reference_to)}, "
                f"which HubSpot {name} do not sync with",
                node.salesforce.span,
                f"{name} sync with {', '.join(other.salesforce)}: pick a lookup to one of them",
            )
            return None
        to_sf = node.direction is not ir.Direction.TO_HUBSPOT
        if to_sf and not (field.writable_on_update or field.writable_on_create):
            context.error(
                "E411",
                f"Salesforce {sobject}.{field.name} is read-only",
                node.salesforce.span,
                "write `<-`: the association can only travel from Salesforce to HubSpot",
            )
            return None
        targets.update(reachable)
    return ResolvedAssociation(
        node=node,
        hubspot_object=hubspot_api_name(other.hubspot),
        salesforce=fields,
        targets=tuple(t for t in other.salesforce if t in targets),
        to_salesforce=node.direction is not ir.Direction.TO_HUBSPOT,
        to_hubspot=node.direction is not ir.Direction.TO_SALESFORCE,
    )
