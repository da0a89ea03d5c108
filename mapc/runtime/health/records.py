"""Per-record errors made actionable: their category, the record's identity and UI links.

An error's `side` is the side that rejected the write and its `record_id` the record it
was syncing from, on the other side: that record (and its linked twin, when there is
one) is what an operator opens to fix the value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from mapc.runtime.health.categories import Category, categorize
from mapc.runtime.sync import schema as s
from mapc.runtime.sync.runlog import ErrorRow, RetryRow, now_iso
from mapc.runtime.sync.state import StateStore

HUBSPOT, SALESFORCE = "hubspot", "salesforce"

# HubSpot's object type ids for the standard objects (custom objects have their own).
HUBSPOT_TYPE_IDS = {"contacts": "0-1", "companies": "0-2", "deals": "0-3", "tickets": "0-5"}
_SF_ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")
_HS_ID = re.compile(r"^[0-9]+$")

# Values that name a record, most telling first (HubSpot and Salesforce spellings).
_NAME_FIELDS = ("email", "Email", "PersonEmail", "name", "Name", "dealname", "domain")
_FIRST_LAST = (("firstname", "lastname"), ("FirstName", "LastName"))


@dataclass(frozen=True)
class Where:
    """Where the two UIs are: Salesforce's instance URL and HubSpot's portal (account) id.
    The state does not hold them; each is None when not known."""

    salesforce_url: str | None = None
    hubspot_portal: str | None = None


@dataclass(frozen=True)
class ErrorView:
    error: ErrorRow
    category: Category
    record_side: str
    """Where the record being synced lives (the side opposite the one that rejected it)."""
    identity: str
    """Its email or name when the state knows it, else its id."""
    record_url: str | None
    linked_url: str | None
    """Its synced twin on the rejecting side, when the two are linked."""
    link_note: str
    """Why a link is missing ("" when both are known or not applicable)."""
    retry: RetryRow | None = None
    """The record's retry state, when it failed since retries were recorded."""

    @property
    def state(self) -> str:
        """ignored, resolved, parked, waiting (for its next retry) or open (due)."""
        r = self.retry
        if r is not None and r.ignored_at:
            return "ignored"  # ignoring closes the errors too (health/actions.py)
        if self.error.resolved_at:
            return "resolved"
        if r is None:
            return "open"
        if r.parked_at:
            return "parked"
        return "waiting" if r.next_at and r.next_at > now_iso() else "open"

    @property
    def needs_attention(self) -> bool:
        """Open in the alerting sense: not resolved and not ignored by hand."""
        return self.state not in ("resolved", "ignored")

    def to_dict(self) -> dict[str, Any]:
        e = self.error
        r = self.retry
        return {
            "category": self.category.value,
            "side": e.side,
            "object": e.object,
            "record_side": self.record_side,
            "record_id": e.record_id,
            "identity": self.identity,
            "record_url": self.record_url,
            "linked_url": self.linked_url,
            "link_note": self.link_note,
            "field": e.field,
            "code": e.code,
            "message": e.message,
            "first_seen": e.first_seen,
            "last_seen": e.last_seen,
            "occurrences": e.occurrences,
            "resolved_at": e.resolved_at,
            "run_id": e.run_id,
            "state": self.state,
            "failures": r.failures if r is not None else None,
            "next_retry_at": r.next_at if r is not None and self.state == "waiting" else None,
        }


def other(side: str) -> str:
    return HUBSPOT if side == SALESFORCE else SALESFORCE


def hubspot_url(portal: str, obj: str, record_id: str) -> str | None:
    type_id = HUBSPOT_TYPE_IDS.get(obj)
    if type_id is None or not _HS_ID.match(record_id):
        return None
    return f"https://app.hubspot.com/contacts/{portal}/record/{type_id}/{record_id}"


def salesforce_url(base: str, sobject: str | None, record_id: str) -> str | None:
    if not _SF_ID.match(record_id):
        return None
    base = base.rstrip("/")
    if sobject:
        return f"{base}/lightning/r/{sobject}/{record_id}/view"
    return f"{base}/{record_id}"  # Salesforce redirects a bare id to its record page


def _name_in(values: Mapping[str, Any]) -> str | None:
    for key in _NAME_FIELDS:
        value = values.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    for first, last in _FIRST_LAST:
        parts = [str(values[k]).strip() for k in (first, last) if values.get(k)]
        if parts:
            return " ".join(parts)
    return None


@dataclass(frozen=True)
class _Known:
    key: str | None
    hubspot_id: str | None
    sf_object: str | None
    sf_id: str | None
    values: Mapping[str, Any]


