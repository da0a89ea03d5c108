"""`idempotency key`: a field of one side, unique there, that holds the other side's id."""

from __future__ import annotations

from mapc.compiler import ir
from mapc.compiler.catalog import FieldDef
from mapc.compiler.check.context import Context, ResolvedBlock
from mapc.compiler.check.names import resolve_hubspot, salesforce_targets

# A record id is text; a picklist, a number or an email field cannot hold one.
_TEXT = frozenset({"text"})


def check_keys(context: Context, block: ResolvedBlock, nodes: list[ir.IdempotencyKey]) -> None:
    for node in nodes:
        qualifier = node.field.object.value if node.field.object else None
        if qualifier == block.hubspot.name and qualifier not in block.salesforce:
            _hubspot_key(context, block, node)
        else:
            _salesforce_key(context, block, node)
    _not_written_by_mappings(context, block)


def _hubspot_key(context: Context, block: ResolvedBlock, node: ir.IdempotencyKey) -> None:
    field = resolve_hubspot(context, block.hubspot, node.field)
    if field is None:
        return
    where = f"HubSpot {block.hubspot.name}.{field.name}"
    if block.node.direction is ir.Direction.TO_SALESFORCE:
        context.error(
            "E413",
            f"{where} is an idempotency key for HubSpot records, and this block never "
            "creates any (`->`)",
            node.span,
            "remove the key, or let the block sync both ways (`<->`)",
        )
        return
    if not _usable(context, node, field, where, unique_hint=_HUBSPOT_UNIQUE):
        return
    if block.hubspot_key is not None:
        _twice(context, node, where, block.hubspot_key[1])
        return
    block.hubspot_key = (field, node)


def _salesforce_key(context: Context, block: ResolvedBlock, node: ir.IdempotencyKey) -> None:
    targets = salesforce_targets(context, block.salesforce, node.field)
    if targets is None:
        return
    if block.node.direction is ir.Direction.TO_HUBSPOT:
        context.error(
            "E413",
            f"{node.field} is an idempotency key for Salesforce records, and this block "
            "never creates any (`<-`)",
            node.span,
            "remove the key, or let the block sync both ways (`<->`)",
        )
        return
    for object_name, field in targets.items():
        where = f"Salesforce {object_name}.{field.name}"
        if not _usable(context, node, field, where, unique_hint=_SALESFORCE_UNIQUE):
            continue
        if object_name in block.salesforce_keys:
            _twice(context, node, where, block.salesforce_keys[object_name][1])
            continue
        block.salesforce_keys[object_name] = (field, node)


_SALESFORCE_UNIQUE = (
    "in Setup, Object Manager, edit the field: tick External ID and Unique; then refresh "
    "the catalog (`mapc schema pull`) or set `external_id` and `unique` in the project catalog"
)
_HUBSPOT_UNIQUE = (
    "create a property with unique values (Settings, Properties, `Require unique values for "
    "this property`); then refresh the catalog (`mapc schema pull`) or set `unique` in the "
    "project catalog"
)


def _usable(
    context: Context, node: ir.IdempotencyKey, field: FieldDef, where: str, unique_hint: str
) -> bool:
    if field.type not in _TEXT:
        context.error(
            "E416",
            f"{where} is {field.type}, and an idempotency key holds the other side's record "
            "id, which is text",
            node.field.span,
            "use a single-line text field (Salesforce: Text(18) or longer; HubSpot: "
            "single-line text)",
        )
        return False
    salesforce = where.startswith("Salesforce ")
    if not field.unique or (salesforce and not field.external_id):
        missing = (
            " and ".join(
                name
                for name, ok in (("an external id", field.external_id), ("unique", field.unique))
                if not ok
            )
            if salesforce
            else "unique"
        )
        context.error(
            "E417",
            f"{where} is not {missing}, so a create retried after a lost answer could "
            "still make a second record",
            node.field.span,
            unique_hint,
        )
        return False
    if not field.writable_on_create:
        context.error(
            "E411",
            f"{where} cannot be set on create",
            node.field.span,
            "an idempotency key is written when the record is created: use a writable field",
        )
        return False
    return True


def _twice(context: Context, node: ir.IdempotencyKey, where: str, first: ir.IdempotencyKey) -> None:
    context.error(
        "E418",
        f"two idempotency keys for one object: {where} and the key on line {first.span.line}",
        node.span,
        "keep one: a record is looked up by a single key",
    )


def _not_written_by_mappings(context: Context, block: ResolvedBlock) -> None:
    """A key holds the other side's id, nothing else: no mapping or default may write it."""
    for resolved in block.fields:
        hubspot_key = block.hubspot_key
        if (
            hubspot_key is not None
            and resolved.to_hubspot
            and resolved.hubspot.name == hubspot_key[0].name
        ):
            _written(context, hubspot_key[1], resolved.node.span.line)
        for object_name, field in resolved.salesforce.items():
            key = block.salesforce_keys.get(object_name)
            if key is not None and resolved.to_salesforce and field.name == key[0].name:
                _written(context, key[1], resolved.node.span.line)
    for object_name, field, default in block.defaults:
        key = block.salesforce_keys.get(object_name)
        if key is not None and field.name == key[0].name:
            _written(context, key[1], default.span.line)
    for field, default in block.hubspot_defaults:
        if block.hubspot_key is not None and field.name == block.hubspot_key[0].name:
            _written(context, block.hubspot_key[1], default.span.line)


def _written(context: Context, node: ir.IdempotencyKey, line: int) -> None:
    context.error(
        "E412",
        f"idempotency key {node.field} is also written by line {line}",
        node.span,
        "a key holds the other side's record id and nothing else: remove the other writer",
    )
