"""R1 opt-out, R4 inclusion, R5 creation setting, R10 owners, R11 shared org, R12 rules
and conflicts: each asserting both CRMs' final state."""

from __future__ import annotations

from mapc.runtime.adapter import CreateContacts
from mapc.runtime.sync.state import StateStore
from tests.runtime.sync.compiled import fixture, with_settings
from tests.runtime.sync.conftest import SyncEnv


def lead(email: str, **values: object) -> dict[str, object]:
    return {"LastName": "Doe", "Company": "Acme", "Email": email, **values}


def test_r1_hubspot_unsubscribe_reaches_salesforce(sync: SyncEnv) -> None:
    sync.seed(
        {
            "hubspot": {
                "unsubscribed": ["opt@example.com"],
                "records": {
                    "contacts": [
                        {"email": "opt@example.com", "lastname": "Out", "lifecyclestage": "lead"}
                    ]
                },
            }
        }
    )
    sync.run()
    [row] = sync.sf("Lead")
    assert row["HasOptedOutOfEmail"] is True
    assert sync.hs_by_email()["opt@example.com"]["hs_email_optout"] == "true"


def test_r1_salesforce_opt_out_unsubscribes_hubspot_in_batches(sync: SyncEnv) -> None:
    sync.seed({"salesforce": {"records": {"Lead": [lead(f"p{i}@example.com") for i in range(3)]}}})
    sync.run()
    leads = sync.sf("Lead")
    sync.salesforce.update("Lead", [{"Id": r["Id"], "HasOptedOutOfEmail": True} for r in leads])
    sync.emulator.reset_calls()
    sync.run()
    contacts = sync.hs_by_email()
    assert all(contacts[f"p{i}@example.com"]["hs_email_optout"] == "true" for i in range(3))
    unsubscribe_calls = {k: v for k, v in sync.writes().items() if "unsubscribe" in k}
    assert sum(unsubscribe_calls.values()) == 1, sync.writes()  # one batch call
    # Clearing Email Opt Out in Salesforce never resubscribes HubSpot.
    sync.salesforce.update("Lead", [{"Id": leads[0]["Id"], "HasOptedOutOfEmail": False}])
    sync.run()
    assert sync.hs_by_email()["p0@example.com"]["hs_email_optout"] == "true"
    assert sync.sf("Lead", f"Id = '{leads[0]['Id']}'")[0]["HasOptedOutOfEmail"] is False
    sync.emulator.reset_calls()
    sync.run()
    assert sync.write_count() == 0, sync.writes()


def test_r1_opted_out_lead_creates_an_unsubscribed_contact(sync: SyncEnv) -> None:
    sync.seed(
        {"salesforce": {"records": {"Lead": [lead("gone@example.com", HasOptedOutOfEmail=True)]}}}
    )
    sync.run()
    assert sync.hs_by_email()["gone@example.com"]["hs_email_optout"] == "true"
    assert [r["HasOptedOutOfEmail"] for r in sync.sf("Lead")] == [True]
    assert sync.hubspot.is_unsubscribed_from_all("gone@example.com")  # through the API
    sync.emulator.reset_calls()
    sync.run()
    assert sync.write_count() == 0, sync.writes()


def test_r1_r4_no_opt_out_passes_before_first_sync(sync: SyncEnv) -> None:
    sync.seed(
        {
            "hubspot": {
                "unsubscribed": ["sub@example.com"],
                "records": {
                    "contacts": [
                        {
                            "email": "sub@example.com",
                            "lastname": "Sub",
                            "lifecyclestage": "subscriber",
                        }
                    ]
                },
            }
        }
    )
    report = sync.run()
    assert sync.sf("Lead") == [] and sync.sf("Contact") == []  # R4: outside the list
    assert report.counts[("contacts", "salesforce", "skip")] == 1
    [contact] = sync.hs_by_email().values()
    assert contact["hs_email_optout"] == "true" and contact["lifecyclestage"] == "subscriber"


