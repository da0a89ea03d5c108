"""The association graph of the default mapping, both ways: a deal's company is its
opportunity's account (`associate companies <-> AccountId`), its contacts are the
opportunity's contact roles; asserting both CRMs, and that a further run writes nothing."""

from __future__ import annotations

from typing import Any

from mapc.runtime.config import DEFAULT_HUBSPOT_SEARCH_LOOKBACK_SECONDS
from tests.runtime.sync.conftest import SyncEnv

LOOKBACK = DEFAULT_HUBSPOT_SEARCH_LOOKBACK_SECONDS + 10


def quiet(sync: SyncEnv) -> None:
    """A further run writes nothing and reports no error."""
    sync.emulator.reset_calls()
    report = sync.run()
    assert not report.failed, report.actions
    assert sync.write_count() == 0, sync.writes()


def associated(sync: SyncEnv, deal: str, kind: str) -> list[str]:
    """What HubSpot holds, read from the emulator itself (not through the connector)."""
    return sorted(str(i) for i, _ in sync.emulator.portal.associations.of("deals", deal, kind))


def deal_companies(sync: SyncEnv, deal: str) -> list[str]:
    return associated(sync, deal, "companies")


def deal_contacts(sync: SyncEnv, deal: str) -> list[str]:
    return associated(sync, deal, "contacts")


def roles(sync: SyncEnv, opportunity: str) -> list[str]:
    return sorted(
        str(r["ContactId"]) for r in sync.salesforce.opportunity_contact_roles([opportunity])
    )


def company_of_account(sync: SyncEnv, account: str) -> str:
    (link,) = sync.state.links_by_salesforce("companies", [account]).values()
    return link.hubspot_id


def seed(sync: SyncEnv) -> dict[str, str]:
    data: dict[str, Any] = {
        "salesforce": {
            "records": {
                "Account": [
                    {"_ref": "acme", "Name": "Acme Corp"},
                    {"_ref": "beta", "Name": "Beta Ltd"},
                ],
                "Contact": [
                    {
                        "_ref": "ann",
                        "LastName": "Lee",
                        "Email": "ann@acme.example",
                        "AccountId": "@acme",
                    },
                    {
                        "_ref": "bob",
                        "LastName": "Ng",
                        "Email": "bob@beta.example",
                        "AccountId": "@beta",
                    },
                ],
            }
        },
        "hubspot": {
            "records": {
                "companies": [{"_ref": "c_acme", "name": "Acme Corp"}],
                "contacts": [{"_ref": "h_ann", "email": "ann@acme.example", "lastname": "Lee"}],
                "deals": [
                    {
                        "_ref": "d_big",
                        "dealname": "Big deal",
                        "dealstage": "appointmentscheduled",
                        "amount": "1000",
                        "closedate": "2027-03-31",
                    }
                ],
            },
            "associations": [
                {
                    "from": {"type": "contacts", "id": "@h_ann"},
                    "to": {"type": "companies", "id": "@c_acme"},
                },
                {
                    "from": {"type": "deals", "id": "@d_big"},
                    "to": {"type": "companies", "id": "@c_acme"},
                },
                {
                    "from": {"type": "deals", "id": "@d_big"},
                    "to": {"type": "contacts", "id": "@h_ann"},
                },
            ],
        },
    }
    return sync.seed(data)


