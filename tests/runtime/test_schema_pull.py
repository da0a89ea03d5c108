"""`mapc schema pull` against the emulator: custom fields arrive in loadable catalogs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mapc.cli import main
from mapc.compiler.catalog import load_catalog
from mapc.emulator import Emulator


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
