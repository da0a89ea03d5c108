"""Sync blocks end to end: pairs, matching, field mappings, filters, defaults, keys, Closed/Won."""

from __future__ import annotations

from mapc.compiler import ir
from mapc.compiler.check.behaviours import OPTIONAL_WITH_PERSON_ACCOUNTS
from mapc.compiler.check.context import Context, ResolvedBlock
from mapc.compiler.check.deletions import check_deletions
from mapc.compiler.check.fieldmaps import (
    OPT_OUT_HUBSPOT,
    OPT_OUT_LINE,
    OPT_OUT_SALESFORCE,
    check_field_map,
)
from mapc.compiler.check.filters import check_filter
from mapc.compiler.check.keys import check_keys
from mapc.compiler.check.literals import check_literal
from mapc.compiler.check.names import resolve_hubspot, salesforce_targets
from mapc.compiler.check.pairs import SEED_PAIRS, check_match, resolve_pair
from mapc.compiler.source import Span
from mapc.runtime.kinds import PersonAccounts, Rule


def check_blocks(context: Context) -> None:
    seen: dict[str, ir.SyncBlock] = {}
    for node in context.mapping.of_type(ir.SyncBlock):
        name = node.hubspot_object.value
        known = context.catalog.hubspot.object(name)
        name = known.name if known is not None else name  # `2-4100001` is `widgets`
        if name in seen:
            context.error(
                "E102",
                f"duplicate `sync {name}` block",
                node.hubspot_object.span,
                f"the first one is on line {seen[name].span.line}; merge the two into one",
            )
            continue
        seen[name] = node
        block = resolve_pair(context, node)
        if block is None:
            continue
        context.blocks.append(block)
        _check_block(context, block)
    if "contacts" not in seen:
        declaration = context.mapping.of_type(ir.MappingDecl)
        span = declaration[0].span if declaration else Span.point(context.mapping.span.file, 1, 1)
        context.error(
            "E401",
            "the standard opt-out mapping is missing: the file has no `sync contacts` block",
            span,
            f"every mapping syncs contacts with `{OPT_OUT_LINE}` (CAN-SPAM)",
        )


def _check_block(context: Context, block: ResolvedBlock) -> None:
    check_match(context, block)
    includes: list[ir.Include] = []
    events: list[ir.OnEvent] = []
    keys: list[ir.IdempotencyKey] = []
    deletions: list[ir.OnDelete] = []
    for item in block.node.items:
        if isinstance(item, ir.FieldMap):
            resolved = check_field_map(context, block, item)
            if resolved is not None:
                block.fields.append(resolved)
        elif isinstance(item, ir.Include):
            includes.append(item)
        elif isinstance(item, ir.Default):
            _check_default(context, block, item)
        elif isinstance(item, ir.OnEvent):
            events.append(item)
        elif isinstance(item, ir.IdempotencyKey):
            keys.append(item)
        elif isinstance(item, ir.OnDelete):
            deletions.append(item)
    _check_includes(context, block, includes)
    check_keys(context, block, keys)
    check_deletions(context, block, deletions)
    _check_closed_won(context, block, events)
    if block.hubspot.name == "contacts":
        _require_opt_out(context, block)
    _check_single_writer(context, block)
    _check_required(context, block)


def _check_includes(context: Context, block: ResolvedBlock, includes: list[ir.Include]) -> None:
    for include in includes:
        if block.hubspot.name in SEED_PAIRS and block.hubspot.name != "contacts":
            context.error(
                "E406",
                f"an inclusion filter applies to contacts, not {block.hubspot.name}",
                include.span,
                "HubSpot's inclusion list decides which contacts sync; move it to `sync contacts`",
            )
            return
    for extra in includes[1:]:
        context.error(
            "E102",
            "duplicate `include` filter",
            extra.span,
            f"the first one is on line {includes[0].span.line}; combine them with `and` / `or`",
        )
    if includes:
        check_filter(context, block.hubspot, includes[0].where)


