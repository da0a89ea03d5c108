"""`create_salesforce_as`: which Salesforce object a new HubSpot contact creates, checked
against what `sync contacts` syncs once every block has resolved."""

from __future__ import annotations

from mapc.compiler import ir
from mapc.compiler.check.context import Context, ResolvedBlock
from mapc.compiler.check.structure import CREATE_SALESFORCE_AS

CONTACTS = "contacts"


def contacts_block(context: Context) -> ResolvedBlock | None:
    return next((b for b in context.blocks if b.hubspot.name == CONTACTS), None)


def check_create_target(context: Context) -> None:
    target, span = context.settings.create_salesforce_as, context.settings.create_salesforce_as_span
    if target is None or span is None:
        return
    block = contacts_block(context)
    value = next(k for k, v in CREATE_SALESFORCE_AS.items() if v == target)
    if block is None:
        context.error(
            "E106",
            f"`create_salesforce_as: {value}` but no `sync contacts` block creates anything",
            span,
            f"add `sync contacts <-> {target} {{ ... }}`, or remove the setting",
        )
    elif target not in block.salesforce:
        others = [k for k, v in CREATE_SALESFORCE_AS.items() if v in block.salesforce]
        context.error(
            "E106",
            f"`create_salesforce_as: {value}` but `sync contacts` does not sync {target}",
            span,
            f"add {target} to `sync contacts <-> {', '.join(block.salesforce)}`"
            + (f", or write `create_salesforce_as: {others[0]}`" if others else ""),
        )


def create_object(context: Context, block: ResolvedBlock) -> str | None:
    """The Salesforce object a new HubSpot record of `block` creates, when it may be more
    than one (contacts with leads and contacts): the setting's, else the first listed."""
    if block.hubspot.name != CONTACTS or len(block.salesforce) < 2:
        return None
    if block.node.direction is ir.Direction.TO_HUBSPOT:
        return None
    return context.settings.create_salesforce_as or next(iter(block.salesforce))
