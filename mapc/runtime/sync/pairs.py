"""One `sync` block end to end: stage both sides' changes, reconcile, create, move cursors."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from contextlib import ExitStack
from functools import partial
from typing import Any

from mapc.runtime.adapter import ObjectSync
from mapc.runtime.readahead import ReadAhead
from mapc.runtime.records import Cursor, Page, Record, WriteResult, maybe_done
from mapc.runtime.sync.apply import (
    PARENT_KEY,
    reconcile,
    snapshot_record,
)
from mapc.runtime.sync.behaviours.lead_conversion import follow_conversions, retired
from mapc.runtime.sync.behaviours.names import (
    ACCOUNT_ID,
    COMPANIES,
    COMPANY_OF_CONTACT,
    CONTACT,
    CONTACTS,
    HUBSPOT_ID,
    IDENTITY,
    KEY_PREFIXES,
    MASTER_RECORD,
    MERGED_IDS,
    SALESFORCE_ID,
)
from mapc.runtime.sync.behaviours.opt_out import unsubscribe_queue
from mapc.runtime.sync.behaviours.seed import company_link_candidate, leads_and_contacts
from mapc.runtime.sync.context import (
    HUBSPOT,
    PAIR_CHUNK,
    SALESFORCE,
    Context,
)
from mapc.runtime.sync.creates import Creates
from mapc.runtime.sync.decide import unchanged
from mapc.runtime.sync.lifecycle import (
    Departures,
    Lifecycle,
    deletion_fields,
    is_deleted,
    merged_ids,
    still_unlinked,
)
from mapc.runtime.sync.matching import hubspot_candidates, salesforce_candidates
from mapc.runtime.sync.retries import Held, held_records, hold
from mapc.runtime.sync.state import Link
from mapc.runtime.sync.values import blank
from mapc.runtime.sync.writes import HUBSPOT_BATCH, SALESFORCE_BATCH, Item

log = logging.getLogger("mapc.sync")


def sobject_of(sf_id: str, objects: tuple[str, ...]) -> str:
    """The object a Salesforce id belongs to, from its key prefix."""
    return KEY_PREFIXES.get(sf_id[:3], objects[0])


def fingerprint(values: dict[str, Any]) -> dict[str, Any]:
    """The values a killed run's created record is found again by (crash recovery): a
    known identity field, else every text value the create sent (a custom object or any
    pair without one of the seed's identity fields must not be created twice either)."""
    for key in IDENTITY:
        if not blank(values.get(key)):
            return {key: values[key]}
    return {
        key: value
        for key, value in sorted(values.items())
        if isinstance(value, str) and not blank(value)
    }


class PairSync(Creates):
    def __init__(self, ctx: Context, obj: ObjectSync) -> None:
        self.ctx = ctx
        self.obj = obj
        self.name = obj.hubspot_object
        self.cursors: dict[tuple[str, str], Cursor] = {}
        self._pending: list[int] = []
        self._progress: dict[str, int] = {}
        self._creating: dict[str, str] = {}
        """Match key -> the Salesforce record creating a HubSpot record for it this run."""
        self.gone = Departures()
        """Deletions and merges the read found, settled before the changes."""

    # -- staging ------------------------------------------------------------------------

    def _since(self, side: str, obj: str) -> Cursor | None:
        if self.ctx.resync is not None:
            return self.ctx.resync.cursor()
        raw = self.ctx.state.cursor(side, obj)
        return Cursor.decode(raw) if raw else None

    def stage(self) -> None:
        """Read each side's changes since its cursor into the staging table. With writes in
        flight (concurrency above 1) every stream is read ahead on its own thread, so the
        HubSpot and Salesforce reads wait on the network at once; staging stays here, in
        the streams' order."""
        ctx, obj = self.ctx, self.obj
        streams: list[tuple[str, str, Iterable[Page]]] = []
        # A one-way block reads only the side whose changes travel: the other side's
        # changes could neither be written nor create anything.
        if obj.hubspot_to_salesforce:
            props = [*ctx.hubspot_properties(obj), MERGED_IDS]  # a merge shows on its result
            pages = ctx.hubspot.read_changed(self.name, props, self._since(HUBSPOT, self.name))
            streams.append((HUBSPOT, self.name, pages))
        for sobject in obj.salesforce_objects if obj.salesforce_to_hubspot else ():
            fields = ctx.salesforce_fields(obj, sobject) + deletion_fields(sobject)
            # queryAll: the records deleted (or merged away) since the cursor come with
            # the changed ones, in the same pages, at no extra call.
            pages = ctx.salesforce.read_changed(
                sobject, fields, self._since(SALESFORCE, sobject), include_deleted=True
            )
            streams.append((SALESFORCE, sobject, pages))
        with ExitStack() as reading:
            if ctx.writes.concurrency > 1 and len(streams) > 1:
                streams = [
                    (side, name, reading.enter_context(ReadAhead(source)))
                    for side, name, source in streams
                ]
            for side, name, source in streams:
                for page in source:
                    if side == HUBSPOT:
                        self._stage_hubspot_page(page)
                    else:
                        self._stage_salesforce_page(name, page)
        for page in ctx.hubspot.read_archived(self.name, ()):
            ctx.report.reads += 1
            self.gone.hubspot_archived += [str(r[HUBSPOT_ID]) for r in page.records]

    def _stage_hubspot_page(self, page: Page) -> None:
        ctx, obj = self.ctx, self.obj
        ctx.report.reads += 1
        ctx.report.read(self.name, HUBSPOT, len(page.records))
        for record in page.records:
            if merged_ids(record):
                self.gone.hubspot_merges.append(
                    (
                        str(record[HUBSPOT_ID]),
                        merged_ids(record),
                        obj.match_key(record) if obj.match_key else None,
                    )
                )
        ctx.staging.add(HUBSPOT, self.name, page.records, obj.match_key, HUBSPOT_ID)
        if obj.match_key is not None and not ctx.dry_run:
            ctx.state.put_keys(
                HUBSPOT,
                self.name,
                [(str(r[HUBSPOT_ID]), obj.match_key(r)) for r in page.records],
            )
        if page.cursor is not None:
            self.cursors[(HUBSPOT, self.name)] = page.cursor
        self._count("reading HubSpot", len(page.records))

    def _stage_salesforce_page(self, sobject: str, page: Page) -> None:
        ctx, key = self.ctx, self.obj.salesforce_match_key
        ctx.report.reads += 1
        ctx.report.read(self.name, SALESFORCE, len(page.records))
        alive = [r for r in page.records if not is_deleted(r)]
        self.gone.salesforce += [
            (sobject, str(r[SALESFORCE_ID]), r.get(MASTER_RECORD) or None)
            for r in page.records
            if is_deleted(r)
        ]
        ctx.staging.add(SALESFORCE, sobject, alive, key, SALESFORCE_ID)
        if key is not None and not ctx.dry_run:
            ctx.state.put_keys(
                SALESFORCE, sobject, [(str(r[SALESFORCE_ID]), key(r)) for r in alive]
            )
        if page.cursor is not None:
            self.cursors[(SALESFORCE, sobject)] = page.cursor
        self._count(f"reading Salesforce {sobject}", len(page.records))

    def settle_departures(self) -> None:
        """Deletions and merges first: the changes then meet links that still stand."""
        lifecycle = Lifecycle(self.ctx, self.obj)
        lifecycle.settle(self.gone)
        self.gone = Departures()
        ctx, obj = self.ctx, self.obj
        wanted = [(o, i) for o, i in lifecycle.survivors]
        staged = ctx.staging.get(SALESFORCE, [i for _, i in wanted], obj.salesforce_objects)
        missing = [(o, i) for o, i in wanted if i not in staged]
        if missing:
            found = ctx.salesforce_records(obj, missing)
            for sobject in sorted({o for o, _ in missing}):
                records = [found[i] for o, i in missing if o == sobject and i in found]
                ctx.staging.add(
                    SALESFORCE, sobject, records, obj.salesforce_match_key, SALESFORCE_ID
                )

    def stage_failed(self, held: Held) -> None:
        """Records a previous run could not write are tried again, changed or not, once
        their retry is due (held ones are not read at all)."""
        ctx, obj = self.ctx, self.obj
        hs_ids = [
            i
            for i in ctx.state.open_error_ids(self.name, SALESFORCE)
            if (SALESFORCE, i) not in held
        ]
        staged = ctx.staging.get(HUBSPOT, hs_ids, (self.name,))
        missing = [i for i in hs_ids if i not in staged]
        if missing:
            records = list(ctx.hubspot_records(obj, missing).values())
            ctx.staging.add(HUBSPOT, self.name, records, obj.match_key, HUBSPOT_ID)
        sf_ids = [
            i for i in ctx.state.open_error_ids(self.name, HUBSPOT) if (HUBSPOT, i) not in held
        ]
        staged = ctx.staging.get(SALESFORCE, sf_ids, obj.salesforce_objects)
        by_object: dict[str, list[str]] = {}
        for sf_id in sf_ids:
            if sf_id not in staged:
                by_object.setdefault(sobject_of(sf_id, obj.salesforce_objects), []).append(sf_id)
        for sobject, ids in sorted(by_object.items()):
            if sobject not in obj.salesforce_objects:
                continue
            records = list(ctx.salesforce_records(obj, [(sobject, i) for i in ids]).values())
            ctx.staging.add(SALESFORCE, sobject, records, obj.salesforce_match_key, SALESFORCE_ID)

    def commit_cursors(self) -> None:
        """Only once every write and link the staged changes led to is committed (and
        never after a resync, which reads outside the cursors' order)."""
        if self.ctx.dry_run or self.ctx.resync is not None:
            return
        for (side, obj), cursor in sorted(self.cursors.items()):
            self.ctx.state.set_cursor(side, obj, cursor.encode())

    def run(self) -> None:
        self._setup_queues()
        self.stage()
        self.settle_departures()
        held = held_records(self.ctx, self.name)
        self.stage_failed(held)
        hold(self.ctx, self.obj, held)
        follow_conversions(self.ctx, self.obj)
        self.reconcile_hubspot()
        self.ctx.writes.flush_all()
        self.ctx.save()
        self.reconcile_salesforce()
        self.ctx.writes.flush_all()
        self.ctx.save()
        Lifecycle(self.ctx, self.obj).vanished()

    # -- queues -------------------------------------------------------------------------

    def _setup_queues(self) -> None:
        ctx = self.ctx
        hs, sf = ctx.hubspot, ctx.salesforce
        for sobject in self.obj.salesforce_objects:
            key = self.obj.salesforce_keys.get(sobject)
            if key is not None:
                # Exactly once: a retried upsert finds what a lost answer created, so
                # there is nothing to journal and nothing to find by fingerprint.
                ctx.writes.queue(
                    f"sf:create:{sobject}",
                    SALESFORCE_BATCH,
                    partial(sf.upsert, sobject, key),
                    after=self._saved,
                )
            else:
                ctx.writes.queue(
                    f"sf:create:{sobject}",
                    SALESFORCE_BATCH,
                    partial(sf.create, sobject),
                    before=self._journal(SALESFORCE, sobject),
                    after=self._unjournal,
                )
            ctx.writes.queue(
                f"sf:update:{sobject}",
                SALESFORCE_BATCH,
                partial(sf.update, sobject),
                after=self._saved,
            )
        hubspot_key = self.obj.hubspot_key
        if hubspot_key is not None:
            ctx.writes.queue(
                f"hs:create:{self.name}",
                HUBSPOT_BATCH,
                lambda recs: hs.upsert(self.name, recs, id_property=hubspot_key),
                after=self._saved,
            )
        else:
            ctx.writes.queue(
                f"hs:create:{self.name}",
                HUBSPOT_BATCH,
                lambda recs: hs.create(self.name, recs),
                before=self._journal(HUBSPOT, self.name),
                after=self._unjournal,
            )
        ctx.writes.queue(
            f"hs:update:{self.name}",
            HUBSPOT_BATCH,
            lambda recs: hs.update(self.name, recs),
            after=self._saved,
        )
        unsubscribe_queue(ctx)

    def _journal(self, target: str, target_object: str) -> Any:
        """Journal a batch of creates before it is sent. Each create's row is cleared once
        its outcome is known (created and linked, or certainly refused); a create whose
        answer was lost stays journalled, "maybe created", for the next run's recovery."""

        def before(items: list[Item]) -> None:
            ids = self.ctx.state.add_pending(
                self.name,
                target,
                target_object,
                [(item.source or "", fingerprint(item.payload)) for item in items],
            )
            self._pending = []
            for item, pending_id in zip(items, ids, strict=True):
                item.on_done = self._settles(pending_id, item.on_done)

        return before

    def _settles(self, pending_id: int, on_done: Any) -> Any:
        def done(result: WriteResult) -> None:
            if maybe_done(result):
                log.warning(
                    "%s create outcome unknown (%s): kept for the next run to find",
                    self.name,
                    "; ".join(e.message for e in result.errors)[:200],
                )
            else:
                self._pending.append(pending_id)
            on_done(result)

        return done

    def _unjournal(self, _items: list[Item]) -> None:
        self.ctx.save()
        self.ctx.state.clear_pending(self._pending)
        self._pending = []

    def _saved(self, _items: list[Item]) -> None:
        self.ctx.save()

    # -- HubSpot's changes --------------------------------------------------------------

    def _settled(self, link: Link, record: Record, side: str) -> bool:
        """The record read on `side` still holds its last synced values (and parent), and
        the other side was not read this run, so did not change: nothing to do, no read."""
        if not link.synced or self.ctx.resync is not None:
            return False
        if side == HUBSPOT:
            if PARENT_KEY in record and record[PARENT_KEY] != link.hs_parent:
                return False
            return unchanged(self.obj, link.sf_object, record, link.hs_values, HUBSPOT)
        if (
            ACCOUNT_ID in record
            and leads_and_contacts(self.obj)
            and (record.get(ACCOUNT_ID) or None) != link.sf_parent
        ):
            return False
        return unchanged(self.obj, link.sf_object, record, link.sf_values, SALESFORCE)

    def _count(self, step: str, n: int) -> None:
        # Reading a large org's changes can take a while before anything is saved: keep
        # the run lock fresh, or another host could think this run dead and take it.
        self.ctx.heartbeat()
        key = f"{self.name}: {step}"
        self._progress[key] = self._progress.get(key, 0) + n
        self.ctx.progress(f"{key}: {self._progress[key]:,} records")

    def _association_candidate(self, link: Link) -> None:
        if company_link_candidate(self.obj, link.sf_object):
            self.ctx.association_candidates.add(link.hubspot_id)

    def _included(self, hs: Record, remembered: Link | None = None) -> bool:
        """Whether a HubSpot record is in the inclusion list (R4); for one not read this
        run (`remembered`: the link whose snapshot stands for it), the answer when it was
        last read."""
        if remembered is not None:
            return not remembered.flags.excluded
        return self.obj.include is None or bool(self.obj.include(hs))

    def reconcile_hubspot(self) -> None:
        ctx, obj = self.ctx, self.obj
        for chunk in ctx.staging.chunks(HUBSPOT, self.name, PAIR_CHUNK):
            ids = [str(r[HUBSPOT_ID]) for r in chunk]
            links = ctx.state.links_by_hubspot(self.name, ids)
            unlinked = [r for r in chunk if str(r[HUBSPOT_ID]) not in links]
            kept = still_unlinked(ctx, obj, HUBSPOT, unlinked)
            by_id = {str(r[HUBSPOT_ID]): r for r in chunk}
            matches = salesforce_candidates(ctx, obj, [r for r in unlinked if self._included(r)])
            if leads_and_contacts(obj) and ctx.syncs_companies:
                self._add_companies(
                    by_id,
                    [
                        hs_id
                        for hs_id in ids
                        if (
                            links[hs_id].sf_object
                            if hs_id in links
                            else matches.get(hs_id, ("",))[0]
                        )
                        == CONTACT
                    ],
                )
            staged_sf = ctx.staging.get(
                SALESFORCE, [k.sf_id for k in links.values()], obj.salesforce_objects
            )
            settled = {
                hs_id
                for hs_id, link in links.items()
                if link.sf_id not in staged_sf and self._settled(link, by_id[hs_id], HUBSPOT)
            }
            # Not read this run means not changed since the last sync: the snapshot is it.
            remembered = {
                link.sf_id: snapshot_record(link, SALESFORCE)
                for hs_id, link in links.items()
                if hs_id not in settled
                and link.sf_id not in staged_sf
                and link.synced
                and ctx.resync is None
            }
            wanted = [
                (link.sf_object, link.sf_id)
                for hs_id, link in links.items()
                if hs_id not in settled and link.sf_id not in remembered
            ]
            wanted += list(matches.values())
            sf_records = ctx.salesforce_records(obj, wanted)
            sf_records.update(remembered)
            for hs in chunk:
                hs_id = str(hs[HUBSPOT_ID])
                link = links.get(hs_id)
                if not self._included(hs):
                    ctx.report.add(
                        self.name,
                        SALESFORCE,
                        "skip",
                        f"{self.name} {hs_id}",
                        reason="outside the inclusion list (R4/R5)",
                    )
                    if link is not None and not link.flags.excluded:
                        link.flags.excluded = True
                        ctx.touch(link)
                    continue
                if hs_id in settled:  # our own write read back, Salesforce unchanged
                    self._association_candidate(links[hs_id])
                    continue
                if link is not None and retired(link):
                    ctx.report.add(
                        self.name,
                        SALESFORCE,
                        "skip",
                        f"{self.name} {hs_id}",
                        reason=f"its lead was converted into {retired(link)}, which syncs "
                        f"with another {self.name}",
                    )
                    continue
                if link is not None:
                    sf = sf_records.get(link.sf_id)
                    if sf is None:
                        ctx.report.add(
                            self.name,
                            SALESFORCE,
                            "skip",
                            f"{self.name} {hs_id}",
                            reason=f"linked {link.sf_object} {link.sf_id} not found",
                        )
                        continue
                    reconcile(ctx, obj, link, hs, sf)
                elif hs_id in matches:
                    sobject, sf_id = matches[hs_id]
                    sf = sf_records.get(sf_id)
                    if sf is None:
                        continue
                    link = Link(self.name, hs_id, sobject, sf_id, origin="match")
                    reconcile(ctx, obj, link, hs, sf)
                elif hs_id in kept:
                    ctx.report.add(
                        self.name,
                        SALESFORCE,
                        "skip",
                        f"{self.name} {hs_id}",
                        reason="unlinked when its Salesforce record was deleted; unchanged since",
                    )
                else:
                    self.create_in_salesforce(hs)
            ctx.save()  # links that needed no write: memory stays flat in N
            self._count("syncing HubSpot changes", len(chunk))

    def _add_companies(self, by_id: dict[str, Record], ids: list[str]) -> None:
        """The company of each contact that syncs with a Salesforce Contact (a lead has no
        account), for the company <-> account links (R2, R6): the primary company when
        HubSpot names one, else the first associated one."""
        if not ids:
            return
        need = [i for i in ids if not by_id[i].get(COMPANY_OF_CONTACT)]
        companies = self.ctx.hubspot.associations(CONTACTS, COMPANIES, need) if need else {}
        self.ctx.report.reads += 1 if need else 0
        for hs_id in ids:
            hs = by_id[hs_id]
            if not hs.get(COMPANY_OF_CONTACT) and hs_id not in companies:
                continue  # unreadable: no parent key, so the account is left as it is
            found = sorted(companies.get(hs_id, []), key=lambda x: (len(x), x))
            hs[PARENT_KEY] = hs.get(COMPANY_OF_CONTACT) or (found[0] if found else None)

    # -- Salesforce's changes -----------------------------------------------------------

    def reconcile_salesforce(self) -> None:
        ctx, obj = self.ctx, self.obj
        for sobject in obj.salesforce_objects:
            for chunk in ctx.staging.chunks(SALESFORCE, sobject, PAIR_CHUNK):
                self._salesforce_chunk(sobject, chunk)
                ctx.save()
                self._count(f"syncing Salesforce {sobject} changes", len(chunk))

    def _salesforce_chunk(self, sobject: str, chunk: list[Record]) -> None:
        ctx, obj = self.ctx, self.obj
        links = ctx.state.links_by_salesforce(self.name, [str(r[SALESFORCE_ID]) for r in chunk])
        staged_hs = ctx.staging.get(
            HUBSPOT, [link.hubspot_id for link in links.values()], (self.name,)
        )
        unlinked = [r for r in chunk if str(r[SALESFORCE_ID]) not in links]
        kept = still_unlinked(ctx, obj, SALESFORCE, unlinked)
        matches = hubspot_candidates(ctx, obj, unlinked)
        taken = ctx.state.links_by_hubspot(self.name, matches.values())
        by_id = {str(r[SALESFORCE_ID]): r for r in chunk}
        settled = {
            sf_id
            for sf_id, link in links.items()
            if link.hubspot_id not in staged_hs and self._settled(link, by_id[sf_id], SALESFORCE)
        }
        remembered = {
            link.hubspot_id: snapshot_record(link, HUBSPOT)
            for sf_id, link in links.items()
            if link.hubspot_id not in staged_hs
            and sf_id not in settled
            and link.synced
            and ctx.resync is None
        }
        wanted = [
            link.hubspot_id
            for sf_id, link in links.items()
            if link.hubspot_id not in staged_hs
            and sf_id not in settled
            and link.hubspot_id not in remembered
        ]
        wanted += [m for m in matches.values() if m not in taken]
        hs_records = ctx.hubspot_records(obj, wanted)
        hs_records.update(remembered)
        for sf in chunk:
            sf_id = str(sf[SALESFORCE_ID])
            if sf_id in ctx.planned or sf_id in ctx.retired:
                continue
            link = links.get(sf_id)
            if sf_id in settled:  # our own write read back, HubSpot unchanged
                self._association_candidate(links[sf_id])
                continue
            if link is not None:
                if link.hubspot_id in staged_hs:
                    continue  # reconciled with HubSpot's change already
                hs = hs_records.get(link.hubspot_id)
                if hs is None:
                    ctx.report.add(
                        self.name,
                        HUBSPOT,
                        "skip",
                        f"{sobject} {sf_id}",
                        reason=f"linked {self.name} {link.hubspot_id} not found",
                    )
                elif not self._included(hs, link if link.hubspot_id in remembered else None):
                    ctx.report.add(
                        self.name,
                        HUBSPOT,
                        "skip",
                        f"{sobject} {sf_id}",
                        reason="outside the inclusion list (R4/R5)",
                    )
                else:
                    reconcile(ctx, obj, link, hs, sf)
                continue
            hs_id = matches.get(sf_id)
            if hs_id is not None and hs_id in taken:
                other = taken[hs_id]
                ctx.report.add(
                    self.name,
                    HUBSPOT,
                    "skip",
                    f"{sobject} {sf_id}",
                    reason=f"duplicate: {self.name} {hs_id} syncs with "
                    f"{other.sf_object} {other.sf_id} (R6)",
                )
            elif hs_id is not None and hs_id in hs_records:
                hs = hs_records[hs_id]
                link = Link(self.name, hs_id, sobject, sf_id, origin="match")
                if self._included(hs):
                    reconcile(ctx, obj, link, hs, sf)
                else:  # R5: deduplicated, but later updates do not sync
                    # No values recorded: its first real sync (if it joins the list) passes
                    # everything, opt-out included (R1).
                    link.hs_values, link.sf_values = {}, {}
                    link.flags.excluded = True
                    link.origin = SALESFORCE
                    ctx.report.add(
                        self.name,
                        HUBSPOT,
                        "skip",
                        f"{sobject} {sf_id}",
                        reason="linked; outside the inclusion list (R5)",
                    )
                    ctx.touch(link)
            else:
                key = obj.salesforce_match_key(sf) if obj.salesforce_match_key else None
                if key and key in self._creating:
                    ctx.report.add(
                        self.name,
                        HUBSPOT,
                        "skip",
                        f"{sobject} {sf_id}",
                        reason=f"duplicate by email of {self._creating[key]} (R6)",
                    )
                    continue
                if sf_id in kept:
                    ctx.report.add(
                        self.name,
                        HUBSPOT,
                        "skip",
                        f"{sobject} {sf_id}",
                        reason="unlinked when its HubSpot record was deleted; unchanged since",
                    )
                    continue
                if key:
                    self._creating[key] = f"{sobject} {sf_id}"
                self.create_in_hubspot(sobject, sf)
