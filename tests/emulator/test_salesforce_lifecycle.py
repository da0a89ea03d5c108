"""Org shapes, deletions, undelete, merges and lead conversion, through simple-salesforce."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound

from mapc.emulator import Emulator


def _control(emulator: Emulator, name: str, body: dict[str, Any]) -> Any:
    answer = requests.post(f"{emulator.hubspot_url}/_emulator/{name}", json=body, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _fields(sf: Salesforce, name: str) -> dict[str, dict[str, Any]]:
    return {f["name"]: f for f in getattr(sf, name).describe()["fields"]}


# ------------------------------------------------------------------ org shapes


def test_a_standard_org_has_no_person_fields_and_requires_lead_company(
    sf: Salesforce, emulator: Emulator
) -> None:
    assert "IsPersonAccount" not in _fields(sf, "Contact")
    assert "PersonEmail" not in _fields(sf, "Account")
    assert _fields(sf, "Lead")["Company"]["nillable"] is False
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Lead.create({"LastName": "Ng"})
    [error] = caught.value.content
    assert error["errorCode"] == "REQUIRED_FIELD_MISSING" and error["fields"] == ["Company"]


def test_a_person_account_org_makes_lead_company_optional(
    sf: Salesforce, emulator: Emulator
) -> None:
    emulator.reset(person_accounts=True)
    assert _fields(sf, "Contact")["IsPersonAccount"]["updateable"] is False
    assert _fields(sf, "Lead")["Company"]["nillable"] is True
    lead_id = sf.Lead.create({"LastName": "Ng"})["id"]
    assert sf.Lead.get(lead_id)["Company"] is None


def test_the_org_shape_comes_from_a_seed_and_shows_in_info(emulator: Emulator) -> None:
    emulator.seed({"salesforce": {"person_accounts": True}})
    assert emulator.info()["salesforce_person_accounts"] is True
    emulator.reset()
    assert emulator.info()["salesforce_person_accounts"] is False


# ------------------------------------------------------------------ deletions


def test_deleted_records_answer_entity_is_deleted_and_show_in_query_all(
    sf: Salesforce, emulator: Emulator
) -> None:
    account = sf.Account.create({"Name": "Acme"})["id"]
    contact = sf.Contact.create({"LastName": "Ng", "AccountId": account})["id"]
    sf.Account.delete(account)
    with pytest.raises(SalesforceResourceNotFound) as caught:
        sf.Contact.update(contact, {"FirstName": "Al"})
    assert caught.value.content[0]["errorCode"] == "ENTITY_IS_DELETED"
    [result] = sf.restful(
        "composite/sobjects",
        method="PATCH",
        json={"records": [{"attributes": {"type": "Contact"}, "id": contact, "LastName": "X"}]},
    )
    assert result["errors"][0]["statusCode"] == "ENTITY_IS_DELETED"
    assert sf.query("SELECT Id FROM Contact")["totalSize"] == 0
    rows = sf.query_all(
        "SELECT Id, IsDeleted FROM Contact WHERE IsDeleted = true", include_deleted=True
    )
    assert [(r["Id"], r["IsDeleted"]) for r in rows["records"]] == [(contact, True)]


def test_get_deleted_lists_the_delete_log_by_whole_minutes(
    sf: Salesforce, emulator: Emulator
) -> None:
    emulator.clock.freeze("2026-11-29T08:00:10Z")
    first = sf.Lead.create({"LastName": "A", "Company": "X"})["id"]
    second = sf.Lead.create({"LastName": "B", "Company": "X"})["id"]
    sf.Lead.delete(first)
    emulator.clock.advance(60)  # 08:01:10
    sf.Lead.delete(second)
    emulator.clock.advance(65)  # 08:02:15
    start = datetime(2026, 11, 29, 7, 59, tzinfo=UTC)
    end = datetime(2026, 11, 29, 8, 1, 59, tzinfo=UTC)  # seconds are ignored: 08:01:00
    answer = sf.Lead.deleted(start, end)
    assert answer["deletedRecords"] == [
        {"id": first, "deletedDate": "2026-11-29T08:00:10.000+0000"}
    ]
    assert answer["latestDateCovered"] == "2026-11-29T08:01:00.000+0000"
    later = sf.Lead.deleted(datetime(2026, 11, 29, 8, 1, tzinfo=UTC), datetime.now(UTC))
    assert [r["id"] for r in later["deletedRecords"]] == [second]
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Lead.deleted(datetime(2026, 11, 1, tzinfo=UTC), end)
    assert caught.value.content[0]["errorCode"] == "INVALID_REPLICATION_DATE"


def test_undelete_brings_back_what_the_delete_cascaded_to(
    sf: Salesforce, emulator: Emulator
) -> None:
    account = sf.Account.create({"Name": "Acme"})["id"]
    contact = sf.Contact.create({"LastName": "Ng", "AccountId": account})["id"]
    sf.Account.delete(account)
    answer = _control(emulator, "salesforce/undelete", {"ids": [account, "001000000000000AAA"]})
    assert answer["results"][0] == {"id": account, "success": True, "errors": []}
    assert answer["results"][1]["errors"][0]["statusCode"] == "UNDELETE_FAILED"
    assert sf.Contact.get(contact)["AccountId"] == account
    assert sf.Account.get(account)["IsDeleted"] is False


# ------------------------------------------------------------------ merges


def test_merge_deletes_the_losers_with_master_record_id_and_moves_children(
    sf: Salesforce, emulator: Emulator
) -> None:
    master = sf.Account.create({"Name": "Acme"})["id"]
    loser = sf.Account.create({"Name": "ACME Inc", "Phone": "555"})["id"]
    contact = sf.Contact.create({"LastName": "Ng", "AccountId": loser})["id"]
    result = _control(
        emulator,
        "salesforce/merge",
        {"masterRecordId": master, "recordToMergeIds": [loser], "masterRecord": {"Phone": "555"}},
    )
    assert result["success"] and result["mergedRecordIds"] == [loser]
    assert result["updatedRelatedIds"] == [contact]
    assert sf.Contact.get(contact)["AccountId"] == master
    assert sf.Account.get(master)["Phone"] == "555"
    rows = sf.query_all(
        f"SELECT Id, IsDeleted, MasterRecordId FROM Account WHERE MasterRecordId = '{master}'",
        include_deleted=True,
    )["records"]
    assert [(r["Id"], r["IsDeleted"]) for r in rows] == [(loser, True)]
    refused = emulator.salesforce_merge(master, [contact])
    assert refused["success"] is False
    assert refused["errors"][0]["statusCode"] == "INVALID_CROSS_REFERENCE_KEY"


# ------------------------------------------------------------------ lead conversion


def test_convert_lead_creates_account_contact_and_opportunity(
    sf: Salesforce, emulator: Emulator
) -> None:
    emulator.clock.freeze("2026-11-29T08:00:00Z")
    lead = sf.Lead.create(
        {"FirstName": "Ada", "LastName": "Ng", "Company": "Acme", "Email": "ada@acme.io"}
    )["id"]
    task = sf.Task.create({"Subject": "Call", "WhoId": lead})["id"]
    result = _control(emulator, "salesforce/convert-lead", {"leadId": lead})
    assert result["success"] is True
    converted = sf.Lead.get(lead)
    assert converted["IsConverted"] is True and converted["ConvertedDate"] == "2026-11-29"
    assert converted["Status"] == "Closed - Converted"
    assert converted["ConvertedAccountId"] == result["accountId"]
    assert converted["ConvertedContactId"] == result["contactId"]
    assert converted["ConvertedOpportunityId"] == result["opportunityId"]
    contact = sf.Contact.get(result["contactId"])
    assert contact["Email"] == "ada@acme.io" and contact["AccountId"] == result["accountId"]
    assert sf.Account.get(result["accountId"])["Name"] == "Acme"
    opportunity = sf.Opportunity.get(result["opportunityId"])
    assert opportunity["AccountId"] == result["accountId"]
    assert opportunity["CloseDate"] == "2026-12-31"
    [role] = sf.query(
        f"SELECT ContactId, IsPrimary FROM OpportunityContactRole "
        f"WHERE OpportunityId = '{result['opportunityId']}'"
    )["records"]
    assert role["ContactId"] == result["contactId"] and role["IsPrimary"] is True
    assert sf.Task.get(task)["WhoId"] == result["contactId"]
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Lead.update(lead, {"FirstName": "Al"})
    assert caught.value.content[0]["errorCode"] == "CANNOT_UPDATE_CONVERTED_LEAD"
    again = emulator.convert_lead(lead)
    assert again["errors"][0]["statusCode"] == "CANNOT_UPDATE_CONVERTED_LEAD"


def test_a_lead_without_company_converts_to_a_person_account(
    sf: Salesforce, emulator: Emulator
) -> None:
    emulator.reset(person_accounts=True)
    lead = sf.Lead.create({"FirstName": "Ada", "LastName": "Ng", "Email": "ada@x.io"})["id"]
    result = emulator.convert_lead(lead, doNotCreateOpportunity=True)
    account = sf.Account.get(result["accountId"])
    assert account["IsPersonAccount"] is True and account["PersonEmail"] == "ada@x.io"
    assert account["PersonContactId"] == result["contactId"]
    assert result["opportunityId"] is None
    assert sf.Lead.get(lead)["ConvertedContactId"] == result["contactId"]


def test_converting_into_an_existing_account_and_contact_fills_only_blanks(
    sf: Salesforce, emulator: Emulator
) -> None:
    account = sf.Account.create({"Name": "Acme"})["id"]
    contact = sf.Contact.create({"LastName": "Old", "AccountId": account})["id"]
    lead = sf.Lead.create({"LastName": "New", "Company": "Acme", "Email": "n@acme.io"})["id"]
    result = emulator.convert_lead(
        lead, accountId=account, contactId=contact, doNotCreateOpportunity=True
    )
    assert (result["accountId"], result["contactId"]) == (account, contact)
    merged = sf.Contact.get(contact)
    assert merged["LastName"] == "Old" and merged["Email"] == "n@acme.io"
    assert sf.query("SELECT Id FROM Account")["totalSize"] == 1
