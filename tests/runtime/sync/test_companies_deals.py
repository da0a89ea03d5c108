"""Companies <-> accounts (R2, R6 sticky, R7 person accounts), deals <-> opportunities
(R6 never deduplicated) and Closed/Won (R9), asserting both CRMs' final state."""

from __future__ import annotations

from tests.runtime.sync.conftest import SyncEnv


def company_of(sync: SyncEnv, contact_id: str) -> list[str]:
    return sync.hubspot.associations("contacts", "companies", [contact_id])[contact_id]


def seed_acme(sync: SyncEnv) -> None:
    sync.seed(
        {
            "salesforce": {
                "records": {
                    "Account": [
                        {"_ref": "acme", "Name": "Acme Corp"},
                        {"_ref": "other", "Name": "Other Inc"},
                    ],
                    "Contact": [
                        {
                            "_ref": "ann",
                            "LastName": "Lee",
                            "Email": "ann@acme.example",
                            "AccountId": "@acme",
                        }
                    ],
                }
            },
            "hubspot": {
                "records": {
                    "companies": [{"_ref": "c_acme", "name": "Acme"}],
                    "contacts": [
                        {
                            "_ref": "h_ann",
                            "email": "ann@acme.example",
                            "lastname": "Lee",
                            "company": "Acme (text)",
                        }
                    ],
                },
                "associations": [
                    {
                        "from": {"type": "contacts", "id": "@h_ann"},
                        "to": {"type": "companies", "id": "@c_acme"},
                    }
                ],
            },
        }
    )


def test_r6_companies_match_by_contacts_and_stay_linked(sync: SyncEnv) -> None:
    seed_acme(sync)
    sync.run()
    links = {
        link.hubspot_id: link.sf_id
        for batch in sync.state.iter_links("companies")
        for link in batch
    }
    acme_company = sync.refs["c_acme"]
    assert links[acme_company] == sync.refs["acme"]  # matched through Ann, not by name
    # "Other Inc" has no contacts: a new HubSpot company.
    names = {c["name"] for c in sync.hs("companies")}
    assert "Other Inc" in names
    assert len(sync.sf("Account")) == 2
    # R2: Ann syncs with a Salesforce Contact, so her company-name text goes nowhere.
    [ann] = sync.sf("Contact", fields="Id, AccountId, Email")
    assert ann["AccountId"] == sync.refs["acme"]
    # Ann moves to Other in Salesforce: HubSpot associates her with Other's company, and
    # Acme's company stays linked to Acme Corp (sticky).
    sync.salesforce.update("Contact", [{"Id": ann["Id"], "AccountId": sync.refs["other"]}])
    sync.run()
    other_company = next(c["id"] for c in sync.hs("companies") if c["name"] == "Other Inc")
    assert other_company in company_of(sync, sync.refs["h_ann"])
    links = {
        link.hubspot_id: link.sf_id
        for batch in sync.state.iter_links("companies")
        for link in batch
    }
    assert links[acme_company] == sync.refs["acme"]
    sync.emulator.reset_calls()
    sync.run()
    assert sync.write_count() == 0, sync.writes()


def test_r6_company_created_in_hubspot_becomes_an_account(sync: SyncEnv) -> None:
    sync.seed({"hubspot": {"records": {"companies": [{"name": "Newco", "domain": "new.example"}]}}})
    sync.run()
    [account] = sync.sf("Account")
    assert account["Name"] == "Newco" and account["Website"] == "new.example"
    assert [(c["name"], c["domain"]) for c in sync.hs("companies")] == [("Newco", "new.example")]
    sync.emulator.reset_calls()
    sync.run()
    assert sync.write_count() == 0, sync.writes()


