"""Single-record REST resources, describe, limits, ids and errors, through simple-salesforce."""

from __future__ import annotations

import re

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)

from mapc.emulator import Emulator
from mapc.emulator.salesforce.ids import checksum, to18

SF_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$")


def test_checksum_matches_salesforce_published_example() -> None:
    assert checksum("0015000000Gv7qJ") == "AAR"
    assert to18("0015000000Gv7qJ") == "0015000000Gv7qJAAR"
    assert to18("0015000000Gv7qJAAR") == "0015000000Gv7qJAAR"
    assert to18("0015000000Gv7qJZZZ") is None
    assert to18("not-an-id") is None


def test_create_get_update_delete(sf: Salesforce, emulator: Emulator) -> None:
    emulator.clock.freeze("2026-11-29T08:00:00Z")
    created = sf.Lead.create({"LastName": "Ng", "Company": "Acme", "Email": "ng@acme.io"})
    assert created["success"] and created["errors"] == []
    lead_id = created["id"]
    assert len(lead_id) == 18 and lead_id.startswith("00Q") and to18(lead_id[:15]) == lead_id
    record = sf.Lead.get(lead_id)
    assert record["attributes"]["type"] == "Lead"
    assert record["Name"] == "Ng" and record["Status"] == "Open - Not Contacted"
    assert record["SystemModstamp"] == record["CreatedDate"] == "2026-11-29T08:00:00.000+0000"
    assert record["OwnerId"].startswith("005")
    emulator.clock.advance(60)
    assert sf.Lead.update(lead_id[:15], {"FirstName": "Al"}) == 204
    record = sf.Lead.get(lead_id)
    assert record["Name"] == "Al Ng"
    assert record["LastModifiedDate"] == record["SystemModstamp"] == "2026-11-29T08:01:00.000+0000"
    assert sf.Lead.delete(lead_id) == 204
    with pytest.raises(SalesforceResourceNotFound):
        sf.Lead.get(lead_id)


def test_ids_carry_each_objects_key_prefix(sf: Salesforce, emulator: Emulator) -> None:
    account = sf.Account.create({"Name": "Acme"})["id"]
    contact = sf.Contact.create({"LastName": "Ng", "AccountId": account})["id"]
    opp = sf.Opportunity.create(
        {"Name": "Deal", "StageName": "Closed Won", "CloseDate": "2026-12-01", "AccountId": account}
    )["id"]
    role = sf.OpportunityContactRole.create({"OpportunityId": opp, "ContactId": contact})["id"]
    task = sf.Task.create({"Subject": "Call", "WhoId": contact})["id"]
    prefixes = [i[:3] for i in (account, contact, opp, role, task)]
    assert prefixes == ["001", "003", "006", "00K", "00T"]
    assert emulator.org.api_user_id.startswith("005")
    opportunity = sf.Opportunity.get(opp)
    assert opportunity["IsWon"] is True and opportunity["IsClosed"] is True
    assert opportunity["Probability"] == 100


@pytest.mark.parametrize(
    ("payload", "code", "fields"),
    [
        ({"Company": "Acme"}, "REQUIRED_FIELD_MISSING", ["LastName"]),
        ({}, "REQUIRED_FIELD_MISSING", ["LastName", "Company"]),
        ({"LastName": "x", "Company": "y", "Bogus__c": 1}, "INVALID_FIELD", None),
        (
            {"LastName": "x", "Company": "y", "ConvertedDate": "2026-01-01"},
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            ["ConvertedDate"],
        ),
        ({"LastName": "x" * 81, "Company": "y"}, "STRING_TOO_LONG", ["LastName"]),
        (
            {"LastName": "x", "Company": "y", "GeocodeAccuracy": "Nope"},
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            ["GeocodeAccuracy"],
        ),
        (
            {"LastName": "x", "Company": "y", "Email": "not-an-email"},
            "INVALID_EMAIL_ADDRESS",
            ["Email"],
        ),
        ({"LastName": "x", "Company": "y", "OwnerId": "garbage"}, "MALFORMED_ID", ["OwnerId"]),
    ],
)
def test_create_errors_use_salesforce_bodies(
    sf: Salesforce, payload: dict[str, object], code: str, fields: list[str] | None
) -> None:
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Lead.create(payload)
    error = caught.value.content[0]
    assert error["errorCode"] == code and error["message"]
    if fields is not None:
        # Salesforce lists them in describe order, which follows the catalog's.
        assert sorted(error["fields"]) == sorted(fields)


def test_deleting_an_account_deletes_its_contacts_and_opportunities(sf: Salesforce) -> None:
    account = sf.Account.create({"Name": "Acme"})["id"]
    contact = sf.Contact.create({"LastName": "Ng", "AccountId": account})["id"]
    opp = sf.Opportunity.create(
        {"Name": "D", "StageName": "Prospecting", "CloseDate": "2026-12-01", "AccountId": account}
    )["id"]
    role = sf.OpportunityContactRole.create({"OpportunityId": opp, "ContactId": contact})["id"]
    sf.Account.delete(account)
    deleted = sf.query_all("SELECT Id FROM Contact WHERE IsDeleted = true", include_deleted=True)
    assert [r["Id"] for r in deleted["records"]] == [contact]
    for name, record_id in (("Opportunity", opp), ("OpportunityContactRole", role)):
        with pytest.raises(SalesforceResourceNotFound):
            getattr(sf, name).get(record_id)


