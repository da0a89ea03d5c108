"""Companies <-> accounts (R2, R6 sticky, R7 person accounts), deals <-> opportunities
(R6 never deduplicated) and Closed/Won (R9), asserting both CRMs' final state."""

from __future__ import annotations

from tests.sync.conftest import SyncEnv


def company_of(sync: SyncEnv, contact_id: str) -> list[str]:
    return sync.hubspot.associations("contacts", "companies", [contact_id])[contact_id]


def seed_acme(sync: SyncEnv) -> None:
    sync.seed({
        "salesforce": {"records": {
            "Account": [{"_ref": "acme", "Name": "Acme Corp"},
                        {"_ref": "other", "Name": "Other Inc"}],
            "Contact": [{"_ref": "ann", "LastName": "Lee", "Email": "ann@acme.example",
                         "AccountId": "@acme"}],
        }},
        "hubspot": {
            "records": {
                "companies": [{"_ref": "c_acme", "name": "Acme"}],
                "contacts": [{"_ref": "h_ann", "email": "ann@acme.example", "lastname": "Lee",
                              "company": "Acme (text)"}],
            },
            "associations": [{"from": {"type": "contacts", "id": "@h_ann"},
                              "to": {"type": "companies", "id": "@c_acme"}}],
        },
    })


def test_r6_companies_match_by_contacts_and_stay_linked(sync: SyncEnv) -> None:
    seed_acme(sync)
    sync.run()
    links = {link.hubspot_id: link.sf_id for batch in sync.state.iter_links("companies")
             for link in batch}
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
    links = {link.hubspot_id: link.sf_id for batch in sync.state.iter_links("companies")
             for link in batch}
    assert links[acme_company] == sync.refs["acme"]
    sync.emulator.reset_calls()
    sync.run()
    assert sync.write_count() == 0, sync.writes()


def test_r6_company_created_in_hubspot_becomes_an_account(sync: SyncEnv) -> None:
    sync.seed({"hubspot": {"records": {"companies": [{"name": "Newco", "domain": "new.example"}]}}})
    sync.run()
    [account] = sync.sf("Account")
    assert account["Name"] == "Newco" and account["Website"] == "new.example"
    sync.emulator.reset_calls()
    sync.run()
    assert sync.write_count() == 0, sync.writes()


def test_r7_person_account_is_one_company_and_one_contact(sync: SyncEnv) -> None:
    sync.seed({"salesforce": {"records": {"Account": [
        {"FirstName": "Pat", "LastName": "Person", "PersonEmail": "pat@home.example",
         "IsPersonAccount": True}]}}})
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
    sync.seed({"hubspot": {"records": {
        "contacts": [{"email": "solo@example.com", "firstname": "Solo", "lastname": "Han"}],
        "companies": [{"name": "Solo Co"}]}}})
    sync.run()
    accounts = sync.sf("Account", fields="Id, Name, IsPersonAccount")
    assert [a["IsPersonAccount"] for a in accounts] == [False]
    assert [r["Email"] for r in sync.sf("Lead")] == ["solo@example.com"]


def test_r6_deals_are_never_deduplicated(sync: SyncEnv) -> None:
    sync.seed({
        "hubspot": {"records": {"deals": [
            {"dealname": "Big deal", "amount": "100", "dealstage": "qualifiedtobuy",
             "closedate": "2026-12-31T00:00:00.000Z"},
            {"dealname": "Big deal", "amount": "100", "dealstage": "qualifiedtobuy",
             "closedate": "2026-12-31T00:00:00.000Z"}]}},
        "salesforce": {"records": {"Opportunity": [
            {"Name": "Big deal", "StageName": "Qualification", "CloseDate": "2026-12-31",
             "Amount": 100}]}},
    })
    sync.run()
    assert len(sync.sf("Opportunity")) == 3
    deals = sync.hs("deals")
    assert len(deals) == 3
    assert {d["dealstage"] for d in deals} == {"qualifiedtobuy"}
    sync.emulator.reset_calls()
    sync.run()
    assert sync.write_count() == 0, sync.writes()


def test_r9_closed_won_makes_contact_role_contacts_customers(sync: SyncEnv) -> None:
    sync.seed({"salesforce": {"records": {
        "Account": [{"_ref": "acc", "Name": "Buyer"}],
        "Contact": [
            {"_ref": "role", "LastName": "Role", "Email": "role@buyer.example", "AccountId": "@acc"},
            {"_ref": "bystander", "LastName": "By", "Email": "by@buyer.example",
             "AccountId": "@acc"}],
        "Opportunity": [
            {"_ref": "won", "Name": "Won", "StageName": "Closed Won", "CloseDate": "2026-11-01",
             "AccountId": "@acc"},
            {"Name": "Won, no roles", "StageName": "Closed Won", "CloseDate": "2026-11-01",
             "AccountId": "@acc"}],
        "OpportunityContactRole": [{"OpportunityId": "@won", "ContactId": "@role",
                                    "Role": "Decision Maker"}],
    }}})
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
    sync.seed({"hubspot": {"records": {"deals": [
        {"dealname": "No date", "amount": "1"},
        {"dealname": "Dated", "amount": "2", "closedate": "2026-12-31T00:00:00.000Z"}]}}})
    report = sync.run()
    assert [o["Name"] for o in sync.sf("Opportunity")] == ["Dated"]
    assert report.failed == 1
    [error] = sync.state.errors()
    assert error.code == "REQUIRED_FIELD_MISSING" and error.object == "deals"
    sync.emulator.reset_calls()
    sync.run()  # tried again (the deal did not change), still refused, nothing else written
    assert len(sync.sf("Opportunity")) == 1
    assert sync.state.errors()[0].occurrences == 2


def test_a_real_value_equal_to_a_create_default_is_data(sync: SyncEnv) -> None:
    sync.seed({"salesforce": {"records": {"Opportunity": [
        {"Name": "Early", "StageName": "Prospecting", "CloseDate": "2026-12-31"}]}}})
    sync.run()
    [deal] = sync.hs("deals")
    assert deal["dealstage"] == "appointmentscheduled"
    sync.emulator.reset_calls()
    sync.run()
    assert sync.write_count() == 0, sync.writes()
