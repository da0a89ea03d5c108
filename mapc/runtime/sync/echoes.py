"""Records read back as they were last synced (our own writes, a look-back), left unstaged.

A record read again that still holds its last synced values, parent and inclusion is
what the reconcile would settle (`Side.settled`) or reconcile against its unchanged
snapshot: left out of the staging table it behaves exactly like a record not read this
run, whose snapshot stands for it (a no-change run then writes nothing to the state).
Whenever anything after the read needs more of the record than its snapshot, it is
staged: no link or no completed sync; a `mapc resync`; a record with an open error or a
retry row (retries, holds); a converted lead or a retired link (lead conversion); a
HubSpot merge's result; a parent that moved or that only an associations read could tell
(the contact's company); a person-account flag that changed; and every record of a pair
whose later steps walk the staged records (declared associations, contact roles,
Closed/Won).
"""

from __future__ import annotations

from collections.abc import Sequence

from mapc.runtime.adapter import ObjectSync
from mapc.runtime.records import Record
from mapc.runtime.sync.apply import salesforce_writable
from mapc.runtime.sync.behaviours.closed_won import reads_won_from
from mapc.runtime.sync.behaviours.company_links import parent_moved, parent_unmoved_at_read
from mapc.runtime.sync.behaviours.contact_roles import syncs_contact_roles
from mapc.runtime.sync.behaviours.lead_conversion import converted, retired
from mapc.runtime.sync.behaviours.names import HUBSPOT_ID, SALESFORCE_ID
from mapc.runtime.sync.behaviours.seed import company_link_candidate
from mapc.runtime.sync.context import HUBSPOT, SALESFORCE, Context
from mapc.runtime.sync.decide import unchanged
from mapc.runtime.sync.lifecycle import merged_ids
from mapc.runtime.sync.sides import included
from mapc.runtime.sync.state import Link


class Echoes:
    """Sorts one pair's pages as they are read: what to stage, and the echoes to leave out."""

    def __init__(self, ctx: Context, obj: ObjectSync) -> None:
        self.ctx, self.obj = ctx, obj
        self._busy: dict[str, set[str]] | None = None

    def fresh(self, side: str, sobject: str, records: Sequence[Record]) -> Sequence[Record]:
        """The records of one page to stage; the echoes among them are left out (after
        what the reconcile does for a settled record: its association candidacy)."""
        if not records or not self._enabled(sobject):
            return records
        ctx, obj = self.ctx, self.obj
        id_field = HUBSPOT_ID if side == HUBSPOT else SALESFORCE_ID
        ids = [str(r[id_field]) for r in records]
        if side == HUBSPOT:
            links = ctx.state.links_by_hubspot(obj.hubspot_object, ids)
        else:
            links = ctx.state.links_by_salesforce(obj.hubspot_object, ids)
        busy = self._busy_ids()[side]
        kept: list[Record] = []
        echoes: list[str] = []
        for rid, record in zip(ids, records, strict=True):
            link = links.get(rid)
            if link is not None and rid not in busy and self._echo(side, link, record):
                echoes.append(rid)
                if company_link_candidate(obj, link.sf_object):
                    ctx.association_candidates.add(link.hubspot_id)
            else:
                kept.append(record)
        if echoes:
            # Read twice in one run (a record moving between pages): its earlier copy
            # is no longer what it holds.
            ctx.staging.discard(side, sobject, echoes)
        return kept

    def _enabled(self, sobject: str) -> bool:
        """A resync re-applies every record read; these later steps walk every staged
        record of the pair, so an echo left out would be a record they never see."""
        ctx, obj = self.ctx, self.obj
        return not (
            ctx.resync is not None
            or obj.associations
            or syncs_contact_roles(obj)
            or (ctx.adapter.closed_won is not None and reads_won_from(sobject))
        )

    def _busy_ids(self) -> dict[str, set[str]]:
        """Per side read, the records with an open error or a retry row: the retries and
        holds look for them in the staging table."""
        if self._busy is None:
            name, log = self.obj.hubspot_object, self.ctx.state.log
            busy: dict[str, set[str]] = {HUBSPOT: set(), SALESFORCE: set()}
            # Errors and retries are keyed by the rejecting side and the record read.
            for rejecting, read in ((SALESFORCE, HUBSPOT), (HUBSPOT, SALESFORCE)):
                busy[read].update(log.open_error_ids(name, rejecting))
            for row in log.retry_rows(name):
                busy[HUBSPOT if row.side == SALESFORCE else SALESFORCE].add(row.record_id)
            self._busy = busy
        return self._busy

    def _echo(self, side: str, link: Link, record: Record) -> bool:
        """Whether `record` is what its link last synced, as every step after the read
        would see it (mirrors `Side.settled`, with what the survey adds to a record)."""
        ctx, obj = self.ctx, self.obj
        if not link.synced or link.flags.excluded or retired(link) is not None:
            return False
        if side == HUBSPOT:
            if merged_ids(record) or not included(obj, record):
                return False
            if not parent_unmoved_at_read(ctx, obj, link, record):
                return False
            last = link.hs_values
        else:
            if converted(record) or parent_moved(obj, link, record, SALESFORCE):
                return False
            if not salesforce_writable(ctx, record) and not link.flags.person:
                return False
            last = link.sf_values
        return unchanged(obj, link.sf_object, record, last, side)
