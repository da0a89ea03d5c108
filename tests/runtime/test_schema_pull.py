"""`mapc schema pull` against the emulator: custom fields arrive in loadable catalogs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mapc.cli import main
from mapc.compiler.catalog import load_catalog
from mapc.compiler.pipeline import check_file
from mapc.emulator import Emulator
from tests.emulator.test_custom_objects import CARS, VEHICLE


def test_schema_pull_writes_catalogs_with_custom_fields(
    emulator_env: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emulator_env.seed({
        "salesforce": {"custom_fields": {"Lead": [
            {"name": "Lifecycle_Stage__c", "label": "Lifecycle Stage", "type": "picklist",
             "picklistValues": [{"value": "Subscriber"}, {"value": "Lead"}, {"value": "Customer"}]},
        ]}},
        "hubspot": {"properties": {"contacts": [
            {"name": "favourite_colour", "label": "Favourite colour", "type": "enumeration",
             "fieldType": "select", "options": [{"value": "red", "label": "Red"}, {"value": "blue", "label": "Blue"}]},
        ]}},
    })  # fmt: skip
    out = tmp_path / "catalog"
    code = main(
        ["schema", "pull", "-o", str(out), "--salesforce-objects", "Lead,Contact", "Account"]
    )
    assert code == 0, capsys.readouterr().err
    assert "salesforce.json" in capsys.readouterr().out
    salesforce = json.loads((out / "salesforce.json").read_text())
    assert set(salesforce["objects"]) == {"Lead", "Contact", "Account"}
    stage = salesforce["objects"]["Lead"]["fields"]["Lifecycle_Stage__c"]
    assert stage["custom"] and stage["type"] == "picklist"
    assert [o["value"] for o in stage["options"]] == ["Subscriber", "Lead", "Customer"]
    catalog = load_catalog([out])  # the checker reads what was written
    lead = catalog.salesforce.object("Lead")
    assert lead is not None and lead.field("Lifecycle_Stage__c") is not None
    assert lead.key_prefix == "00Q" and lead.fields["LastName"].required
    colour = catalog.hubspot.field("contacts", "favourite_colour")
    assert colour is not None and colour.custom and colour.option_values == ("red", "blue")
    optout = catalog.hubspot.field("contacts", "hs_email_optout")
    assert optout is not None and optout.read_only
    # restrictions as the systems report them: describe's restrictedPicklist; HubSpot's always
    assert lead.fields["Lifecycle_Stage__c"].restricted
    assert not lead.fields["LeadSource"].restricted
    assert colour.restricted


def test_schema_pull_reports_a_bad_token_in_one_line(
    emulator_env: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "pat-na1-wrong-token-1234")
    code = main(["schema", "pull", "-o", str(tmp_path / "c"), "--system", "hubspot"])
    err = capsys.readouterr().err
    assert code == 2 and not (tmp_path / "c").exists()
    assert err.count("\n") == 1 and "HUBSPOT_ACCESS_TOKEN" in err and "wrong-token" not in err
    assert "Traceback" not in err


def test_schema_pull_without_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("SALESFORCE_INSTANCE_URL", "SALESFORCE_ACCESS_TOKEN", "SALESFORCE_USERNAME"):
        monkeypatch.delenv(name, raising=False)
    assert main(["schema", "pull", "-o", str(tmp_path), "--system", "salesforce"]) == 2
    assert "SALESFORCE_ACCESS_TOKEN" in capsys.readouterr().err


def test_schema_pull_brings_custom_objects_that_a_mapping_can_pair(
    emulator_env: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emulator_env.seed({"salesforce": {"custom_objects": [VEHICLE]}, "hubspot": {"schemas": [CARS]}})
    out = tmp_path / "catalogs"
    assert main(["schema", "pull", "-o", str(out)]) == 0, capsys.readouterr().err
    catalog = load_catalog([out])
    vehicle = catalog.salesforce.object("Vehicle__c")
    assert vehicle is not None and vehicle.custom and vehicle.field("Plate__c") is not None
    cars = catalog.hubspot.object("cars")
    assert cars is not None and cars.custom and cars.type_id is not None
    assert cars.type_id.startswith("2-") and catalog.hubspot.object(cars.type_id) is cars
    assert cars.field("vin") is not None and cars.field("color") is not None
    assert catalog.hubspot.object("tickets") is not None  # a standard object pulled too
    assert not catalog.hubspot.object("contacts").custom  # type: ignore[union-attr]

    mapping = tmp_path / "cars.mapc"
    mapping.write_text(
        'mapping cars\nsettings {\n  catalogs: "catalogs"\n}\n'
        "sync contacts <-> Lead, Contact {\n  match email ignore case\n"
        "  email <-> Email : two way\n  lastname <-> LastName : two way\n"
        "  hs_email_optout <-> HasOptedOutOfEmail : standard opt_out\n"
        '  default Lead.LastName = "[not provided]"\n  default Lead.Company = "[not provided]"\n'
        '  default Contact.LastName = "[not provided]"\n}\n'
        f"sync `{cars.type_id}` <-> Vehicle__c {{\n  match vin\n"
        "  vin <-> Plate__c : two way\n}\n",
        encoding="utf-8",
    )
    result = check_file(mapping)
    assert result.diagnostics == (), result.diagnostics
    assert result.plan is not None
    assert [o.hubspot_object for o in result.plan.objects] == ["contacts", "p_cars"]


def test_schema_pull_of_named_objects_skips_the_others(
    emulator_env: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emulator_env.seed({"salesforce": {"custom_objects": [VEHICLE]}, "hubspot": {"schemas": [CARS]}})
    out = tmp_path / "catalogs"
    code = main(
        ["schema", "pull", "-o", str(out), "--salesforce-objects", "Lead",
         "--hubspot-objects", "contacts", "p_cars"]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    salesforce = json.loads((out / "salesforce.json").read_text())
    hubspot = json.loads((out / "hubspot.json").read_text())
    assert set(salesforce["objects"]) == {"Lead"}
    assert set(hubspot["objects"]) == {"contacts", "cars"}  # named as mappings name it
