"""What every step of a run shares: the adapter, both connectors, state, queues, report."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from mapc.runtime.adapter import Adapter, MatchKind, ObjectSync
from mapc.runtime.records import TRANSIENT, Record, parse_timestamp
from mapc.runtime.sync.behaviours.names import (
    ACCOUNT,
    ACCOUNT_ID,
    COMPANY_OF_CONTACT,
    CONTACT,
    HUBSPOT_ID,
    HUBSPOT_TIMESTAMPS,
    IS_PERSON_ACCOUNT,
    SALESFORCE_ALWAYS_READ,
    SALESFORCE_ID,
    SALESFORCE_TIMESTAMPS,
)
from mapc.runtime.sync.behaviours.owners import OwnerDirectory
from mapc.runtime.sync.behaviours.person_accounts import org_create_defaults, org_fields
from mapc.runtime.sync.behaviours.seed import (
    company_link_candidate,
    leads_and_contacts,
    matches_by_contacts,
)
from mapc.runtime.sync.ports import HubSpotPort, SalesforcePort
from mapc.runtime.sync.report import Change, Conflict, Report
from mapc.runtime.sync.resync import Resync
from mapc.runtime.sync.staging import Staging
from mapc.runtime.sync.state import Link, Owed, StateStore
from mapc.runtime.sync.writes import Writes

log = logging.getLogger("mapc.sync")

HUBSPOT = "hubspot"
SALESFORCE = "salesforce"
NOT_THE_RECORDS_FAULT = frozenset({TRANSIENT, "MAYBE_CREATED"})
"""Error codes that say nothing against the record (an API that failed; a create whose
answer was lost, held by recovery.py): they neither back off nor park it."""
READ_BATCH_SF = 200
READ_BATCH_HS = 100
PAIR_CHUNK = 200


def record_time(record: Record) -> datetime:
    for name in (*HUBSPOT_TIMESTAMPS, *SALESFORCE_TIMESTAMPS):
        value = record.get(name)
        if value:
            try:
                return parse_timestamp(str(value))
            except ValueError:
                continue
    return datetime.min.replace(tzinfo=UTC)


@dataclass
class Context:
    adapter: Adapter
    salesforce: SalesforcePort
    hubspot: HubSpotPort
    state: StateStore
    staging: Staging
    writes: Writes
    report: Report
    run_id: int
    dry_run: bool = False
    person_accounts: bool = False
    """R7: whether the org has person accounts (the setting, or the org's describe)."""
    account_fields: frozenset[str] | None = None
    """The Account fields the org's describe lists, when the run read it."""
    owners: OwnerDirectory | None = None
    progress: Callable[[str], None] = field(default=lambda _step: None)
    heartbeat: Callable[[], None] = field(default=lambda: None)
    dirty: dict[int, Link] = field(default_factory=dict)
    new_links: list[Link] = field(default_factory=list)
    new_keys: list[tuple[str, str, str, str | None]] = field(default_factory=list)
    """(side, object, id, match key) of records created this run, saved with the links."""
    open_errors: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    retrying: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    """Per (object, side), records with a retry row (runtime/sync/retries.py)."""
    failed: set[tuple[str, str, str]] = field(default_factory=set)
    """(object, rejecting side, record id) of records rejected this run and not synced
    since: each counts one more failure in a row (runtime/sync/retries.py)."""
    planned: set[str] = field(default_factory=set)
    retired: set[str] = field(default_factory=set)
    """Salesforce ids read this run that sync no more (converted leads): never written,
    never copied."""
    association_candidates: set[str] = field(default_factory=set)
    """HubSpot ids of contacts (syncing with Salesforce Contacts) read or linked this run."""
    owe: dict[tuple[str, str], Owed] = field(default_factory=dict)
    """Unsubscribes decided this run, saved with the links before any is sent (R1)."""
    unsubscribing: set[tuple[str, str]] = field(default_factory=set)
    """(object, HubSpot id) of unsubscribes queued this run: each is sent once a run."""
    paid: set[tuple[str, str]] = field(default_factory=set)
    """(object, HubSpot id) of owed unsubscribes HubSpot confirmed this run."""
    touched: dict[str, set[str]] = field(default_factory=dict)
    """Per HubSpot object, ids of the links made or changed this run (declared
    associations look at these)."""
    vanished: list[tuple[Link, str]] = field(default_factory=list)
    """(link, side) whose record a write found deleted on that side this run."""
    new_companies: list[tuple[str, str]] = field(default_factory=list)
    """Company <-> account links made this run: their contacts' associations may follow."""
    held: set[tuple[str, str, str]] = field(default_factory=set)
    """(object, target side, source id) of creates an earlier run may have carried out
    and nothing can find again (recovery refuses to guess): not created again."""
    resync: Resync | None = None
    """`mapc resync`: what this run reads again and re-applies (None: a usual run)."""
    """Dry runs save no links: the ids a plan already paired, so they count once."""

    # -- what to read -------------------------------------------------------------------

    @property
    def syncs_companies(self) -> bool:
        return any(o.match.kind is MatchKind.ASSOCIATED_CONTACTS for o in self.adapter.objects)

    def hubspot_properties(self, obj: ObjectSync) -> list[str]:
        props = list(obj.hubspot_properties)
        if leads_and_contacts(obj) and self.syncs_companies:
            props.append(COMPANY_OF_CONTACT)
        return sorted(set(props))

    def salesforce_fields(self, obj: ObjectSync, sobject: str) -> list[str]:
        fields = list(obj.salesforce_fields.get(sobject, ()))
        fields.extend(SALESFORCE_ALWAYS_READ)
        if sobject == CONTACT and (self.syncs_companies or self.person_accounts):
            fields.append(ACCOUNT_ID)  # a person account's contact: its Account (R1, R7)
        if self.person_accounts and sobject in (CONTACT, ACCOUNT):
            fields.append(IS_PERSON_ACCOUNT)
        return org_fields(sobject, sorted(set(fields)), self.person_accounts, self.account_fields)

    def create_defaults(self, obj: ObjectSync, sobject: str) -> Mapping[str, Any]:
        """The mapping's defaults for records mapc creates as `sobject`, as the org needs."""
        return org_create_defaults(
            sobject, obj.create_defaults.get(sobject, {}), self.person_accounts
        )

    # -- fetching counterparts -----------------------------------------------------------

    def salesforce_records(
        self, obj: ObjectSync, wanted: Iterable[tuple[str, str]]
    ) -> dict[str, Record]:
        """(sobject, id) -> record: from this run's staging, else read by id."""
        ids = {rid: sobject for sobject, rid in wanted}
        found = {
            rid: rec
            for rid, (_, rec) in self.staging.get(SALESFORCE, ids, obj.salesforce_objects).items()
        }
        missing: dict[str, list[str]] = {}
        for rid, sobject in ids.items():
            if rid not in found:
                missing.setdefault(sobject, []).append(rid)
        for sobject, rids in sorted(missing.items()):
            for start in range(0, len(rids), READ_BATCH_SF):
                chunk = rids[start : start + READ_BATCH_SF]
                for rec in self.salesforce.read_by_ids(
                    sobject, chunk, self.salesforce_fields(obj, sobject)
                ):
                    found[str(rec[SALESFORCE_ID])] = rec
        return found

    def hubspot_records(self, obj: ObjectSync, ids: Iterable[str]) -> dict[str, Record]:
        wanted = sorted(set(ids))
        found = {
            rid: rec
            for rid, (_, rec) in self.staging.get(HUBSPOT, wanted, (obj.hubspot_object,)).items()
        }
        missing = [rid for rid in wanted if rid not in found]
        props = self.hubspot_properties(obj)
        for start in range(0, len(missing), READ_BATCH_HS):
            chunk = missing[start : start + READ_BATCH_HS]
            for rec in self.hubspot.read_by_ids(obj.hubspot_object, chunk, props):
                found[str(rec[HUBSPOT_ID])] = rec
        return found

    # -- bookkeeping ------------------------------------------------------------------

    def touch(self, link: Link) -> None:
        self.touched.setdefault(link.object, set()).add(link.hubspot_id)
        obj = self.adapter.object_for(link.object)
        if company_link_candidate(obj, link.sf_object):
            self.association_candidates.add(link.hubspot_id)
        if self.dry_run:
            return
        if link.id is None and matches_by_contacts(obj):
            self.new_companies.append((link.hubspot_id, link.sf_id))
        if link.id is None:
            self.new_links.append(link)
        else:
            self.dirty[link.id] = link

    def forget(self, link: Link) -> None:
        """A pair that ended (one of its records left): its link goes now."""
        if self.dry_run:
            return
        self.new_links = [other for other in self.new_links if other is not link]
        if link.id is not None:
            self.dirty.pop(link.id, None)
            self.state.drop_links([link.id])

    def save(self) -> None:
        if self.dry_run:
            return
        self.heartbeat()
        items = [*self.new_links, *self.dirty.values()]
        self.new_links, self.dirty = [], {}
        owe, paid = list(self.owe.values()), set(self.paid)
        self.owe, self.paid = {}, set()
        if items or owe or paid:
            self.state.save_links(items, owe=owe, paid=paid)
        keys, self.new_keys = self.new_keys, []
        groups: dict[tuple[str, str], list[tuple[str, str | None]]] = {}
        for side, obj, rid, key in keys:
            groups.setdefault((side, obj), []).append((rid, key))
        for (side, obj), pairs in groups.items():
            self.state.put_keys(side, obj, pairs)

    def resolved(self, obj: str, side: str, record_id: str) -> None:
        """A record synced: close its open errors (looked up once per object and side)."""
        if self.dry_run:
            return
        key = (obj, side)
        if key not in self.open_errors:
            self.open_errors[key] = set(self.state.log.open_error_ids(obj, side))
            self.retrying[key] = {
                r.record_id for r in self.state.log.retry_rows(obj) if r.side == side
            }
        self.failed.discard((obj, side, record_id))
        if record_id in self.retrying[key]:  # e.g. ignored by hand (errors closed), then fixed
            self.retrying[key].discard(record_id)
            self.state.log.retry_records([(obj, side, record_id)])
        if record_id in self.open_errors[key]:
            self.open_errors[key].discard(record_id)
            self.state.log.resolve_errors(obj, side, [record_id])

    def will(
        self,
        obj: str,
        side: str,
        op: str,
        record: str,
        fields: tuple[str, ...] = (),
        reason: str = "",
        changes: tuple[Change, ...] = (),
    ) -> Callable[[], None]:
        """A write to count: at once in a dry run (what a run would do), else by calling
        the returned function when the API accepted it (a rejected record is an error,
        not a create or an update). `changes`: each field's value now and the new one."""

        def count() -> None:
            self.report.add(obj, side, op, record, fields, reason, changes=changes)

        if self.dry_run:
            count()
            return lambda: None
        return count

    def error(
        self,
        obj: str,
        side: str,
        record_id: str,
        code: str,
        message: str,
        fields: Sequence[str] = (),
    ) -> None:
        field_name = ",".join(fields)
        log.warning(
            "%s %s %s rejected by %s: %s %s",
            obj,
            record_id,
            field_name,
            side,
            code,
            message,
            extra={
                "run_id": self.run_id,
                "pair": obj,
                "side": side,
                "record": record_id,
                "field": field_name,
                "code": code,
            },
        )
        self.report.add(obj, side, "error", record_id, tuple(fields), f"{code}: {message}")
        if not self.dry_run:
            if code not in NOT_THE_RECORDS_FAULT:
                self.failed.add((obj, side, record_id))
            self.state.log.record_error(
                self.run_id, obj, side, record_id, code, message, field_name
            )
            if (obj, side) in self.open_errors:
                self.open_errors[(obj, side)].add(record_id)

    def conflict(
        self, obj: str, link: Link, field_name: str, hs_value: Any, sf_value: Any, winner: str
    ) -> None:
        log.info(
            "conflict on %s %s <-> %s %s: hubspot=%r salesforce=%r, %s wins",
            obj,
            link.hubspot_id,
            link.sf_object,
            link.sf_id,
            hs_value,
            sf_value,
            winner,
        )
        self.report.conflict(
            Conflict(
                obj,
                link.hubspot_id,
                link.sf_object,
                link.sf_id,
                field_name,
                hs_value,
                sf_value,
                winner,
            )
        )
        if not self.dry_run:
            self.state.log.record_conflict(
                self.run_id,
                obj,
                link.hubspot_id,
                link.sf_id,
                field_name,
                hs_value,
                sf_value,
                winner,
            )
