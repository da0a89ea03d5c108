"""Salesforce's new records created in HubSpot while HubSpot's changes are still being read
(runtime/sync/early.py): sooner, and never at the cost of a match (R6), a duplicate, or a
record created twice."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from mapc.runtime.hubspot.client import HubSpotConnector
from mapc.runtime.sync.engine import SyncEngine
from mapc.runtime.sync.pairs import PairSync
from tests.runtime.sync.conftest import SyncEnv

SEARCH = "POST /crm/v3/objects/*/search"


def run(sync: SyncEnv, concurrency: int = 4) -> Any:
    engine = SyncEngine(
        sync.adapter, sync.salesforce, sync.hubspot, sync.state, concurrency=concurrency
    )
    return engine.run()


class Timeline:
    """HubSpot's searches and creates, in the order they were made."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.events: list[str] = []
        self.early: list[str] = []
        search, create = HubSpotConnector.read_changed, HubSpotConnector.create
        events = self.events

        def read_changed(self: HubSpotConnector, object_type: str, *a: Any, **kw: Any) -> Any:
            for page in search(self, object_type, *a, **kw):
                events.append(f"page {object_type}")
                yield page

        def creating(self: HubSpotConnector, object_type: str, records: Any) -> Any:
            events.append(f"create {object_type}")
            return create(self, object_type, records)

        monkeypatch.setattr(HubSpotConnector, "read_changed", read_changed)
        monkeypatch.setattr(HubSpotConnector, "create", creating)
        original = PairSync.run
        early = self.early

        def remember(pair: PairSync) -> None:
            original(pair)
            early.extend(sorted(pair.from_salesforce.decided_early))

        monkeypatch.setattr(PairSync, "run", remember)


def once_contacts_read(
    monkeypatch: pytest.MonkeyPatch, action: Callable[[], None], *, at_end: bool = False
) -> list[bool]:
    """Do `action` once, as a person would while the run goes on: when HubSpot's read of
    contacts has handed out its first page (`at_end`: all of them). The list returned
    holds True once it was done."""
    original = HubSpotConnector.read_changed
    done: list[bool] = []

    def act(object_type: str) -> None:
        if object_type == "contacts" and not done:
            done.append(True)
            action()

    def read_changed(self: HubSpotConnector, object_type: str, *a: Any, **kw: Any) -> Any:
        for page in original(self, object_type, *a, **kw):
            yield page
            if not at_end:
                act(object_type)
        act(object_type)

    monkeypatch.setattr(HubSpotConnector, "read_changed", read_changed)
    return done


