"""Links rebuilt from the CRMs: each side's idempotency key holds the other side's id, so
a lost state is found again in the records themselves, without writing to either CRM."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from mapc.runtime.adapter import Adapter, ObjectSync
from mapc.runtime.errors import ConfigurationError
from mapc.runtime.records import Record, format_timestamp
from mapc.runtime.sync.behaviours.email_events import CURSOR as EMAIL_EVENTS_CURSOR
from mapc.runtime.sync.behaviours.names import HUBSPOT_ID, SALESFORCE_ID
from mapc.runtime.sync.context import HUBSPOT
from mapc.runtime.sync.ports import HubSpotPort, SalesforcePort
from mapc.runtime.sync.state import Link, StateStore

log = logging.getLogger("mapc.sync")

# A Salesforce id is 15 characters, case-sensitive, plus a 3-character checksum suffix; a
# key written by hand may hold either form.
_SHORT = 15


class StateNotEmpty(ConfigurationError):
    """`mapc state rebuild` writes links only into a state that holds none."""


@dataclass
class Rebuilt:
    """What a rebuild found, per pair."""

    links: dict[str, int] = field(default_factory=dict)
    unkeyed: list[str] = field(default_factory=list)
    """Pairs without an idempotency key: nothing in the CRMs says which records pair."""
    problems: list[str] = field(default_factory=list)
    """Keys that could not become links: a record named that does not exist, two records
    claiming one, or the two sides' keys disagreeing."""

    @property
    def total(self) -> int:
        return sum(self.links.values())


@dataclass(frozen=True)
class _Claim:
    hubspot_id: str
    sf_object: str
    sf_id: str
    source: str


def rebuild_links(
    adapter: Adapter,
    salesforce: SalesforcePort,
    hubspot: HubSpotPort,
    state: StateStore,
    *,
    now: datetime | None = None,
) -> Rebuilt:
    """Read every record of each keyed pair on both sides and store a link for each pair
    of records one side's key (or both, agreeing) names. The links carry no last synced
    values: the next run compares both records field by field under their rules, as for
    a pair matched by email, so it writes only where the two sides differ. Reads only."""
    if state.count_links():
        raise StateNotEmpty(
            "The state already holds links: rebuild into a new one "
            "(`mapc state rebuild --state NEW_URL`), never over the links of a state in use."
        )
    found = Rebuilt()
    links: list[Link] = []
    for obj in adapter.objects:
        if not obj.salesforce_keys and not obj.hubspot_key:
            found.unkeyed.append(obj.hubspot_object)
            continue
        pair_links = _pair(obj, salesforce, hubspot, found.problems)
        links += pair_links
        found.links[obj.hubspot_object] = len(pair_links)
        log.info("found %d %s links in the CRMs", len(pair_links), obj.hubspot_object)
    # Saved together once everything is read: a rebuild that fails half way (an outage)
    # leaves the state empty, so it can simply be run again.
    state.save_links(links)
    if adapter.email_events is not None:
        # Events before the rebuild may have become tasks already; the state that knew
        # which is gone, so the rebuilt one starts from now rather than make them twice.
        stamp = format_timestamp(now or datetime.now(UTC))
        state.set_cursor(HUBSPOT, EMAIL_EVENTS_CURSOR, stamp)
    return found


def _pair(
    obj: ObjectSync, salesforce: SalesforcePort, hubspot: HubSpotPort, problems: list[str]
) -> list[Link]:
    name = obj.hubspot_object
    hs_records = _by_id(
        (
            r
            for page in hubspot.read_changed(name, list(obj.hubspot_properties))
            for r in page.records
        ),
        HUBSPOT_ID,
    )
    sf_records: dict[str, tuple[str, Record]] = {}
    for sobject in obj.salesforce_objects:
        fields = list(obj.salesforce_fields.get(sobject, (SALESFORCE_ID,)))
        for page in salesforce.read_changed(sobject, fields):
            for record in page.records:
                sf_records[str(record[SALESFORCE_ID])[:_SHORT]] = (sobject, record)
    claims: list[_Claim] = []
    for sobject, record in sf_records.values():
        key = obj.salesforce_keys.get(sobject)
        value = record.get(key) if key else None
        if value:
            claims.append(
                _Claim(str(value), sobject, str(record[SALESFORCE_ID]), f"{sobject}.{key}")
            )
    if obj.hubspot_key:
        for hs_id, record in hs_records.items():
            value = str(record.get(obj.hubspot_key) or "")
            if not value:
                continue
            target = sf_records.get(value[:_SHORT])
            if target is None:
                problems.append(
                    f"{name} {hs_id}: {obj.hubspot_key} names Salesforce {value}, which does "
                    "not exist (or is not one of the pair's objects)"
                )
                continue
            sobject, record_sf = target
            claims.append(
                _Claim(hs_id, sobject, str(record_sf[SALESFORCE_ID]), f"{name}.{obj.hubspot_key}")
            )
    return _links(name, claims, hs_records, problems)


def _by_id(records: Iterable[Record], id_field: str) -> dict[str, Record]:
    return {str(r[id_field]): r for r in records}


def _links(
    name: str, claims: list[_Claim], hs_records: dict[str, Record], problems: list[str]
) -> list[Link]:
    pairs: dict[tuple[str, str], _Claim] = {}
    for claim in claims:
        if claim.hubspot_id not in hs_records:
            problems.append(
                f"{claim.sf_object} {claim.sf_id}: {claim.source} names {name} "
                f"{claim.hubspot_id}, which does not exist"
            )
            continue
        pairs.setdefault((claim.hubspot_id, claim.sf_id), claim)
    by_hubspot: dict[str, set[str]] = {}
    by_salesforce: dict[str, set[str]] = {}
    for hs_id, sf_id in pairs:
        by_hubspot.setdefault(hs_id, set()).add(sf_id)
        by_salesforce.setdefault(sf_id, set()).add(hs_id)
    links: list[Link] = []
    for (hs_id, sf_id), claim in sorted(pairs.items()):
        if len(by_hubspot[hs_id]) > 1:
            problems.append(
                f"{name} {hs_id} is claimed by several Salesforce records "
                f"({', '.join(sorted(by_hubspot[hs_id]))}): not linked"
            )
            continue
        if len(by_salesforce[sf_id]) > 1:
            problems.append(
                f"{claim.sf_object} {sf_id} is claimed by several {name} records "
                f"({', '.join(sorted(by_salesforce[sf_id]))}): not linked"
            )
            continue
        links.append(Link(name, hs_id, claim.sf_object, sf_id, origin="match"))
    # A record claimed twice is reported once per pair above; say it once.
    problems[:] = list(dict.fromkeys(problems))
    return links
