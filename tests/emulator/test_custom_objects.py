"""Case, custom `__c` objects and HubSpot custom object schemas, through the real clients."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from hubspot.crm.associations.v4 import BatchInputPublicFetchAssociationsBatchRequest
from hubspot.crm.objects import ApiException as ObjectsError
from hubspot.crm.objects import (
    BatchInputSimplePublicObjectBatchInputForCreate,
    PublicObjectSearchRequest,
)
from hubspot.crm.objects import SimplePublicObjectInputForCreate as ObjectInput
from hubspot.crm.schemas import ObjectSchemaEgg
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from mapc.emulator import Emulator

VEHICLE = {
    "name": "Vehicle__c",
    "label": "Vehicle",
    "fields": [
        {"name": "Plate__c", "type": "string", "length": 20, "externalId": True},
        {"name": "Kind__c", "type": "picklist", "picklistValues": ["car", "van"]},
        {"name": "Driver__c", "type": "reference", "referenceTo": ["Contact"]},
    ],
}
CARS = {
    "name": "cars",
    "labels": {"singular": "Car", "plural": "Cars"},
    "primaryDisplayProperty": "model",
    "requiredProperties": ["model"],
    "associatedObjects": ["CONTACT"],
    "properties": [
        {"name": "model", "label": "Model", "type": "string", "fieldType": "text"},
        {
            "name": "vin",
            "label": "VIN",
            "type": "string",
            "fieldType": "text",
            "hasUniqueValue": True,
        },
        {
            "name": "color",
            "label": "Color",
            "type": "enumeration",
            "fieldType": "select",
            "options": [{"label": "Red", "value": "red"}, {"label": "Blue", "value": "blue"}],
        },
    ],
}


def test_cases_number_themselves_default_their_status_and_close(
    sf: Salesforce, emulator: Emulator
) -> None:
    account = sf.Account.create({"Name": "Acme"})["id"]
    contact = sf.Contact.create({"LastName": "Ng", "AccountId": account})["id"]
    case_id = sf.Case.create({"Subject": "Broken", "ContactId": contact, "AccountId": account})[
        "id"
    ]
    assert case_id.startswith("500")
    case = sf.Case.get(case_id)
    assert case["Status"] == "New" and case["IsClosed"] is False and case["CaseNumber"]
    sf.Case.update(case_id, {"Status": "Closed"})
    rows = sf.query(
        f"SELECT CaseNumber, IsClosed, ClosedDate, Contact.LastName FROM Case WHERE Id = '{case_id}'"
    )["records"]
    assert rows[0]["IsClosed"] is True and rows[0]["ClosedDate"]
    assert rows[0]["Contact"]["LastName"] == "Ng"


def test_a_deployed_custom_object_is_in_describe_soql_and_collections(
    sf: Salesforce, emulator: Emulator
) -> None:
    answer = requests.post(
        f"{emulator.hubspot_url}/_emulator/salesforce/objects", json=VEHICLE, timeout=5
    )
    assert answer.status_code == 200, answer.text
    [entry] = [o for o in sf.describe()["sobjects"] if o["name"] == "Vehicle__c"]
    assert entry["custom"] is True and entry["keyPrefix"].startswith("a")
    fields = {f["name"]: f for f in sf.Vehicle__c.describe()["fields"]}
    assert fields["Plate__c"]["externalId"] is True and fields["Name"]["nameField"] is True
    driver = sf.Contact.create({"LastName": "Ng"})["id"]
    created = sf.restful(
        "composite/sobjects",
        method="POST",
        json={
            "records": [
                {
                    "attributes": {"type": "Vehicle__c"},
                    "Plate__c": "AB-1",
                    "Kind__c": "van",
                    "Driver__c": driver,
                },
                {"attributes": {"type": "Vehicle__c"}, "Plate__c": "AB-2", "Kind__c": "boat"},
            ]
        },
    )
    assert created[0]["success"] is True and created[1]["success"] is False
    assert created[1]["errors"][0]["statusCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    [row] = sf.query("SELECT Id, Name, Driver__r.LastName FROM Vehicle__c WHERE Kind__c = 'van'")[
        "records"
    ]
    assert row["Name"] == row["Id"]  # no Name given: the record is named by its id
    assert row["Driver__r"]["LastName"] == "Ng"
    upserted = sf.Vehicle__c.upsert("Plate__c/AB-1", {"Kind__c": "car"})
    assert upserted == 200  # an update by external id answers 200 (API v46+)
    assert sf.Vehicle__c.get(row["Id"])["Kind__c"] == "car"


def test_custom_objects_seed_and_dump_back(emulator: Emulator) -> None:
    emulator.seed(
        {
            "salesforce": {
                "custom_objects": [VEHICLE],
                "records": {"Vehicle__c": [{"Plate__c": "X-1"}]},
            },
            "hubspot": {"schemas": [CARS], "records": {"cars": [{"model": "T"}]}},
        }
    )
    dumped = emulator.dump()
    emulator.reset()
    emulator.seed(dumped)
    assert [r["Plate__c"] for r in emulator.org.records["Vehicle__c"].values()] == ["X-1"]
    kind = emulator.portal.kind("p_cars")
    assert [r.properties["model"] for r in emulator.portal.objects[kind].values()] == ["T"]
    with pytest.raises(ValueError, match="end in __c"):
        emulator.add_salesforce_object({"name": "Vehicle"})


def test_custom_object_schema_and_records(hs: Any, emulator: Emulator) -> None:
    schema = hs.crm.schemas.core_api.create(ObjectSchemaEgg(**_snake(CARS)))
    assert schema.object_type_id.startswith("2-") and schema.fully_qualified_name.endswith("_cars")
    assert [s.name for s in hs.crm.schemas.core_api.get_all().results] == ["cars"]
    by_name = hs.crm.schemas.core_api.get_by_id(schema.fully_qualified_name)
    assert by_name.object_type_id == schema.object_type_id
    with pytest.raises(ObjectsError) as caught:
        hs.crm.objects.basic_api.create(schema.object_type_id, ObjectInput(properties={"vin": "1"}))
    assert "model" in caught.value.body
    refs = emulator.seed({"hubspot": {"records": {"contacts": [{"_ref": "c", "email": "c@x.io"}]}}})
    association = schema.associations[0]
    created = hs.crm.objects.batch_api.create(
        schema.fully_qualified_name,
        BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[
                {
                    "properties": {"model": "T", "vin": "V1", "color": "red"},
                    "associations": [
                        {
                            "to": {"id": refs["c"]},
                            "types": [
                                {
                                    "associationCategory": "USER_DEFINED",
                                    "associationTypeId": int(association.id),
                                }
                            ],
                        }
                    ],
                },
                {"properties": {"model": "S", "vin": "V2", "color": "blue"}},
            ]
        ),
    )
    assert len(created.results) == 2
    found = hs.crm.objects.search_api.do_search(
        "p_cars",
        PublicObjectSearchRequest(
            filter_groups=[
                {"filters": [{"propertyName": "color", "operator": "EQ", "value": "red"}]}
            ],
            properties=["model"],
        ),
    )
    assert [r.properties["model"] for r in found.results] == ["T"]
    linked = hs.crm.associations.v4.batch_api.get_page(
        "contacts",
        schema.object_type_id,
        BatchInputPublicFetchAssociationsBatchRequest(inputs=[{"id": refs["c"]}]),
    )
    assert [str(t.to_object_id) for t in linked.results[0].to] == [found.results[0].id]
    by_vin = hs.crm.objects.basic_api.get_by_id("p_cars", "V2", id_property="vin")
    assert by_vin.properties["model"] == "S"
    # HubSpot stopped answering to a custom object's bare name on 2025-06-24.
    with pytest.raises(ObjectsError) as refused:
        hs.crm.objects.basic_api.get_page("cars")
    assert refused.value.status == 400 and "Unable to infer object type from: cars" in str(
        refused.value.body
    )


def _snake(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": schema["name"],
        "labels": schema["labels"],
        "primary_display_property": schema["primaryDisplayProperty"],
        "required_properties": schema["requiredProperties"],
        "associated_objects": schema["associatedObjects"],
        # Plain dicts go out as they are, so they carry the API's own (camelCase) keys.
        "properties": schema["properties"],
    }


def test_an_unknown_custom_field_type_is_refused(sf: Salesforce, emulator: Emulator) -> None:
    emulator.add_salesforce_object({"name": "Gadget__c", "fields": []})
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Gadget__c.create({"Bogus__c": 1})
    assert caught.value.content[0]["errorCode"] == "INVALID_FIELD"
