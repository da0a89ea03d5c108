"""Lead conversion: a converted lead's HubSpot contact moves to the Contact the conversion
made, its account links to the contact's company, its opportunity becomes a deal of that
company with that contact; asserting both CRMs, and that a further run writes nothing."""

from __future__ import annotations

from typing import Any

from tests.runtime.sync.compiled import DEFAULT_MAPPING, compiled
from tests.runtime.sync.conftest import SyncEnv
from tests.runtime.sync.test_deal_associations import deal_companies, deal_contacts, quiet


def one_link(sync: SyncEnv, obj: str, hubspot_id: str) -> Any:
    (link,) = sync.state.links_by_hubspot(obj, [hubspot_id]).values()
    return link


def seed_lee(sync: SyncEnv) -> dict[str, str]:
    return sync.seed(
        {
            "hubspot": {
                "records": {
                    "contacts": [
                        {
                            "_ref": "h_lee",
                            "email": "lee@lee.example",
                            "firstname": "Lee",
                            "lastname": "Park",
                            "company": "Lee Co",
                            "lifecyclestage": "lead",
                        }
                    ],
                    "companies": [{"_ref": "c_lee", "name": "Lee Co"}],
                },
                "associations": [
                    {
                        "from": {"type": "contacts", "id": "@h_lee"},
                        "to": {"type": "companies", "id": "@c_lee"},
                    }
                ],
            }
        }
    )


def test_a_converted_leads_contact_moves_to_the_new_contact(shaped: SyncEnv) -> None:
    sync = shaped
    refs = seed_lee(sync)
    sync.run()
    lead_link = one_link(sync, "contacts", refs["h_lee"])
    assert lead_link.sf_object == "Lead"
    account = one_link(sync, "companies", refs["c_lee"]).sf_id

    result = sync.emulator.convert_lead(
        lead_link.sf_id, convertedStatus="Closed - Converted", accountId=account
    )
    assert result["success"], result
    contact_id, opportunity_id = result["contactId"], result["opportunityId"]
    report = sync.run()
    assert not report.failed, report.actions

    # One HubSpot contact, now syncing with the Contact; no duplicate skipped.
    link = one_link(sync, "contacts", refs["h_lee"])
    assert (link.sf_object, link.sf_id) == ("Contact", contact_id)
    assert [c["email"] for c in sync.hs("contacts")] == ["lee@lee.example"]
    assert not [why for (_, _, why) in report.skip_reasons if "duplicate" in why]
    assert [a.reason for a in report.actions if a.op == "relink"] == [
        f"converted into Contact {contact_id}"
    ]
    # The contact's company is the account's; the opportunity is a deal of both.
    assert one_link(sync, "companies", refs["c_lee"]).sf_id == account
    (deal,) = sync.state.links_by_salesforce("deals", [opportunity_id]).values()
    assert deal_companies(sync, deal.hubspot_id) == [refs["c_lee"]]
    assert deal_contacts(sync, deal.hubspot_id) == [refs["h_lee"]]
    quiet(sync)

    # The Contact's changes reach HubSpot, HubSpot's reach the Contact.
    sync.salesforce.update("Contact", [{"Id": contact_id, "Title": "CTO"}])
    sync.run()
    (lee,) = sync.hs("contacts", ("email", "jobtitle", "firstname"))
    assert lee["jobtitle"] == "CTO"
    sync.hubspot.update(
        "contacts", [{"id": refs["h_lee"], "lifecyclestage": "marketingqualifiedlead"}]
    )
    sync.run()
    (contact,) = sync.sf("Contact", where=f"Id = '{contact_id}'", fields="Id, Lifecycle_Stage__c")
    assert contact["Lifecycle_Stage__c"] == "Marketing Qualified Lead"
    quiet(sync)


def test_a_lead_converted_into_a_contact_of_another_hubspot_contact_stops_syncing(
    shaped: SyncEnv,
) -> None:
    sync = shaped
    refs = seed_lee(sync)
    sync.seed(
        {
            "salesforce": {
                "records": {
                    "Account": [{"_ref": "acme", "Name": "Acme"}],
                    "Contact": [
                        {
                            "_ref": "kim",
                            "LastName": "Kim",
                            "Email": "kim@acme.example",
                            "AccountId": "@acme",
                        }
                    ],
                }
            }
        }
    )
    sync.run()
    lead = one_link(sync, "contacts", refs["h_lee"]).sf_id
    kim = next(iter(sync.state.links_by_salesforce("contacts", [sync.refs["kim"]]).values()))
    result = sync.emulator.convert_lead(
        lead,
        convertedStatus="Closed - Converted",
        accountId=sync.refs["acme"],
        contactId=sync.refs["kim"],
        doNotCreateOpportunity=True,
    )
    assert result["success"], result
    report = sync.run()
    assert not report.failed, report.actions
    # Kim's pair stands; Lee's HubSpot contact keeps its link but syncs no more.
    assert one_link(sync, "contacts", kim.hubspot_id).sf_id == sync.refs["kim"]
    sync.hubspot.update("contacts", [{"id": refs["h_lee"], "firstname": "Leona"}])
    report = sync.run()
    assert not report.failed, report.actions  # no write to the read-only converted lead
    assert any("converted into" in why for (_, _, why) in report.skip_reasons)
    quiet(sync)


