"""A deal's contacts are its opportunity's contact roles, both ways (as HubSpot's connector
keeps them, and as R9 reads them): a HubSpot contact associated with a deal becomes an
OpportunityContactRole of the deal's opportunity, a contact role becomes an association.

Only contacts that sync with a Salesforce Contact take part (a role names a Contact; a
lead has none), through the contacts' links. The set last synced is kept in the deal's
link (its flags' `contact_roles`), so a removal on one side is told from an
addition on the other: a role deleted in Salesforce removes the association, an
association removed in HubSpot deletes the role. On a first sync the two are joined
(adding loses nothing). A block that syncs one way only copies that side's set.
Roles changed in Salesforce are read by their own cursor: the opportunity's
SystemModstamp does not move for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from mapc.runtime.adapter import Behaviour, ObjectSync
from mapc.runtime.records import Cursor, WriteResult, chunked
from mapc.runtime.sync.behaviours.names import CONTACT, CONTACTS, HUBSPOT_ID, SALESFORCE_ID
from mapc.runtime.sync.context import HUBSPOT, SALESFORCE, Context
from mapc.runtime.sync.state import Link
from mapc.runtime.sync.writes import HUBSPOT_BATCH, SALESFORCE_BATCH

ROLE = "OpportunityContactRole"
ROLE_OPPORTUNITY = "OpportunityId"
ROLE_CONTACT = "ContactId"
BATCH = 100


@dataclass(frozen=True)
class RolePlan:
    """The contacts (Salesforce Contact ids) one deal should have, and what gets there."""

    synced: frozenset[str]
    add_roles: tuple[str, ...] = ()
    remove_roles: tuple[str, ...] = ()
    add_associations: tuple[str, ...] = ()
    remove_associations: tuple[str, ...] = ()

    @property
    def writes(self) -> bool:
        return bool(
            self.add_roles or self.remove_roles or self.add_associations or self.remove_associations
        )


def plan_roles(
    roles: frozenset[str],
    associated: frozenset[str],
    last: frozenset[str] | None,
    *,
    to_salesforce: bool = True,
    to_hubspot: bool = True,
) -> RolePlan:
    """`roles`: the linked Contacts with a role now; `associated`: the linked Contacts
    whose HubSpot contact is associated now; `last`: the set last synced (None: never)."""
    if to_salesforce and to_hubspot:
        if last is None:
            want = roles | associated
        else:
            want = (
                (last | (roles - last) | (associated - last)) - (last - roles) - (last - associated)
            )
    else:
        want = roles if to_hubspot else associated
    return RolePlan(
        synced=want,
        add_roles=tuple(sorted(want - roles)) if to_salesforce else (),
        remove_roles=tuple(sorted(roles - want)) if to_salesforce else (),
        add_associations=tuple(sorted(want - associated)) if to_hubspot else (),
        remove_associations=tuple(sorted(associated - want)) if to_hubspot else (),
    )


def syncs_contact_roles(obj: ObjectSync) -> bool:
    return Behaviour.DEAL_CONTACT_ROLES in obj.behaviours


def sync_contact_roles(ctx: Context) -> None:
    objects = [obj for obj in ctx.adapter.objects if syncs_contact_roles(obj)]
    if not objects:
        return
    changed, cursor = _changed_roles(ctx)
    failed = [False]
    for obj in objects:
        _queues(ctx, obj)
        for batch in chunked(sorted(_candidates(ctx, obj, changed)), BATCH):
            _sync_batch(ctx, obj, batch, failed)
    ctx.writes.flush_all()
    ctx.save()
    # A failed role write is tried again only if its opportunity is read again: the
    # roles' cursor stays where it was, so the next run reads the same role changes.
    if cursor is not None and not ctx.dry_run and not failed[0]:
        ctx.state.set_cursor(SALESFORCE, ROLE, cursor.encode())


def _changed_roles(ctx: Context) -> tuple[set[str], Cursor | None]:
    """The opportunities whose contact roles were added, changed or deleted since the last
    run. Salesforce does not move an opportunity's SystemModstamp for those, so the roles
    are read by their own cursor (queryAll: the deleted ones come too)."""
    raw = ctx.state.cursor(SALESFORCE, ROLE)
    cursor = Cursor.decode(raw) if raw else None
    opportunities: set[str] = set()
    for page in ctx.salesforce.read_changed(
        ROLE, (SALESFORCE_ID, ROLE_OPPORTUNITY), cursor, include_deleted=True
    ):
        ctx.report.reads += 1
        opportunities.update(str(r[ROLE_OPPORTUNITY]) for r in page.records if r[ROLE_OPPORTUNITY])
        cursor = page.cursor or cursor
    return opportunities, cursor


def _candidates(ctx: Context, obj: ObjectSync, changed_roles: set[str]) -> set[str]:
    """HubSpot ids of the deals read, linked or written this run, and of those whose
    opportunity's contact roles changed."""
    ids = set(ctx.touched.get(obj.hubspot_object, ()))
    for opportunities in chunked(sorted(changed_roles), 500):
        deals = ctx.state.links_by_salesforce(obj.hubspot_object, opportunities)
        ids.update(k.hubspot_id for k in deals.values() if k.sf_object in obj.salesforce_objects)
    for chunk in ctx.staging.chunks(HUBSPOT, obj.hubspot_object, 500):
        ids.update(str(r[HUBSPOT_ID]) for r in chunk)
    for sobject in obj.salesforce_objects:
        for chunk in ctx.staging.chunks(SALESFORCE, sobject, 500):
            links = ctx.state.links_by_salesforce(
                obj.hubspot_object, [str(r[SALESFORCE_ID]) for r in chunk]
            )
            ids.update(link.hubspot_id for link in links.values())
    return ids


