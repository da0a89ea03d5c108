"""One `sync` block end to end: stage both sides' changes, reconcile, create, move cursors."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from functools import partial

from mapc.runtime.adapter import ObjectSync
from mapc.runtime.readahead import ReadAhead
from mapc.runtime.records import Cursor, Page, Record
from mapc.runtime.sync.apply import reconcile, writes_hubspot
from mapc.runtime.sync.behaviours.lead_conversion import follow_conversions
from mapc.runtime.sync.behaviours.names import (
    HUBSPOT_ID,
    KEY_PREFIXES,
    MASTER_RECORD,
    MERGED_IDS,
    SALESFORCE_ID,
)
from mapc.runtime.sync.behaviours.opt_out import unsubscribe_queue
from mapc.runtime.sync.behaviours.seed import company_link_candidate
from mapc.runtime.sync.context import HUBSPOT, PAIR_CHUNK, SALESFORCE, Context
from mapc.runtime.sync.creates import Creates
from mapc.runtime.sync.early import Asked, EarlyCreates, creates_early
from mapc.runtime.sync.echoes import Echoes
from mapc.runtime.sync.lifecycle import (
    Departures,
    Lifecycle,
    deletion_fields,
    is_deleted,
    merged_ids,
    still_unlinked,
)
from mapc.runtime.sync.retries import Held, held_records, hold
from mapc.runtime.sync.sides import FromHubSpot, FromSalesforce, Match, Side, named
from mapc.runtime.sync.state import Link
from mapc.runtime.sync.writes import HUBSPOT_BATCH, SALESFORCE_BATCH, Item

PAGES_AHEAD = 32
"""HubSpot pages read ahead of staging while Salesforce's new records are created (6,400
records): the search goes on at its own pace meanwhile."""


@dataclass(frozen=True)
class Survey:
    """What a chunk of one side's records meets, found once for all of them."""

    links: dict[str, Link]
    kept: set[str]
    """Unlinked records kept when their counterpart was deleted, unchanged since."""
    matches: dict[str, Match]
    taken: dict[str, Link]
    settled: set[str]
    staged_there: set[str]
    others: dict[str, Record]
    """The counterparts and matches, read or remembered, by id."""
    remembered: set[str]
    """Those of `others` not read: their last synced snapshot stands for them."""


def sobject_of(sf_id: str, objects: tuple[str, ...]) -> str:
    """The object a Salesforce id belongs to, from its key prefix."""
    return KEY_PREFIXES.get(sf_id[:3], objects[0])