def test_r7_person_account_is_one_company_and_one_contact(sync: SyncEnv) -> None:
    sync.seed(
        {
            "salesforce": {
                "records": {
                    "Account": [
                        {
                            "FirstName": "Pat",
                            "LastName": "Person",
                            "PersonEmail": "pat@home.example",
                            "IsPersonAccount": True,
                        }
                    ]
                }
            }
        }
    )
    sync.run()
    companies = sync.hs("companies")
    assert [c["name"] for c in companies] == ["Pat Person"]
    contacts = sync.hs_by_email()
    assert list(contacts) == ["pat@home.example"]  # the hidden contact is the same person
    assert contacts["pat@home.example"]["firstname"] == "Pat"
    assert company_of(sync, contacts["pat@home.example"]["id"]) == [companies[0]["id"]]
    assert len(sync.sf("Account")) == 1 and len(sync.sf("Contact")) == 1
    sync.emulator.reset_calls()
    sync.run()
    assert sync.write_count() == 0, sync.writes()


def test_r7_hubspot_never_creates_person_accounts(sync: SyncEnv) -> None:
    sync.seed(
        {
            "hubspot": {
                "records": {
                    "contacts": [
                        {"email": "solo@example.com", "firstname": "Solo", "lastname": "Han"}
                    ],
                    "companies": [{"name": "Solo Co"}],
                }
            }
        }
    )
    sync.run()
    accounts = sync.sf("Account", fields="Id, Name, IsPersonAccount")
    assert [a["IsPersonAccount"] for a in accounts] == [False]
    assert [r["Email"] for r in sync.sf("Lead")] == ["solo@example.com"]
    assert sync.sf("Contact") == []  # no person account, so no contact behind one
    assert list(sync.hs_by_email()) == ["solo@example.com"]
    assert [c["name"] for c in sync.hs("companies")] == ["Solo Co"]


def test_r6_deals_are_never_deduplicated(sync: SyncEnv) -> None:
    sync.seed(
        {
            "hubspot": {
                "records": {
                    "deals": [
                        {
                            "dealname": "Big deal",
                            "amount": "100",
                            "dealstage": "qualifiedtobuy",
                            "closedate": "2026-12-31T00:00:00.000Z",
                        },
                        {
                            "dealname": "Big deal",
                            "amount": "100",
                            "dealstage": "qualifiedtobuy",
                            "closedate": "2026-12-31T00:00:00.000Z",
                        },
                    ]
                }
            },
            "salesforce": {
                "records": {
                    "Opportunity": [
                        {
                            "Name": "Big deal",
                            "StageName": "Qualification",
                            "CloseDate": "2026-12-31",
                            "Amount": 100,
                        }
                    ]
                }
            },
        }
    )
    sync.run()
    assert len(sync.sf("Opportunity")) == 3
    deals = sync.hs("deals")
    assert len(deals) == 3
    assert {d["dealstage"] for d in deals} == {"qualifiedtobuy"}
    sync.emulator.reset_calls()
    sync.run()
    assert sync.write_count() == 0, sync.writes()


def test_r9_closed_won_makes_contact_role_contacts_customers(sync: SyncEnv) -> None:
    sync.seed(
        {
            "salesforce": {
                "records": {
                    "Account": [{"_ref": "acc", "Name": "Buyer"}],
                    "Contact": [
                        {
                            "_ref": "role",
                            "LastName": "Role",
                            "Email": "role@buyer.example",
                            "AccountId": "@acc",
                        },
                        {
                            "_ref": "bystander",
                            "LastName": "By",
                            "Email": "by@buyer.example",
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
                        },
                        {
                            "Name": "Won, no roles",
                            "StageName": "Closed Won",
                            "CloseDate": "2026-11-01",
                            "AccountId": "@acc",
                        },
                    ],
                    "OpportunityContactRole": [
                        {"OpportunityId": "@won", "ContactId": "@role", "Role": "Decision Maker"}
                    ],
                }
            }
        }
    )
    sync.run()
    contacts = sync.hs_by_email()
    assert contacts["role@buyer.example"]["lifecyclestage"] == "customer"
    assert contacts["by@buyer.example"].get("lifecyclestage") in (None, "")
    stages = {r["Email"]: r["Lifecycle_Stage__c"] for r in sync.sf("Contact")}
    assert stages["role@buyer.example"] == "Customer"
    assert stages["by@buyer.example"] is None
    sync.emulator.reset_calls()
    sync.run()
    assert sync.write_count() == 0, sync.writes()