def test_r4_only_included_contacts_reach_salesforce(sync: SyncEnv) -> None:
    sync.seed(
        {
            "hubspot": {
                "records": {
                    "contacts": [
                        {"email": "in@example.com", "lastname": "In", "lifecyclestage": "lead"},
                        {
                            "email": "out@example.com",
                            "lastname": "Out",
                            "lifecyclestage": "subscriber",
                        },
                    ]
                }
            }
        }
    )
    sync.run()
    assert [r["Email"] for r in sync.sf("Lead")] == ["in@example.com"]
    # Without an inclusion list, everyone syncs.
    sync.run(fixture("rules"), state=StateStore(sync.new_state("other")))
    assert sorted(r["Email"] for r in sync.sf("Lead")) == ["in@example.com", "out@example.com"]


def test_r5_creation_setting(sync: SyncEnv) -> None:
    sync.seed(
        {
            "salesforce": {
                "records": {
                    "Lead": [lead("l@example.com")],
                    "Contact": [{"LastName": "Cee", "Email": "c@example.com"}],
                }
            }
        }
    )
    never = with_settings(sync.adapter, create_hubspot_contacts=CreateContacts.NEVER)
    report = sync.run(never)
    assert sync.hs_by_email() == {}
    assert report.counts[("contacts", "hubspot", "skip")] == 2
    only = with_settings(sync.adapter, create_hubspot_contacts=CreateContacts.CONTACTS_ONLY)
    sync.run(only, state=StateStore(sync.new_state("other")))
    assert set(sync.hs_by_email()) == {"c@example.com"}
    assert sync.hs_by_email()["c@example.com"]["lastname"] == "Cee"
    # Salesforce is left as it was: one lead, one contact, nothing created from HubSpot.
    assert [r["Email"] for r in sync.sf("Lead")] == ["l@example.com"]
    assert [r["Email"] for r in sync.sf("Contact")] == ["c@example.com"]


def test_r5_contact_created_outside_the_list_syncs_no_updates(sync: SyncEnv) -> None:
    sync.seed({"salesforce": {"records": {"Lead": [lead("x@example.com", Title="Dev")]}}})
    sync.run()
    contact = sync.hs_by_email()["x@example.com"]
    sync.hubspot.update("contacts", [{"id": contact["id"], "lifecyclestage": "subscriber"}])
    sync.run()  # now outside the inclusion list
    [row] = sync.sf("Lead")
    sync.salesforce.update("Lead", [{"Id": row["Id"], "Title": "Lead Dev"}])
    sync.hubspot.update("contacts", [{"id": contact["id"], "phone": "123"}])
    sync.run()
    assert sync.hs_by_email()["x@example.com"]["jobtitle"] == "Dev"
    assert sync.sf("Lead")[0]["Phone"] is None


def test_r5_r11_accounts_sharing_an_org_keep_separate_state(sync: SyncEnv, tmp_path) -> None:
    shared = sync.new_state("shared")
    never = with_settings(
        sync.adapter, create_hubspot_contacts=CreateContacts.NEVER, shared_org=True
    )
    sync.seed(
        {
            "salesforce": {"records": {"Lead": [lead("org@example.com")]}},
            "hubspot": {
                "records": {
                    "contacts": [
                        {"email": "a@example.com", "lastname": "A", "lifecyclestage": "lead"}
                    ]
                }
            },
        }
    )
    first = StateStore(shared, account="portal-1")
    second = StateStore(shared, account="portal-2")
    sync.run(never, state=first)
    assert set(sync.hs_by_email()) == {"a@example.com"}  # never: no contact from the lead
    assert first.count_links("contacts") == 1
    assert second.count_links("contacts") == 0
    sync.emulator.reset_calls()
    sync.run(never, state=second)  # the other account links the same records itself
    assert second.count_links("contacts") == 1
    assert sync.write_count() == 0, sync.writes()
    assert len(sync.sf("Lead")) == 2