def _check_default(context: Context, block: ResolvedBlock, node: ir.Default) -> None:
    qualifier = node.target.object.value if node.target.object else None
    if qualifier == block.hubspot.name and qualifier not in block.salesforce:
        _check_hubspot_default(context, block, node)
        return
    targets = salesforce_targets(context, block.salesforce, node.target)
    if targets is None:
        return
    for object_name, field in targets.items():
        where = f"Salesforce {object_name}.{field.name}"
        if not field.writable_on_create:
            context.error(
                "E411",
                f"{where} cannot be set on create",
                node.target.span,
                "defaults fill fields Salesforce requires on create; this one is read-only",
            )
            continue
        # Recorded even when the constant is wrong: the field is fed, the value is the error.
        check_literal(context, node.value, field, where)
        if any(o == object_name and f.name == field.name for o, f, _ in block.defaults):
            context.error("E412", f"two defaults for {where}", node.span, "keep one")
            continue
        block.defaults.append((object_name, field, node))


def _check_hubspot_default(context: Context, block: ResolvedBlock, node: ir.Default) -> None:
    """`default tickets.hs_pipeline_stage = "1"`: a HubSpot property set when mapc creates a
    HubSpot record and no mapping gives it a value."""
    field = resolve_hubspot(context, block.hubspot, node.target)
    if field is None:
        return
    where = f"HubSpot {block.hubspot.name}.{field.name}"
    if not field.writable_on_create:
        context.error(
            "E411",
            f"{where} cannot be set on create",
            node.target.span,
            "a default fills a property HubSpot requires on create; this one is read-only",
        )
        return
    check_literal(context, node.value, field, where)
    if any(f.name == field.name for f, _ in block.hubspot_defaults):
        context.error("E412", f"two defaults for {where}", node.span, "keep one")
        return
    block.hubspot_defaults.append((field, node))


def _check_closed_won(context: Context, block: ResolvedBlock, events: list[ir.OnEvent]) -> None:
    for event in events:
        if block.hubspot.name != "deals":
            context.error(
                "E407",
                f"`on {event.event.value}` belongs in `sync deals <-> Opportunity`",
                event.span,
                "only opportunities are Closed/Won",
            )
            continue
        if event.event.value != "closed_won":
            context.error(
                "E407",
                f"unknown trigger `{event.event.value}`",
                event.event.span,
                "the one trigger is `closed_won`",
            )
            continue
        if context.closed_won is not None:
            context.error("E102", "duplicate `on closed_won` rule", event.span, "keep one")
            continue
        if event.via.value != "contact_roles":
            context.error(
                "E407",
                f"Closed/Won reaches contacts through opportunity contact roles, not `{event.via.value}`",
                event.via.span,
                "write `via contact_roles`: an opportunity with an account but no contact roles "
                "changes no contact",
            )
            continue
        target_object = event.target.object.value if event.target.object else None
        if target_object != "contacts":
            context.error(
                "E407",
                "Closed/Won sets a property of the HubSpot contacts",
                event.target.span,
                'write `contacts.lifecyclestage = "customer"`',
            )
            continue
        contacts = context.catalog.hubspot.object("contacts")
        assert contacts is not None  # the shipped catalog always has contacts
        bare = ir.FieldRef(span=event.target.span, object=None, field=event.target.field)
        field = resolve_hubspot(context, contacts, bare)
        if field is None:
            continue
        if field.read_only:
            context.error(
                "E411",
                f"HubSpot contacts.{field.name} is read-only",
                event.target.span,
                'Closed/Won sets a writable contact property, e.g. `contacts.lifecyclestage = "customer"`',
            )
            continue
        if check_literal(context, event.value, field, f"HubSpot contacts.{field.name}"):
            context.closed_won = (event, "contacts")


def _require_opt_out(context: Context, block: ResolvedBlock) -> None:
    if any(resolved.rule is Rule.OPT_OUT for resolved in block.fields):
        return
    if any(isinstance(i, ir.FieldMap) and _names_opt_out(i) for i in block.node.items):
        return  # written but altered: its E402/E403 says why
    context.error(
        "E401",
        "the standard opt-out mapping is missing",
        block.node.hubspot_object.span,
        f"add `{OPT_OUT_LINE}`: it cannot be removed (CAN-SPAM)",
    )


def _names_opt_out(node: ir.FieldMap) -> bool:
    return (
        any(isinstance(c, ir.Standard) for c in node.clauses)
        or node.hubspot.field.value == OPT_OUT_HUBSPOT
        or node.salesforce.field.value == OPT_OUT_SALESFORCE
    )


