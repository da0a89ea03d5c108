"""Idempotency keys end to end (issue 9 item 3): with `idempotency key` declared, every
create is an upsert by the other side's id (sObject Collections upsert by external id,
HubSpot batch upsert by idProperty), so a create whose answer was lost and is sent again
finds the record the first one made: no duplicate, no journal, no fingerprint recovery."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from mapc.cli import main
from mapc.errors import MapcError
from mapc.runtime.sync.rebuild import StateNotEmpty, rebuild_links
from mapc.runtime.sync.state import StateStore
from tests.runtime.sync.compiled import MAPPINGS, fixture
from tests.runtime.sync.conftest import SyncEnv, base_seed

HUBSPOT_ID_FIELD = {
    "name": "HubSpot_Id__c",
    "label": "HubSpot Id",
    "type": "string",
    "length": 18,
    "externalId": True,
    "unique": True,
}
SALESFORCE_ID_PROPERTY = {
    "name": "salesforce_id",
    "label": "Salesforce ID",
    "type": "string",
    "fieldType": "text",
    "groupName": "contactinformation",
    "hasUniqueValue": True,
}
SF_UPSERT = "PATCH /services/data/vXX.X/composite/sobjects/*/{field}"
HS_UPSERT = "POST /crm/v3/objects/*/batch/upsert"


def keyed_seed() -> dict[str, Any]:
    return {
        "salesforce": {
            "custom_fields": {
                name: [HUBSPOT_ID_FIELD] for name in ("Lead", "Contact", "Opportunity")
            },
            "records": {
                "Lead": [{"LastName": "Lee", "Company": "Acme", "Email": "lee@sf.example"}],
                "Opportunity": [
                    {"Name": "Sf deal", "StageName": "Prospecting", "CloseDate": "2026-11-01"}
                ],
            },
        },
        "hubspot": {
            "properties": {
                "contacts": [SALESFORCE_ID_PROPERTY],
                "deals": [{**SALESFORCE_ID_PROPERTY, "groupName": "dealinformation"}],
            },
            "records": {
                "contacts": [
                    {"email": "ann@hs.example", "lastname": "Ann"},
                    {"email": "bo@hs.example", "lastname": "Bo"},
                ],
                "deals": [
                    {
                        "dealname": "Hs deal",
                        "amount": "42",
                        "dealstage": "appointmentscheduled",
                        "closedate": "2026-12-01T00:00:00.000Z",
                    }
                ],
            },
        },
    }


@pytest.fixture
def keyed(sync: SyncEnv) -> SyncEnv:
    sync.adapter = fixture("keyed")
    sync.seed(keyed_seed())
    return sync


def people(sync: SyncEnv) -> tuple[Counter[str], Counter[str]]:
    salesforce = Counter(
        str(r["Email"]).lower() for o in ("Lead", "Contact") for r in sync.sf(o) if r.get("Email")
    )
    hubspot = Counter(
        str(r["email"]).lower() for r in sync.hs("contacts", ("email",)) if r.get("email")
    )
    return salesforce, hubspot


def assert_once_each(sync: SyncEnv) -> None:
    salesforce, hubspot = people(sync)
    emails = {"ann@hs.example", "bo@hs.example", "lee@sf.example"}
    assert salesforce == Counter(emails), salesforce
    assert hubspot == Counter(emails), hubspot
    opportunities = Counter(r["Name"] for r in sync.sf("Opportunity"))
    deals = Counter(str(d.get("dealname")) for d in sync.hs("deals", ("dealname",)))
    assert opportunities == Counter({"Sf deal": 1, "Hs deal": 1}), opportunities
    assert deals == Counter({"Sf deal": 1, "Hs deal": 1}), deals


def journal(state: StateStore) -> list[dict[str, Any]]:
    return state.pending_creates("contacts") + state.pending_creates("deals")


def test_keyed_creates_are_upserts_that_carry_the_other_sides_id(keyed: SyncEnv) -> None:
    keyed.emulator.reset_calls()
    keyed.run()
    assert_once_each(keyed)
    writes = keyed.writes()
    # Every create went through an upsert; nothing was created by a plain create.
    assert not [k for k in writes if k.endswith("/batch/create") or k.endswith("/sobjects")]
    assert keyed.emulator.call_count(SF_UPSERT) == 2, writes  # Lead, Opportunity
    assert keyed.emulator.call_count(HS_UPSERT) == 2, writes  # contacts, deals
    hs_ids = {str(c["email"]): str(c["id"]) for c in keyed.hs("contacts", ("email",))}
    leads = {r["Email"]: r for r in keyed.sf("Lead", fields="Id, Email, HubSpot_Id__c")}
    assert leads["ann@hs.example"]["HubSpot_Id__c"] == hs_ids["ann@hs.example"]
    assert leads["bo@hs.example"]["HubSpot_Id__c"] == hs_ids["bo@hs.example"]
    lee = keyed.hs("contacts", ("email", "salesforce_id"))
    by_email = {str(c["email"]): c for c in lee}
    assert by_email["lee@sf.example"]["salesforce_id"] == leads["lee@sf.example"]["Id"]
    deals = {str(d["dealname"]): d for d in keyed.hs("deals", ("dealname", "salesforce_id"))}
    opportunities = {
        r["Name"]: r for r in keyed.sf("Opportunity", fields="Id, Name, HubSpot_Id__c")
    }
    assert deals["Sf deal"]["salesforce_id"] == opportunities["Sf deal"]["Id"]
    assert opportunities["Hs deal"]["HubSpot_Id__c"] == str(deals["Hs deal"]["id"])
    assert journal(keyed.state) == []
    keyed.emulator.reset_calls()
    keyed.run()
    assert keyed.write_count() == 0, keyed.writes()


FAULTS = {
    "drop-after-commit": {"drop": True, "after_commit": True},
    "504-after-commit": {"status": 504, "after_commit": True},
}


@pytest.mark.parametrize("route", [SF_UPSERT, HS_UPSERT], ids=["salesforce", "hubspot"])
@pytest.mark.parametrize("kind", sorted(FAULTS))
@pytest.mark.parametrize("retried", ["in-the-run", "next-run"])
def test_a_lost_create_answer_retried_makes_no_duplicate(
    keyed: SyncEnv, route: str, kind: str, retried: str
) -> None:
    """The server saves every record of the call and the answer is lost. Retried within
    the run (the connector repeats an upsert, which is safe) or, when every attempt's
    answer is lost, by the next run: each record exists once, linked, and nothing was
    journalled for fingerprint recovery."""
    # Every attempt the connector makes in the run (6) loses its answer, or only the first.
    rule = keyed.emulator.add_fault(
        route, first_n=6 if retried == "next-run" else 1, **FAULTS[kind]
    )
    keyed.run()
    assert rule.fired
    assert journal(keyed.state) == []  # a keyed create is never "maybe created"
    keyed.emulator.clear_faults()
    if retried == "next-run":
        assert keyed.state.log.open_error_ids(
            "contacts", "salesforce" if route == SF_UPSERT else "hubspot"
        )
        keyed.run()
        assert journal(keyed.state) == []
    assert_once_each(keyed)
    keyed.emulator.reset_calls()
    keyed.run()
    assert keyed.write_count() == 0, keyed.writes()
    assert_once_each(keyed)


# -- links rebuilt from the CRMs (issue 9 item 4) ---------------------------------------


def test_a_lost_state_is_rebuilt_from_the_keys_without_a_write(
    keyed: SyncEnv, tmp_path: Path
) -> None:
    keyed.run()
    lost = StateStore(keyed.new_state("rebuilt"))  # the state the orgs were synced with is gone
    keyed.emulator.reset_calls()
    found = rebuild_links(keyed.adapter, keyed.salesforce, keyed.hubspot, lost)
    assert keyed.write_count() == 0, keyed.writes()  # it only reads
    assert found.links == {"contacts": 3, "deals": 2}
    assert found.problems == [] and found.unkeyed == []
    leads = {r["Email"]: r["Id"] for r in keyed.sf("Lead", fields="Id, Email")}
    ann = next(c for c in keyed.hs("contacts", ("email",)) if c["email"] == "ann@hs.example")
    assert (
        lost.links_by_hubspot("contacts", [str(ann["id"])])[str(ann["id"])].sf_id
        == leads["ann@hs.example"]
    )
    keyed.emulator.reset_calls()
    keyed.run(state=lost)
    assert keyed.write_count() == 0, keyed.writes()  # nothing created again, nothing rewritten
    assert_once_each(keyed)
    # The rebuilt links carry changes as the lost ones did.
    keyed.hubspot.update("contacts", [{"id": str(ann["id"]), "firstname": "Annie"}])
    keyed.run(state=lost)
    lead = keyed.sf("Lead", where="Email = 'ann@hs.example'", fields="Id, FirstName")
    assert [r["FirstName"] for r in lead] == ["Annie"]
    assert_once_each(keyed)
    with pytest.raises(StateNotEmpty):  # never over the links of a state in use
        rebuild_links(keyed.adapter, keyed.salesforce, keyed.hubspot, lost)
    lost.close()


def test_keys_that_name_nothing_or_clash_are_reported_not_linked(
    keyed: SyncEnv, tmp_path: Path
) -> None:
    keyed.run()
    ann = next(c for c in keyed.hs("contacts", ("email",)) if c["email"] == "ann@hs.example")
    keyed.seed(
        {
            "salesforce": {
                "records": {
                    "Contact": [
                        # Another record claiming Ann (a data load, say), and one naming a
                        # HubSpot record that does not exist.
                        {"LastName": "Twin", "HubSpot_Id__c": str(ann["id"])},
                        {"LastName": "Ghost", "HubSpot_Id__c": "999999"},
                    ]
                }
            }
        }
    )
    found = rebuild_links(
        keyed.adapter, keyed.salesforce, keyed.hubspot, StateStore(keyed.new_state("r"))
    )
    assert found.links == {"contacts": 2, "deals": 2}
    assert len(found.problems) == 2, found.problems
    assert any(f"contacts {ann['id']} is claimed by several" in p for p in found.problems)
    assert any("names contacts 999999, which does not exist" in p for p in found.problems)


def test_state_rebuild_through_the_cli(
    emulator_env: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setenv("HUBSPOT_REQUESTS_PER_10S", "100000")
    monkeypatch.setenv("HUBSPOT_SEARCHES_PER_SECOND", "1000")
    monkeypatch.setenv("MAPC_STATE", str(tmp_path / "state.db"))
    emulator_env.reset(person_accounts=True)
    emulator_env.seed(base_seed())
    emulator_env.seed(keyed_seed())
    assert main(["compile", str(MAPPINGS / "keyed.mapc"), "-o", str(tmp_path / "out")]) == 0
    adapter = str(tmp_path / "out" / "keyed.py")
    assert main(["run", adapter, "--no-progress", "--init-state"]) == 0
    (tmp_path / "state.db").unlink()  # lost
    capsys.readouterr()
    emulator_env.reset_calls()
    assert main(["state", "rebuild", adapter]) == 0
    out = capsys.readouterr().out
    assert "contacts: 3 links rebuilt" in out and "deals: 2 links rebuilt" in out
    assert main(["run", adapter, "--no-progress", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["writes"] == 0
    writes = [k for k in emulator_env.calls() if k.startswith(("PATCH", "DELETE"))]
    writes += [k for k in emulator_env.calls() if k.endswith(("batch/create", "batch/upsert"))]
    assert writes == []
    assert main(["state", "rebuild", adapter]) == 2
    assert "already holds links" in capsys.readouterr().err


def test_a_rebuild_that_fails_half_way_leaves_the_state_empty(
    keyed: SyncEnv, tmp_path: Path
) -> None:
    keyed.run()
    state = StateStore(str(tmp_path / "r.db"))
    # The Salesforce org stops answering after the contacts pair was read.
    keyed.emulator.add_fault("GET /services/data/vXX.X/query*", status=401, nth=3)
    with pytest.raises(MapcError):
        rebuild_links(keyed.adapter, keyed.salesforce, keyed.hubspot, state)
    assert state.count_links() == 0
    keyed.emulator.clear_faults()
    found = rebuild_links(keyed.adapter, keyed.salesforce, keyed.hubspot, state)
    assert found.links == {"contacts": 3, "deals": 2}