def test_r10_owners(sync: SyncEnv) -> None:
    ada_user = sync.refs["u_ada"]
    sync.seed(
        {
            "hubspot": {
                "records": {
                    "contacts": [
                        {"email": "o1@example.com", "lastname": "One", "hubspot_owner_id": "501"},
                        {"email": "o2@example.com", "lastname": "Two", "hubspot_owner_id": "502"},
                        {"email": "o3@example.com", "lastname": "Three", "hubspot_owner_id": "503"},
                    ]
                }
            }
        }
    )
    sync.run()
    owners = {r["Email"]: r["OwnerId"] for r in sync.sf("Lead")}
    assert owners["o1@example.com"] == ada_user  # active user, same name and email
    # inactive user / no user: nothing written to Salesforce, HubSpot reset to the owner
    # of Salesforce's value (the API user owns what mapc created, and is no HubSpot owner).
    api_user = owners["o2@example.com"]
    assert api_user not in (None, ada_user, sync.refs["u_old"])  # the inactive user: no
    assert owners["o3@example.com"] == api_user  # no Salesforce user at all: no
    # The API user (Salesforce's value) is no HubSpot owner: HubSpot keeps its own value.
    hs_owners = {e: c.get("hubspot_owner_id") for e, c in sync.hs_by_email().items()}
    assert hs_owners == {"o1@example.com": "501", "o2@example.com": "502", "o3@example.com": "503"}
    # Salesforce -> HubSpot: any Salesforce owner, matched by email.
    leads = sync.sf("Lead")
    sync.salesforce.update("Lead", [{"Id": r["Id"], "OwnerId": ada_user} for r in leads])
    sync.run()
    assert {c["hubspot_owner_id"] for c in sync.hs_by_email().values()} == {"501"}
    # A HubSpot owner without an active Salesforce user is reset to Salesforce's owner.
    c2 = sync.hs_by_email()["o2@example.com"]
    sync.hubspot.update("contacts", [{"id": c2["id"], "hubspot_owner_id": "502"}])
    sync.run()
    assert sync.hs_by_email()["o2@example.com"]["hubspot_owner_id"] == "501"
    assert {r["OwnerId"] for r in sync.sf("Lead")} == {ada_user}
    sync.emulator.reset_calls()
    sync.run()
    assert sync.write_count() == 0, sync.writes()


def test_r12_conflict_newer_change_wins_and_is_logged(sync: SyncEnv) -> None:
    sync.seed(
        {
            "hubspot": {
                "records": {
                    "contacts": [{"email": "k@example.com", "lastname": "Kay", "jobtitle": "Dev"}]
                }
            }
        }
    )
    sync.run()
    contact = sync.hs_by_email()["k@example.com"]
    [row] = sync.sf("Lead")
    sync.hubspot.update("contacts", [{"id": contact["id"], "jobtitle": "From HubSpot"}])
    sync.emulator.clock.advance(2)
    sync.salesforce.update("Lead", [{"Id": row["Id"], "Title": "From Salesforce"}])
    report = sync.run()
    assert report.conflicts == 1
    assert sync.hs_by_email()["k@example.com"]["jobtitle"] == "From Salesforce"
    assert sync.sf("Lead")[0]["Title"] == "From Salesforce"
    [conflict] = sync.state.log.conflicts()
    assert conflict["field"] == "jobtitle" and conflict["winner"] == "salesforce"


