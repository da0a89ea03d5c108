"""Crash safety for creates: a run killed after a create was sent but before its link was
recorded left a journal row; the next run finds the created record by its fingerprint
and links it instead of creating it again.

A create that sent nothing to find it by (an empty fingerprint) is never guessed at: if
records nobody links were created since it was sent, any of them may be it, so the source
record is held (a per-record MAYBE_CREATED error, not created again) until none is left,
which an operator brings about by deleting the stray record; if there are none, it
certainly was not created, and it is created as usual."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from mapc.runtime.adapter import ObjectSync
from mapc.runtime.records import Cursor, Record, parse_timestamp
from mapc.runtime.sync.behaviours.names import HUBSPOT_ID, SALESFORCE_ID
from mapc.runtime.sync.context import HUBSPOT, SALESFORCE, Context
from mapc.runtime.sync.pairs import sobject_of
from mapc.runtime.sync.state import Link
from mapc.runtime.sync.values import same

log = logging.getLogger("mapc.sync")

MAYBE_CREATED = "MAYBE_CREATED"


def recover(ctx: Context, obj: ObjectSync) -> int:
    """Link what killed runs created; returns how many were found."""
    rows = ctx.state.pending_creates(obj.hubspot_object)
    if not rows or ctx.dry_run:
        return 0
    found = 0
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["target"], row["target_object"]), []).append(row)
    held: list[int] = []
    for (target, target_object), items in sorted(groups.items()):
        since = min(parse_timestamp(r["started_at"]) for r in items) - timedelta(seconds=5)
        keys = sorted({k for r in items for k in r["fingerprint"]})
        if target == SALESFORCE:
            pages = ctx.salesforce.read_changed(
                target_object, [SALESFORCE_ID, *keys], Cursor.at(since)
            )
            id_field = SALESFORCE_ID
        else:
            pages = ctx.hubspot.read_changed(target_object, keys, Cursor.at(since))
            id_field = HUBSPOT_ID
        candidates = [r for page in pages for r in page.records]
        found += _link(ctx, obj, target, target_object, items, candidates, id_field)
        held += _hold_blank(ctx, obj, target, target_object, items, candidates, id_field)
    ctx.state.clear_pending(r[HUBSPOT_ID] for r in rows if r[HUBSPOT_ID] not in held)
    ctx.save()
    return found


def _link(
    ctx: Context,
    obj: ObjectSync,
    target: str,
    target_object: str,
    items: Iterable[dict[str, Any]],
    candidates: list[Record],
    id_field: str,
) -> int:
    name = obj.hubspot_object
    ids = [str(c[id_field]) for c in candidates]
    if target == SALESFORCE:
        linked = set(ctx.state.links_by_salesforce(name, ids))
    else:
        linked = set(ctx.state.links_by_hubspot(name, ids))
    found = 0
    for row in items:
        source = row["source_id"]
        if not source or not row["fingerprint"]:
            continue
        if target == SALESFORCE and ctx.state.links_by_hubspot(name, [source]):
            continue
        if target == HUBSPOT and ctx.state.links_by_salesforce(name, [source]):
            continue
        for cand in candidates:
            cid = str(cand[id_field])
            if cid in linked:
                continue
            if all(same(cand.get(k), v) for k, v in row["fingerprint"].items()):
                linked.add(cid)
                found += 1
                if target == SALESFORCE:
                    link = Link(name, source, target_object, cid, origin=HUBSPOT)
                else:
                    link = Link(
                        name,
                        cid,
                        sobject_of(source, obj.salesforce_objects),
                        source,
                        origin=SALESFORCE,
                    )
                log.info("recovered %s created by an interrupted run: %s", target_object, cid)
                ctx.touch(link)
                break
    return found


def _hold_blank(
    ctx: Context,
    obj: ObjectSync,
    target: str,
    target_object: str,
    items: Iterable[dict[str, Any]],
    candidates: list[Record],
    id_field: str,
) -> list[int]:
    """Journal rows of creates with nothing to find them by, whose source is still
    unlinked while unlinked records were created since: held (their row ids). Every such
    record could be the one the lost answer made; linking one would be a guess, and
    creating again could make a second."""
    name = obj.hubspot_object
    blank_rows = [r for r in items if r["source_id"] and not r["fingerprint"]]
    if not blank_rows:
        return []
    ids = [str(c[id_field]) for c in candidates]
    if target == SALESFORCE:
        linked = set(ctx.state.links_by_salesforce(name, ids))
    else:
        linked = set(ctx.state.links_by_hubspot(name, ids))
    strays = sorted(i for i in ids if i not in linked)
    held: list[int] = []
    for row in blank_rows:
        source = row["source_id"]
        if target == SALESFORCE and ctx.state.links_by_hubspot(name, [source]):
            continue
        if target == HUBSPOT and ctx.state.links_by_salesforce(name, [source]):
            continue
        if not strays:
            continue  # nothing was created since: certainly not created, so create it
        held.append(row[HUBSPOT_ID])
        ctx.held.add((name, target, source))
        shown = ", ".join(strays[:5]) + (f" and {len(strays) - 5} more" if len(strays) > 5 else "")
        ctx.error(
            name,
            target,
            source,
            MAYBE_CREATED,
            f"a create of this record may have been carried out (its answer was lost), and "
            f"it sent no value to find it again by; {target_object} records created or "
            f"changed since, linked to nothing: {shown}. Delete the one it made, if one "
            "is, and the next run creates it once (it does as soon as none is left); an "
            "idempotency key on this pair makes creates exactly once",
        )
    return held
