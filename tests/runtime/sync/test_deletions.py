"""Deletions both ways, recreations and restores, with the default mapping's policy (a
Salesforce deletion archives the HubSpot contact that was syncing; a HubSpot deletion
only unlinks), on an org with and one without person accounts."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.runtime.sync.compiled import compiled
from tests.runtime.sync.conftest import SyncEnv

ROOT = Path(__file__).resolve().parents[3]


def people(env: SyncEnv) -> None:
    env.seed(
        {
            "hubspot": {
                "records": {
                    "contacts": [
                        {"email": "hs@x.example", "lastname": "Hubs", "lifecyclestage": "lead"}
                    ]
                }
            },
            "salesforce": {
                "records": {
                    "Lead": [{"LastName": "Sails", "Company": "Sail Co", "Email": "sf@x.example"}]
                }
            },
        }
    )
    settled(env)


def settled(env: SyncEnv) -> Any:
    """A run that fails nothing, then one that writes nothing and fails nothing."""
    report = env.run()
    assert report.failed == 0, [a for a in report.actions if a.op == "error"]
    env.emulator.reset_calls()
    again = env.run()
    assert again.failed == 0, [a for a in again.actions if a.op == "error"]
    assert env.write_count() == 0, env.writes()
    return report


def lead(env: SyncEnv, email: str) -> dict[str, Any]:
    [found] = env.sf("Lead", f"Email = '{email}'")
    return found


def links(env: SyncEnv) -> dict[str, str]:
    return {
        link.hubspot_id: link.sf_id for batch in env.state.iter_links("contacts") for link in batch
    }


def test_a_salesforce_deletion_archives_the_contact_a_hubspot_deletion_unlinks(
    shaped: SyncEnv,
) -> None:
    people(shaped)
    contacts = shaped.hs_by_email()
    sf_lead, hs_lead = lead(shaped, "sf@x.example"), lead(shaped, "hs@x.example")
    assert links(shaped) == {
        contacts["sf@x.example"]["id"]: sf_lead["Id"],
        contacts["hs@x.example"]["id"]: hs_lead["Id"],
    }
    shaped.salesforce.delete([sf_lead["Id"]])
    shaped.hubspot.archive("contacts", [contacts["hs@x.example"]["id"]])
    plan = shaped.run(dry_run=True)  # `mapc plan`: says so, does nothing
    assert plan.total("delete") == 1 and plan.writes == 1
    assert "sf@x.example" in shaped.hs_by_email() and len(links(shaped)) == 2
    report = settled(shaped)
    assert report.total("delete") == 1
    # Salesforce's deletion removed the HubSpot contact; HubSpot's deleted nothing in
    # Salesforce; neither left a link behind.
    assert shaped.hs_by_email() == {}
    assert lead(shaped, "hs@x.example")["Id"] == hs_lead["Id"]
    assert shaped.sf("Lead", "Email = 'sf@x.example'") == []
    assert links(shaped) == {}
    # The lead that stayed is a new record to the sync once it changes: one contact again.
    shaped.salesforce.update("Lead", [{"Id": hs_lead["Id"], "Title": "Back"}])
    settled(shaped)
    again = shaped.hs_by_email()
    assert list(again) == ["hs@x.example"] and again["hs@x.example"]["jobtitle"] == "Back"
    assert again["hs@x.example"]["id"] != contacts["hs@x.example"]["id"]
    assert len(shaped.sf("Lead")) == 1


def test_a_person_deleted_then_created_again_relinks_by_email(shaped: SyncEnv) -> None:
    people(shaped)
    contacts = shaped.hs_by_email()
    # HubSpot: the contact goes, the lead stays; a new contact with the email takes it.
    shaped.hubspot.archive("contacts", [contacts["hs@x.example"]["id"]])
    settled(shaped)
    [created] = shaped.hubspot.create(
        "contacts", [{"email": "hs@x.example", "jobtitle": "Again", "lifecyclestage": "lead"}]
    )
    settled(shaped)
    [same] = shaped.sf("Lead", "Email = 'hs@x.example'")
    assert same["Title"] == "Again"
    assert links(shaped)[str(created.id)] == same["Id"]
    # Salesforce: the lead goes and takes its contact; a new lead makes one new contact.
    shaped.salesforce.delete([lead(shaped, "sf@x.example")["Id"]])
    settled(shaped)
    assert "sf@x.example" not in shaped.hs_by_email()
    [new_lead] = shaped.salesforce.create(
        "Lead", [{"LastName": "Sails", "Company": "Sail Co", "Email": "sf@x.example"}]
    )
    settled(shaped)
    assert [r["email"] for r in shaped.hs("contacts")].count("sf@x.example") == 1
    assert new_lead.id in links(shaped).values()
    assert len(shaped.sf("Lead")) == 2


def test_restores_link_again(shaped: SyncEnv) -> None:
    people(shaped)
    contacts = shaped.hs_by_email()
    sf_lead = lead(shaped, "sf@x.example")
    shaped.salesforce.delete([sf_lead["Id"]])
    shaped.hubspot.archive("contacts", [contacts["hs@x.example"]["id"]])
    settled(shaped)
    # Undelete in Salesforce: the lead syncs again, as one HubSpot contact (its old one
    # was archived with it, and HubSpot's API restores nothing).
    assert shaped.emulator.salesforce_undelete([sf_lead["Id"]])[0]["success"]
    # Restore in HubSpot (an app action): the contact finds its lead again by email.
    shaped.emulator.hubspot_restore("contacts", [contacts["hs@x.example"]["id"]])
    settled(shaped)
    now = shaped.hs_by_email()
    assert sorted(now) == ["hs@x.example", "sf@x.example"]
    assert now["hs@x.example"]["id"] == contacts["hs@x.example"]["id"]
    assert links(shaped)[now["hs@x.example"]["id"]] == lead(shaped, "hs@x.example")["Id"]
    assert links(shaped)[now["sf@x.example"]["id"]] == sf_lead["Id"]
    assert len(shaped.sf("Lead")) == 2
    shaped.hubspot.update("contacts", [{"id": now["hs@x.example"]["id"], "jobtitle": "Back"}])
    settled(shaped)
    assert lead(shaped, "hs@x.example")["Title"] == "Back"


def test_a_deletion_the_read_missed_is_settled_not_retried(shaped: SyncEnv) -> None:
    people(shaped)
    contacts = shaped.hs_by_email()
    hs_lead = lead(shaped, "hs@x.example")
    # The lead is deleted and its deletion falls before the cursor (a state from before
    # deletions were read): the next write to it finds it gone.
    shaped.salesforce.delete([hs_lead["Id"]])
    for side, obj in list(shaped.state.cursors()):
        if side == "salesforce":
            shaped.state.set_cursor(side, obj, "2999-01-01T00:00:00Z|")
    shaped.hubspot.update("contacts", [{"id": contacts["hs@x.example"]["id"], "jobtitle": "X"}])
    report = settled(shaped)
    assert report.total("delete") == 1
    assert "hs@x.example" not in shaped.hs_by_email()
    assert links(shaped) == {contacts["sf@x.example"]["id"]: lead(shaped, "sf@x.example")["Id"]}


def test_the_mapping_decides_the_policy(shaped: SyncEnv, tmp_path: Path) -> None:
    mappings = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", mappings)
    source = mappings / "hubspot_salesforce.mapc"
    text = source.read_text(encoding="utf-8")
    policy = "  on delete in salesforce: unlink\n  on delete in hubspot: delete\n"
    anchor = '  default Contact.LastName = "[not provided]"\n'
    source.write_text(text.replace(anchor, anchor + policy), encoding="utf-8")
    shaped.adapter = compiled(source)
    people(shaped)
    contacts = shaped.hs_by_email()
    hs_lead = lead(shaped, "hs@x.example")
    shaped.salesforce.delete([lead(shaped, "sf@x.example")["Id"]])
    shaped.hubspot.archive("contacts", [contacts["hs@x.example"]["id"]])
    report = settled(shaped)
    assert report.total("delete") == 1
    # Salesforce's deletion left the HubSpot contact, unlinked (and not copied back);
    # HubSpot's took the lead to the recycle bin.
    assert list(shaped.hs_by_email()) == ["sf@x.example"]
    assert shaped.sf("Lead") == []
    [binned] = shaped.salesforce.query(
        f"SELECT Id, IsDeleted FROM Lead WHERE Id = '{hs_lead['Id']}'", include_deleted=True
    )
    assert binned["IsDeleted"] is True
    assert links(shaped) == {}
    # The contact that stayed is a new record to the sync once it changes.
    shaped.hubspot.update("contacts", [{"id": contacts["sf@x.example"]["id"], "jobtitle": "Y"}])
    settled(shaped)
    [again] = shaped.sf("Lead")
    assert again["Email"] == "sf@x.example" and again["Title"] == "Y"


def test_every_pair_follows_its_policy_deals_and_companies(shaped: SyncEnv) -> None:
    shaped.seed(
        {
            "hubspot": {
                "records": {
                    "companies": [{"name": "Kept Co"}],
                    "deals": [
                        {
                            "dealname": "Kept deal",
                            "amount": "10",
                            "dealstage": "appointmentscheduled",
                            "closedate": "2027-01-01",
                        }
                    ],
                }
            },
            "salesforce": {
                "records": {
                    "Opportunity": [
                        {
                            "Name": "Gone opp",
                            "StageName": "Prospecting",
                            "CloseDate": "2027-02-01",
                            "Amount": 20,
                        }
                    ]
                }
            },
        }
    )
    settled(shaped)
    deals = {d["dealname"]: d for d in shaped.hs("deals", ("dealname",))}
    [company] = shaped.hs("companies", ("name",))
    [opp] = shaped.sf("Opportunity", "Name = 'Gone opp'")
    shaped.salesforce.delete([opp["Id"]])
    shaped.hubspot.archive("deals", [deals["Kept deal"]["id"]])
    shaped.hubspot.archive("companies", [company["id"]])
    report = settled(shaped)
    assert report.total("delete") == 1
    # The opportunity took its deal; HubSpot's deletions left the opportunity and account.
    assert shaped.hs("deals", ("dealname",)) == []
    assert [o["Name"] for o in shaped.sf("Opportunity")] == ["Kept deal"]
    assert [a["Name"] for a in shaped.sf("Account", fields="Id, Name")] == ["Kept Co"]
    for pair in ("deals", "companies"):
        assert [link for batch in shaped.state.iter_links(pair) for link in batch] == []


@pytest.mark.parametrize("shaped", ["person-accounts"], indirect=True)
def test_a_deleted_person_account_takes_its_company_and_contact(shaped: SyncEnv) -> None:
    refs = shaped.seed(
        {
            "salesforce": {
                "records": {
                    "Account": [
                        {
                            "_ref": "pat",
                            "FirstName": "Pat",
                            "LastName": "Person",
                            "PersonEmail": "pat@home.example",
                        }
                    ]
                }
            }
        }
    )
    settled(shaped)
    assert list(shaped.hs_by_email()) == ["pat@home.example"]
    assert len(shaped.hs("companies", ("name",))) == 1
    shaped.salesforce.delete([refs["pat"]])  # Salesforce deletes the contact behind it too
    report = settled(shaped)
    assert report.total("delete") == 2
    assert shaped.hs_by_email() == {} and shaped.hs("companies", ("name",)) == []


def test_a_match_by_a_key_whose_record_is_gone_is_reported_and_settles_next_run(
    sync: SyncEnv,
) -> None:
    """A key kept from an earlier read whose record has since gone without a trace (past
    the recycle bin): the HubSpot contact it matches is reported, the key forgotten, and
    the next run creates its lead (it was skipped silently, run after run)."""
    sync.seed(
        {"hubspot": {"records": {"contacts": [{"email": "ghost@x.example", "lastname": "G"}]}}}
    )
    gone = "00Q000000000GoNE"
    sync.state.put_keys("salesforce", "Lead", [(gone, "ghost@x.example")])
    first = sync.run()
    [skip] = [a for a in first.skipped if gone in a.reason]
    assert "can no longer be read" in skip.reason and skip.object == "contacts"
    assert sync.sf("Lead") == []
    assert sync.state.find_keys("salesforce", ["ghost@x.example"], ["Lead"]) == {}
    assert sync.run().failed == 0
    [lead] = sync.sf("Lead", fields="Id, Email")
    assert lead["Email"] == "ghost@x.example"