def test_r12_prefer_salesforce_unless_blank(sync: SyncEnv) -> None:
    sync.seed(
        {
            "hubspot": {
                "records": {
                    "contacts": [
                        {
                            "email": "p@example.com",
                            "lastname": "Hs",
                            "firstname": "Hubby",
                            "phone": "1",
                        }
                    ]
                }
            },
            "salesforce": {
                "records": {"Lead": [lead("p@example.com", LastName="Sf", FirstName=None)]}
            },
        }
    )
    sync.run()
    [row] = sync.sf("Lead")
    assert row["LastName"] == "Sf" and row["FirstName"] == "Hubby"  # blank in Salesforce
    assert sync.hs_by_email()["p@example.com"]["lastname"] == "Sf"
    # A HubSpot change to a field Salesforce has a value for does not reach Salesforce.
    contact = sync.hs_by_email()["p@example.com"]
    sync.hubspot.update("contacts", [{"id": contact["id"], "lastname": "Changed"}])
    sync.run()
    assert sync.sf("Lead")[0]["LastName"] == "Sf"


def test_r12_clearing_a_salesforce_value_clears_hubspot_under_prefer_salesforce(
    shaped: SyncEnv,
) -> None:
    """HubSpot's connector: with "prefer Salesforce unless blank", a value cleared in
    Salesforce clears the HubSpot property; a value blank from the start is filled. The
    generated default adapter, on an org with and one without person accounts."""
    sync = shaped
    sync.seed(
        {
            "hubspot": {
                "records": {
                    "contacts": [
                        {
                            "email": "c@example.com",
                            "lastname": "Hs",
                            "firstname": "Hubby",
                            "phone": "555",
                        }
                    ]
                }
            },
            "salesforce": {
                "records": {"Lead": [lead("c@example.com", FirstName="Sally", Phone=None)]}
            },
        }
    )
    sync.run()
    [row] = sync.sf("Lead")
    assert row["Phone"] == "555"  # blank in Salesforce from the start: HubSpot's fills it
    assert sync.hs_by_email()["c@example.com"]["firstname"] == "Sally"
    sync.salesforce.update("Lead", [{"Id": row["Id"], "FirstName": None, "Phone": None}])
    sync.run()
    contact = sync.hs_by_email()["c@example.com"]
    assert contact.get("firstname") in (None, ""), contact
    assert contact.get("phone") in (None, ""), contact
    [row] = sync.sf("Lead")
    assert row["FirstName"] is None and row["Phone"] is None  # HubSpot's did not come back
    sync.emulator.reset_calls()
    sync.run()
    assert sync.write_count() == 0, sync.writes()
    # Blank on both sides now: a new HubSpot value fills Salesforce again.
    sync.hubspot.update("contacts", [{"id": contact["id"], "firstname": "New"}])
    sync.run()
    assert sync.sf("Lead")[0]["FirstName"] == "New"
    assert sync.hs_by_email()["c@example.com"]["firstname"] == "New"


def test_r1_opt_out_passes_at_the_first_sync_not_before(sync: SyncEnv) -> None:
    sync.seed(
        {
            "salesforce": {
                "records": {"Lead": [lead("late@example.com", HasOptedOutOfEmail=True)]}
            },
            "hubspot": {
                "records": {
                    "contacts": [
                        {
                            "email": "late@example.com",
                            "lastname": "Late",
                            "lifecyclestage": "subscriber",
                        }
                    ]
                }
            },
        }
    )
    sync.run()  # outside the inclusion list: linked (R5), but nothing passes
    contact = sync.hs_by_email()["late@example.com"]
    assert contact.get("hs_email_optout") in (None, "", "false")
    sync.hubspot.update("contacts", [{"id": contact["id"], "lifecyclestage": "lead"}])
    sync.run()  # its first sync: the opt-out passes
    assert sync.hs_by_email()["late@example.com"]["hs_email_optout"] == "true"
    assert sync.sf("Lead")[0]["Lifecycle_Stage__c"] == "Lead"
    sync.emulator.reset_calls()
    sync.run()
    assert sync.write_count() == 0, sync.writes()


def _not_intern(record: object) -> bool:
    return getattr(record, "get", lambda _k: None)("jobtitle") != "Intern"


