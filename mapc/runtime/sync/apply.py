"""Turning one pair's decision into queued writes whose results update the link."""

from __future__ import annotations

from copy import copy
from typing import Any

from mapc.runtime.adapter import FieldSync, ObjectSync
from mapc.runtime.records import Record, WriteResult
from mapc.runtime.sync.behaviours.names import (
    ACCOUNT,
    ACCOUNT_ID,
    CONTACT,
    EMAIL,
    HUBSPOT_ID,
    IS_PERSON_ACCOUNT,
    OPT_OUT_HUBSPOT,
    PERSON_OPT_OUT,
    SALESFORCE_ID,
)
from mapc.runtime.sync.behaviours.opt_out import owe_unsubscribe
from mapc.runtime.sync.behaviours.seed import company_link_candidate, leads_and_contacts
from mapc.runtime.sync.context import HUBSPOT, SALESFORCE, Context, record_time
from mapc.runtime.sync.decide import (
    Decision,
    decide,
    fields_for,
    snapshot,
)
from mapc.runtime.sync.report import Change
from mapc.runtime.sync.state import Link, Owed
from mapc.runtime.sync.values import canon_text, truthy
from mapc.runtime.sync.writes import SALESFORCE_BATCH

PARENT_KEY = "@company"
"""Set on a HubSpot contact read this run: its company, as the engine determined it."""


def salesforce_writable(ctx: Context, sf: Record) -> bool:
    """Person accounts (and the contact behind one) are written through Salesforce only."""
    return not (ctx.person_accounts and truthy(sf.get(IS_PERSON_ACCOUNT)))


def snapshot_record(link: Link, side: str) -> Record:
    """One side of a pair as last synced: what it holds now if it was not read this run."""
    values = link.hs_values if side == HUBSPOT else link.sf_values
    record: Record = dict(values)
    if side == HUBSPOT:
        record[HUBSPOT_ID] = link.hubspot_id
    else:
        record[SALESFORCE_ID] = link.sf_id
        if link.sf_object == CONTACT:
            record[ACCOUNT_ID] = link.sf_parent
        if link.flags.person:
            record[IS_PERSON_ACCOUNT] = True
    return record


def without_placeholders(obj: ObjectSync, sobject: str, sf: Record, ours: frozenset[str]) -> Record:
    """Placeholders Salesforce required on create ("[not provided]") are not data: to the
    rules they are blanks, so HubSpot's value replaces them and they never reach HubSpot.
    `ours`: the fields mapc's own create filled so (whatever their default looks like)."""
    placeholders = {
        k: v for k, v in obj.create_defaults.get(sobject, {}).items() if k in ours or bracketed(v)
    }
    if any(sf.get(k) == v for k, v in placeholders.items()):
        return {**sf, **{k: None for k, v in placeholders.items() if sf.get(k) == v}}
    return sf


def _decided(
    ctx: Context, obj: ObjectSync, link: Link, hs: Record, sf: Record
) -> tuple[Decision, Record]:
    """What each field's rule decides for a linked pair, and the Salesforce record as it
    decided on it (mapc's own placeholders read as blank)."""
    sobject = link.sf_object
    ours = link.flags.placeholders
    sf = without_placeholders(obj, sobject, sf, ours)
    # Last synced as a placeholder is last synced blank (never a value Salesforce cleared).
    hs_last, sf_last = (
        link.hs_values,
        without_placeholders(obj, sobject, link.sf_values, ours),
    )
    if ctx.resync is not None and ctx.resync.fields:
        hs_last, sf_last = ctx.resync.set_aside(obj, hs_last, sf_last)
    decision = decide(
        obj,
        sobject,
        hs,
        sf,
        hs_last if link.synced else None,
        sf_last if link.synced else None,
        hubspot_newer=record_time(hs) > record_time(sf),
        owners=ctx.owners,
        salesforce_writable=salesforce_writable(ctx, sf),
    )
    return decision, sf


def writes_hubspot(ctx: Context, obj: ObjectSync, link: Link, hs: Record, sf: Record) -> bool:
    """Whether reconciling the pair as it stands would write to its HubSpot record."""
    decision, _ = _decided(ctx, obj, link, hs, sf)
    return bool(decision.to_hubspot or decision.unsubscribe or decision.owner_resets)