def test_new_leads_are_created_in_hubspot_before_its_read_ends(
    sync: SyncEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    contacts = [{"email": f"h{i}@early.example", "lastname": f"H{i}"} for i in range(600)]
    leads = [
        {"LastName": f"S{i}", "Company": "Co", "Email": f"s{i}@early.example"} for i in range(300)
    ]
    sync.seed({"hubspot": {"records": {"contacts": contacts}}})
    sync.seed({"salesforce": {"records": {"Lead": leads}}})
    sync.emulator.add_fault(SEARCH, latency=0.4)
    timeline = Timeline(monkeypatch)
    report = run(sync)
    assert report.failed == 0
    events = timeline.events
    first_create = events.index("create contacts")
    last_page = len(events) - 1 - events[::-1].index("page contacts")
    assert first_create < last_page  # created while HubSpot's contacts were still read
    assert len(timeline.early) == 300
    emails = Counter(str(r["email"]) for r in sync.hs("contacts", ("email",)))
    assert max(emails.values()) == 1 and len(emails) == 900
    leads_now = Counter(str(r["Email"]) for r in sync.sf("Lead", fields="Id, Email"))
    assert max(leads_now.values()) == 1 and len(leads_now) == 900
    assert sync.state.count_links("contacts") == 900
    sync.emulator.clear_faults()
    before = sync.write_count()
    assert run(sync).writes == 0
    assert sync.write_count() == before


def test_a_new_lead_matching_a_contact_hubspot_has_not_shown_yet_is_linked_not_created(
    sync: SyncEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The contact with the lead's email is new in HubSpot and on the read's last page:
    asked by email, HubSpot names it, so the lead waits for the usual reconcile (R6)."""
    assert run(sync).failed == 0  # a cursor: what follows is "changed since"
    contacts = [{"email": f"h{i}@later.example", "lastname": f"H{i}"} for i in range(450)]
    contacts.append({"email": "Same@Later.example", "lastname": "Hs"})
    sync.seed({"hubspot": {"records": {"contacts": contacts}}})
    sync.seed(
        {
            "salesforce": {
                "records": {
                    "Lead": [
                        {"LastName": "Sf", "Company": "Co", "Email": "same@later.example"},
                        {"LastName": "New", "Company": "Co", "Email": "new@later.example"},
                    ]
                }
            }
        }
    )
    sync.emulator.add_fault(SEARCH, latency=0.3)
    timeline = Timeline(monkeypatch)
    assert run(sync).failed == 0
    same = [r for r in sync.hs("contacts", ("email",)) if "same@" in str(r["email"]).lower()]
    assert len(same) == 1
    leads = [r for r in sync.sf("Lead", fields="Id, Email") if "same@" in str(r["Email"]).lower()]
    assert len(leads) == 1
    link = sync.state.links_by_salesforce("contacts", [str(leads[0]["Id"])])
    assert link[str(leads[0]["Id"])].hubspot_id == str(same[0]["id"])
    assert len(timeline.early) == 1  # the lead with a new email, alone


def test_the_first_of_two_records_sharing_an_email_still_decides_when_it_must_wait(
    sync: SyncEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A converted lead waits for the usual reconcile; a later record with its email
    waits with it, so which one creates stays as it was (R6) and none creates twice."""
    leads = [
        {"LastName": "Conv", "Company": "Co", "Email": "pair@dup.example", "IsConverted": True},
        {"LastName": "Next", "Company": "Co", "Email": "pair@dup.example"},
        {"LastName": "Own", "Company": "Co", "Email": "own@dup.example"},
    ]
    sync.seed({"salesforce": {"records": {"Lead": leads}}})
    sync.seed({"hubspot": {"records": {"contacts": [{"email": "x@dup.example"}]}}})
    timeline = Timeline(monkeypatch)
    sequential = run(sync, concurrency=4)
    assert sequential.failed == 0
    pair = [r for r in sync.hs("contacts", ("email",)) if r["email"] == "pair@dup.example"]
    assert len(pair) <= 1
    own = [r for r in sync.hs("contacts", ("email",)) if r["email"] == "own@dup.example"]
    assert len(own) == 1
    ids = {str(r["Email"]) + str(r["LastName"]): str(r["Id"]) for r in sync.sf("Lead")}
    assert ids["pair@dup.exampleNext"] not in timeline.early
    assert ids["own@dup.exampleOwn"] in timeline.early


@pytest.mark.parametrize("concurrency", [1, 4])
def test_a_lead_converted_into_a_contact_with_another_email_keeps_its_hubspot_contact(
    sync: SyncEnv, concurrency: int
) -> None:
    """The Contact a lead was converted into is not created early: the lead's link moves
    to it (its email was corrected before the run, so no email says so)."""
    refs = sync.seed(
        {"hubspot": {"records": {"contacts": [{"_ref": "lee", "email": "lee@old.example"}]}}}
    )
    assert run(sync, concurrency).failed == 0
    (link,) = sync.state.links_by_hubspot("contacts", [refs["lee"]]).values()
    result = sync.emulator.convert_lead(link.sf_id, convertedStatus="Closed - Converted")
    contact_id = result["contactId"]
    sync.salesforce.update("Contact", [{"Id": contact_id, "Email": "lee@new.example"}])
    assert run(sync, concurrency).failed == 0
    (link,) = sync.state.links_by_hubspot("contacts", [refs["lee"]]).values()
    assert (link.sf_object, link.sf_id) == ("Contact", contact_id)
    assert [str(c["email"]) for c in sync.hs("contacts", ("email",))] == ["lee@new.example"]


@pytest.mark.parametrize("concurrency", [1, 4])
def test_a_hubspot_edit_made_while_the_read_goes_on_is_not_overwritten(
    sync: SyncEnv, monkeypatch: pytest.MonkeyPatch, concurrency: int
) -> None:
    """A bounded read does not see a person's edit made after it began: Salesforce's side
    reads that contact rather than trust its snapshot, so the newer edit wins (R12)."""
    refs = sync.seed(
        {"hubspot": {"records": {"contacts": [{"_ref": "ann", "email": "ann@edit.example"}]}}}
    )
    assert run(sync, concurrency).failed == 0
    (link,) = sync.state.links_by_hubspot("contacts", [refs["ann"]]).values()
    sync.salesforce.update(link.sf_object, [{"Id": link.sf_id, "Title": "From Salesforce"}])
    fillers = [{"email": f"f{i}@fill.example", "lastname": f"F{i}"} for i in range(450)]
    sync.seed({"hubspot": {"records": {"contacts": fillers}}})
    sync.emulator.add_fault(SEARCH, latency=0.3)
    original, hs = HubSpotConnector.read_changed, sync.hubspot
    edited = once_contacts_read(
        monkeypatch,
        lambda: hs.update("contacts", [{"id": refs["ann"], "jobtitle": "From HubSpot"}]),
    )
    assert run(sync, concurrency).failed == 0 and edited
    monkeypatch.setattr(HubSpotConnector, "read_changed", original)
    sync.emulator.clear_faults()
    run(sync, concurrency)
    (ann,) = [r for r in sync.hs("contacts", ("email", "jobtitle")) if r["id"] == refs["ann"]]
    (sf,) = sync.sf(link.sf_object, where=f"Id = '{link.sf_id}'", fields="Id, Title")
    assert (ann["jobtitle"], sf["Title"]) == ("From HubSpot", "From HubSpot")


def test_a_contact_whose_email_changes_between_the_search_and_the_email_read_pairs_once(
    sync: SyncEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The search read the contact with the lead's email; by the email read a person has
    changed it. The contact staged meanwhile still holds the lead back: one pair."""
    assert run(sync).failed == 0
    fillers = [{"email": f"f{i}@fill.example", "lastname": f"F{i}"} for i in range(1200)]
    sync.seed({"hubspot": {"records": {"contacts": fillers}}})
    refs = sync.seed(
        {"hubspot": {"records": {"contacts": [{"_ref": "kim", "email": "kim@same.example"}]}}}
    )
    lead = {"LastName": "Kim", "Company": "Co", "Email": "kim@same.example"}
    sync.seed({"salesforce": {"records": {"Lead": [lead]}}})
    sync.emulator.add_fault(SEARCH, latency=0.3)
    original, update, hs = HubSpotConnector.read_by_ids, HubSpotConnector.update, sync.hubspot
    done: list[bool] = []

    def read_by_ids(self: HubSpotConnector, *a: Any, **kw: Any) -> Any:
        if kw.get("id_property") == "email" and not done:
            done.append(True)
            time.sleep(2.0)  # the search has read every page by now
            update(hs, "contacts", [{"id": refs["kim"], "email": "kim@fixed.example"}])
        return original(self, *a, **kw)

    monkeypatch.setattr(HubSpotConnector, "read_by_ids", read_by_ids)
    assert run(sync).failed == 0 and done
    sync.emulator.clear_faults()
    run(sync)
    kims = [r for r in sync.hs("contacts", ("email",)) if "kim@" in str(r["email"])]
    leads = [r for r in sync.sf("Lead", fields="Id, Email") if "kim@" in str(r["Email"])]
    assert (len(kims), len(leads)) == (1, 1), (kims, leads)


@pytest.mark.parametrize("concurrency", [1, 4])
def test_a_contact_created_in_hubspot_after_the_read_began_matches_the_new_lead(
    sync: SyncEnv, monkeypatch: pytest.MonkeyPatch, concurrency: int
) -> None:
    """The read stops where it began, and has ended before Salesforce's records are
    decided: only asking by email finds the contact made since (review: the lead was
    created again and HubSpot answered "already exists")."""
    from mapc.runtime.sync import early

    assert run(sync, concurrency).failed == 0  # a cursor
    fillers = [{"email": f"f{i}@fill.example", "lastname": f"F{i}"} for i in range(450)]
    sync.seed({"hubspot": {"records": {"contacts": fillers}}})
    lead = {"LastName": "Late", "Company": "Co", "Email": "late@race.example"}
    sync.seed({"salesforce": {"records": {"Lead": [lead]}}})
    sync.emulator.add_fault(SEARCH, latency=0.3)
    hs = sync.hubspot

    def make() -> None:
        time.sleep(1.1)  # past the second of the read's first answer (its bound)
        hs.create("contacts", [{"email": "late@race.example", "lastname": "Hs"}])

    init = early.EarlyCreates.__init__

    def slow_init(self: Any, *a: Any, **kw: Any) -> None:
        time.sleep(4.0)  # Salesforce's side is slow to get here: HubSpot's read has ended
        init(self, *a, **kw)

    made = once_contacts_read(monkeypatch, make)
    monkeypatch.setattr(early.EarlyCreates, "__init__", slow_init)
    report = run(sync, concurrency)
    assert made and report.failed == 0
    late = [r for r in sync.hs("contacts", ("email",)) if "late@" in str(r["email"])]
    assert len(late) == 1
    (sf,) = [r for r in sync.sf("Lead", fields="Id, Email") if "late@" in str(r["Email"])]
    links = sync.state.links_by_salesforce("contacts", [str(sf["Id"])])
    assert links[str(sf["Id"])].hubspot_id == str(late[0]["id"])


def test_hubspot_changes_are_reconciled_while_the_last_creates_go(
    sync: SyncEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once HubSpot's read has ended, its changes go to Salesforce while HubSpot's lane is
    still busy with the creates: the first lead HubSpot's side creates is sent before the
    last contact Salesforce's side creates. A contact matching a lead still to be decided
    pairs with it once."""
    from mapc.runtime.salesforce.client import SalesforceConnector

    assert run(sync).failed == 0  # a cursor: what follows is "changed since"
    contacts = [{"email": f"h{i}@meanwhile.example", "lastname": f"H{i}"} for i in range(300)]
    contacts.append({"email": "both@meanwhile.example", "lastname": "Hs"})
    leads = [
        {"LastName": f"S{i}", "Company": "Co", "Email": f"s{i}@meanwhile.example"}
        for i in range(2500)
    ]
    leads.append({"LastName": "Sf", "Company": "Co", "Email": "both@meanwhile.example"})
    sync.seed({"hubspot": {"records": {"contacts": contacts}}})
    sync.seed({"salesforce": {"records": {"Lead": leads}}})
    sync.emulator.add_fault("POST /crm/v3/objects/*/batch/create", latency=0.3)
    timeline = Timeline(monkeypatch)
    sf_create = SalesforceConnector.create

    def creating(self: SalesforceConnector, sobject: str, records: Any) -> Any:
        timeline.events.append(f"create {sobject}")
        return sf_create(self, sobject, records)

    monkeypatch.setattr(SalesforceConnector, "create", creating)
    report = run(sync)
    assert report.failed == 0
    events = timeline.events
    last_contact = len(events) - 1 - events[::-1].index("create contacts")
    assert events.index("create Lead") < last_contact
    assert len(timeline.early) == 2500  # all but the lead HubSpot's contact matched
    emails = Counter(str(r["email"]) for r in sync.hs("contacts", ("email",)))
    assert max(emails.values()) == 1 and len(emails) == 2801
    by_email = Counter(str(r["Email"]) for r in sync.sf("Lead", fields="Id, Email"))
    assert max(by_email.values()) == 1 and len(by_email) == 2801
    assert sync.state.count_links("contacts") == 2801
    sync.emulator.clear_faults()
    assert run(sync).writes == 0


@pytest.mark.parametrize("concurrency", [1, 4])
def test_a_contact_whose_email_changes_after_the_read_is_linked_once(
    sync: SyncEnv, monkeypatch: pytest.MonkeyPatch, concurrency: int
) -> None:
    """Read with one email, then given the new lead's: HubSpot's side creates a lead from
    the email it read, and the email read that finds the contact by its new one keeps no
    key for it, so Salesforce's side cannot match it while that create is in flight
    (review: the contact was linked twice and the run stopped on the links' unique key)."""
    assert run(sync, concurrency).failed == 0  # a cursor
    refs = sync.seed(
        {"hubspot": {"records": {"contacts": [{"_ref": "h", "email": "w@race.example"}]}}}
    )
    lead = {"LastName": "S", "Company": "Co", "Email": "x@race.example"}
    sync.seed({"salesforce": {"records": {"Lead": [lead]}}})
    search, hs = HubSpotConnector.read_changed, sync.hubspot
    done = once_contacts_read(  # a person edits it once it was read
        monkeypatch,
        lambda: hs.update("contacts", [{"id": refs["h"], "email": "x@race.example"}]),
        at_end=True,
    )
    report = run(sync, concurrency)
    # HubSpot refuses the lead's create (its email is the contact's now): reported, and
    # retried next run, when the contact is read with it and found taken (R6).
    assert done and report.failed == 1
    links = [link for batch in sync.state.iter_links("contacts") for link in batch]
    assert len({link.hubspot_id for link in links}) == len(links)
    monkeypatch.setattr(HubSpotConnector, "read_changed", search)
    assert run(sync, concurrency).failed == 0
    assert run(sync, concurrency).writes == 0
    assert [str(r["email"]) for r in sync.hs("contacts", ("email",))] == ["x@race.example"]
    assert [r["Email"] for r in sync.sf("Lead", fields="Id, Email")] == ["x@race.example"] * 2
    assert sync.state.count_links("contacts") == 1