def test_a_hubspot_deal_on_a_linked_company_becomes_an_opportunity_of_its_account(
    shaped: SyncEnv,
) -> None:
    sync = shaped
    refs = seed(sync)
    report = sync.run()
    assert not report.failed, report.actions
    (opportunity,) = sync.sf("Opportunity", fields="Id, Name, AccountId")
    assert opportunity["Name"] == "Big deal"
    assert opportunity["AccountId"] == refs["acme"]
    # Ann's HubSpot contact is the deal's: she becomes the opportunity's contact role.
    assert roles(sync, opportunity["Id"]) == [refs["ann"]]
    assert deal_companies(sync, refs["d_big"]) == [refs["c_acme"]]
    quiet(sync)

    # The account moves in Salesforce: the HubSpot association moves, the old one goes.
    sync.salesforce.update("Opportunity", [{"Id": opportunity["Id"], "AccountId": refs["beta"]}])
    sync.run()
    beta_company = company_of_account(sync, refs["beta"])
    assert deal_companies(sync, refs["d_big"]) == [beta_company]
    quiet(sync)

    # Bob gets a contact role in Salesforce, Ann loses hers: HubSpot follows both.
    bob_contact = next(iter(sync.state.links_by_salesforce("contacts", [refs["bob"]]).values()))
    (ann_role,) = sync.salesforce.opportunity_contact_roles([opportunity["Id"]])
    sync.salesforce.create(
        "OpportunityContactRole", [{"OpportunityId": opportunity["Id"], "ContactId": refs["bob"]}]
    )
    sync.salesforce.delete([str(ann_role["Id"])])
    # Only the roles change: Salesforce does not touch the opportunity for that.
    sync.run()
    assert deal_contacts(sync, refs["d_big"]) == [bob_contact.hubspot_id]
    assert roles(sync, opportunity["Id"]) == [refs["bob"]]
    quiet(sync)

    # In HubSpot the deal moves back to Acme's company and loses Bob (and is renamed, so
    # the run reads it): the opportunity's account follows, Bob's contact role goes.
    sync.hubspot.dissociate("deals", "companies", [(refs["d_big"], beta_company)])
    sync.hubspot.associate("deals", "companies", [(refs["d_big"], refs["c_acme"])])
    sync.hubspot.dissociate("deals", "contacts", [(refs["d_big"], bob_contact.hubspot_id)])
    sync.hubspot.update("deals", [{"id": refs["d_big"], "dealname": "Bigger deal"}])
    report = sync.run()
    assert not report.failed, report.actions
    (after,) = sync.sf("Opportunity", fields="Id, Name, AccountId")
    assert (after["Name"], after["AccountId"]) == ("Bigger deal", refs["acme"])
    assert roles(sync, opportunity["Id"]) == []
    assert deal_companies(sync, refs["d_big"]) == [refs["c_acme"]]
    quiet(sync)


def test_an_opportunity_made_in_salesforce_brings_its_company_and_contacts(
    shaped: SyncEnv,
) -> None:
    sync = shaped
    refs = seed(sync)
    sync.seed(
        {
            "salesforce": {
                "records": {
                    "Opportunity": [
                        {
                            "_ref": "o_renewal",
                            "Name": "Renewal",
                            "StageName": "Prospecting",
                            "CloseDate": "2027-01-31",
                            "AccountId": "@beta",
                        }
                    ],
                    "OpportunityContactRole": [
                        {"OpportunityId": "@o_renewal", "ContactId": "@bob", "IsPrimary": True},
                        {"OpportunityId": "@o_renewal", "ContactId": "@ann"},
                    ],
                }
            }
        }
    )
    # One association a page: every read must follow HubSpot's paging.
    sync.emulator.portal.association_page_size = 1
    report = sync.run()
    assert not report.failed, report.actions
    (deal,) = sync.state.links_by_salesforce("deals", [sync.refs["o_renewal"]]).values()
    assert deal_companies(sync, deal.hubspot_id) == [company_of_account(sync, refs["beta"])]
    people = sync.state.links_by_salesforce("contacts", [refs["bob"], refs["ann"]])
    assert deal_contacts(sync, deal.hubspot_id) == sorted(k.hubspot_id for k in people.values())
    assert len(people) == 2
    # HubSpot's reads page: both contacts seen, so only the amount is written.
    sync.salesforce.update("Opportunity", [{"Id": sync.refs["o_renewal"], "Amount": 5}])
    sync.emulator.reset_calls()
    sync.run()
    assert sync.writes() == {"POST /crm/v3/objects/deals/batch/update": 1}
    quiet(sync)