def reconcile(ctx: Context, obj: ObjectSync, link: Link, hs: Record, sf: Record) -> None:
    """Sync one linked pair both ways under each field's rule."""
    name = obj.hubspot_object
    sobject = link.sf_object
    if ctx.dry_run:
        ctx.planned.add(link.sf_id)
    parents = (link.hs_parent, link.sf_parent)
    flags = copy(link.flags)
    link.flags.excluded = False  # only records in the inclusion list get here
    if not salesforce_writable(ctx, sf):
        link.flags.person = True
    if company_link_candidate(obj, sobject):
        ctx.association_candidates.add(link.hubspot_id)
    if leads_and_contacts(obj):
        if PARENT_KEY in hs:
            link.hs_parent = _text(hs.get(PARENT_KEY))
        if sobject == CONTACT:
            link.sf_parent = _text(sf.get(ACCOUNT_ID))
    decision, sf = _decided(ctx, obj, link, hs, sf)
    for c in decision.conflicts:
        ctx.conflict(name, link, c.field, c.hubspot_value, c.salesforce_value, c.winner)
    now_hs, now_sf = snapshot(obj, sobject, hs, sf)
    mapped = fields_for(obj, sobject)
    by_sf = {f.salesforce: f for f in mapped}
    by_hs = {f.hubspot: f for f in mapped}
    pending = {by_sf[k].hubspot for k in decision.to_salesforce if k in by_sf}
    pending |= set(decision.to_hubspot)
    if decision.unsubscribe or decision.person_opt_out:
        pending.add(OPT_OUT_HUBSPOT)
    before = (dict(link.hs_values), dict(link.sf_values))
    for f in mapped:
        if f.hubspot not in pending:
            link.hs_values[f.hubspot] = now_hs[f.hubspot]
            link.sf_values[f.salesforce] = now_sf[f.salesforce]
    if (
        before != (link.hs_values, link.sf_values)
        or link.id is None
        or parents != (link.hs_parent, link.sf_parent)
        or flags != link.flags
    ):
        ctx.touch(link)
    if decision.empty:
        return
    _queue_updates(ctx, obj, link, decision, hs, sf, now_hs, now_sf, by_sf, by_hs)


def _queue_updates(
    ctx: Context,
    obj: ObjectSync,
    link: Link,
    decision: Decision,
    hs: Record,
    sf: Record,
    now_hs: dict[str, Any],
    now_sf: dict[str, Any],
    by_sf: dict[str, FieldSync],
    by_hs: dict[str, FieldSync],
) -> None:
    name = obj.hubspot_object
    sobject = link.sf_object
    if decision.to_salesforce:
        values = dict(decision.to_salesforce)
        fields = tuple(sorted(values))
        sf_counted = ctx.will(
            name,
            SALESFORCE,
            "update",
            f"{sobject} {link.sf_id}",
            fields,
            f"from HubSpot {name} {link.hubspot_id}",
            tuple(Change(k, sf.get(k), values[k]) for k in fields),
        )

        def sf_done(result: WriteResult, values: dict[str, Any] = values) -> None:
            if result.ok:
                sf_counted()
                for key, value in values.items():
                    link.sf_values[key] = canon_text(value)
                    link.hs_values[by_sf[key].hubspot] = now_hs[by_sf[key].hubspot]
                ctx.resolved(name, SALESFORCE, link.hubspot_id)
                ctx.touch(link)
            elif gone(result):
                ctx.vanished.append((link, SALESFORCE))
            else:
                for err in result.errors:
                    ctx.error(
                        name,
                        SALESFORCE,
                        link.hubspot_id,
                        err.code,
                        err.message,
                        err.fields or fields,
                    )

        if not ctx.dry_run:
            ctx.writes.add(f"sf:update:{sobject}", {SALESFORCE_ID: link.sf_id, **values}, sf_done)
    if decision.to_hubspot:
        values = dict(decision.to_hubspot)
        fields = tuple(sorted(values))
        reason = (
            "owner reset to Salesforce's owner (R10)"
            if decision.owner_resets
            else (f"from Salesforce {sobject} {link.sf_id}")
        )
        hs_counted = ctx.will(
            name,
            HUBSPOT,
            "update",
            f"{name} {link.hubspot_id}",
            fields,
            reason,
            tuple(Change(k, hs.get(k), values[k]) for k in fields),
        )

        def hs_done(result: WriteResult, values: dict[str, Any] = values) -> None:
            if result.ok:
                hs_counted()
                for key, value in values.items():
                    link.hs_values[key] = canon_text(value)
                    link.sf_values[by_hs[key].salesforce] = now_sf[by_hs[key].salesforce]
                ctx.resolved(name, HUBSPOT, link.sf_id)
                ctx.touch(link)
            elif gone(result):
                ctx.vanished.append((link, HUBSPOT))
            else:
                for err in result.errors:
                    ctx.error(
                        name, HUBSPOT, link.sf_id, err.code, err.message, err.fields or fields
                    )

        if not ctx.dry_run:
            ctx.writes.add(f"hs:update:{name}", {HUBSPOT_ID: link.hubspot_id, **values}, hs_done)
    if decision.unsubscribe:
        queue_unsubscribe(ctx, obj, link, hs.get(EMAIL), now_sf)
    if decision.person_opt_out:
        queue_person_opt_out(ctx, obj, link, sf, now_hs)


