"""HubSpot archives, archived reads, restores and merges, through hubspot-api-client."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from hubspot.crm.contacts import ApiException as ContactsError
from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectId,
    BatchReadInputSimplePublicObjectId,
    PublicMergeInput,
    SimplePublicObjectInputForCreate,
)

from mapc.emulator import Emulator


def _seed_pair(emulator: Emulator) -> dict[str, str]:
    return emulator.seed(
        {
            "hubspot": {
                "records": {
                    "contacts": [
                        {"_ref": "a", "email": "a@x.io", "firstname": "Ada"},
                        {"_ref": "b", "email": "b@x.io", "firstname": "Bea", "phone": "555"},
                    ],
                    "companies": [{"_ref": "co", "name": "Acme"}, {"_ref": "co2", "name": "Beta"}],
                },
                "associations": [
                    {
                        "from": {"type": "contacts", "id": "@a"},
                        "to": {"type": "companies", "id": "@co"},
                    },
                    {
                        "from": {"type": "contacts", "id": "@b"},
                        "to": {"type": "companies", "id": "@co2"},
                    },
                ],
            }
        }
    )


def test_archived_records_read_only_with_archived_true(hs: Any, emulator: Emulator) -> None:
    refs = _seed_pair(emulator)
    hs.crm.contacts.basic_api.archive(refs["a"])
    hs.crm.contacts.batch_api.archive(BatchInputSimplePublicObjectId(inputs=[{"id": refs["b"]}]))
    assert hs.crm.contacts.basic_api.get_page().results == []
    archived = hs.crm.contacts.basic_api.get_page(archived=True, properties=["email"])
    assert sorted(r.properties["email"] for r in archived.results) == ["a@x.io", "b@x.io"]
    assert all(r.archived and r.archived_at for r in archived.results)
    one = hs.crm.contacts.basic_api.get_by_id(refs["a"], archived=True)
    assert one.archived is True
    batch = hs.crm.contacts.batch_api.read(
        BatchReadInputSimplePublicObjectId(inputs=[{"id": refs["a"]}], properties=["email"]),
        archived=True,
    )
    assert [r.id for r in batch.results] == [refs["a"]]
    with pytest.raises(ContactsError) as caught:
        hs.crm.contacts.basic_api.get_by_id(refs["a"])
    assert caught.value.status == 404


def test_restore_brings_back_the_id_and_associations(hs: Any, emulator: Emulator) -> None:
    refs = _seed_pair(emulator)
    hs.crm.contacts.basic_api.archive(refs["a"])
    answer = requests.post(
        f"{emulator.hubspot_url}/_emulator/hubspot/restore",
        json={"objectType": "contacts", "ids": [refs["a"], "999"]},
        timeout=5,
    ).json()
    assert [r["restored"] for r in answer["results"]] == [True, False]
    contact = hs.crm.contacts.basic_api.get_by_id(
        refs["a"], properties=["email", "associatedcompanyid"], associations=["companies"]
    )
    assert contact.properties["associatedcompanyid"] == refs["co"]
    assert [a.id for a in contact.associations["companies"].results] == [refs["co"]]


def test_a_new_contact_with_an_archived_email_is_a_new_record(hs: Any, emulator: Emulator) -> None:
    refs = _seed_pair(emulator)
    hs.crm.contacts.basic_api.archive(refs["a"])
    again = hs.crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(properties={"email": "a@x.io"})
    )
    assert again.id != refs["a"]
    [refused] = emulator.hubspot_restore("contacts", [refs["a"]])
    assert refused["restored"] is False and refused["error"]["category"] == "CONFLICT"


def test_merge_makes_a_new_record_that_both_old_ids_read_as(hs: Any, emulator: Emulator) -> None:
    refs = _seed_pair(emulator)
    merged = hs.crm.contacts.basic_api.merge(
        PublicMergeInput(primary_object_id=refs["a"], object_id_to_merge=refs["b"])
    )
    assert merged.id not in (refs["a"], refs["b"])
    wanted = ["email", "firstname", "phone", "hs_merged_object_ids", "hs_additional_emails"]
    for old in (refs["a"], refs["b"]):
        read = hs.crm.contacts.basic_api.get_by_id(old, properties=wanted)
        assert read.id == merged.id
    props = read.properties
    assert props["email"] == "a@x.io" and props["firstname"] == "Ada" and props["phone"] == "555"
    assert sorted(props["hs_merged_object_ids"].split(";")) == sorted([refs["a"], refs["b"]])
    assert props["hs_additional_emails"] == "b@x.io"
    batch = hs.crm.contacts.batch_api.read(
        BatchReadInputSimplePublicObjectId(inputs=[{"id": refs["b"]}], properties=["email"])
    )
    assert [r.id for r in batch.results] == [merged.id]
    assert [r.id for r in hs.crm.contacts.basic_api.get_page().results] == [merged.id]
    companies = hs.crm.contacts.basic_api.get_by_id(
        merged.id, properties=["associatedcompanyid"], associations=["companies"]
    )
    assert sorted(a.id for a in companies.associations["companies"].results) == sorted(
        [refs["co"], refs["co2"]]
    )
    # The primary record's primary company stays primary.
    assert companies.properties["associatedcompanyid"] == refs["co"]
    created = hs.crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(properties={"email": "b@x.io"})
    )
    assert created.id != merged.id  # the old email is only an additional one now


def test_merging_a_record_into_itself_is_refused(hs: Any, emulator: Emulator) -> None:
    refs = _seed_pair(emulator)
    with pytest.raises(ContactsError) as caught:
        hs.crm.contacts.basic_api.merge(
            PublicMergeInput(primary_object_id=refs["a"], object_id_to_merge=refs["a"])
        )
    assert caught.value.status == 400