def test_a_lookup_moved_to_an_account_hubspot_cannot_show_stays(shaped: SyncEnv) -> None:
    """Salesforce points the opportunity at an account with no HubSpot company (its
    company could not be created): the old association goes, the lookup is never put
    back, on this run or the next."""
    sync = shaped
    refs = seed(sync)
    sync.run()
    (opportunity,) = sync.sf("Opportunity", fields="Id, AccountId")
    gamma = sync.salesforce.create("Account", [{"Name": "Gamma"}])[0].id
    assert gamma is not None
    sync.salesforce.update("Opportunity", [{"Id": opportunity["Id"], "AccountId": gamma}])
    rule = sync.emulator.add_fault("POST /crm/v3/objects/companies/batch/create", status=400)
    sync.run()
    sync.emulator.faults.remove(rule.id)
    [after] = sync.sf("Opportunity", fields="Id, AccountId")
    assert after["AccountId"] == gamma
    assert deal_companies(sync, refs["d_big"]) == []
    sync.run()  # the company is created now; the lookup still is Salesforce's
    [after] = sync.sf("Opportunity", fields="Id, AccountId")
    assert after["AccountId"] == gamma


def test_an_association_read_that_fails_deletes_nothing(shaped: SyncEnv) -> None:
    """HubSpot answers an association read with an error (a bare 404, or a per-input
    error other than NO_ASSOCIATIONS_FOUND): the associations are unknown, not none, so
    no contact role, lookup or HubSpot association goes; the next good read agrees."""
    sync = shaped
    refs = seed(sync)
    sync.run()
    (opportunity,) = sync.sf("Opportunity", fields="Id, AccountId")
    (ann,) = sync.sf("Contact", where=f"Id = '{refs['ann']}'", fields="Id, AccountId")
    quiet(sync)
    other_error = {
        "status": "COMPLETE",
        "results": [],
        "numErrors": 1,
        "errors": [
            {
                "status": "error",
                "category": "OBJECT_NOT_FOUND",
                "subCategory": "crm.objects.OBJECT_NOT_FOUND",
                "message": "could not read",
                "context": {"fromObjectId": [refs["d_big"], refs["h_ann"]]},
            }
        ],
    }
    for status, body in ((404, None), (207, other_error)):
        rule = sync.emulator.add_fault(
            "POST /crm/v4/associations/*/batch/read", status=status, body=body
        )
        # Both records change, so this run reads (and would sync) their associations.
        sync.hubspot.update("deals", [{"id": refs["d_big"], "dealname": f"Big {status}"}])
        sync.hubspot.update("contacts", [{"id": refs["h_ann"], "firstname": f"Ann{status}"}])
        report = sync.run()
        sync.emulator.faults.remove(rule.id)
        assert rule.fired, "the fault never hit an association read"
        assert not report.failed, report.actions
        assert roles(sync, opportunity["Id"]) == [refs["ann"]]
        assert sync.sf("Opportunity", fields="Id, AccountId") == [opportunity]
        assert sync.sf("Contact", where=f"Id = '{refs['ann']}'", fields="Id, AccountId") == [ann]
        assert deal_companies(sync, refs["d_big"]) == [refs["c_acme"]]
        assert deal_contacts(sync, refs["d_big"]) == [refs["h_ann"]]
    quiet(sync)


def test_links_without_a_snapshot_never_lose_a_lookup(shaped: SyncEnv) -> None:
    """A state from before HubSpot snapshots were kept (links with a synced lookup but no
    companies in its flags), and HubSpot without the association: the first run after the upgrade
    clears nothing and adds the association."""
    sync = shaped
    refs = seed(sync)
    sync.run()
    (deal,) = sync.state.links_by_hubspot("deals", [refs["d_big"]]).values()
    assert deal.sf_values.get("AccountId") == refs["acme"]
    deal.flags.associations.pop("companies")
    sync.state.save_links([deal])
    sync.hubspot.dissociate("deals", "companies", [(refs["d_big"], refs["c_acme"])])
    sync.hubspot.update("deals", [{"id": refs["d_big"], "dealname": "Big deal, renamed"}])
    report = sync.run()
    assert not report.failed, report.actions
    (after,) = sync.sf("Opportunity", fields="Id, AccountId")
    assert after["AccountId"] == refs["acme"]
    assert deal_companies(sync, refs["d_big"]) == [refs["c_acme"]]
    (deal,) = sync.state.links_by_hubspot("deals", [refs["d_big"]]).values()
    assert deal.flags.associations.get("companies") == {refs["c_acme"]}
    quiet(sync)


