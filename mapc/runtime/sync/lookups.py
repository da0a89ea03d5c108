"""Declared associations (`associate contacts <-> ContactId`): a HubSpot association with
another synced object, as a Salesforce lookup, through the links of that object's pair.

Salesforce's lookup holds one record, HubSpot may associate several: the two agree while
the lookup's record is among the HubSpot associations' linked records. When they do not,
the side that changed since the last sync wins (the lookup's last synced value is kept in
the link's Salesforce snapshot, under the lookup's name); on a first sync, or when both
changed, Salesforce's lookup is added to HubSpot (adding loses nothing), and an empty
lookup takes HubSpot's first association.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from mapc.runtime.adapter import AssociationSync, ObjectSync
from mapc.runtime.records import WriteResult, chunked
from mapc.runtime.sync.behaviours.names import HUBSPOT_ID, SALESFORCE_ID
from mapc.runtime.sync.context import HUBSPOT, SALESFORCE, Context
from mapc.runtime.sync.state import Link
from mapc.runtime.sync.writes import HUBSPOT_BATCH, SALESFORCE_BATCH

BATCH = 100


@dataclass(frozen=True)
class Step:
    """What one link's association needs: nothing, a lookup to set, or an association to
    add in HubSpot (the associated record's HubSpot id), and the value then in sync."""

    set_lookup: str | None = None
    add_association: str | None = None
    synced: str | None = None


def decide_association(
    lookup: str | None,
    last: str | None,
    first: bool,
    hubspot_targets: list[str],
    hubspot_of: dict[str, str],
    association: AssociationSync,
) -> Step:
    """One link's association. `lookup` is the Salesforce lookup now, `last` its last
    synced value, `hubspot_targets` the Salesforce ids the HubSpot associations point at
    (through the associated pair's links, first is HubSpot's first), `hubspot_of` maps a
    linked Salesforce id to its HubSpot record."""
    if (lookup is None and not hubspot_targets) or (lookup in hubspot_targets):
        return Step(synced=lookup)
    lookup_changed = first or lookup != last
    if (
        lookup is not None
        and association.to_hubspot
        and lookup in hubspot_of
        and (lookup_changed or not hubspot_targets)
    ):
        return Step(add_association=hubspot_of[lookup], synced=lookup)
    if hubspot_targets and association.to_salesforce:
        return Step(set_lookup=hubspot_targets[0], synced=hubspot_targets[0])
    return Step(synced=last)


def sync_lookups(ctx: Context, objects: Iterable[ObjectSync]) -> None:
    for obj in objects:
        if not obj.associations:
            continue
        ids = _candidates(ctx, obj)
        for association in obj.associations:
            _queues(ctx, obj, association)
            for batch in chunked(sorted(ids), BATCH):
                _sync_batch(ctx, obj, association, batch)
    ctx.writes.flush_all()
    ctx.save()


def _candidates(ctx: Context, obj: ObjectSync) -> set[str]:
    """HubSpot ids of the pair's records read, linked or written this run: only they can
    have an association to sync, so the cost follows the changes."""
    ids = set(ctx.touched.get(obj.hubspot_object, ()))
    for chunk in ctx.staging.chunks(HUBSPOT, obj.hubspot_object, 500):
        ids.update(str(r[HUBSPOT_ID]) for r in chunk)
    for sobject in obj.salesforce_objects:
        for chunk in ctx.staging.chunks(SALESFORCE, sobject, 500):
            links = ctx.state.links_by_salesforce(
                obj.hubspot_object, [str(r[SALESFORCE_ID]) for r in chunk]
            )
            ids.update(link.hubspot_id for link in links.values())
    return ids


def _queues(ctx: Context, obj: ObjectSync, association: AssociationSync) -> None:
    hs, sf = ctx.hubspot, ctx.salesforce
    for sobject in association.salesforce_objects:
        ctx.writes.queue(
            f"sf:lookup:{sobject}",
            SALESFORCE_BATCH,
            partial(sf.update, sobject),
            after=lambda _items: ctx.save(),
        )
    name, other = obj.hubspot_object, association.hubspot_object
    ctx.writes.queue(
        f"hs:associate:{name}:{other}",
        HUBSPOT_BATCH,
        lambda pairs: hs.associate(name, other, pairs),
        after=lambda _items: ctx.save(),
    )


def _sync_batch(
    ctx: Context, obj: ObjectSync, association: AssociationSync, ids: Sequence[str]
) -> None:
    name, other, field = (
        obj.hubspot_object,
        association.hubspot_object,
        association.salesforce_field,
    )
    links = [
        link
        for link in ctx.state.links_by_hubspot(name, ids).values()
        if link.sf_object in association.salesforce_objects
    ]
    if not links:
        return
    associated = ctx.hubspot.associations(name, other, [link.hubspot_id for link in links])
    ctx.report.reads += 1
    other_links = ctx.state.links_by_hubspot(
        other, {i for found in associated.values() for i in found}
    )
    records = ctx.salesforce_records(obj, [(link.sf_object, link.sf_id) for link in links])
    lookups = {link.sf_id: _text((records.get(link.sf_id) or {}).get(field)) for link in links}
    hubspot_of = {
        sf_id: link.hubspot_id
        for sf_id, link in ctx.state.links_by_salesforce(
            other, {v for v in lookups.values() if v}
        ).items()
        if link.sf_object in association.targets
    }
    for link in links:
        if link.sf_id not in records:
            continue  # deleted or unreadable: the pair's own sync reports it
        targets = [
            other_links[h].sf_id
            for h in sorted(associated.get(link.hubspot_id, ()), key=lambda x: (len(x), x))
            if h in other_links and other_links[h].sf_object in association.targets
        ]
        step = decide_association(
            lookups[link.sf_id],
            _text(link.sf_values.get(field)),
            field not in link.sf_values,
            targets,
            hubspot_of,
            association,
        )
        _apply(ctx, obj, association, link, step)


def _apply(
    ctx: Context, obj: ObjectSync, association: AssociationSync, link: Link, step: Step
) -> None:
    name, other, field = (
        obj.hubspot_object,
        association.hubspot_object,
        association.salesforce_field,
    )

    def synced() -> None:
        if field not in link.sf_values or link.sf_values[field] != step.synced:
            link.sf_values[field] = step.synced
            ctx.touch(link)

    if step.set_lookup is None and step.add_association is None:
        if not ctx.dry_run:
            synced()
        return
    if step.set_lookup is not None:
        side, record, what = SALESFORCE, f"{link.sf_object} {link.sf_id}", (field,)
        reason = f"associated {other} in HubSpot"
    else:
        side, record, what = HUBSPOT, f"{name} {link.hubspot_id}", (other,)
        reason = f"{link.sf_object}.{field} in Salesforce"
    counted = ctx.will(name, side, "associate", record, what, reason)
    if ctx.dry_run:
        return

    def done(result: WriteResult) -> None:
        if result.ok:
            counted()
            synced()
        else:
            failed = link.hubspot_id if side == SALESFORCE else link.sf_id
            for err in result.errors:
                ctx.error(name, side, failed, err.code, err.message, what)

    if step.set_lookup is not None:
        payload: Any = {SALESFORCE_ID: link.sf_id, field: step.set_lookup}
        ctx.writes.add(f"sf:lookup:{link.sf_object}", payload, done)
    else:
        ctx.writes.add(
            f"hs:associate:{name}:{other}", (link.hubspot_id, step.add_association), done
        )


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)