def _lookup(state: StateStore, error: ErrorRow) -> _Known:
    """What the state knows of the record an error is about: its match key and link."""
    source = other(error.side)
    with state.engine.connect() as conn:
        keyq = select(s.keys.c.key).where(
            s.keys.c.account == state.account,
            s.keys.c.side == source,
            s.keys.c.record_id == error.record_id,
        )
        if source == HUBSPOT:
            keyq = keyq.where(s.keys.c.object == error.object)
        key_row = conn.execute(keyq.limit(1)).first()
        column = s.links.c.hubspot_id if source == HUBSPOT else s.links.c.sf_id
        link = conn.execute(
            select(s.links).where(
                s.links.c.account == state.account,
                s.links.c.object == error.object,
                column == error.record_id,
            )
        ).first()
    values: dict[str, Any] = {}
    if link is not None:
        for text in (
            (link.hs_values, link.sf_values)
            if source == HUBSPOT
            else (
                link.sf_values,
                link.hs_values,
            )
        ):
            try:
                loaded = json.loads(text or "{}")
            except ValueError:
                continue
            if isinstance(loaded, dict):
                values = {**loaded, **values}
    return _Known(
        key_row[0] if key_row else None,
        link.hubspot_id if link is not None else None,
        link.sf_object if link is not None else None,
        link.sf_id if link is not None else None,
        values,
    )


def _url(side: str, obj: str, sobject: str | None, record_id: str, where: Where) -> str | None:
    if side == HUBSPOT:
        return hubspot_url(where.hubspot_portal, obj, record_id) if where.hubspot_portal else None
    return (
        salesforce_url(where.salesforce_url, sobject, record_id) if where.salesforce_url else None
    )


def _note(sides: set[str], where: Where) -> str:
    missing = []
    if HUBSPOT in sides and not where.hubspot_portal:
        missing.append("HubSpot portal id unknown (set HUBSPOT_PORTAL_ID or --hubspot-portal)")
    if SALESFORCE in sides and not where.salesforce_url:
        missing.append(
            "Salesforce instance URL unknown (set SALESFORCE_INSTANCE_URL or --salesforce-url)"
        )
    return "; ".join(missing)


def view(
    state: StateStore, error: ErrorRow, where: Where, retry: RetryRow | None = None
) -> ErrorView:
    source = other(error.side)
    known = _lookup(state, error)
    identity = _name_in(known.values) or known.key or error.record_id
    linked_id = known.sf_id if source == HUBSPOT else known.hubspot_id
    record_url = _url(source, error.object, known.sf_object, error.record_id, where)
    linked_url = (
        _url(error.side, error.object, known.sf_object, linked_id, where) if linked_id else None
    )
    sides = {source} | ({error.side} if linked_id else set())
    return ErrorView(
        error,
        categorize(error.code, error.message),
        source,
        identity,
        record_url,
        linked_url,
        _note(sides, where),
        retry,
    )


def views(state: StateStore, errors: list[ErrorRow], where: Where) -> list[ErrorView]:
    retries = {(r.object, r.side, r.record_id): r for r in state.log.retry_rows()}
    return [view(state, e, where, retries.get((e.object, e.side, e.record_id))) for e in errors]


@dataclass(frozen=True)
class ErrorFilter:
    """Which errors an operator means: the filters `mapc errors` takes (each empty means
    any). Ignored errors (closed by hand) are selected only with `include_resolved` or
    `states`."""

    categories: frozenset[Category] = frozenset()
    objects: frozenset[str] = frozenset()
    side: str | None = None
    records: frozenset[str] = frozenset()
    states: frozenset[str] = frozenset()
    include_resolved: bool = False


def select_errors(state: StateStore, selection: ErrorFilter, where: Where) -> list[ErrorView]:
    """The errors `selection` names, newest first (filters apply before any limit)."""
    sel = selection
    closed = sel.include_resolved or bool(sel.states & {"ignored", "resolved"})
    rows = [
        r
        for r in state.log.errors(include_resolved=closed, limit=1_000_000)
        if (not sel.objects or r.object in sel.objects)
        and (sel.side is None or r.side == sel.side)
        and (not sel.records or r.record_id in sel.records)
    ]
    found = [
        v for v in views(state, rows, where) if not sel.categories or v.category in sel.categories
    ]
    if sel.states:
        return [v for v in found if v.state in sel.states]
    if sel.include_resolved:
        return found
    return [v for v in found if v.state != "ignored"]