def test_required_field_missing_is_recorded_and_the_batch_proceeds(sync: SyncEnv) -> None:
    sync.seed(
        {
            "hubspot": {
                "records": {
                    "deals": [
                        {"dealname": "No date", "amount": "1"},
                        {
                            "dealname": "Dated",
                            "amount": "2",
                            "closedate": "2026-12-31T00:00:00.000Z",
                        },
                    ]
                }
            }
        }
    )
    report = sync.run()
    assert [o["Name"] for o in sync.sf("Opportunity")] == ["Dated"]
    assert report.failed == 1
    [error] = sync.state.log.errors()
    assert error.code == "REQUIRED_FIELD_MISSING" and error.object == "deals"
    sync.emulator.reset_calls()
    sync.run()  # tried again (the deal did not change), still refused, nothing else written
    assert len(sync.sf("Opportunity")) == 1
    assert sync.state.log.errors()[0].occurrences == 2


def test_a_real_value_equal_to_a_create_default_is_data(sync: SyncEnv) -> None:
    sync.seed(
        {
            "salesforce": {
                "records": {
                    "Opportunity": [
                        {"Name": "Early", "StageName": "Prospecting", "CloseDate": "2026-12-31"}
                    ]
                }
            }
        }
    )
    sync.run()
    [deal] = sync.hs("deals")
    assert deal["dealstage"] == "appointmentscheduled"
    sync.emulator.reset_calls()
    sync.run()
    assert sync.write_count() == 0, sync.writes()


def test_hubspot_ids_are_per_object_a_contact_and_company_sharing_an_id(sync: SyncEnv) -> None:
    """HubSpot numbers each object type on its own: contact 7001 and company 7001 are two
    records, and a change to one must never hide (or stand in for) a change to the other."""
    sync.seed(
        {
            "salesforce": {
                "records": {
                    "Account": [{"_ref": "acc", "Name": "Twin Corp"}],
                    "Contact": [
                        {
                            "_ref": "tw",
                            "LastName": "Twin",
                            "Email": "twin@twin.example",
                            "AccountId": "@acc",
                        }
                    ],
                }
            },
            "hubspot": {
                "records": {
                    "companies": [{"_ref": "co", "id": "7001", "name": "Twin Corp"}],
                    "contacts": [
                        {
                            "_ref": "ct",
                            "id": "7001",
                            "email": "twin@twin.example",
                            "lastname": "Twin",
                        }
                    ],
                },
                "associations": [
                    {
                        "from": {"type": "contacts", "id": "@ct"},
                        "to": {"type": "companies", "id": "@co"},
                    }
                ],
            },
        }
    )
    sync.run()
    assert sync.refs["co"] == sync.refs["ct"] == "7001"
    assert len(sync.hs("companies")) == 1 and len(sync.sf("Account")) == 1
    # The contact changes in HubSpot while the account changes in Salesforce.
    sync.hubspot.update("contacts", [{"id": "7001", "jobtitle": "Owner"}])
    sync.salesforce.update("Account", [{"Id": sync.refs["acc"], "Name": "Twin Holdings"}])
    sync.run()
    assert [c["name"] for c in sync.hs("companies")] == ["Twin Holdings"]
    assert [a["Name"] for a in sync.sf("Account")] == ["Twin Holdings"]
    assert [c["Title"] for c in sync.sf("Contact", fields="Id, Title")] == ["Owner"]
    assert sync.hs_by_email()["twin@twin.example"]["jobtitle"] == "Owner"
    sync.emulator.reset_calls()
    sync.run()
    assert sync.write_count() == 0, sync.writes()
    assert [c["name"] for c in sync.hs("companies")] == ["Twin Holdings"]