def test_a_contact_with_several_roles_removed_in_hubspot_loses_them_all(
    shaped: SyncEnv,
) -> None:
    """Salesforce lets one contact hold several roles on an opportunity: removing the
    contact from the deal in HubSpot deletes every one, and it stays removed."""
    sync = shaped
    refs = seed(sync)
    sync.run()
    (opportunity,) = sync.sf("Opportunity", fields="Id")
    sync.salesforce.create(
        "OpportunityContactRole",
        [{"OpportunityId": opportunity["Id"], "ContactId": refs["ann"], "Role": "Decision Maker"}],
    )
    assert roles(sync, opportunity["Id"]) == [refs["ann"], refs["ann"]]
    sync.salesforce.update("Opportunity", [{"Id": opportunity["Id"], "Amount": 1100}])
    sync.run()
    assert deal_contacts(sync, refs["d_big"]) == [refs["h_ann"]]
    quiet(sync)

    sync.hubspot.dissociate("deals", "contacts", [(refs["d_big"], refs["h_ann"])])
    sync.hubspot.update("deals", [{"id": refs["d_big"], "dealname": "Big deal, no Ann"}])
    report = sync.run()
    assert not report.failed, report.actions
    assert roles(sync, opportunity["Id"]) == []
    sync.salesforce.update("Opportunity", [{"Id": opportunity["Id"], "Amount": 1300}])
    sync.run()
    assert deal_contacts(sync, refs["d_big"]) == []
    quiet(sync)


def test_contact_roles_changed_only_in_salesforce_are_seen(shaped: SyncEnv) -> None:
    """Adding or deleting an OpportunityContactRole leaves the opportunity's
    SystemModstamp alone: the roles are read by their own cursor, so HubSpot follows a
    change of roles alone, with the opportunity itself not read again."""
    sync = shaped
    refs = seed(sync)
    sync.run()
    (big,) = sync.sf("Opportunity", fields="Id")
    # A later opportunity moves both deal cursors past the big one's time (HubSpot's
    # with its search lookback), so nothing but its roles could make a run look at it.
    sync.emulator.clock.advance(LOOKBACK)
    sync.salesforce.create(
        "Opportunity",
        [
            {
                "Name": "Other",
                "StageName": "Prospecting",
                "CloseDate": "2027-06-30",
                "AccountId": refs["beta"],
            }
        ],
    )
    sync.run()
    bob = next(iter(sync.state.links_by_salesforce("contacts", [refs["bob"]]).values()))
    sync.emulator.clock.advance(LOOKBACK)
    sync.salesforce.create(
        "OpportunityContactRole", [{"OpportunityId": big["Id"], "ContactId": refs["bob"]}]
    )
    report = sync.run()
    assert not report.failed, report.actions
    assert deal_contacts(sync, refs["d_big"]) == sorted([refs["h_ann"], bob.hubspot_id])
    quiet(sync)
    sync.emulator.clock.advance(LOOKBACK)
    gone = sync.salesforce.opportunity_contact_roles([big["Id"]])
    sync.salesforce.delete([str(r["Id"]) for r in gone if r["ContactId"] == refs["ann"]])
    sync.run()
    assert deal_contacts(sync, refs["d_big"]) == [bob.hubspot_id]
    assert roles(sync, big["Id"]) == [refs["bob"]]
    quiet(sync)
