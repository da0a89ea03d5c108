"""Both directions at once: the writes HubSpot's changes led to stay in flight while
Salesforce's changes are reconciled, and no interleaving creates a record twice or loses
a change (matches, R6 duplicates, changes on both sides of a pair)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from mapc.runtime.sync.engine import SyncEngine
from mapc.runtime.sync.pairs import PairSync
from mapc.runtime.sync.sides import FromSalesforce, Side
from tests.runtime.sync.conftest import SyncEnv

CREATES = "POST /services/data/*/composite/sobjects"
UPDATES = "PATCH /services/data/*/composite/sobjects"


def in_flight_at_salesforce_pass(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Write batches in flight each time a pair starts reconciling Salesforce's changes."""
    seen: list[int] = []
    original = PairSync.reconcile

    def spy(self: PairSync, side: Side) -> None:
        if isinstance(side, FromSalesforce):
            seen.append(self.ctx.writes.in_flight)
        original(self, side)

    monkeypatch.setattr(PairSync, "reconcile", spy)
    return seen


def run(sync: SyncEnv) -> Any:
    engine = SyncEngine(sync.adapter, sync.salesforce, sync.hubspot, sync.state, concurrency=4)
    return engine.run()


def test_new_records_both_ways_with_salesforce_writes_in_flight_are_created_once(
    sync: SyncEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    contacts = [{"email": f"h{i}@p.example", "lastname": f"H{i}"} for i in range(250)]
    contacts += [{"email": f"both{i}@p.example", "lastname": f"B{i}"} for i in range(30)]
    contacts += [{"email": f"dup{i}@p.example", "lastname": f"D{i}"} for i in range(10)]
    leads = [{"LastName": f"S{i}", "Company": "Co", "Email": f"s{i}@p.example"} for i in range(250)]
    leads += [
        {"LastName": f"B{i}", "Company": "Co", "Email": f"both{i}@p.example"} for i in range(30)
    ]
    # R6: a Contact and a Lead share an email with one HubSpot contact: it pairs with the
    # Contact in HubSpot's pass; the Lead must not get a contact of its own in Salesforce's.
    leads += [
        {"LastName": f"D{i}", "Company": "Co", "Email": f"dup{i}@p.example"} for i in range(10)
    ]
    sf_contacts = [{"LastName": f"D{i}", "Email": f"dup{i}@p.example"} for i in range(10)]
    sync.seed(
        {
            "hubspot": {"records": {"contacts": contacts}},
            "salesforce": {"records": {"Lead": leads, "Contact": sf_contacts}},
        }
    )
    sync.emulator.add_fault(CREATES, latency=0.4)  # HubSpot's pass's creates still going
    seen = in_flight_at_salesforce_pass(monkeypatch)
    report = run(sync)
    assert report.failed == 0
    assert seen and seen[0] > 0  # Salesforce's pass began with HubSpot's writes in flight
    hubspot = Counter(str(r["email"]) for r in sync.hs("contacts", ("email",)))
    assert all(n == 1 for n in hubspot.values())
    assert len([e for e in hubspot if e.endswith("@p.example")]) == 250 + 250 + 30 + 10
    leads_now = Counter(str(r["Email"]) for r in sync.sf("Lead", fields="Id, Email"))
    assert all(n == 1 for e, n in leads_now.items() if e.endswith("@p.example"))
    assert sum(1 for e in leads_now if e.startswith("h")) == 250
    assert sync.state.pending_creates("contacts") == []
    sync.emulator.clear_faults()
    before = sync.write_count()
    assert run(sync).writes == 0
    assert sync.write_count() == before


def test_changes_on_both_sides_with_updates_in_flight_all_arrive_once(
    sync: SyncEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    n = 240
    sync.seed(
        {
            "hubspot": {
                "records": {
                    "contacts": [
                        {"email": f"c{i}@q.example", "lastname": f"C{i}", "jobtitle": "t0"}
                        for i in range(n)
                    ]
                }
            }
        }
    )
    assert run(sync).failed == 0
    hs = {str(r["email"]): str(r["id"]) for r in sync.hs("contacts", ("email",))}
    sf = {str(r["Email"]): str(r["Id"]) for r in sync.sf("Lead", fields="Id, Email")}
    # Odd contacts change in HubSpot (title); every third lead changes in Salesforce
    # (last name), some of them the same pairs: each change must arrive, once.
    hs_changed = [i for i in range(n) if i % 2]
    sf_changed = [i for i in range(n) if i % 3 == 0]
    sync.hubspot.update(
        "contacts", [{"id": hs[f"c{i}@q.example"], "jobtitle": f"t{i}"} for i in hs_changed]
    )
    sync.salesforce.update(
        "Lead", [{"Id": sf[f"c{i}@q.example"], "LastName": f"L{i}"} for i in sf_changed]
    )
    sync.emulator.add_fault(UPDATES, latency=0.4)
    seen = in_flight_at_salesforce_pass(monkeypatch)
    report = run(sync)
    assert report.failed == 0
    assert seen and seen[0] > 0
    titles = {str(r["Email"]): r for r in sync.sf("Lead", fields="Id, Email, Title, LastName")}
    contacts = {str(r["email"]): r for r in sync.hs("contacts", ("email", "jobtitle", "lastname"))}
    for i in range(n):
        email = f"c{i}@q.example"
        assert titles[email]["Title"] == (f"t{i}" if i % 2 else "t0")
        assert contacts[email]["lastname"] == (f"L{i}" if i % 3 == 0 else f"C{i}")
    sync.emulator.clear_faults()
    before = sync.write_count()
    assert run(sync).writes == 0
    assert sync.write_count() == before


def test_a_run_stopped_on_its_thread_records_the_writes_already_carried_out(
    sync: SyncEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The creates HubSpot's changes led to are in flight when Salesforce's pass fails:
    each Lead created gets its link and leaves the journal, so nothing is "maybe created"
    and the next run creates nothing twice."""
    from mapc.runtime.errors import ConnectorError

    contacts = [{"email": f"stop{i}@p.example", "lastname": f"S{i}"} for i in range(250)]
    sync.seed({"hubspot": {"records": {"contacts": contacts}}})
    sync.emulator.add_fault(CREATES, latency=0.4)
    original = PairSync.reconcile

    def failing(self: PairSync, side: Side) -> None:
        if isinstance(side, FromSalesforce):
            raise ConnectorError("Salesforce's pass failed (simulated)")
        original(self, side)

    monkeypatch.setattr(PairSync, "reconcile", failing)
    with pytest.raises(ConnectorError):
        run(sync)
    leads = [r for r in sync.sf("Lead", fields="Id, Email") if "stop" in str(r["Email"])]
    assert len(leads) == 250
    assert sync.state.count_links("contacts") == 250
    assert sync.state.pending_creates("contacts") == []
    monkeypatch.setattr(PairSync, "reconcile", original)
    sync.emulator.clear_faults()
    assert run(sync).failed == 0
    assert len([r for r in sync.sf("Lead", fields="Id, Email") if "stop" in str(r["Email"])]) == 250


def test_a_contact_edited_while_the_read_goes_on_gets_one_lead(
    sync: SyncEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Five new contacts of the first page are edited while later pages are read (a
    workflow right after a form), so the keyset read meets them again at its end, while
    their creates are in flight: each still gets exactly one Lead."""
    from mapc.runtime.hubspot.client import HubSpotConnector

    contacts = [{"email": f"n{i}@e.example", "lastname": f"N{i}"} for i in range(900)]
    sync.seed({"hubspot": {"records": {"contacts": contacts}}})
    original = HubSpotConnector.read_changed
    writer = sync.hubspot

    def edited_midway(self: HubSpotConnector, object_type: str, *args: Any, **kw: Any) -> Any:
        for n, page in enumerate(original(self, object_type, *args, **kw)):
            yield page
            if n == 0 and object_type == "contacts":
                ids = [str(r["hs_object_id"]) for r in page.records[:5]]
                writer.update("contacts", [{"id": i, "jobtitle": "edited"} for i in ids])

    monkeypatch.setattr(HubSpotConnector, "read_changed", edited_midway)
    sync.emulator.add_fault(CREATES, latency=0.8)
    assert run(sync).failed == 0
    monkeypatch.setattr(HubSpotConnector, "read_changed", original)
    sync.emulator.clear_faults()
    assert run(sync).failed == 0
    leads = Counter(str(r["Email"]) for r in sync.sf("Lead", fields="Id, Email"))
    assert sum(leads.values()) == 900 and max(leads.values()) == 1
    assert sync.state.pending_creates("contacts") == []


def test_changes_on_both_sides_while_hubspot_is_slow_to_read_all_arrive(sync: SyncEnv) -> None:
    """Every linked pair changed on both sides (jobtitle in HubSpot, last name in
    Salesforce) with HubSpot's searches slow: each side's change reaches the other and
    none is put back by a stale copy."""
    n = 700
    people = [{"email": f"c{i}@q.example", "lastname": f"C{i}", "jobtitle": "t0"} for i in range(n)]
    sync.seed({"hubspot": {"records": {"contacts": people}}})
    assert run(sync).failed == 0
    hs = {str(r["email"]): str(r["id"]) for r in sync.hs("contacts", ("email",))}
    sf = {str(r["Email"]): str(r["Id"]) for r in sync.sf("Lead", fields="Id, Email")}
    sync.hubspot.update(
        "contacts", [{"id": hs[f"c{i}@q.example"], "jobtitle": f"t{i}"} for i in range(n)]
    )
    sync.salesforce.update(
        "Lead", [{"Id": sf[f"c{i}@q.example"], "LastName": f"L{i}"} for i in range(n)]
    )
    sync.emulator.add_fault("POST /crm/v3/objects/contacts/search", latency=0.3)
    assert run(sync).failed == 0
    sync.emulator.clear_faults()
    leads = {str(r["Email"]): r for r in sync.sf("Lead", fields="Id, Email, Title, LastName")}
    contacts = {str(r["email"]): r for r in sync.hs("contacts", ("email", "jobtitle", "lastname"))}
    wrong = [
        i
        for i in range(n)
        if (leads[f"c{i}@q.example"]["Title"], contacts[f"c{i}@q.example"]["jobtitle"])
        != (f"t{i}", f"t{i}")
        or contacts[f"c{i}@q.example"]["lastname"] != f"L{i}"
    ]
    assert wrong == []
