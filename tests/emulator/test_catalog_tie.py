"""The emulator's standard objects are the checker's catalogs: every field, the same facts."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce

from mapc.emulator import Emulator
from mapc.emulator.salesforce import standard
from mapc.emulator.salesforce.standard import is_person_field, standard_objects

# Where the emulator knowingly departs from the catalog (which describes a union of orgs).
_PERSON_ORG_OVERRIDES = {("Lead", "Company", "nillable")}


def _catalog(system: str) -> dict[str, Any]:
    text = resources.files("mapc.catalogs").joinpath(f"{system}.json").read_text("utf-8")
    objects: dict[str, Any] = json.loads(text)["objects"]
    return objects


@pytest.mark.parametrize("person_accounts", [False, True])
def test_salesforce_describe_has_every_catalog_field_as_the_catalog_says(
    sf: Salesforce, emulator: Emulator, person_accounts: bool
) -> None:
    emulator.reset(person_accounts=person_accounts)
    for object_name, data in _catalog("salesforce").items():
        described = {f["name"]: f for f in getattr(sf, object_name).describe()["fields"]}
        for name, field in data["fields"].items():
            if not person_accounts and is_person_field(object_name, name):
                assert name not in described, f"{object_name}.{name} in a standard org"
                continue
            got = described.get(name)
            assert got is not None, f"{object_name}.{name} missing from describe"
            expected = {
                "type": field["native_type"],
                "label": field["label"],
                "createable": field.get("createable", True),
                "updateable": field.get("updateable", True),
                "nillable": field.get("nillable", True),
            }
            if "length" in field:
                expected["length"] = field["length"]
            for key, value in expected.items():
                if person_accounts and (object_name, name, key) in _PERSON_ORG_OVERRIDES:
                    continue
                assert got[key] == value, f"{object_name}.{name}.{key}: {got[key]!r} != {value!r}"
            values = [o["value"] for o in field.get("options") or ()]
            assert [p["value"] for p in got["picklistValues"]] == values


def test_hubspot_properties_have_every_catalog_property(
    hs_http: requests.Session, emulator: Emulator
) -> None:
    known = set(emulator.portal.types.types)
    for object_type, data in _catalog("hubspot").items():
        if object_type not in known:
            continue  # owners: not a CRM object type
        answer = hs_http.get(f"{emulator.hubspot_url}/crm/v3/properties/{object_type}", timeout=5)
        described = {p["name"]: p for p in answer.json()["results"]}
        for name, field in data["fields"].items():
            got = described.get(name)
            assert got is not None, f"{object_type}.{name} missing from the properties API"
            kind, _, field_type = field["native_type"].partition("/")
            assert (got["type"], got["fieldType"]) == (kind, field_type), name
            assert got["label"] == field["label"]
            options = [(o["value"], o["label"]) for o in field.get("options") or ()]
            assert [(o["value"], o["label"]) for o in got["options"]] == options, name
            if field.get("read_only"):
                assert got["modificationMetadata"]["readOnlyValue"] is True, name


def test_a_field_or_object_added_to_the_catalog_reaches_the_emulator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    grown = {
        "objects": {
            **_catalog("salesforce"),
            "Campaign": {
                "label": "Campaign",
                "key_prefix": "701",
                "fields": {
                    "Id": {"label": "Campaign ID", "native_type": "id", "type": "id"},
                    "Name": {
                        "label": "Name",
                        "native_type": "string",
                        "length": 80,
                        "type": "text",
                    },
                },
            },
        }
    }
    grown["objects"]["Lead"]["fields"]["Jigsaw"] = {
        "label": "Data.com Key",
        "native_type": "string",
        "length": 20,
        "type": "text",
    }
    monkeypatch.setattr(standard, "shipped_catalog", lambda system: grown)
    objects = standard_objects()
    assert objects["Lead"].fields["Jigsaw"].length == 20
    assert objects["Campaign"].key_prefix == "701"
    assert objects["Campaign"].fields["Name"].length == 80
    assert objects["Campaign"].fields["Id"].length == 18  # describe's length for ids


def test_the_emulator_refuses_a_catalog_without_the_fields_it_needs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shrunk = {"objects": {**_catalog("salesforce")}}
    shrunk["objects"]["Lead"]["fields"].pop("MasterRecordId")
    monkeypatch.setattr(standard, "shipped_catalog", lambda system: shrunk)
    with pytest.raises(ValueError, match=r"Lead\.MasterRecordId"):
        standard_objects()


def test_each_org_gets_its_own_copy_of_the_standard_objects(emulator: Emulator) -> None:
    emulator.add_salesforce_field("Contact", {"name": "Tier__c", "type": "string"})
    assert emulator.org.object("Contact").field("Tier__c") is not None
    emulator.reset()
    assert emulator.org.object("Contact").field("Tier__c") is None


def test_hubspot_standard_objects_answer_to_the_catalogs_type_ids(emulator: Emulator) -> None:
    """A mapping may name a standard object by its type id (`0-5`); the emulator's portal
    knows each object by the same id."""
    with_ids = {n: o["type_id"] for n, o in _catalog("hubspot").items() if "type_id" in o}
    assert {"contacts", "companies", "deals", "tickets"} <= set(with_ids)
    for name, type_id in with_ids.items():
        assert emulator.portal.kind(type_id) == name, (name, type_id)
