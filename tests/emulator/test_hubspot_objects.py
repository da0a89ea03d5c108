"""CRM v3 objects, batches, properties, owners and v4 associations through hubspot-api-client."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hubspot.crm.associations.v4 import (
    BatchInputPublicAssociationMultiPost,
    BatchInputPublicDefaultAssociationMultiPost,
    BatchInputPublicFetchAssociationsBatchRequest,
)
from hubspot.crm.contacts import ApiException as ContactsError
from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchInputSimplePublicObjectBatchInputUpsert,
    BatchInputSimplePublicObjectId,
    BatchReadInputSimplePublicObjectId,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.properties import PropertyCreate

from mapc.emulator import Emulator


def _error(exc: ContactsError) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(exc.body)
    return body


def test_create_get_update_archive(hs: Any, emulator: Emulator) -> None:
    emulator.clock.freeze("2026-11-29T08:00:00Z")
    created = hs.crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(
            properties={"email": "Ada@Example.com", "firstname": "Ada"}
        )
    )
    assert created.properties["email"] == "ada@example.com"
    assert created.properties["hs_object_id"] == created.id
    assert created.properties["createdate"] == "2026-11-29T08:00:00.000Z"
    emulator.clock.advance(5)
    updated = hs.crm.contacts.basic_api.update(
        created.id, SimplePublicObjectInput(properties={"lastname": "Lovelace"})
    )
    assert updated.properties["lastmodifieddate"] == "2026-11-29T08:00:05.000Z"
    fetched = hs.crm.contacts.basic_api.get_by_id(created.id, properties=["lastname", "phone"])
    assert fetched.properties["lastname"] == "Lovelace" and fetched.properties["phone"] is None
    by_email = hs.crm.contacts.basic_api.get_by_id("ada@example.com", id_property="email")
    assert by_email.id == created.id
    hs.crm.contacts.basic_api.archive(created.id)
    with pytest.raises(ContactsError) as caught:
        hs.crm.contacts.basic_api.get_by_id(created.id)
    assert caught.value.status == 404
    assert _error(caught.value)["category"] == "OBJECT_NOT_FOUND"


def test_list_pages(hs: Any, emulator: Emulator) -> None:
    emulator.seed({"hubspot": {"records": {"companies": [{"name": f"C{i}"} for i in range(25)]}}})
    page = hs.crm.companies.basic_api.get_page(limit=10, properties=["name"])
    assert len(page.results) == 10 and page.paging.next.after
    everything = hs.crm.companies.get_all(properties=["name"])
    assert sorted(c.properties["name"] for c in everything) == sorted(f"C{i}" for i in range(25))


def test_unique_email_conflict(hs: Any) -> None:
    first = hs.crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(properties={"email": "dup@x.io"})
    )
    with pytest.raises(ContactsError) as caught:
        hs.crm.contacts.basic_api.create(
            SimplePublicObjectInputForCreate(properties={"email": "DUP@x.io"})
        )
    body = _error(caught.value)
    assert caught.value.status == 409 and body["category"] == "CONFLICT"
    assert body["message"] == f"Contact already exists. Existing ID: {first.id}"
    assert body["status"] == "error" and body["correlationId"]


def test_invalid_and_unknown_properties_fail_validation(hs: Any) -> None:
    with pytest.raises(ContactsError) as caught:
        hs.crm.contacts.basic_api.create(
            SimplePublicObjectInputForCreate(
                properties={"lifecyclestage": "nope", "not_a_property": "x"}
            )
        )
    body = _error(caught.value)
    assert caught.value.status == 400 and body["category"] == "VALIDATION_ERROR"
    assert {e["code"] for e in body["errors"]} == {"INVALID_OPTION", "PROPERTY_DOESNT_EXIST"}


def test_batches_cap_at_100_inputs(hs: Any, emulator: Emulator) -> None:
    too_many = BatchInputSimplePublicObjectBatchInputForCreate(
        inputs=[{"properties": {"email": f"c{i}@x.io"}} for i in range(101)]
    )
    with pytest.raises(ContactsError) as caught:
        hs.crm.contacts.batch_api.create(too_many)
    assert caught.value.status == 400 and _error(caught.value)["category"] == "VALIDATION_ERROR"
    assert "100" in _error(caught.value)["message"]
    assert emulator.portal.objects["contacts"] == {}
    ok = hs.crm.contacts.batch_api.create(
        BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[
                {"properties": {"email": f"c{i}@x.io"}, "objectWriteTraceId": f"t{i}"}
                for i in range(100)
            ]
        )
    )
    assert ok.status == "COMPLETE" and len(ok.results) == 100
    assert {r.object_write_trace_id for r in ok.results} == {f"t{i}" for i in range(100)}
    assert emulator.calls("POST /crm/v3/objects/contacts/batch/create") == {
        "POST /crm/v3/objects/contacts/batch/create": 2
    }


def test_batch_read_update_upsert_archive(hs: Any, emulator: Emulator) -> None:
    refs = emulator.seed(
        {
            "hubspot": {
                "records": {
                    "contacts": [{"_ref": "a", "email": "a@x.io"}, {"_ref": "b", "email": "b@x.io"}]
                }
            }
        }
    )
    read = hs.crm.contacts.batch_api.read(
        BatchReadInputSimplePublicObjectId(
            properties=["email"], inputs=[{"id": refs["a"]}, {"id": "999999"}]
        )
    )
    assert [r.id for r in read.results] == [refs["a"]]
    assert read.errors[0].category == "OBJECT_NOT_FOUND"
    updated = hs.crm.contacts.batch_api.update(
        BatchInputSimplePublicObjectBatchInput(
            inputs=[
                {"id": refs["a"], "properties": {"firstname": "A"}},
                {"id": "999999", "properties": {"firstname": "Z"}, "objectWriteTraceId": "z"},
            ]
        )
    )
    assert [r.properties["firstname"] for r in updated.results] == ["A"]
    assert updated.errors[0].context["ids"] == ["999999"]
    upserted = hs.crm.contacts.batch_api.upsert(
        BatchInputSimplePublicObjectBatchInputUpsert(
            inputs=[
                {"id": "b@x.io", "idProperty": "email", "properties": {"firstname": "B"}},
                {"id": "new@x.io", "idProperty": "email", "properties": {"firstname": "N"}},
            ]
        )
    )
    assert sorted((r.properties["email"], r.new) for r in upserted.results) == [
        ("b@x.io", False),
        ("new@x.io", True),
    ]
    with pytest.raises(ContactsError) as caught:
        hs.crm.contacts.batch_api.update(
            BatchInputSimplePublicObjectBatchInput(
                inputs=[
                    {"id": refs["a"], "properties": {"firstname": "ok"}},
                    {"id": refs["b"], "properties": {"lifecyclestage": "bogus"}},
                ]
            )
        )
    assert caught.value.status == 400
    assert emulator.portal.objects["contacts"][refs["a"]].properties["firstname"] == "A"
    hs.crm.contacts.batch_api.archive(BatchInputSimplePublicObjectId(inputs=[{"id": refs["a"]}]))
    assert refs["a"] not in emulator.portal.objects["contacts"]


def test_properties_and_custom_property(hs: Any) -> None:
    names = {p.name for p in hs.crm.properties.core_api.get_all("contacts").results}
    assert {"email", "hs_email_optout", "lastmodifieddate", "hs_object_id"} <= names
    hs.crm.properties.core_api.create(
        "contacts",
        PropertyCreate(
            name="sf_lead_id",
            label="Salesforce Lead Id",
            type="string",
            field_type="text",
            group_name="contactinformation",
            has_unique_value=True,
        ),
    )
    prop = hs.crm.properties.core_api.get_by_name("contacts", "sf_lead_id")
    assert prop.has_unique_value and not prop.hubspot_defined
    created = hs.crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(properties={"sf_lead_id": "00Q1"})
    )
    found = hs.crm.contacts.basic_api.get_by_id("00Q1", id_property="sf_lead_id")
    assert found.id == created.id


def test_owners(hs: Any, emulator: Emulator) -> None:
    emulator.seed(
        {
            "hubspot": {
                "owners": [
                    {"email": "o1@x.io", "firstName": "Olga", "lastName": "One", "userId": 11},
                    {"email": "o2@x.io", "firstName": "Otto", "lastName": "Two", "archived": True},
                ]
            }
        }
    )
    page = hs.crm.owners.owners_api.get_page()
    assert [(o.email, o.first_name, o.user_id, o.archived) for o in page.results] == [
        ("o1@x.io", "Olga", 11, False)
    ]
    assert hs.crm.owners.owners_api.get_page(email="o1@x.io").results[0].last_name == "One"
    assert len(hs.crm.owners.owners_api.get_page(archived=True).results) == 1


def test_v4_associations(hs: Any, emulator: Emulator) -> None:
    refs = emulator.seed(
        {
            "hubspot": {
                "records": {
                    "contacts": [{"_ref": "c", "email": "c@x.io"}],
                    "companies": [
                        {"_ref": "acme", "name": "Acme"},
                        {"_ref": "beta", "name": "Beta"},
                    ],
                }
            }
        }
    )
    hs.crm.associations.v4.batch_api.create_default(
        "contacts",
        "companies",
        BatchInputPublicDefaultAssociationMultiPost(
            inputs=[{"from": {"id": refs["c"]}, "to": {"id": refs["acme"]}}]
        ),
    )
    hs.crm.associations.v4.batch_api.create(
        "contacts",
        "companies",
        BatchInputPublicAssociationMultiPost(
            inputs=[
                {
                    "from": {"id": refs["c"]},
                    "to": {"id": refs["beta"]},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}],
                }
            ]
        ),
    )
    read = hs.crm.associations.v4.batch_api.get_page(
        "contacts",
        "companies",
        BatchInputPublicFetchAssociationsBatchRequest(inputs=[{"id": refs["c"]}]),
    )
    linked = {str(t.to_object_id) for t in read.results[0].to}
    assert linked == {refs["acme"], refs["beta"]}
    back = hs.crm.associations.v4.batch_api.get_page(
        "companies",
        "contacts",
        BatchInputPublicFetchAssociationsBatchRequest(inputs=[{"id": refs["acme"]}]),
    )
    assert {t.type_id for t in back.results[0].to[0].association_types} == {2, 280}
    # The first company became the primary one, which associatedcompanyid reflects.
    contact = hs.crm.contacts.basic_api.get_by_id(refs["c"], properties=["associatedcompanyid"])
    assert contact.properties["associatedcompanyid"] == refs["acme"]


def test_batch_upsert_by_a_unique_property_is_exactly_once(hs: Any, emulator: Emulator) -> None:
    """POST /crm/v3/objects/{type}/batch/upsert with idProperty: a value no record holds
    creates (`new`), one a record holds updates it; the property stays unique."""
    hs.crm.properties.core_api.create(
        "contacts",
        PropertyCreate(
            name="salesforce_id",
            label="Salesforce ID",
            type="string",
            field_type="text",
            group_name="contactinformation",
            has_unique_value=True,
        ),
    )

    def upsert(*inputs: tuple[str, str]) -> Any:
        return hs.crm.contacts.batch_api.upsert(
            BatchInputSimplePublicObjectBatchInputUpsert(
                inputs=[
                    {"id": key, "idProperty": "salesforce_id", "properties": {"lastname": name}}
                    for key, name in inputs
                ]
            )
        )

    first = upsert(("00Q1", "One"), ("00Q2", "Two"))
    assert sorted((r.properties["salesforce_id"], r.new) for r in first.results) == [
        ("00Q1", True),
        ("00Q2", True),
    ]
    # Sent again, as after a lost answer: the same records, updated, none new.
    again = upsert(("00Q1", "Uno"), ("00Q2", "Two"))
    assert sorted((r.id, r.new) for r in again.results) == sorted(
        (r.id, False) for r in first.results
    )
    assert len(emulator.portal.objects["contacts"]) == 2
    with pytest.raises(ContactsError) as caught:  # the same key twice in one batch
        upsert(("00Q3", "A"), ("00Q3", "B"))
    assert caught.value.status == 400
    with pytest.raises(ContactsError) as caught:  # a unique value another record holds
        hs.crm.contacts.basic_api.create(
            SimplePublicObjectInputForCreate(properties={"salesforce_id": "00Q1"})
        )
    assert caught.value.status == 409
    with pytest.raises(ContactsError) as caught:  # idProperty must be a unique property
        hs.crm.contacts.batch_api.upsert(
            BatchInputSimplePublicObjectBatchInputUpsert(
                inputs=[{"id": "x", "idProperty": "lastname", "properties": {}}]
            )
        )
    assert caught.value.status == 400
    assert len(emulator.portal.objects["contacts"]) == 2
