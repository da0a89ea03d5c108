"""Merges on either side move the link to the surviving record: no duplicate, never a
link to a merged-away record; on an org with and one without person accounts."""

from __future__ import annotations

from typing import Any

import hubspot
from hubspot.crm.contacts import PublicMergeInput

from tests.runtime.sync.conftest import SyncEnv
from tests.runtime.sync.test_deletions import lead, links, settled


def two_people(env: SyncEnv) -> dict[str, Any]:
    env.seed(
        {
            "salesforce": {
                "records": {
                    "Lead": [
                        {"LastName": "Ames", "Company": "A Co", "Email": "a@x.example"},
                        {"LastName": "Bell", "Company": "B Co", "Email": "b@x.example"},
                    ]
                }
            }
        }
    )
    settled(env)
    return env.hs_by_email()


def test_a_salesforce_merge_keeps_one_contact_for_the_master(shaped: SyncEnv) -> None:
    contacts = two_people(shaped)
    master, loser = lead(shaped, "a@x.example"), lead(shaped, "b@x.example")
    merged = shaped.emulator.salesforce_merge(master["Id"], [loser["Id"]])
    assert merged["success"]
    report = settled(shaped)
    # The loser is gone with MasterRecordId; its HubSpot contact would be a second record
    # of the master's person, so it goes as a deletion does (the default policy).
    assert report.total("delete") == 1
    assert list(shaped.hs_by_email()) == ["a@x.example"]
    assert links(shaped) == {contacts["a@x.example"]["id"]: master["Id"]}
    assert [r["Id"] for r in shaped.sf("Lead")] == [master["Id"]]


def test_a_salesforce_merge_into_a_record_not_yet_synced_moves_the_link(shaped: SyncEnv) -> None:
    contacts = two_people(shaped)
    loser = lead(shaped, "b@x.example")
    [fresh] = shaped.salesforce.create(
        "Lead", [{"LastName": "Bell-Cole", "Company": "B Co", "Email": "bc@x.example"}]
    )
    assert shaped.emulator.salesforce_merge(fresh.id, [loser["Id"]])["success"]
    settled(shaped)
    # B's HubSpot contact now syncs with the master: no contact was made for it.
    now = shaped.hs_by_email()
    assert len(shaped.hs("contacts")) == 2
    b = next(c for c in shaped.hs("contacts") if c["id"] == contacts["b@x.example"]["id"])
    assert b["lastname"] == "Bell-Cole"  # prefer Salesforce: the master's name
    assert links(shaped)[b["id"]] == fresh.id
    assert loser["Id"] not in links(shaped).values()
    assert "a@x.example" in now


def test_a_hubspot_merge_moves_the_link_to_the_new_record(shaped: SyncEnv) -> None:
    contacts = two_people(shaped)
    a_lead, b_lead = lead(shaped, "a@x.example"), lead(shaped, "b@x.example")
    client = hubspot.Client.create(
        access_token=shaped.emulator.hubspot_token,
        host=shaped.emulator.hubspot_url,
        base_url=shaped.emulator.hubspot_url,
    )
    merged = client.crm.contacts.basic_api.merge(
        PublicMergeInput(
            primary_object_id=contacts["a@x.example"]["id"],
            object_id_to_merge=contacts["b@x.example"]["id"],
        )
    )
    settled(shaped)
    # The new record syncs with the primary's lead; the other lead stays, unlinked, and
    # is not copied back into HubSpot.
    assert [c["id"] for c in shaped.hs("contacts")] == [str(merged.id)]
    assert links(shaped) == {str(merged.id): a_lead["Id"]}
    assert sorted(r["Id"] for r in shaped.sf("Lead")) == sorted([a_lead["Id"], b_lead["Id"]])
    shaped.hubspot.update("contacts", [{"id": str(merged.id), "jobtitle": "Merged"}])
    settled(shaped)
    assert lead(shaped, "a@x.example")["Title"] == "Merged"
    assert lead(shaped, "b@x.example")["Title"] is None