def _queues(ctx: Context, obj: ObjectSync) -> None:
    hs, sf, name = ctx.hubspot, ctx.salesforce, obj.hubspot_object
    saved = lambda _items: ctx.save()  # noqa: E731
    ctx.writes.queue("sf:create:roles", SALESFORCE_BATCH, lambda r: sf.create(ROLE, r), after=saved)
    ctx.writes.queue("sf:delete:roles", SALESFORCE_BATCH, lambda ids: sf.delete(ids), after=saved)
    ctx.writes.queue(
        f"hs:associate:{name}:{CONTACTS}",
        HUBSPOT_BATCH,
        lambda pairs: hs.associate(name, CONTACTS, pairs),
        after=saved,
    )
    ctx.writes.queue(
        f"hs:dissociate:{name}:{CONTACTS}",
        HUBSPOT_BATCH,
        lambda pairs: hs.dissociate(name, CONTACTS, pairs),
        after=saved,
    )


def _contact_links(links: Iterable[Link]) -> list[Link]:
    return [link for link in links if link.sf_object == CONTACT]


def _sync_batch(ctx: Context, obj: ObjectSync, ids: Sequence[str], failed: list[bool]) -> None:
    name = obj.hubspot_object
    links = [
        link
        for link in ctx.state.links_by_hubspot(name, ids).values()
        if link.sf_object in obj.salesforce_objects
    ]
    if not links:
        return
    # Salesforce lets one contact hold several roles on an opportunity: all are kept, so
    # a HubSpot removal deletes every one (a role left behind would re-associate it).
    roles: dict[str, dict[str, list[str]]] = {link.sf_id: {} for link in links}
    for role in ctx.salesforce.opportunity_contact_roles([link.sf_id for link in links]):
        if role.get(ROLE_CONTACT):
            opportunity = str(role[ROLE_OPPORTUNITY])
            of_contact = roles.setdefault(opportunity, {}).setdefault(str(role[ROLE_CONTACT]), [])
            of_contact.append(str(role[SALESFORCE_ID]))
    associated = ctx.hubspot.associations(name, CONTACTS, [link.hubspot_id for link in links])
    ctx.report.reads += 2
    by_hubspot = {
        link.hubspot_id: link
        for link in _contact_links(
            ctx.state.links_by_hubspot(
                CONTACTS, {h for v in associated.values() for h in v}
            ).values()
        )
    }
    by_salesforce = {
        link.sf_id: link
        for link in _contact_links(
            ctx.state.links_by_salesforce(
                CONTACTS, {c for found in roles.values() for c in found}
            ).values()
        )
    }
    for link in links:
        if link.hubspot_id not in associated:
            # HubSpot's associations could not be read: unknown is not "none". The roles'
            # cursor stays, so a role change that brought this deal brings it again.
            failed[0] = True
            continue
        role_ids = roles.get(link.sf_id, {})
        now_roles = frozenset(c for c in role_ids if c in by_salesforce)
        now_associated = frozenset(
            by_hubspot[h].sf_id for h in associated[link.hubspot_id] if h in by_hubspot
        )
        last = link.flags.contact_roles
        plan = plan_roles(
            now_roles,
            now_associated,
            last,
            to_salesforce=obj.hubspot_to_salesforce,
            to_hubspot=obj.salesforce_to_hubspot,
        )
        contacts = {**by_salesforce, **{k.sf_id: k for k in by_hubspot.values()}}
        _apply(ctx, name, link, plan, role_ids, contacts, failed)


