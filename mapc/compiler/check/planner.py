"""Checked context -> Plan: the resolved, deterministic description of what will run."""

from __future__ import annotations

from mapc.compiler import ir
from mapc.compiler.catalog import hubspot_api_name
from mapc.compiler.check.behaviours import behaviours_of, salesforce_reads
from mapc.compiler.check.context import Context, ResolvedBlock
from mapc.compiler.check.creates import create_object
from mapc.compiler.check.filters import filter_properties
from mapc.compiler.check.pairs import match_salesforce_field
from mapc.compiler.check.structure import EMAIL_EVENT_TYPES, look_back_seconds
from mapc.compiler.plan import (
    Plan,
    PlannedAssociation,
    PlannedClosedWon,
    PlannedDefault,
    PlannedEmailEvents,
    PlannedField,
    PlannedMatch,
    PlannedObject,
    PlannedValueMap,
)
from mapc.runtime.kinds import MatchKind

# Read on every record whatever the mapping says: ids and change timestamps for cursors.
SALESFORCE_SYSTEM_FIELDS = ("Id", "LastModifiedDate", "SystemModstamp")
HUBSPOT_SYSTEM_PROPERTIES = ("hs_lastmodifieddate", "hs_object_id")
HUBSPOT_SYSTEM_PROPERTIES_OF = {"contacts": ("hs_object_id", "lastmodifieddate")}
"""Contacts keep their change time in `lastmodifieddate`, every other object in
`hs_lastmodifieddate`."""


def build_plan(context: Context) -> Plan:
    declaration = context.mapping.of_type(ir.MappingDecl)[0]
    settings = context.settings
    two_way_maps = {
        block.name.value for block, resolved in context.value_map_uses if resolved.to_hubspot
    }
    used_maps = {block.name.value for block, _ in context.value_map_uses}
    value_maps = tuple(
        PlannedValueMap(
            name=block.name.value,
            pairs=tuple((str(e.hubspot.value), str(e.salesforce.value)) for e in block.entries),
            two_way=block.name.value in two_way_maps,
        )
        for block in sorted(context.value_maps.values(), key=lambda b: b.name.value)
        if block.name.value in used_maps
    )
    closed_won = None
    if context.closed_won is not None:
        event, hubspot_object = context.closed_won
        closed_won = PlannedClosedWon(
            hubspot_object=hubspot_object,
            hubspot_property=event.target.field.value,
            value=event.value.value,
            via=event.via.value,
        )
    email_events = None
    if context.events is not None:
        email_events = PlannedEmailEvents(
            event_types=tuple(EMAIL_EVENT_TYPES[k.value] for k in context.events.kinds),
            salesforce_object=context.events.target.value,
            look_back_seconds=next(
                (look_back_seconds(b) or 0 for b in context.events.look_back[:1]), 0
            ),
        )
    return Plan(
        name=declaration.name.value,
        source_path=context.source.name,
        source_sha256=context.source.sha256,
        create_hubspot_contacts=settings.create_hubspot_contacts,
        shared_org=settings.shared_org,
        person_accounts=settings.person_accounts,
        objects=tuple(_plan_object(context, block) for block in context.blocks),
        value_maps=value_maps,
        closed_won=closed_won,
        email_events=email_events,
    )


def _plan_object(context: Context, block: ResolvedBlock) -> PlannedObject:
    behaviours = behaviours_of(context, block)
    fields: list[PlannedField] = []
    for resolved in block.fields:
        node = resolved.node
        first = next(iter(resolved.salesforce.values()))
        fields.append(
            PlannedField(
                hubspot=resolved.hubspot.name,
                hubspot_kind=resolved.hubspot.type,
                salesforce=first.name,
                salesforce_kind=first.type,
                salesforce_objects=tuple(resolved.salesforce),
                rule=resolved.rule,
                to_salesforce=resolved.to_salesforce,
                to_hubspot=resolved.to_hubspot,
                owner=resolved.owner,
                value_map=resolved.value_map.name.value if resolved.value_map else None,
                span=node.span,
            )
        )
    match = _plan_match(block)
    include = next((i.where for i in block.node.items if isinstance(i, ir.Include)), None)
    filter_props = sorted(filter_properties(include)) if include is not None else []
    include_kinds = tuple((p, block.hubspot.fields[p].type) for p in filter_props)
    hubspot_properties = {f.hubspot for f in fields} | set(filter_props)
    hubspot_properties |= set(
        HUBSPOT_SYSTEM_PROPERTIES_OF.get(block.hubspot.name, HUBSPOT_SYSTEM_PROPERTIES)
    )
    if match.hubspot_field:
        hubspot_properties.add(match.hubspot_field)
    if block.hubspot_key is not None:
        hubspot_properties.add(block.hubspot_key[0].name)
    associations = tuple(
        PlannedAssociation(
            hubspot_object=a.hubspot_object,
            salesforce_field=next(iter(a.salesforce.values())).name,
            salesforce_objects=tuple(a.salesforce),
            targets=a.targets,
            to_salesforce=a.to_salesforce,
            to_hubspot=a.to_hubspot,
        )
        for a in block.associations
    )
    salesforce_fields = []
    for object_name in block.salesforce:
        names = {f.salesforce for f in fields if object_name in f.salesforce_objects}
        names |= set(SALESFORCE_SYSTEM_FIELDS) | salesforce_reads(behaviours, object_name)
        names |= {a.salesforce_field for a in associations if object_name in a.salesforce_objects}
        if match.salesforce_field:
            names.add(match.salesforce_field)
        if object_name in block.salesforce_keys:
            names.add(block.salesforce_keys[object_name][0].name)
        salesforce_fields.append((object_name, tuple(sorted(names))))
    return PlannedObject(
        hubspot_object=hubspot_api_name(block.hubspot),
        salesforce_objects=tuple(block.salesforce),
        match=match,
        fields=tuple(fields),
        include=include,
        include_kinds=include_kinds,
        defaults=tuple(
            PlannedDefault(salesforce_object=o, field=f.name, value=d.value.value)
            for o, f, d in block.defaults
        ),
        hubspot_properties=tuple(sorted(hubspot_properties)),
        salesforce_fields=tuple(salesforce_fields),
        associations=associations,
        hubspot_defaults=tuple((f.name, d.value.value) for f, d in block.hubspot_defaults),
        hubspot_to_salesforce=block.node.direction is not ir.Direction.TO_HUBSPOT,
        salesforce_to_hubspot=block.node.direction is not ir.Direction.TO_SALESFORCE,
        behaviours=behaviours,
        salesforce_keys=tuple(
            (o, block.salesforce_keys[o][0].name)
            for o in block.salesforce
            if o in block.salesforce_keys
        ),
        hubspot_key=block.hubspot_key[0].name if block.hubspot_key else None,
        create_object=create_object(context, block),
        on_salesforce_delete=block.on_salesforce_delete,
        on_hubspot_delete=block.on_hubspot_delete,
    )


def _plan_match(block: ResolvedBlock) -> PlannedMatch:
    match = next(
        i
        for i in block.node.items
        if isinstance(i, ir.MatchField | ir.MatchAssociated | ir.MatchNone)
    )
    if isinstance(match, ir.MatchField):
        field = match.field.field.value
        return PlannedMatch(
            kind=MatchKind.FIELD,
            hubspot_field=field,
            salesforce_field=match_salesforce_field(block, field) or "Email",
            ignore_case=match.ignore_case,
        )
    if isinstance(match, ir.MatchAssociated):
        return PlannedMatch(kind=MatchKind.ASSOCIATED_CONTACTS)
    return PlannedMatch(kind=MatchKind.NONE)
