"""Salesforce's new records created in HubSpot while HubSpot's changes are still being read.

HubSpot's search (5 calls a second) is the slowest read of a large run, and the HubSpot
creates that Salesforce's new records lead to (100 a call, in the 10-second window) used
to wait for it: R6 matches a new record by email, and the contacts HubSpot changed since
the last run are known only once that read ends. Asking HubSpot by email (a batch read by
`idProperty`, 100 a call) answers the same question now, so a record that matches nothing
anywhere is created at once while the search goes on.

Only such a record, and only when nothing else this run could change its fate: it has no
link, matches no key kept from an earlier read nor any record staged so far, has no open
error or retry, is not a converted lead nor a merge's survivor, was not kept unlinked when
its counterpart was deleted, and no record before it (in the order the usual reconcile
takes them) with the same email waits for that reconcile. The creates wait for HubSpot's
first answer, whose `Date` bounds the read (`as_of_start`): a contact HubSpot has by then
is found by email, and the records created later are not read back in the same run (one
made within that answer's second may be: it is linked by the time HubSpot's changes are
reconciled, like any echo). Salesforce's side passes over the records decided here;
everything else is reconciled as before. Once HubSpot's read has ended, the run is prepared
and HubSpot's changes are reconciled between the chunks still to decide (pairs.py,
`PairSync._meanwhile`): the email of every contact HubSpot's side can match was staged
before those chunks are decided, so such a contact holds its Salesforce record back.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass

from mapc.runtime.adapter import MatchKind, ObjectSync
from mapc.runtime.records import Record, chunked
from mapc.runtime.sync.behaviours.lead_conversion import converted
from mapc.runtime.sync.behaviours.names import (
    CONTACTS,
    CONVERTED_CONTACT,
    EMAIL,
    HUBSPOT_ID,
    LEAD,
    SALESFORCE_ID,
)
from mapc.runtime.sync.context import HUBSPOT, SALESFORCE, Context
from mapc.runtime.sync.creates import Creates
from mapc.runtime.sync.lifecycle import still_unlinked
from mapc.runtime.sync.matching import hubspot_candidates
from mapc.runtime.sync.sides import FromSalesforce

BY_EMAIL = 100
"""Emails in one batch read (HubSpot's batch limit)."""


@dataclass(frozen=True)
class Asked:
    """A chunk of Salesforce's staged records, what holds some back, and HubSpot's
    answers by email on their way."""

    sobject: str
    chunk: list[Record]
    keys: dict[str, str | None]
    waits: set[str]
    asks: list[Future[list[Record]]]


def creates_early(ctx: Context, obj: ObjectSync, creates: Creates) -> bool:
    """Whether the pair's new Salesforce records can be created while HubSpot is read:
    writes go several at once, the run writes (not a plan, not a resync), and the pair
    matches contacts by email, which HubSpot can be asked by."""
    return (
        ctx.writes.concurrency > 1
        and not ctx.dry_run
        and ctx.resync is None
        and obj.salesforce_to_hubspot
        and obj.hubspot_to_salesforce  # else HubSpot is not read: nothing to overlap
        and obj.hubspot_object == CONTACTS
        and obj.match.kind is MatchKind.FIELD
        and obj.match.hubspot_field == EMAIL
        and obj.match_key is not None
        and obj.salesforce_match_key is not None
        and obj.hubspot_key is None
        and any(creates.creates_from(sobject) for sobject in obj.salesforce_objects)
    )


class EarlyCreates:
    """One pair's early creates: `ask` about each chunk of Salesforce's staged records,
    then `decide` them in the usual order (the next chunk's asks go while one is
    decided); `side.decided_early` holds the ids decided (created, or reported as
    a duplicate of one created)."""

    def __init__(
        self, ctx: Context, obj: ObjectSync, side: FromSalesforce, survivors: set[str]
    ) -> None:
        self.ctx, self.obj, self.side = ctx, obj, side
        self.name = obj.hubspot_object
        self.survivors = survivors
        """Salesforce records that merges this run kept: their links may move to them."""
        self.contested: set[str] = set()
        """Emails of records left to the usual reconcile: a later record with one of them
        waits too, so the first of them in order is still the one that creates (R6)."""
        retries = {row.record_id for row in ctx.state.log.retry_rows(self.name)}
        self.busy = retries | set(ctx.state.log.open_error_ids(self.name, HUBSPOT))
        """Records an earlier run failed to write: theirs is the usual retry path."""
        self.conversions: set[str] = set()
        """Contacts a lead read this run was converted into: its link may move to them."""
        if LEAD in obj.salesforce_objects:
            for chunk in ctx.staging.chunks(SALESFORCE, LEAD, 500):
                self.conversions |= {
                    str(r.get(CONVERTED_CONTACT))
                    for r in chunk
                    if converted(r) and r.get(CONVERTED_CONTACT)
                }

    def ask(self, sobject: str, chunk: list[Record], pool: Executor) -> Asked:
        """Find what holds the chunk's records back, and ask HubSpot (on `pool`, answers
        awaited by `decide`) for the emails of the others. Asked even once HubSpot's read
        has ended: it stopped where it began, so a contact made since is known to HubSpot
        alone (review: without the ask, such a create came back "already exists")."""
        key_of = self.obj.salesforce_match_key
        assert key_of is not None
        keys = {str(r[SALESFORCE_ID]): key_of(r) for r in chunk}
        waits = self._waiting(sobject, chunk, keys)
        emails = sorted({k for rid, k in keys.items() if rid not in waits and k})
        hs, props = self.ctx.hubspot, [EMAIL]
        asks = [
            pool.submit(hs.read_by_ids, self.name, part, props, id_property=EMAIL)
            for part in chunked(emails, BY_EMAIL)
        ]
        return Asked(sobject, chunk, keys, waits, asks)

    def decide(self, asked: Asked, stage: Callable[[], None]) -> None:
        """Create in HubSpot the asked chunk's records that match nothing anywhere, in
        order; the others are left to the usual reconcile. `stage`: stage the HubSpot
        pages read meanwhile, once the answers are in."""
        found = self._found(asked.asks)
        stage()
        keys, waits = asked.keys, set(asked.waits)
        # HubSpot's pages staged meanwhile may hold a contact with one of these emails that
        # the email read no longer found (changed or merged since the search read it), and
        # an earlier chunk's answers may have named one: the usual reconcile decides those.
        late = [
            r
            for r in asked.chunk
            if str(r[SALESFORCE_ID]) not in waits and keys[str(r[SALESFORCE_ID])]
        ]
        waits |= set(hubspot_candidates(self.ctx, self.obj, late))
        for record in asked.chunk:
            rid, key = str(record[SALESFORCE_ID]), keys[str(record[SALESFORCE_ID])]
            if not key:
                continue
            if rid in waits or key in found or key in self.contested:
                self.contested.add(key)
                continue
            duplicate = self.side.duplicate(record)
            if duplicate is not None:
                label = f"{asked.sobject} {rid}"
                self.ctx.report.add(self.name, HUBSPOT, "skip", label, reason=duplicate)
            else:
                self.side.create(asked.sobject, record)
            self.side.decided_early.add(rid)

    def _waiting(self, sobject: str, chunk: list[Record], keys: dict[str, str | None]) -> set[str]:
        """Ids of the chunk's records that only the usual reconcile can decide."""
        ctx, obj = self.ctx, self.obj
        if not self.side.creates.creates_from(sobject):
            return set(keys)
        waits = {
            rid
            for rid, record in ((str(r[SALESFORCE_ID]), r) for r in chunk)
            if rid in self.busy
            or rid in self.survivors
            or rid in self.conversions
            or rid in ctx.retired
            or (self.name, HUBSPOT, rid) in ctx.held
            or converted(record)
        }
        waits |= set(self.side.links(list(keys)))
        rest = [
            r for r in chunk if str(r[SALESFORCE_ID]) not in waits and keys[str(r[SALESFORCE_ID])]
        ]
        waits |= set(hubspot_candidates(ctx, obj, rest))
        waits |= still_unlinked(ctx, obj, SALESFORCE, rest)
        return waits

    def _found(self, asks: list[Future[list[Record]]]) -> set[str]:
        """The emails HubSpot answered it has a contact with, kept as HubSpot's keys so
        the usual reconcile matches them. Not the key of a contact read this run: HubSpot's
        side reconciles the copy it read, so its key stays that copy's (review: a contact
        whose email changed after the read was matched by the new one while the lead made
        from its old one was still in flight, and linked twice)."""
        obj = self.obj
        assert obj.match_key is not None
        records = [record for ask in asks for record in ask.result()]
        self.ctx.report.reads += len(asks)
        pairs = [(str(r[HUBSPOT_ID]), obj.match_key(r)) for r in records]
        staged = self.ctx.staging.get(HUBSPOT, [i for i, _ in pairs], (self.name,))
        kept = [(i, key) for i, key in pairs if i not in staged]
        if kept:
            self.ctx.state.put_keys(HUBSPOT, self.name, kept)
        return {key for _, key in pairs if key}
