"""sObject Collections: 200 records a call, allOrNone, per-record results."""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from mapc.emulator import Emulator

COLLECTIONS = "POST /services/data/vXX.X/composite/sobjects"


def _leads(count: int, **extra: Any) -> list[dict[str, Any]]:
    return [
        {"attributes": {"type": "Lead"}, "LastName": f"L{i}", "Company": "Acme", **extra}
        for i in range(count)
    ]


def test_create_200_at_once_and_reject_201(sf: Salesforce, emulator: Emulator) -> None:
    results = sf.restful(
        "composite/sobjects", method="POST", json={"allOrNone": False, "records": _leads(200)}
    )
    assert len(results) == 200 and all(r["success"] for r in results)
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.restful("composite/sobjects", method="POST", json={"records": _leads(201)})
    assert caught.value.content[0]["errorCode"] == "EXCEEDED_ID_LIMIT"
    assert emulator.calls()[COLLECTIONS] == 2
    assert len(emulator.org.records["Lead"]) == 200


def test_per_record_errors_without_all_or_none(sf: Salesforce, emulator: Emulator) -> None:
    records = [*_leads(2), {"attributes": {"type": "Lead"}, "LastName": "NoCompany"}]
    results = sf.restful(
        "composite/sobjects", method="POST", json={"allOrNone": False, "records": records}
    )
    assert [r["success"] for r in results] == [True, True, False]
    assert results[2]["errors"] == [
        {
            "statusCode": "REQUIRED_FIELD_MISSING",
            "message": "Required fields are missing: [Company]",
            "fields": ["Company"],
        }
    ]
    assert len(emulator.org.records["Lead"]) == 2


