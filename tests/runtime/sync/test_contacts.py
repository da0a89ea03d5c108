"""Contacts <-> leads/contacts: first sync, matching (R6), two-way rules (R12), echo
suppression and idempotence, end to end against the emulator."""

from __future__ import annotations

from tests.runtime.sync.conftest import SyncEnv, base_seed


def seed_people(sync: SyncEnv) -> None:
    sync.seed(
        {
            "hubspot": {
                "records": {
                    "contacts": [
                        {
                            "email": "Ann@Example.com",
                            "firstname": "Ann",
                            "lastname": "Lee",
                            "lifecyclestage": "lead",
                        },
                        {
                            "email": "bob@example.com",
                            "firstname": "Bob",
                            "lastname": "Ray",
                            "jobtitle": "CTO",
                            "lifecyclestage": "lead",
                        },
                    ]
                }
            },
            "salesforce": {
                "records": {
                    "Lead": [
                        {
                            "FirstName": "Annie",
                            "LastName": "Lee",
                            "Email": "ann@example.com",
                            "Company": "Acme",
                        }
                    ],
                    "Contact": [
                        {"FirstName": "Cy", "LastName": "Young", "Email": "cy@example.com"}
                    ],
                }
            },
        }
    )


def test_first_sync_matches_by_email_and_creates_the_rest(sync: SyncEnv) -> None:
    seed_people(sync)
    report = sync.run()
    assert report.failed == 0, report.actions
    leads = {r["Email"].lower(): r for r in sync.sf("Lead")}
    # Ann matched her lead by email (case-insensitive): no second lead.
    assert set(leads) == {"ann@example.com", "bob@example.com"}
    # R7: the org has person accounts, so a lead from HubSpot needs no company.
    assert leads["bob@example.com"]["Company"] is None
    assert leads["bob@example.com"]["Title"] == "CTO"
    contacts = sync.hs_by_email()
    assert set(contacts) == {"ann@example.com", "bob@example.com", "cy@example.com"}
    # prefer Salesforce unless blank: Salesforce's first name wins.
    assert contacts["ann@example.com"]["firstname"] == "Annie"
    assert contacts["cy@example.com"]["lastname"] == "Young"
    assert leads["ann@example.com"]["Lifecycle_Stage__c"] == "Lead"


def test_second_run_writes_nothing(sync: SyncEnv) -> None:
    seed_people(sync)
    sync.run()
    sync.emulator.reset_calls()
    report = sync.run()
    assert report.writes == 0, report.actions
    assert sync.write_count() == 0, sync.writes()


def test_changes_flow_each_way_without_echo(sync: SyncEnv) -> None:
    seed_people(sync)
    sync.run()
    bob = sync.hs_by_email()["bob@example.com"]
    sync.hubspot.update("contacts", [{"id": bob["id"], "jobtitle": "CEO"}])
    lead = next(r for r in sync.sf("Lead") if r["Email"] == "ann@example.com")
    sync.salesforce.update("Lead", [{"Id": lead["Id"], "Phone": "+1 555 0100"}])
    sync.emulator.reset_calls()
    sync.run()
    assert sync.write_count() == 2, sync.writes()  # one update each way, no echo
    leads = {r["Email"]: r for r in sync.sf("Lead")}
    assert leads["bob@example.com"]["Title"] == "CEO"
    assert sync.hs_by_email()["ann@example.com"]["phone"] == "+1 555 0100"
    sync.emulator.reset_calls()
    sync.run()
    assert sync.write_count() == 0, sync.writes()


def test_placeholders_are_blanks_to_the_rules(sync: SyncEnv) -> None:
    # An org without person accounts, where Salesforce requires Lead.Company (R7).
    sync.emulator.reset(person_accounts=False)
    sync.seed(base_seed())
    # The seed mapping says `person_accounts: auto`: the org's describe says there are none.
    sync.seed({"hubspot": {"records": {"contacts": [{"email": "nameless@example.com"}]}}})
    sync.run()
    [row] = sync.sf("Lead")
    assert row["LastName"] == "[not provided]" and row["Company"] == "[not provided]"
    contact = sync.hs_by_email()["nameless@example.com"]
    assert not contact.get("lastname") and not contact.get("company")
    sync.hubspot.update("contacts", [{"id": contact["id"], "lastname": "Named"}])
    sync.run()
    assert sync.sf("Lead")[0]["LastName"] == "Named"  # prefer Salesforce, but it was blank
    assert not sync.hs_by_email()["nameless@example.com"].get("company")
    sync.emulator.reset_calls()
    sync.run()
    assert sync.write_count() == 0, sync.writes()


def test_creates_send_no_blank_and_no_opt_out_false(sync: SyncEnv) -> None:
    """A transform converts every field (a blank as None); the create path sends only
    values, and the opt-out only as an unsubscribe (R1): never `False`, never a blank."""
    sync.seed(
        {
            "hubspot": {
                "records": {
                    "contacts": [
                        {
                            "email": "dee@example.com",
                            "firstname": "",
                            "lastname": "Dee",
                            "hs_email_optout": "false",
                            "lifecyclestage": "lead",
                        }
                    ]
                }
            },
            "salesforce": {"records": {"Contact": [{"LastName": "Eve", "Email": "eve@x.com"}]}},
        }
    )
    report = sync.run()
    creates = {a.side: a for a in report.actions if a.op == "create"}
    assert set(creates["salesforce"].fields) == {"Email", "LastName", "Lifecycle_Stage__c"}
    assert set(creates["hubspot"].fields) == {"email", "lastname"}
    [lead] = sync.sf("Lead")
    assert lead["HasOptedOutOfEmail"] is False and lead["FirstName"] is None
