"""Records that left one side: deletions (the pair's policy) and merges (the link moves to
the survivor), read with the changes and settled before the changes are reconciled."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from mapc.runtime.adapter import ObjectSync, OnDelete
from mapc.runtime.records import Record, WriteResult
from mapc.runtime.sync.apply import GONE_CODES, without_placeholders
from mapc.runtime.sync.behaviours.names import (
    HUBSPOT_ID,
    IS_DELETED,
    MASTER_RECORD,
    MERGEABLE,
    MERGED_IDS,
    SALESFORCE_ID,
)
from mapc.runtime.sync.context import HUBSPOT, SALESFORCE, Context
from mapc.runtime.sync.decide import unchanged
from mapc.runtime.sync.flags import LinkFlags
from mapc.runtime.sync.state import Link, Unlinked
from mapc.runtime.sync.values import truthy
from mapc.runtime.sync.writes import HUBSPOT_BATCH, SALESFORCE_BATCH

log = logging.getLogger("mapc.sync")


def deletion_fields(sobject: str) -> list[str]:
    """What the changed-records read (through queryAll) adds to tell deletions and merges."""
    return [IS_DELETED, MASTER_RECORD] if sobject in MERGEABLE else [IS_DELETED]


def is_deleted(record: Record) -> bool:
    return truthy(record.get(IS_DELETED))


def merged_ids(record: Record) -> list[str]:
    """The ids a HubSpot merge folded into this record (not its own)."""
    own = str(record[HUBSPOT_ID])
    raw = str(record.get(MERGED_IDS) or "")
    return [i for i in raw.split(";") if i and i != own]


@dataclass
class Departures:
    """What one pair's read found gone: Salesforce deletions (with the merge master, if
    any), HubSpot records merged into a new one, HubSpot archived ids."""

    salesforce: list[tuple[str, str, str | None]] = field(default_factory=list)
    """(object, id, MasterRecordId or None)"""
    hubspot_merges: list[tuple[str, list[str], str | None]] = field(default_factory=list)
    """(the merged record's id, the ids merged into it, its match key)"""
    hubspot_archived: list[str] = field(default_factory=list)


class Lifecycle:
    """Settles one pair's departures: moves, unlinks and deletes, in that order."""

    def __init__(self, ctx: Context, obj: ObjectSync) -> None:
        self.ctx = ctx
        self.obj = obj
        self.name = obj.hubspot_object
        self.deleted: dict[str, set[str]] = {HUBSPOT: set(), SALESFORCE: set()}
        """Ids this run deleted, per side: no longer records to sync."""
        self.survivors: list[tuple[str, str]] = []
        """(Salesforce object, id) of merge masters a link moved to: read and reconciled."""
        hs, sf = ctx.hubspot, ctx.salesforce
        ctx.writes.queue(
            f"hs:archive:{self.name}",
            HUBSPOT_BATCH,
            lambda items: hs.archive(self.name, [i[HUBSPOT_ID] for i in items]),
        )
        ctx.writes.queue(
            "sf:delete",
            SALESFORCE_BATCH,
            lambda items: sf.delete([i[SALESFORCE_ID] for i in items]),
        )

    def flush(self) -> None:
        """Send this pair's deletions now (only them: other queues keep their order)."""
        self.ctx.writes.flush(f"hs:archive:{self.name}")
        self.ctx.writes.flush("sf:delete")
        self.ctx.save()

    # -- what was read ----------------------------------------------------------------

    def settle(self, gone: Departures) -> None:
        self._hubspot_merges(gone.hubspot_merges)
        self._salesforce_gone(gone.salesforce)
        self._hubspot_archived(gone.hubspot_archived)
        self.flush()
        ctx, obj = self.ctx, self.obj
        ctx.staging.discard(HUBSPOT, self.name, self.deleted[HUBSPOT])
        for sobject in obj.salesforce_objects:
            ctx.staging.discard(SALESFORCE, sobject, self.deleted[SALESFORCE])

    def _hubspot_merges(self, merges: list[tuple[str, list[str], str | None]]) -> None:
        ctx = self.ctx
        for new_id, old_ids, key in merges:
            links = ctx.state.links_by_hubspot(self.name, [new_id, *old_ids])
            if not ctx.dry_run:
                ctx.state.put_keys(HUBSPOT, self.name, [(i, None) for i in old_ids])
            losers = [links[i] for i in old_ids if i in links]
            if not losers:
                continue
            if new_id not in links:
                keep = self._survivor(losers, key)
                losers.remove(keep)
                self._move(keep, hubspot_id=new_id)
            for link in losers:
                why = f"{self.name} {link.hubspot_id} merged into {new_id}"
                self.hubspot_gone(link, why)

    def _survivor(self, links: list[Link], key: str | None) -> Link:
        """The link to move to a merged record: the one whose Salesforce record has the
        merged record's key (the primary's email), else the oldest."""
        if key and self.obj.salesforce_match_key is not None:
            found = self.ctx.state.find_keys(SALESFORCE, [key], self.obj.salesforce_objects)
            ids = {rid for _, rid in found.get(key, [])}
            for link in links:
                if link.sf_id in ids:
                    return link
        return min(links, key=lambda link: link.id or 0)

    def _salesforce_gone(self, gone: list[tuple[str, str, str | None]]) -> None:
        ctx = self.ctx
        by_object: dict[str, list[str]] = {}
        for sobject, sf_id, _ in gone:
            by_object.setdefault(sobject, []).append(sf_id)
        for sobject, ids in by_object.items():
            if not ctx.dry_run:
                ctx.state.put_keys(SALESFORCE, sobject, [(i, None) for i in ids])
        links = ctx.state.links_by_salesforce(self.name, [sf_id for _, sf_id, _ in gone])
        masters = ctx.state.links_by_salesforce(self.name, [m for _, _, m in gone if m])
        for sobject, sf_id, master in gone:
            link = links.get(sf_id)
            if link is None:
                continue
            if master and master not in masters:
                masters[master] = link
                self._move(link, sf_object=sobject, sf_id=master)
                self.survivors.append((sobject, master))
                continue
            if master:
                other = masters[master]
                why = (
                    f"{link.sf_object} {sf_id} merged into {master}, which syncs with "
                    f"{self.name} {other.hubspot_id}"
                )
            else:
                why = f"{link.sf_object} {sf_id} deleted in Salesforce"
            self.salesforce_gone(link, why)

    def _hubspot_archived(self, ids: list[str]) -> None:
        ctx = self.ctx
        links = ctx.state.links_by_hubspot(self.name, ids)
        if not ctx.dry_run:
            ctx.state.put_keys(HUBSPOT, self.name, [(i, None) for i in ids])
        for hs_id in ids:
            link = links.get(hs_id)
            if link is not None:
                self.hubspot_gone(link, f"{self.name} {hs_id} deleted in HubSpot")

    # -- one link -----------------------------------------------------------------------

    def _move(self, link: Link, **ids: str) -> None:
        """The pair goes on with the survivor: synced afresh, as a first sync is."""
        log.info("%s link %s <-> %s moves to %s", self.name, link.hubspot_id, link.sf_id, ids)
        for attribute, value in ids.items():
            setattr(link, attribute, value)
        link.hs_values, link.sf_values = {}, {}
        link.flags = LinkFlags(excluded=link.flags.excluded)
        self.ctx.report.add(
            self.name,
            HUBSPOT,
            "skip",
            f"{self.name} {link.hubspot_id}",
            reason="merged: the link moved to the surviving record",
        )
        self.ctx.touch(link)

    def salesforce_gone(self, link: Link, why: str) -> None:
        """A Salesforce record left: the HubSpot record goes too if it was syncing and the
        pair says `delete`; otherwise only the link goes."""
        syncing = not link.flags.excluded
        if self.obj.on_salesforce_delete is OnDelete.DELETE and syncing:
            self._delete(link, HUBSPOT, why)
        else:
            self._unlink(link, HUBSPOT, why)

    def hubspot_gone(self, link: Link, why: str) -> None:
        """A HubSpot record left: Salesforce's goes too only if the pair says `delete`
        (and mapc may write it: never a person account, R7)."""
        writable = not link.flags.person
        if self.obj.on_hubspot_delete is OnDelete.DELETE and writable:
            self._delete(link, SALESFORCE, why)
        else:
            self._unlink(link, SALESFORCE, why)

    def vanished(self) -> None:
        """Links whose record a write found gone (a deletion older than the changes read,
        or on a side a one-way pair does not read): settled like a deletion read."""
        ctx = self.ctx
        found, ctx.vanished = ctx.vanished, []
        for link, side in found:
            if side == SALESFORCE:
                self.salesforce_gone(link, f"{link.sf_object} {link.sf_id} is deleted")
            else:
                self.hubspot_gone(link, f"{self.name} {link.hubspot_id} is deleted")
        if found:
            self.flush()

    def _forget(self, link: Link) -> None:
        ctx = self.ctx
        ctx.forget(link)
        ctx.resolved(self.name, SALESFORCE, link.hubspot_id)
        ctx.resolved(self.name, HUBSPOT, link.sf_id)

    def _unlink(self, link: Link, side: str, why: str) -> None:
        """The record on `side` stays; read again unchanged it is not a new record."""
        ctx = self.ctx
        ctx.report.add(self.name, side, "skip", _record(link, side), reason=f"unlinked: {why}")
        if ctx.dry_run:
            return
        rid, values = (
            (link.hubspot_id, link.hs_values) if side == HUBSPOT else (link.sf_id, link.sf_values)
        )
        kept = Unlinked(dict(values), link.sf_object, link.flags)
        ctx.state.keep_unlinked(self.name, side, {rid: kept})
        self._forget(link)

    def _delete(self, link: Link, side: str, why: str) -> None:
        ctx = self.ctx
        counted = ctx.will(self.name, side, "delete", _record(link, side), reason=why)
        if ctx.dry_run:
            return

        def done(result: WriteResult) -> None:
            if result.ok or any(e.code in GONE_CODES for e in result.errors):
                counted()
                self.deleted[side].add(link.hubspot_id if side == HUBSPOT else link.sf_id)
                self._forget(link)
                if side == HUBSPOT:
                    ctx.state.put_keys(HUBSPOT, self.name, [(link.hubspot_id, None)])
                else:
                    ctx.state.put_keys(SALESFORCE, link.sf_object, [(link.sf_id, None)])
                return
            for err in result.errors:
                ctx.error(self.name, side, _other(link, side), err.code, err.message, err.fields)

        if side == HUBSPOT:
            ctx.writes.add(f"hs:archive:{self.name}", {HUBSPOT_ID: link.hubspot_id}, done)
        else:
            ctx.writes.add("sf:delete", {SALESFORCE_ID: link.sf_id}, done)


def still_unlinked(ctx: Context, obj: ObjectSync, side: str, records: list[Record]) -> set[str]:
    """Ids of records kept when their counterpart was deleted that have not changed
    since (a re-read, our own echo): not new records to create on the other side."""
    id_field = HUBSPOT_ID if side == HUBSPOT else SALESFORCE_ID
    by_id = {str(r[id_field]): r for r in records}
    kept = ctx.state.unlinked(obj.hubspot_object, side, by_id)
    found: set[str] = set()
    for rid, record in kept.items():
        sobject, now = record.sf_object, by_id[rid]
        if side == SALESFORCE:
            now = without_placeholders(obj, sobject, now, record.flags.placeholders)
        if unchanged(obj, sobject, now, record.values, side):
            found.add(rid)
    return found


def _record(link: Link, side: str) -> str:
    return (
        f"{link.object} {link.hubspot_id}" if side == HUBSPOT else f"{link.sf_object} {link.sf_id}"
    )


def _other(link: Link, side: str) -> str:
    """Errors are keyed by the record on the other side (the one that was read)."""
    return link.sf_id if side == HUBSPOT else link.hubspot_id