def _apply(
    ctx: Context,
    name: str,
    link: Link,
    plan: RolePlan,
    role_ids: dict[str, list[str]],
    contacts: dict[str, Link],
    any_failed: list[bool],
) -> None:
    snapshot = frozenset(plan.synced)

    def synced() -> None:
        if link.flags.contact_roles != snapshot:
            link.flags.contact_roles = snapshot
            ctx.touch(link)

    if not plan.writes:
        if not ctx.dry_run:
            synced()
        return
    writes: list[tuple[str, str, str, str, Any]] = []
    for contact in plan.add_roles:
        payload = {ROLE_OPPORTUNITY: link.sf_id, ROLE_CONTACT: contact}
        why = f"contacts {contacts[contact].hubspot_id} associated in HubSpot"
        writes.append(
            (SALESFORCE, f"{link.sf_object} {link.sf_id}", why, "sf:create:roles", payload)
        )
    for contact in plan.remove_roles:
        why = f"contacts {contacts[contact].hubspot_id} no longer associated in HubSpot"
        writes.extend(
            (SALESFORCE, f"{link.sf_object} {link.sf_id}", why, "sf:delete:roles", role)
            for role in role_ids[contact]
        )
    for contact in plan.add_associations:
        pair = (link.hubspot_id, contacts[contact].hubspot_id)
        why = f"{CONTACT} {contact} has a contact role in Salesforce"
        writes.append(
            (HUBSPOT, f"{name} {link.hubspot_id}", why, f"hs:associate:{name}:{CONTACTS}", pair)
        )
    for contact in plan.remove_associations:
        pair = (link.hubspot_id, contacts[contact].hubspot_id)
        why = f"{CONTACT} {contact} no longer has a contact role in Salesforce"
        writes.append(
            (HUBSPOT, f"{name} {link.hubspot_id}", why, f"hs:dissociate:{name}:{CONTACTS}", pair)
        )
    outstanding, failed = [len(writes)], [False]
    for side, record, why, queue, payload in writes:
        counted = ctx.will(name, side, "associate", record, (CONTACTS,), why)
        if ctx.dry_run:
            continue

        def done(result: WriteResult, counted: Any = counted, side: str = side) -> None:
            if result.ok:
                counted()
            else:
                failed[0] = any_failed[0] = True
                rejected = link.hubspot_id if side == SALESFORCE else link.sf_id
                for err in result.errors:
                    ctx.error(name, side, rejected, err.code, err.message, (CONTACTS,))
            outstanding[0] -= 1
            if outstanding[0] == 0 and not failed[0]:
                synced()  # only once every write landed: a failed one is tried again

        ctx.writes.add(queue, payload, done)