def test_r5_contact_created_from_salesforce_outside_the_list_syncs_nothing_later(
    sync: SyncEnv,
) -> None:
    """The FAQ's case exactly: the lead creates a HubSpot contact although the contact is
    not in the inclusion list; from then on neither side's updates reach the other."""
    from dataclasses import replace

    adapter = replace(
        sync.adapter,
        objects=tuple(
            replace(o, include=_not_intern) if o.hubspot_object == "contacts" else o
            for o in sync.adapter.objects
        ),
    )
    sync.seed(
        {
            "salesforce": {
                "records": {"Lead": [lead("intern@example.com", Title="Intern", Phone="1")]}
            }
        }
    )
    sync.run(adapter)
    contact = sync.hs_by_email()["intern@example.com"]  # created although outside (R5)
    assert contact["jobtitle"] == "Intern" and contact["phone"] == "1"
    [row] = sync.sf("Lead")
    sync.salesforce.update("Lead", [{"Id": row["Id"], "Phone": "2"}])
    sync.run(adapter)
    sync.hubspot.update("contacts", [{"id": contact["id"], "lastname": "Changed"}])
    sync.salesforce.update("Lead", [{"Id": row["Id"], "FirstName": "Later"}])
    sync.run(adapter)
    after = sync.hs_by_email()["intern@example.com"]
    assert after["phone"] == "1" and after.get("firstname") in (None, "")
    [row] = sync.sf("Lead")
    assert row["Phone"] == "2" and row["LastName"] == "Doe" and row["FirstName"] == "Later"
    assert len(sync.sf("Lead")) == 1 and len(sync.hs_by_email()) == 1


def test_r5_r8_r9_a_contact_outside_the_list_gets_no_tasks_and_no_customer_stage(
    sync: SyncEnv,
) -> None:
    """Linked to a Salesforce contact (R5 dedup) but outside the inclusion list: it is not
    syncing, so neither its email events (R8) nor a Closed/Won opportunity (R9) reach it."""
    sync.seed(
        {
            "salesforce": {
                "records": {
                    "Account": [{"_ref": "acc", "Name": "Buyer"}],
                    "Contact": [
                        {
                            "_ref": "sub",
                            "LastName": "Sub",
                            "Email": "sub@buyer.example",
                            "AccountId": "@acc",
                        },
                        {
                            "_ref": "in",
                            "LastName": "In",
                            "Email": "in@buyer.example",
                            "AccountId": "@acc",
                        },
                    ],
                    "Opportunity": [
                        {
                            "_ref": "won",
                            "Name": "Won",
                            "StageName": "Closed Won",
                            "CloseDate": "2026-11-01",
                            "AccountId": "@acc",
                        }
                    ],
                    "OpportunityContactRole": [
                        {"OpportunityId": "@won", "ContactId": "@sub"},
                        {"OpportunityId": "@won", "ContactId": "@in"},
                    ],
                }
            },
            "hubspot": {
                "records": {
                    "contacts": [
                        {
                            "email": "sub@buyer.example",
                            "lastname": "Sub",
                            "lifecyclestage": "subscriber",
                        },
                        {"email": "in@buyer.example", "lastname": "In", "lifecyclestage": "lead"},
                    ]
                },
                "email_events": [
                    {"id": "s1", "type": "OPEN", "recipient": "sub@buyer.example"},
                    {"id": "i1", "type": "OPEN", "recipient": "in@buyer.example"},
                ],
            },
        }
    )
    sync.run()
    contacts = sync.hs_by_email()
    assert contacts["sub@buyer.example"]["lifecyclestage"] == "subscriber"
    assert contacts["in@buyer.example"]["lifecyclestage"] == "customer"
    stages = {r["Email"]: r["Lifecycle_Stage__c"] for r in sync.sf("Contact")}
    assert stages == {"sub@buyer.example": None, "in@buyer.example": "Customer"}
    tasks = sync.sf("Task", fields="Id, WhoId")
    assert [t["WhoId"] for t in tasks] == [sync.refs["in"]]
    sync.emulator.reset_calls()
    sync.run()
    assert sync.write_count() == 0, sync.writes()
