"""Declared associations (`associate companies <-> AccountId`): a HubSpot association with
another synced object, as a Salesforce lookup, through the links of that object's pair.

Salesforce's lookup holds one record, HubSpot may associate several: the two agree while
the lookup's record is among the HubSpot associations' linked records. When they do not,
the side that changed since the last sync wins. The lookup's last synced value is kept in
the link's Salesforce snapshot (under the lookup's name), the HubSpot associations' in the
link's flags (by associated object): without the second, a lookup moved
in Salesforce to a record HubSpot cannot show (one not linked) looked like HubSpot
disagreeing and was put back on every run. A lookup that moves in Salesforce moves the
association: the new one is added, the one to the old record removed. When both changed,
or on a first sync, Salesforce's lookup is added to HubSpot (adding loses nothing), and an
empty lookup takes HubSpot's first association.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
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
    """What one link's association needs: a lookup to set (or clear), an association to
    add in HubSpot (the associated record's HubSpot id) and ones to remove, and the lookup
    value then in sync."""

    set_lookup: str | None = None
    clear_lookup: bool = False
    add_association: str | None = None
    remove_associations: tuple[str, ...] = ()
    synced: str | None = None

    @property
    def writes(self) -> bool:
        return bool(
            self.set_lookup or self.clear_lookup or self.add_association or self.remove_associations
        )


@dataclass(frozen=True)
class Sides:
    """One link's association as both sides hold it now and held it at the last sync."""

    lookup: str | None
    """The Salesforce lookup now."""
    last: str | None
    """Its last synced value."""
    first: bool
    """No lookup value was ever synced."""
    targets: list[str]
    """The Salesforce ids the HubSpot associations point at, through the associated pair's
    links, HubSpot's first association first."""
    associated: frozenset[str]
    """The HubSpot ids associated now, linked or not."""
    associated_last: frozenset[str] | None
    """The HubSpot ids associated at the last sync (None: never recorded)."""
    added: list[str] = field(default_factory=list)
    """`targets` whose HubSpot association is new since the last sync."""


def decide_association(
    sides: Sides, hubspot_of: dict[str, str], association: AssociationSync
) -> Step:
    """One link's association. `hubspot_of` maps a linked Salesforce id (the lookup's now
    and last) to its HubSpot record."""
    lookup, last, targets = sides.lookup, sides.last, sides.targets
    if (lookup is None and not targets) or (lookup in targets):
        return Step(synced=lookup)
    # No HubSpot snapshot (a link synced before snapshots were kept): which side changed
    # cannot be told, so it is a first sync, which adds and never removes.
    first = sides.first or sides.associated_last is None
    salesforce_changed = first or lookup != last
    hubspot_changed = first or sides.associated != sides.associated_last
    linked = lookup is not None and lookup in hubspot_of
    if salesforce_changed and not hubspot_changed and association.to_hubspot:
        # Salesforce moved the lookup: HubSpot follows, and forgets the old record.
        old = hubspot_of.get(last or "")
        remove = (old,) if old is not None and old in sides.associated else ()
        return Step(
            add_association=hubspot_of[lookup] if linked and lookup else None,
            remove_associations=remove,
            synced=lookup,
        )
    if hubspot_changed and not salesforce_changed and association.to_salesforce:
        if targets:
            target = (sides.added or targets)[0]
            return Step(set_lookup=target, synced=target)
        if not sides.associated and lookup is not None:
            return Step(clear_lookup=True, synced=None)  # HubSpot removed the association
        return Step(synced=last)
    if linked and lookup and association.to_hubspot:
        # Both changed, a first sync, or a lookup whose record has been linked since.
        return Step(add_association=hubspot_of[lookup], synced=lookup)
    if targets and association.to_salesforce and (salesforce_changed or lookup is None):
        return Step(set_lookup=targets[0], synced=targets[0])
    return Step(synced=last if not salesforce_changed else lookup)


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
    ctx.writes.queue(
        f"hs:dissociate:{name}:{other}",
        HUBSPOT_BATCH,
        lambda pairs: hs.dissociate(name, other, pairs),
        after=lambda _items: ctx.save(),
    )


def _by_hubspot_id(ids: Iterable[str]) -> list[str]:
    return sorted(ids, key=lambda x: (len(x), x))


def _sync_batch(
    ctx: Context, obj: ObjectSync, association: AssociationSync, ids: Sequence[str]
) -> None:
    name, other, lookup_field = (
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
    lookups = {
        link.sf_id: _text((records.get(link.sf_id) or {}).get(lookup_field)) for link in links
    }
    lasts = {link.sf_id: _text(link.sf_values.get(lookup_field)) for link in links}
    hubspot_of = {
        sf_id: link.hubspot_id
        for sf_id, link in ctx.state.links_by_salesforce(
            other, {v for v in (*lookups.values(), *lasts.values()) if v}
        ).items()
        if link.sf_object in association.targets
    }
    key = association.hubspot_object
    for link in links:
        if link.sf_id not in records:
            continue  # deleted or unreadable: the pair's own sync reports it
        if link.hubspot_id not in associated:
            continue  # HubSpot's associations could not be read: unknown is not "none"
        now = _by_hubspot_id(associated[link.hubspot_id])
        before = link.flags.associations.get(key)

        def linked(hubspot_ids: Iterable[str]) -> list[str]:
            return [
                other_links[h].sf_id
                for h in hubspot_ids
                if h in other_links and other_links[h].sf_object in association.targets
            ]

        sides = Sides(
            lookup=lookups[link.sf_id],
            last=lasts[link.sf_id],
            first=lookup_field not in link.sf_values,
            targets=linked(now),
            associated=frozenset(now),
            associated_last=before,
            added=linked(h for h in now if before is not None and h not in before),
        )
        step = decide_association(sides, hubspot_of, association)
        _apply(ctx, obj, association, link, step, sides)


def _apply(
    ctx: Context,
    obj: ObjectSync,
    association: AssociationSync,
    link: Link,
    step: Step,
    sides: Sides,
) -> None:
    name, other, lookup_field = (
        obj.hubspot_object,
        association.hubspot_object,
        association.salesforce_field,
    )
    key = association.hubspot_object
    after = set(sides.associated) - set(step.remove_associations)
    if step.add_association:
        after.add(step.add_association)

    def synced() -> None:
        snapshot = frozenset(after)
        if (
            lookup_field not in link.sf_values
            or link.sf_values[lookup_field] != step.synced
            or link.flags.associations.get(key) != snapshot
        ):
            link.sf_values[lookup_field] = step.synced
            link.flags.associations = {**link.flags.associations, key: snapshot}
            ctx.touch(link)

    if not step.writes:
        if not ctx.dry_run:
            synced()
        return
    writes: list[tuple[str, str, tuple[str, ...], str, str, Any]] = []
    if step.set_lookup is not None or step.clear_lookup:
        writes.append(
            (
                SALESFORCE,
                f"{link.sf_object} {link.sf_id}",
                (lookup_field,),
                f"associated {other} in HubSpot" if step.set_lookup else f"no {other} in HubSpot",
                f"sf:lookup:{link.sf_object}",
                {SALESFORCE_ID: link.sf_id, lookup_field: step.set_lookup},
            )
        )
    reason = f"{link.sf_object}.{lookup_field} in Salesforce"
    if step.add_association:
        writes.append(
            (
                HUBSPOT,
                f"{name} {link.hubspot_id}",
                (other,),
                reason,
                f"hs:associate:{name}:{other}",
                (link.hubspot_id, step.add_association),
            )
        )
    for gone in step.remove_associations:
        writes.append(
            (
                HUBSPOT,
                f"{name} {link.hubspot_id}",
                (other,),
                f"{reason} no longer points at it",
                f"hs:dissociate:{name}:{other}",
                (link.hubspot_id, gone),
            )
        )
    outstanding = [len(writes)]
    failed = [False]
    for side, record, what, why, queue, payload in writes:
        counted = ctx.will(name, side, "associate", record, what, why)
        if ctx.dry_run:
            continue

        def done(
            result: WriteResult, counted: Any = counted, side: str = side, what: Any = what
        ) -> None:
            if result.ok:
                counted()
            else:
                failed[0] = True
                rejected = link.hubspot_id if side == SALESFORCE else link.sf_id
                for err in result.errors:
                    ctx.error(name, side, rejected, err.code, err.message, what)
            outstanding[0] -= 1
            if outstanding[0] == 0 and not failed[0]:
                synced()  # only once every write landed: a failed one is tried again

        ctx.writes.add(queue, payload, done)


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)