class PairSync:
    """One pair's run: its changes staged, reconciled side by side, its cursors moved."""

    def __init__(self, ctx: Context, obj: ObjectSync) -> None:
        self.ctx = ctx
        self.obj = obj
        self.name = obj.hubspot_object
        self.creates = Creates(ctx, obj)
        self.cursors: dict[tuple[str, str], Cursor] = {}
        self._progress: dict[str, int] = {}
        self.gone = Departures()
        """Deletions and merges the read found, settled before the changes."""
        self.echoes = Echoes(ctx, obj)
        self.from_salesforce = FromSalesforce(ctx, obj, self.creates)
        """Salesforce's side, one for the run: what it created early it passes over."""
        self.bounded = False
        """HubSpot's read stopped where it began (early creates): a contact it did not
        read may have changed since, so its snapshot cannot stand for it."""

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
            streams.append((HUBSPOT, self.name, self._hubspot_pages()))
        for sobject in obj.salesforce_objects if obj.salesforce_to_hubspot else ():
            streams.append((SALESFORCE, sobject, self._salesforce_pages(sobject)))
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
        self._read_archived()

    def stage_creating_early(self, hubspot_side: FromHubSpot) -> Iterator[bool]:
        """`stage`, and meanwhile the Salesforce records that match nothing anywhere are
        created in HubSpot (runtime/sync/early.py). HubSpot's read runs on a thread of its
        own, stopping at the second of its first answer; its pages are staged here between
        chunks. The creates decided before that read ends are settled (linked) before
        anything else is reconciled; once it has ended, HubSpot's side is prepared and its
        changes are reconciled while HubSpot's lane is busy with the creates left (`_meanwhile`).
        Returns what is left of HubSpot's side's reconcile."""
        ctx, obj = self.ctx, self.obj
        pages = self._hubspot_pages(as_of_start=True)
        self.bounded = True
        hubspot_chunks: Iterator[bool] | None = None
        with (
            ReadAhead(pages, depth=PAGES_AHEAD, name="mapc-read-hubspot") as hubspot,
            ThreadPoolExecutor(ctx.writes.concurrency, thread_name_prefix="mapc-ask") as pool,
        ):

            def take() -> None:
                for page in hubspot.ready():
                    self._stage_hubspot_page(page)

            for sobject in obj.salesforce_objects:
                for page in self._salesforce_pages(sobject):
                    self._stage_salesforce_page(sobject, page)
                    take()
            # HubSpot's first answer sets the read's bound: no create goes before it.
            for page in hubspot:
                self._stage_hubspot_page(page)
                break
            survivors = {str(kept) for _, _, kept in self.gone.salesforce if kept}
            early = EarlyCreates(ctx, obj, self.from_salesforce, survivors)
            waiting: Asked | None = None
            for sobject in obj.salesforce_objects:
                for chunk in ctx.staging.chunks(SALESFORCE, sobject, PAIR_CHUNK):
                    take()
                    if hubspot_chunks is None and hubspot.finished:
                        if waiting is not None:
                            self._decide_early(early, waiting, take)
                            waiting = None
                        hubspot_chunks = self._prepare_hubspot_side(hubspot_side)
                        ctx.writes.defer(self._early_queue)
                        # Read before the run was prepared: what it took out of the
                        # staging (a deleted record, a held one) is left out here too.
                        still = ctx.staging.get(
                            SALESFORCE, [str(r[SALESFORCE_ID]) for r in chunk], (sobject,)
                        )
                        chunk = [r for r in chunk if str(r[SALESFORCE_ID]) in still]
                    asked = early.ask(sobject, chunk, pool)
                    if waiting is not None:
                        self._decide_early(early, waiting, take, hubspot_chunks)
                    waiting = asked
            if waiting is not None:
                self._decide_early(early, waiting, take, hubspot_chunks)
            for page in hubspot:
                self._stage_hubspot_page(page)
        ctx.writes.defer(self._early_queue, False)
        if hubspot_chunks is None:
            return self._prepare_hubspot_side(hubspot_side)
        ctx.writes.flush(self._early_queue)
        ctx.save()
        return hubspot_chunks

    @property
    def _early_queue(self) -> str:
        return f"hs:create:{self.name}"

    def _prepare_hubspot_side(self, side: FromHubSpot) -> Iterator[bool]:
        """Once HubSpot's read has ended: the early creates so far settled, the run
        prepared (`prepare`), and HubSpot's side's reconcile ready to go a chunk at a time."""
        self._read_archived()
        self.ctx.writes.flush(self._early_queue)
        self.ctx.save()
        self.prepare()
        return self.reconciling(side)

    def _decide_early(
        self,
        early: EarlyCreates,
        asked: Asked,
        take: Callable[[], None],
        hubspot_chunks: Iterator[bool] | None = None,
    ) -> None:
        if hubspot_chunks is not None:
            self._meanwhile(asked, hubspot_chunks)
        early.decide(asked, take)
        self._count(f"creating Salesforce {asked.sobject}'s new records", len(asked.chunk))

    def _meanwhile(self, asked: Asked, hubspot_chunks: Iterator[bool]) -> None:
        """Reconcile HubSpot's changes a chunk at a time while the creates queued already
        fill HubSpot's lane for its next round or the chunk's answers are not all in; the
        Salesforce writes they lead to go on Salesforce's lane, which the creates leave
        idle. Then no more than a round's creates wait before the chunk adds its own."""
        writes, queue = self.ctx.writes, self._early_queue
        enough = HUBSPOT_BATCH * writes.concurrency
        while writes.backlog(queue) >= enough or not all(a.done() for a in asked.asks):
            if not next(hubspot_chunks, False):
                break
        writes.send_below(queue, enough)

    def _hubspot_pages(self, *, as_of_start: bool = False) -> Iterable[Page]:
        props = [*self.ctx.hubspot_properties(self.obj), MERGED_IDS]  # a merge shows on its result
        since = self._since(HUBSPOT, self.name)
        return self.ctx.hubspot.read_changed(self.name, props, since, as_of_start=as_of_start)

    def _salesforce_pages(self, sobject: str) -> Iterable[Page]:
        fields = self.ctx.salesforce_fields(self.obj, sobject) + deletion_fields(sobject)
        # queryAll: the records deleted (or merged away) since the cursor come with the
        # changed ones, in the same pages, at no extra call.
        return self.ctx.salesforce.read_changed(
            sobject, fields, self._since(SALESFORCE, sobject), include_deleted=True
        )

    def _read_archived(self) -> None:
        for page in self.ctx.hubspot.read_archived(self.name, ()):
            self.ctx.report.reads += 1
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
        fresh = self.echoes.fresh(HUBSPOT, self.name, page.records)
        ctx.staging.add(HUBSPOT, self.name, fresh, obj.match_key, HUBSPOT_ID)
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
        fresh = self.echoes.fresh(SALESFORCE, sobject, alive)
        ctx.staging.add(SALESFORCE, sobject, fresh, key, SALESFORCE_ID)
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
            for i in ctx.state.log.open_error_ids(self.name, SALESFORCE)
            if (SALESFORCE, i) not in held
        ]
        staged = ctx.staging.get(HUBSPOT, hs_ids, (self.name,))
        missing = [i for i in hs_ids if i not in staged]
        if missing:
            records = list(ctx.hubspot_records(obj, missing).values())
            ctx.staging.add(HUBSPOT, self.name, records, obj.match_key, HUBSPOT_ID)
        sf_ids = [
            i for i in ctx.state.log.open_error_ids(self.name, HUBSPOT) if (HUBSPOT, i) not in held
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

    def prepare(self) -> None:
        """What the staged changes meet, settled before any is reconciled: deletions and
        merges, records earlier runs failed to write, held ones, converted leads."""
        self.settle_departures()
        held = held_records(self.ctx, self.name)
        self.stage_failed(held)
        hold(self.ctx, self.obj, held)
        follow_conversions(self.ctx, self.obj)

    def run(self) -> None:
        self._setup_queues()
        hubspot_side = FromHubSpot(self.ctx, self.obj, self.creates)
        if creates_early(self.ctx, self.obj, self.creates):
            hubspot_chunks = self.stage_creating_early(hubspot_side)
        else:
            self.stage()
            self.prepare()
            hubspot_chunks = self.reconciling(hubspot_side)
        for _ in hubspot_chunks:
            pass
        # No barrier: the writes HubSpot's changes led to stay in flight while Salesforce's
        # are reconciled. Nothing there can meet them: a pair reconciled here was linked
        # (and the link saved) before its writes went; a record created in Salesforce
        # here was read in no stream; one of Salesforce's records that shares its match
        # key would have been matched here instead (docs/runner.md, "In flight").
        self.ctx.writes.send_all()
        self.ctx.save()
        self.reconcile(self.from_salesforce)
        self.ctx.writes.flush_all()
        self.ctx.save()
        Lifecycle(self.ctx, self.obj).vanished()

    # -- queues -------------------------------------------------------------------------

    def _setup_queues(self) -> None:
        ctx, creates = self.ctx, self.creates
        hs, sf = ctx.hubspot, ctx.salesforce
        for sobject in self.obj.salesforce_objects:
            creates.queue_salesforce(sobject)
            ctx.writes.queue(
                f"sf:update:{sobject}",
                SALESFORCE_BATCH,
                partial(sf.update, sobject),
                after=self._saved,
            )
        creates.queue_hubspot()
        ctx.writes.queue(
            f"hs:update:{self.name}",
            HUBSPOT_BATCH,
            lambda recs: hs.update(self.name, recs),
            after=self._saved,
        )
        unsubscribe_queue(ctx)

    def _saved(self, _items: list[Item]) -> None:
        self.ctx.save()

    # -- reconciling each side's changes ------------------------------------------------

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

    def reconcile(self, side: Side) -> None:
        """Every record staged on `side`: settled, synced with its counterpart, or created
        on the other side."""
        for _ in self.reconciling(side):
            pass

    def reconciling(self, side: Side) -> Iterator[bool]:
        """`reconcile`, a chunk at a time: each step reconciles one chunk."""
        for staged in side.objects:
            for chunk in self.ctx.staging.chunks(side.name, staged, PAIR_CHUNK):
                left = [r for r in chunk if side.id_of(r) not in side.decided_early]
                found = self._survey(side, left)
                for record in left:
                    self._one(side, staged, record, found)
                self.ctx.save()  # links that needed no write: memory stays flat in N
                self._count(f"syncing {side.progress(staged)} changes", len(chunk))
                yield True

    def _survey(self, side: Side, chunk: list[Record]) -> Survey:
        """The chunk's links, matches and counterparts, read in a few calls for all."""
        ctx, obj = self.ctx, self.obj
        by_id = {side.id_of(r): r for r in chunk}
        links = side.links(list(by_id))
        unlinked = [r for rid, r in by_id.items() if rid not in links]
        kept = still_unlinked(ctx, obj, side.name, unlinked)
        matches = side.candidates(unlinked)
        side.prepare(by_id, links, matches)
        there = {rid: side.counterpart(link)[1] for rid, link in links.items()}
        staged_there = set(ctx.staging.get(side.other, there.values(), side.other_objects))
        settled = {
            rid
            for rid, link in links.items()
            if there[rid] not in staged_there and side.settled(link, by_id[rid])
        }
        # Not read this run means not changed since the last sync: the snapshot is it.
        remembered = {
            there[rid]: side.remembered(link)
            for rid, link in links.items()
            if rid not in settled
            and there[rid] not in staged_there
            and link.synced
            and ctx.resync is None
        }
        if side.second and self.bounded:
            # HubSpot's read stopped where it began: a contact it did not read may have
            # changed since. One Salesforce's change would be written to is read now, not
            # trusted to its snapshot, so a person's edit meets it as a conflict (R12).
            for rid, link in links.items():
                there_id = there[rid]
                if there_id in remembered and writes_hubspot(
                    ctx, obj, link, remembered[there_id], by_id[rid]
                ):
                    del remembered[there_id]
        taken = side.taken(matches)
        wanted = [
            side.counterpart(link)
            for rid, link in links.items()
            if rid not in settled
            and there[rid] not in remembered
            and not (side.second and there[rid] in staged_there)
        ]
        wanted += [m for m in matches.values() if m[1] not in taken]
        others = side.read(wanted)
        others.update(remembered)
        return Survey(links, kept, matches, taken, settled, staged_there, others, set(remembered))

    def _one(self, side: Side, staged: str, record: Record, found: Survey) -> None:
        """One staged record: passed over, left out (R4), settled, synced with its linked
        counterpart, or else (unlinked) with its match, or created on the other side."""
        rid = side.id_of(record)
        link = found.links.get(rid)
        label = f"{staged} {rid}"
        if side.passed_over(rid):
            return
        if side.excluded(record, link):
            self._skip(side, label, "outside the inclusion list (R4/R5)")
        elif link is not None and rid in found.settled:
            # Our own write read back, the other side unchanged.
            self._association_candidate(link)
        elif link is not None:
            _, there_id = side.counterpart(link)
            stopped = side.stopped(link)
            if stopped is not None:
                self._skip(side, label, stopped)
            elif side.second and there_id in found.staged_there:
                return  # reconciled with the other side's change already
            elif there_id not in found.others:
                self._skip(side, label, f"linked {named(side.counterpart(link))} not found")
            elif not self._sync(
                side, link, record, found.others[there_id], there_id in found.remembered
            ):
                self._skip(side, label, "outside the inclusion list (R4/R5)")
        else:
            self._unlinked(side, staged, label, record, found)

    def _unlinked(self, side: Side, staged: str, label: str, record: Record, found: Survey) -> None:
        """Linked with its match (R6), unless that one syncs with another record already,
        or else created on the other side, unless it is a duplicate or was kept."""
        rid = side.id_of(record)
        match = found.matches.get(rid)
        if match is not None and match[1] in found.taken:
            other = named(side.own(found.taken[match[1]]))
            self._skip(side, label, f"duplicate: {named(match)} syncs with {other} (R6)")
            return
        if match is not None and match[1] in found.others:
            link = side.new_link(staged, rid, match)
            if not self._sync(side, link, record, found.others[match[1]]):
                self._link_left_out(side, label, link)
            return
        if match is not None and side.waits_for_unread_match:
            # Matched by a key kept from an earlier read, but that record cannot be read
            # now (gone beyond the recycle bin, or hidden from the integration user): its
            # key is forgotten, so the next run creates this one unless another matches.
            self._skip(
                side,
                label,
                f"matched {named(match)} by a key kept from an earlier read, but it can no "
                "longer be read; its key is forgotten and the next run creates this record "
                "unless another matches",
            )
            if not self.ctx.dry_run:
                self.ctx.state.put_keys(side.other, match[0], [(match[1], None)])
            return
        duplicate = side.duplicate(record)
        if duplicate is not None:
            self._skip(side, label, duplicate)
        elif rid in found.kept:
            why = f"unlinked when its {side.other_title} record was deleted; unchanged since"
            self._skip(side, label, why)
        else:
            side.create(staged, record)

    def _sync(
        self, side: Side, link: Link, record: Record, there: Record, remembered: bool = False
    ) -> bool:
        """Reconcile a pair whose HubSpot record is in the inclusion list (R4)."""
        if not side.included(record, there, link if remembered else None):
            return False
        reconcile(self.ctx, self.obj, link, *side.pair(record, there))
        return True

    def _link_left_out(self, side: Side, label: str, link: Link) -> None:
        """R5: a match outside the inclusion list is linked (deduplicated), but later
        updates do not sync. No values recorded: its first real sync (if it joins the
        list) passes everything, opt-out included (R1)."""
        link.hs_values, link.sf_values = {}, {}
        link.flags.excluded = True
        link.origin = side.name
        self._skip(side, label, "linked; outside the inclusion list (R5)")
        self.ctx.touch(link)

    def _skip(self, side: Side, label: str, reason: str) -> None:
        self.ctx.report.add(self.name, side.other, "skip", label, reason=reason)