def test_a_lead_converted_into_a_person_account_follows_r7(sync: SyncEnv) -> None:
    sync.adapter = compiled(DEFAULT_MAPPING)
    sync.seed(
        {
            "salesforce": {
                "records": {
                    "Lead": [
                        {
                            "_ref": "solo",
                            "FirstName": "Sam",
                            "LastName": "Solo",
                            "Email": "sam@solo.example",
                        }
                    ]
                }
            }
        }
    )
    sync.run()
    (sam,) = sync.hs("contacts", ("email", "firstname", "lastname"))
    result = sync.emulator.convert_lead(
        sync.refs["solo"], convertedStatus="Closed - Converted", doNotCreateOpportunity=True
    )
    assert result["success"], result
    report = sync.run()
    assert not report.failed, report.actions
    link = one_link(sync, "contacts", sam["id"])
    assert (link.sf_object, link.sf_id) == ("Contact", result["contactId"])
    (person,) = sync.sf("Account", fields="Id, Name, IsPersonAccount")
    assert person["IsPersonAccount"] is True
    # R7: the person account is a HubSpot company too, with the person's name, and the
    # contact (still one) is associated with it.
    company = one_link(sync, "companies", _company_of(sync, person["Id"])).hubspot_id
    assert [c["name"] for c in sync.hs("companies", ("name",))] == ["Sam Solo"]
    assert [c["email"] for c in sync.hs("contacts")] == ["sam@solo.example"]
    assert company in [
        str(i) for i, _ in sync.emulator.portal.associations.of("contacts", sam["id"], "companies")
    ]
    quiet(sync)


def _company_of(sync: SyncEnv, account: str) -> str:
    (link,) = sync.state.links_by_salesforce("companies", [account]).values()
    return link.hubspot_id


def test_a_converted_lead_is_never_matched(shaped: SyncEnv) -> None:
    """A lead converted before it ever synced, whose contact is gone: a HubSpot contact
    with its email is not matched with the read-only lead, but becomes a new lead."""
    sync = shaped
    sync.seed(
        {
            "salesforce": {
                "records": {
                    "Lead": [
                        {
                            "_ref": "old",
                            "LastName": "Old",
                            "Company": "Old Co",
                            "Email": "old@old.example",
                        }
                    ]
                }
            }
        }
    )
    result = sync.emulator.convert_lead(
        sync.refs["old"], convertedStatus="Closed - Converted", doNotCreateOpportunity=True
    )
    assert result["success"], result
    sync.salesforce.delete([result["contactId"]])
    sync.seed(
        {"hubspot": {"records": {"contacts": [{"email": "old@old.example", "lastname": "Old"}]}}}
    )
    report = sync.run()
    assert not report.failed, report.actions
    assert sync.hs_by_email().keys() == {"old@old.example"}  # the converted lead made none
    leads = sync.sf("Lead", fields="Id, Email, IsConverted")
    assert sorted((r["Email"], r["IsConverted"]) for r in leads) == [
        ("old@old.example", False),
        ("old@old.example", True),
    ]
    quiet(sync)


def test_duplicate_leads_merged_into_one_contact_in_one_run(shaped: SyncEnv) -> None:
    """Two leads converted into the same Contact between two runs: one HubSpot contact
    takes the Contact, the other is retired; the run and every later one succeed."""
    sync = shaped
    refs = seed_lee(sync)
    more = sync.seed(
        {
            "hubspot": {
                "records": {
                    "contacts": [
                        {
                            "_ref": "h_lee2",
                            "email": "lee.park@lee.example",
                            "firstname": "Lee",
                            "lastname": "Park",
                            "company": "Lee Co",
                            "lifecyclestage": "lead",
                        }
                    ]
                }
            }
        }
    )
    sync.run()
    first = one_link(sync, "contacts", refs["h_lee"]).sf_id
    second = one_link(sync, "contacts", more["h_lee2"]).sf_id
    assert first != second
    account = one_link(sync, "companies", refs["c_lee"]).sf_id
    result = sync.emulator.convert_lead(
        first, convertedStatus="Closed - Converted", accountId=account, doNotCreateOpportunity=True
    )
    assert result["success"], result
    contact = result["contactId"]
    result = sync.emulator.convert_lead(
        second,
        convertedStatus="Closed - Converted",
        accountId=account,
        contactId=contact,
        doNotCreateOpportunity=True,
    )
    assert result["success"], result
    report = sync.run()
    assert not report.failed, report.actions
    links = [one_link(sync, "contacts", h) for h in (refs["h_lee"], more["h_lee2"])]
    on_contact = [k for k in links if (k.sf_object, k.sf_id) == ("Contact", contact)]
    assert len(on_contact) == 1
    (other,) = [k for k in links if k is not on_contact[0]]
    assert other.sf_object == "Lead" and other.flags.converted_into == contact
    assert len([a for a in report.actions if a.op == "relink"]) == 1
    quiet(sync)
