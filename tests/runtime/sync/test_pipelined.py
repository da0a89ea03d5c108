"""Both directions at once: the writes HubSpot's changes led to stay in flight while
Salesforce's changes are reconciled, and no interleaving creates a record twice or loses
a change (matches, R6 duplicates, changes on both sides of a pair)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import hubspot
import pytest
from hubspot.crm.contacts import PublicMergeInput

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


def hubspot_order(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """ "page" for each HubSpot page staged, "chunk" for each chunk of it reconciled."""
    events: list[str] = []
    stage, chunk = PairSync._stage_hubspot_page, PairSync._reconcile_chunk

    def staged(self: PairSync, page: Any) -> None:
        events.append("page")
        stage(self, page)

    def reconciled(self: PairSync, side: Side, obj: str, records: Any) -> None:
        if not isinstance(side, FromSalesforce):
            events.append("chunk")
        chunk(self, side, obj, records)

    monkeypatch.setattr(PairSync, "_stage_hubspot_page", staged)
    monkeypatch.setattr(PairSync, "_reconcile_chunk", reconciled)
    return events


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
    order = hubspot_order(monkeypatch)
    report = run(sync)
    assert report.failed == 0
    assert seen and seen[0] > 0  # Salesforce's pass began with HubSpot's writes in flight
    # HubSpot's first page was reconciled before its second was read (the run's own pair;
    # the other pairs of the mapping read nothing).
    assert order[:3] == ["page", "chunk", "page"]
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


def merge(sync: SyncEnv, primary: str, loser: str) -> str:
    client = hubspot.Client.create(
        access_token=sync.emulator.hubspot_token,
        host=sync.emulator.hubspot_url,
        base_url=sync.emulator.hubspot_url,
    )
    merged = client.crm.contacts.basic_api.merge(
        PublicMergeInput(primary_object_id=primary, object_id_to_merge=loser)
    )
    return str(merged.id)


@pytest.mark.parametrize("concurrency", [1, 4])
def test_a_merge_on_a_later_page_frees_the_lead_an_earlier_contact_then_matches(
    sync: SyncEnv, monkeypatch: pytest.MonkeyPatch, concurrency: int
) -> None:
    """Read page by page (4 in flight) or all first (1): the same outcome. A contact new
    on the first page shares its email with a lead linked to a contact merged away on the
    second; settled first, the merge unlinks that lead, and the new contact pairs with it
    (R6) instead of making a second lead with its email."""
    sync.seed(
        {
            "salesforce": {
                "records": {
                    "Lead": [
                        {"LastName": "Ames", "Company": "A", "Email": "a@m.example"},
                        {"LastName": "Bell", "Company": "B", "Email": "b@m.example"},
                    ]
                }
            }
        }
    )
    engine = SyncEngine(
        sync.adapter, sync.salesforce, sync.hubspot, sync.state, concurrency=concurrency
    )
    assert engine.run().failed == 0
    contacts = {str(r["email"]): str(r["id"]) for r in sync.hs("contacts", ("email",))}
    leads = {str(r["Email"]): str(r["Id"]) for r in sync.sf("Lead", fields="Id, Email")}
    merged = merge(sync, contacts["a@m.example"], contacts["b@m.example"])
    created = sync.hubspot.create("contacts", [{"email": "b@m.example", "lastname": "New"}])
    assert created[0].ok and created[0].id
    newcomer = created[0].id
    sync.hubspot.create(
        "contacts", [{"email": f"f{i}@m.example", "lastname": f"F{i}"} for i in range(100)]
    )
    sync.hubspot.create(
        "contacts", [{"email": f"g{i}@m.example", "lastname": f"G{i}"} for i in range(100)]
    )
    sync.hubspot.update("contacts", [{"id": merged, "jobtitle": "Merged"}])  # read last
    order = hubspot_order(monkeypatch)
    engine = SyncEngine(
        sync.adapter, sync.salesforce, sync.hubspot, sync.state, concurrency=concurrency
    )
    assert engine.run().failed == 0
    # Page by page with writes in flight: the new contact's page was reconciled before
    # the merge's page was read; one at a time, both pages were read first.
    assert order[:3] == (
        ["page", "chunk", "page"] if concurrency > 1 else ["page", "page", "chunk"]
    )
    with_b = [r for r in sync.sf("Lead", fields="Id, Email") if r["Email"] == "b@m.example"]
    assert [r["Id"] for r in with_b] == [leads["b@m.example"]]  # no second lead
    linked = {
        link.hubspot_id: link.sf_id
        for link in sync.state.links_by_hubspot("contacts", [newcomer, merged]).values()
    }
    assert linked == {newcomer: leads["b@m.example"], merged: leads["a@m.example"]}
    before = sync.write_count()
    engine = SyncEngine(
        sync.adapter, sync.salesforce, sync.hubspot, sync.state, concurrency=concurrency
    )
    assert engine.run().writes == 0
    assert sync.write_count() == before