def _check_single_writer(context: Context, block: ResolvedBlock) -> None:
    writers: dict[tuple[str, str], ir.FieldMap] = {}
    for resolved in block.fields:
        node = resolved.node
        targets: list[tuple[str, str]] = []
        if resolved.to_salesforce:
            targets += [(o, f.name) for o, f in resolved.salesforce.items()]
        if resolved.to_hubspot:
            targets.append(("HubSpot", resolved.hubspot.name))
        clashes: dict[int, list[str]] = {}  # the other mapping's line -> what both write
        for target in targets:
            first = writers.get(target)
            if first is None:
                writers[target] = node
                continue
            system = (
                "HubSpot " + block.hubspot.name
                if target[0] == "HubSpot"
                else "Salesforce " + target[0]
            )
            clashes.setdefault(first.span.line, []).append(f"{system}.{target[1]}")
        for line, written in clashes.items():
            shown = " and ".join(
                w.removeprefix("Salesforce ") if i and written[0].startswith("Salesforce ") else w
                for i, w in enumerate(written)
            )
            context.error(
                "E412",
                f"{shown} {'is' if len(written) == 1 else 'are'} written by two mappings",
                node.span,
                f"the other is on line {line}; make one of them `do not sync` or one-way",
            )


def _check_required(context: Context, block: ResolvedBlock) -> None:
    _check_required_in_hubspot(context, block)
    fed: set[tuple[str, str]] = {(o, f.name) for o, f, _ in block.defaults}
    for resolved in block.fields:
        if resolved.to_salesforce and resolved.rule is not Rule.OPT_OUT:
            fed |= {(o, f.name) for o, f in resolved.salesforce.items()}
    if not any(r.to_salesforce and r.rule is not Rule.OPT_OUT for r in block.fields):
        return  # nothing is created in Salesforce from this block
    for name_node in block.node.salesforce_objects:
        obj = block.salesforce[name_node.value]
        # R7: an org that surely has person accounts makes these optional (a lead without
        # a company converts to a person account); `auto` may meet a standard org.
        optional = (
            OPTIONAL_WITH_PERSON_ACCOUNTS.get(obj.name, frozenset())
            if context.settings.person_accounts is PersonAccounts.ON
            else frozenset()
        )
        unset = [
            field.name
            for field in obj.fields.values()
            if field.required
            and field.writable_on_create
            and (obj.name, field.name) not in fed
            and field.name not in optional
        ]
        if not unset:
            continue
        # One diagnostic for the object: every field it names is the same mistake.
        names = " and ".join(f"{obj.name}.{name}" for name in unset)
        verb = "is" if len(unset) == 1 else "are"
        context.error(
            "E410",
            f"Salesforce {names} {verb} required on create, and nothing sets "
            + ("it" if len(unset) == 1 else "them"),
            name_node.span,
            "map a HubSpot property to "
            + ("it" if len(unset) == 1 else "each")
            + ", or declare "
            + ", ".join(f"`default {obj.name}.{name} = ...`" for name in unset),
        )


def _check_required_in_hubspot(context: Context, block: ResolvedBlock) -> None:
    """HubSpot's own required-on-create properties (a deal's stage, a ticket's subject)."""
    to_hubspot = [r for r in block.fields if r.to_hubspot and r.rule is not Rule.OPT_OUT]
    if not to_hubspot:
        return  # nothing is created in HubSpot from this block
    fed = {r.hubspot.name for r in to_hubspot} | {f.name for f, _ in block.hubspot_defaults}
    unset = [
        field
        for field in block.hubspot.fields.values()
        if field.required and field.writable_on_create and field.name not in fed
    ]
    if not unset:
        return
    # One diagnostic for the object: every property it names is the same mistake.
    names = [f"{block.hubspot.name}.{f.name}" for f in unset]
    one = len(unset) == 1
    context.error(
        "E410",
        f"HubSpot {' and '.join(names)} {'is' if one else 'are'} required on create, "
        f"and nothing sets {'it' if one else 'them'}",
        block.node.hubspot_object.span,
        f"map a Salesforce field to {'it' if one else 'each'} with `<->` or `<-`, or declare "
        + ", ".join(f"`default {name} = ...`" for name in names),
    )