def test_all_or_none_rolls_back_everything(sf: Salesforce, emulator: Emulator) -> None:
    existing = sf.Lead.create({"LastName": "Keep", "Company": "Acme"})["id"]
    updates = [
        {"attributes": {"type": "Lead"}, "id": existing, "LastName": "Changed"},
        {"attributes": {"type": "Lead"}, "id": existing, "GeocodeAccuracy": "Bogus"},
    ]
    results = sf.restful(
        "composite/sobjects", method="PATCH", json={"allOrNone": True, "records": updates}
    )
    assert [r["success"] for r in results] == [False, False]
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert results[1]["errors"][0]["statusCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert sf.Lead.get(existing)["LastName"] == "Keep"
    creates = sf.restful(
        "composite/sobjects",
        method="POST",
        json={
            "allOrNone": True,
            "records": [*_leads(3), {"attributes": {"type": "Lead"}, "LastName": "x"}],
        },
    )
    assert not any(r["success"] for r in creates)
    assert len(emulator.org.records["Lead"]) == 1


def test_update_delete_upsert_and_retrieve(sf: Salesforce, emulator: Emulator) -> None:
    emulator.seed(
        {
            "salesforce": {
                "custom_fields": {
                    "Lead": [
                        {"name": "Ext_Id__c", "type": "string", "length": 20, "externalId": True}
                    ]
                }
            }
        }
    )
    created = sf.restful("composite/sobjects", method="POST", json={"records": _leads(3)})
    ids = [r["id"] for r in created]
    updated = sf.restful(
        "composite/sobjects",
        method="PATCH",
        json={
            "records": [
                {"attributes": {"type": "Lead"}, "id": ids[0], "Title": "CEO"},
                {"attributes": {"type": "Lead"}, "id": "00Q5g0000H0000ZZZZ", "Title": "x"},
            ]
        },
    )
    assert updated[0] == {"id": ids[0], "success": True, "errors": []}
    assert updated[1]["success"] is False
    upserted = sf.restful(
        "composite/sobjects/Lead/Ext_Id__c",
        method="PATCH",
        json={
            "allOrNone": False,
            "records": [
                {
                    "attributes": {"type": "Lead"},
                    "Ext_Id__c": "A1",
                    "LastName": "Up",
                    "Company": "Acme",
                },
            ],
        },
    )
    upserted += sf.restful(
        "composite/sobjects/Lead/Ext_Id__c",
        method="PATCH",
        json={
            "records": [{"attributes": {"type": "Lead"}, "Ext_Id__c": "A1", "LastName": "Again"}]
        },
    )
    assert [(r["success"], r["created"]) for r in upserted] == [(True, True), (True, False)]
    fetched = sf.restful(
        "composite/sobjects/Lead",
        method="POST",
        json={"ids": [ids[0], upserted[0]["id"]], "fields": ["Title", "LastName"]},
    )
    assert [r["LastName"] for r in fetched] == ["L0", "Again"] and fetched[0]["Title"] == "CEO"
    deleted = sf.restful(
        "composite/sobjects",
        method="DELETE",
        params={"ids": ",".join(ids[:2]), "allOrNone": "false"},
    )
    assert [r["success"] for r in deleted] == [True, True]
    assert len(emulator.org.records["Lead"]) == 2
    with pytest.raises(SalesforceMalformedRequest):
        sf.restful("composite/sobjects", method="DELETE", params={"ids": ",".join([ids[2]] * 201)})


HUBSPOT_ID = {"name": "HubSpot_Id__c", "type": "string", "length": 18, "externalId": True}


def _keyed(key: str, **values: Any) -> dict[str, Any]:
    return {"attributes": {"type": "Lead"}, "HubSpot_Id__c": key, "Company": "Acme", **values}


def test_upsert_by_a_unique_external_id_is_exactly_once(sf: Salesforce, emulator: Emulator) -> None:
    """sObject Collections upsert (PATCH composite/sobjects/{SObject}/{ExternalIdField}):
    a key no record holds creates, a key one record holds updates it (`created` says
    which), and a Unique field refuses a second record with its value (DUPLICATE_VALUE)."""
    emulator.seed({"salesforce": {"custom_fields": {"Lead": [{**HUBSPOT_ID, "unique": True}]}}})
    path = "composite/sobjects/Lead/HubSpot_Id__c"
    first = sf.restful(
        path,
        method="PATCH",
        json={
            "allOrNone": False,
            "records": [_keyed("101", LastName="A"), _keyed("102", LastName="B")],
        },
    )
    assert [(r["success"], r["created"]) for r in first] == [(True, True), (True, True)]
    # The same call again, as a client does when the first answer was lost: no new record.
    again = sf.restful(
        path,
        method="PATCH",
        json={
            "allOrNone": False,
            "records": [_keyed("101", LastName="A2"), _keyed("102", LastName="B")],
        },
    )
    assert [(r["id"], r["created"]) for r in again] == [
        (first[0]["id"], False),
        (first[1]["id"], False),
    ]
    assert len(emulator.org.records["Lead"]) == 2
    assert sf.Lead.get(first[0]["id"])["LastName"] == "A2"
    # One request naming a key twice: neither record is saved, the rest of the call is.
    twice = sf.restful(
        path,
        method="PATCH",
        json={
            "allOrNone": False,
            "records": [
                _keyed("103", LastName="C"),
                _keyed("103", LastName="D"),
                _keyed("104", LastName="E"),
            ],
        },
    )
    assert [r["success"] for r in twice] == [False, False, True]
    assert twice[0]["errors"][0]["statusCode"] == "DUPLICATE_VALUE"
    assert "Duplicate external id specified: 103" in twice[0]["errors"][0]["message"]
    # A plain create (or update) may not take a value another record holds.
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Lead.create({"LastName": "Dup", "Company": "Acme", "HubSpot_Id__c": "101"})
    assert caught.value.content[0]["errorCode"] == "DUPLICATE_VALUE"
    assert first[0]["id"] in caught.value.content[0]["message"]
    assert len(emulator.org.records["Lead"]) == 3


def test_upsert_by_a_non_unique_external_id_held_twice_fails_per_record(
    sf: Salesforce, emulator: Emulator
) -> None:
    emulator.seed(
        {
            "salesforce": {
                "custom_fields": {"Lead": [HUBSPOT_ID]},
                "records": {
                    "Lead": [
                        {"LastName": "A", "Company": "Acme", "HubSpot_Id__c": "7"},
                        {"LastName": "B", "Company": "Acme", "HubSpot_Id__c": "7"},
                    ]
                },
            }
        }
    )
    results = sf.restful(
        "composite/sobjects/Lead/HubSpot_Id__c",
        method="PATCH",
        json={
            "allOrNone": False,
            "records": [_keyed("7", LastName="X"), _keyed("8", LastName="Y")],
        },
    )
    assert [r["success"] for r in results] == [False, True]
    assert results[0]["errors"][0]["statusCode"] == "DUPLICATE_EXTERNAL_ID"