def test_update_of_read_only_field_and_malformed_id(sf: Salesforce) -> None:
    lead = sf.Lead.create({"LastName": "Ng", "Company": "Acme"})["id"]
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Lead.update(lead, {"CreatedDate": "2020-01-01T00:00:00Z"})
    assert caught.value.content[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Lead.update("00Qnotreal", {"LastName": "x"})
    assert caught.value.content[0]["errorCode"] == "MALFORMED_ID"
    with pytest.raises(SalesforceResourceNotFound) as missing:
        sf.Lead.update("00Q5g0000H0000Z", {"LastName": "x"})
    assert missing.value.content[0]["errorCode"] == "NOT_FOUND"


def test_custom_fields_describe_and_upsert_by_external_id(
    sf: Salesforce, emulator: Emulator
) -> None:
    emulator.seed(
        {
            "salesforce": {
                "custom_fields": {
                    "Contact": [
                        {
                            "name": "Lifecycle_Stage__c",
                            "type": "picklist",
                            "picklistValues": ["lead", "customer"],
                        },
                        {
                            "name": "HubSpot_Id__c",
                            "type": "string",
                            "length": 40,
                            "externalId": True,
                        },
                    ]
                }
            }
        }
    )
    fields = {f["name"]: f for f in sf.Contact.describe()["fields"]}
    stage = fields["Lifecycle_Stage__c"]
    assert stage["custom"] and stage["type"] == "picklist" and stage["restrictedPicklist"]
    assert [v["value"] for v in stage["picklistValues"]] == ["lead", "customer"]
    for key in (
        "name",
        "label",
        "type",
        "length",
        "createable",
        "updateable",
        "nillable",
        "custom",
        "referenceTo",
        "picklistValues",
        "calculated",
        "defaultedOnCreate",
    ):
        assert key in fields["AccountId"]
    assert fields["AccountId"]["referenceTo"] == ["Account"]
    assert fields["LastName"]["nillable"] is False
    assert fields["SystemModstamp"]["updateable"] is False
    first = sf.Contact.upsert("HubSpot_Id__c/101", {"LastName": "Ng", "Lifecycle_Stage__c": "lead"})
    second = sf.Contact.upsert("HubSpot_Id__c/101", {"Lifecycle_Stage__c": "customer"})
    assert (first, second) == (201, 200)
    rows = sf.query("SELECT Id, Lifecycle_Stage__c FROM Contact WHERE HubSpot_Id__c = '101'")
    assert rows["totalSize"] == 1 and rows["records"][0]["Lifecycle_Stage__c"] == "customer"
    assert sf.Contact.get_by_custom_id("HubSpot_Id__c", "101")["LastName"] == "Ng"
    with pytest.raises(SalesforceResourceNotFound):
        sf.Contact.upsert("Email/x@y.io", {"LastName": "Ng"})
    with pytest.raises(SalesforceResourceNotFound):
        sf.restful(
            "sobjects/Contact/HubSpot_Id__c/999",
            method="PATCH",
            params={"updateOnly": "true"},
            json={"LastName": "Nope"},
        )


def test_limits_versions_and_global_describe(sf: Salesforce) -> None:
    limits = sf.limits()
    assert limits["DailyApiRequests"]["Max"] >= limits["DailyApiRequests"]["Remaining"]
    names = {o["name"] for o in sf.describe()["sobjects"]}
    assert {
        "Lead",
        "Contact",
        "Account",
        "Opportunity",
        "OpportunityContactRole",
        "Task",
        "User",
        "Group",
    } <= names
    assert "api-usage" in sf.api_usage or sf.api_usage


def test_wrong_token_gets_401_invalid_session(emulator: Emulator) -> None:
    bad = Salesforce(instance_url=emulator.salesforce_url, session_id="00Dxx!wrong")
    with pytest.raises(SalesforceExpiredSession) as caught:
        bad.query("SELECT Id FROM Lead")
    assert caught.value.status == 401
    assert caught.value.content == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]


def test_group_edition_has_no_api(sf: Salesforce, emulator: Emulator) -> None:
    emulator.configure(edition="Group")
    with pytest.raises(SalesforceRefusedRequest) as caught:
        sf.query("SELECT Id FROM Lead")
    assert caught.value.content[0]["errorCode"] == "API_DISABLED_FOR_ORG"


def test_users_and_queues_are_queryable(sf: Salesforce, emulator: Emulator) -> None:
    emulator.seed(
        {
            "salesforce": {
                "records": {
                    "User": [
                        {
                            "FirstName": "Pat",
                            "LastName": "Partner",
                            "Email": "p@x.io",
                            "Username": "p@x.io",
                            "Alias": "pp",
                            "UserType": "PowerPartner",
                            "IsActive": False,
                        }
                    ],
                    "Group": [
                        {"Name": "Inbound", "Type": "Queue", "Email": "q@x.io"},
                        {"Name": "All", "Type": "Regular"},
                    ],
                }
            }
        }
    )
    users = sf.query(
        "SELECT Id, Name, Email, UserType, IsActive FROM User "
        "WHERE UserType IN ('PowerPartner', 'Guest') ORDER BY Name"
    )["records"]
    assert [(u["Name"], u["IsActive"]) for u in users] == [("Pat Partner", False)]
    queues = sf.query("SELECT Id, Name, Email FROM Group WHERE Type = 'Queue'")["records"]
    assert [(q["Name"], q["Id"][:3]) for q in queues] == [("Inbound", "00G")]


def test_call_options_header_is_visible(sf: Salesforce, emulator: Emulator) -> None:
    sf.query("SELECT Id FROM Lead", headers={"Sforce-Call-Options": "client=mapc"})
    headers = emulator.last_request_headers("GET /services/data/vXX.X/query")
    assert headers is not None and headers["Sforce-Call-Options"] == "client=mapc"