def queue_person_opt_out(
    ctx: Context, obj: ObjectSync, link: Link, sf: Record, now_hs: dict[str, Any]
) -> None:
    """R1 + R7: HubSpot's unsubscribe reaches a person account through the Account."""
    name = obj.hubspot_object
    opt = next((f for f in obj.fields if f.hubspot == OPT_OUT_HUBSPOT), None)
    account = sf.get(ACCOUNT_ID) or link.sf_parent
    if opt is None or not account:
        return
    counted = ctx.will(
        name,
        SALESFORCE,
        "update",
        f"Account {account}",
        (PERSON_OPT_OUT,),
        "unsubscribed in HubSpot; a person account's opt-out (R1, R7)",
    )
    if ctx.dry_run:
        return

    def done(result: WriteResult) -> None:
        if result.ok:
            counted()
            link.sf_values[opt.salesforce] = "true"
            link.hs_values[OPT_OUT_HUBSPOT] = now_hs.get(OPT_OUT_HUBSPOT, "true")
            ctx.resolved(name, SALESFORCE, link.hubspot_id)
            ctx.touch(link)
        else:
            for err in result.errors:
                ctx.error(
                    name, SALESFORCE, link.hubspot_id, err.code, err.message, (PERSON_OPT_OUT,)
                )

    sf_api = ctx.salesforce
    ctx.writes.queue(
        f"sf:update:{ACCOUNT}",
        SALESFORCE_BATCH,
        lambda records: sf_api.update(ACCOUNT, records),
        after=lambda _items: ctx.save(),
    )
    ctx.writes.add(
        f"sf:update:{ACCOUNT}", {SALESFORCE_ID: str(account), PERSON_OPT_OUT: True}, done
    )


def queue_unsubscribe(
    ctx: Context, obj: ObjectSync, link: Link, email: Any, now_sf: dict[str, Any]
) -> None:
    """R1: unsubscribe a HubSpot contact from all email (batched Communication
    Preferences), owed in the state until HubSpot confirms it."""
    name = obj.hubspot_object
    opt = next((f for f in obj.fields if f.hubspot == OPT_OUT_HUBSPOT), None)
    if not email or opt is None:
        return
    counted = ctx.will(
        name,
        HUBSPOT,
        "unsubscribe",
        f"{name} {link.hubspot_id}",
        (OPT_OUT_HUBSPOT,),
        "Email Opt Out set in Salesforce (R1)",
    )
    if ctx.dry_run:
        return

    def confirmed() -> None:
        counted()
        link.hs_values[OPT_OUT_HUBSPOT] = "true"
        link.sf_values[opt.salesforce] = now_sf.get(opt.salesforce, "true")
        ctx.touch(link)

    def failed(result: WriteResult) -> None:
        for err in result.errors:
            ctx.error(name, HUBSPOT, link.sf_id, err.code, err.message, (OPT_OUT_HUBSPOT,))

    owe_unsubscribe(ctx, Owed(name, link.hubspot_id, link.sf_id, str(email)), confirmed, failed)


GONE_CODES = frozenset({"ENTITY_IS_DELETED", "OBJECT_NOT_FOUND"})
"""A write refused because its record is no longer there: a deletion, not a bad value."""


def gone(result: WriteResult) -> bool:
    return bool(result.errors) and all(e.code in GONE_CODES for e in result.errors)


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def bracketed(value: Any) -> bool:
    """A default such as "[not provided]" is a placeholder whoever wrote it."""
    return isinstance(value, str) and value.startswith("[") and value.endswith("]")