def test_r7_person_account_matching_an_existing_contact_keeps_hubspot_values(sync: SyncEnv) -> None:
    """The hidden contact matches the HubSpot contact by email (any case): one person, and
    HubSpot's title (blank in Salesforce, which mapc never writes for a person account)
    is not wiped by Salesforce's blank."""
    sync.seed(
        {
            "salesforce": {
                "records": {
                    "Account": [
                        {
                            "_ref": "pa",
                            "FirstName": "Pat",
                            "LastName": "Person",
                            "PersonEmail": "pat@home.example",
                            "IsPersonAccount": True,
                        }
                    ]
                }
            },
            "hubspot": {
                "records": {
                    "contacts": [
                        {"email": "PAT@home.example", "firstname": "P", "jobtitle": "Engineer"}
                    ]
                }
            },
        }
    )
    sync.run()
    contacts = sync.hs_by_email()
    assert list(contacts) == ["pat@home.example"]
    pat = contacts["pat@home.example"]
    assert (pat["firstname"], pat["lastname"], pat["jobtitle"]) == ("Pat", "Person", "Engineer")
    [company] = sync.hs("companies")
    assert company["name"] == "Pat Person" and company_of(sync, pat["id"]) == [company["id"]]
    [hidden] = sync.sf("Contact", fields="Id, LastName, Title, IsPersonAccount")
    assert hidden["IsPersonAccount"] is True and hidden["Title"] is None
    assert len(sync.sf("Account")) == 1 and sync.sf("Lead") == []
    sync.emulator.reset_calls()
    sync.run()
    assert sync.write_count() == 0, sync.writes()
    assert sync.hs_by_email()["pat@home.example"]["jobtitle"] == "Engineer"


def test_r1_r7_hubspot_unsubscribe_reaches_a_person_account(sync: SyncEnv) -> None:
    """R1 holds for person accounts too: mapc writes nothing else to one (R7), but an
    unsubscribe in HubSpot sets the person account's Email Opt Out
    (PersonHasOptedOutOfEmail, which Salesforce mirrors to the contact behind it)."""
    sync.seed(
        {
            "salesforce": {
                "records": {
                    "Account": [
                        {
                            "_ref": "pa",
                            "FirstName": "Pat",
                            "LastName": "Person",
                            "PersonEmail": "pat@home.example",
                            "IsPersonAccount": True,
                        }
                    ]
                }
            }
        }
    )
    sync.run()
    assert sync.hs_by_email()["pat@home.example"].get("hs_email_optout") in (None, "", "false")
    sync.hubspot.unsubscribe_all_batch(["pat@home.example"])
    sync.run()
    [account] = sync.sf("Account", fields="Id, PersonHasOptedOutOfEmail")
    assert account["PersonHasOptedOutOfEmail"] is True
    [hidden] = sync.sf("Contact", fields="Id, HasOptedOutOfEmail, IsPersonAccount")
    assert hidden["HasOptedOutOfEmail"] is True
    assert sync.hs_by_email()["pat@home.example"]["hs_email_optout"] == "true"
    assert len(sync.hs_by_email()) == 1 and len(sync.hs("companies")) == 1
    sync.emulator.reset_calls()
    sync.run()
    assert sync.write_count() == 0, sync.writes()


def test_r6_a_move_in_salesforce_is_not_undone_when_hubspot_reads_back(sync: SyncEnv) -> None:
    """Ann moves to Other in Salesforce; mapc adds her association to Other's company in
    HubSpot, where Acme stays her primary company. Any later read of her HubSpot record
    (here: an edit to a field no mapping uses) must not look like a move made in HubSpot:
    Salesforce keeps Other, and nothing is written."""
    seed_acme(sync)
    sync.run()
    [ann] = sync.sf("Contact", fields="Id, AccountId, Email")
    sync.salesforce.update("Contact", [{"Id": ann["Id"], "AccountId": sync.refs["other"]}])
    sync.run()
    other_company = next(c["id"] for c in sync.hs("companies") if c["name"] == "Other Inc")
    assert other_company in company_of(sync, sync.refs["h_ann"])
    sync.hubspot.update("contacts", [{"id": sync.refs["h_ann"], "country": "France"}])
    sync.emulator.reset_calls()
    sync.run()
    assert sync.write_count() == 0, sync.writes()
    [ann] = sync.sf("Contact", fields="Id, AccountId, Email")
    assert ann["AccountId"] == sync.refs["other"]
    assert other_company in company_of(sync, sync.refs["h_ann"])
    sync.emulator.reset_calls()
    sync.run()
    assert sync.write_count() == 0, sync.writes()
