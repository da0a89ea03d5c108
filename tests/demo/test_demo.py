"""`mapc demo` with a project's own custom fields, and the plan view when details run out."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from mapc.cli import main
from mapc.cli.render import print_plan
from mapc.demo.custom import custom_fields
from mapc.demo.sample import sample
from mapc.runtime.sync.report import Report

ROOT = Path(__file__).resolve().parents[2]


def _console() -> tuple[Any, io.StringIO]:
    from rich.console import Console

    out = io.StringIO()
    return Console(file=out, width=120), out


def test_a_plan_with_no_lines_shown_prints_the_counts() -> None:
    """`mapc demo --plan-lines 0` ended in KeyError: ('contacts', 'hubspot')."""
    report = Report(dry_run=True)
    for i in range(3):
        report.add("contacts", "hubspot", "create", f"c{i}")
    report.add("contacts", "salesforce", "update", "Lead 1", ("Email",))
    console, out = _console()
    print_plan(report, console, limit=0)
    text = out.getvalue()
    assert "contacts -> hubspot" in text and "3 changes (not listed)" in text
    assert "1 changes (not listed)" in text


def test_a_plan_whose_details_ran_out_prints_every_group() -> None:
    """`mapc demo --scale 20`: the report kept details of the first actions only, so later
    groups had counts and no lines (the same KeyError)."""
    report = Report(dry_run=True, detail_limit=2)
    for i in range(5):
        report.add("companies", "salesforce", "create", f"a{i}")
    for i in range(4):
        report.add("contacts", "hubspot", "create", f"c{i}")
    console, out = _console()
    print_plan(report, console, limit=6)
    text = out.getvalue()
    assert "… and 3 more" in text
    assert "contacts -> hubspot" in text and "4 changes (not listed)" in text


def test_plan_json_says_when_actions_are_left_out() -> None:
    """`mapc plan --format json` kept 2,000 actions and said nothing of the rest."""
    report = Report(dry_run=True)
    for i in range(2001):
        report.add("contacts", "hubspot", "create", f"c{i}")
    report.add("contacts", "hubspot", "skip", "s", reason="excluded")
    document = report.to_dict()
    assert len(document["actions"]) == 2000
    assert document["actions_total"] == 2001 and document["actions_truncated"] is True
    everything = Report(dry_run=True, detail_limit=None)
    for i in range(2001):
        everything.add("contacts", "hubspot", "create", f"c{i}")
    document = everything.to_dict()
    assert len(document["actions"]) == 2001 and document["actions_truncated"] is False


def _read(path: Path, system: str) -> dict[str, Any]:
    if not path.is_file():
        return {"system": system, "objects": {}}
    data: dict[str, Any] = json.loads(path.read_text())
    return data


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The default mapping plus a custom field on each side, declared in its catalogs."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    mappings = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", mappings, ignore=shutil.ignore_patterns("tests"))
    catalogs = mappings / "catalogs"
    sf = _read(catalogs / "salesforce.json", "salesforce")
    lead = sf["objects"].setdefault("Lead", {"label": "Lead", "fields": {}})
    lead.setdefault("fields", {})["Region__c"] = {
        "label": "Region",
        "type": "enumeration",
        "native_type": "picklist",
        "custom": True,
        "options": [{"value": "EMEA", "label": "EMEA"}, {"value": "APAC", "label": "APAC"}],
    }
    (catalogs / "salesforce.json").write_text(json.dumps(sf))
    hs = _read(catalogs / "hubspot.json", "hubspot")
    contacts = hs["objects"].setdefault("contacts", {"fields": {}})
    contacts.setdefault("fields", {})["sales_region"] = {
        "label": "Sales region",
        "type": "enumeration",
        "native_type": "enumeration/select",
        "options": [{"value": "emea", "label": "EMEA"}, {"value": "apac", "label": "APAC"}],
    }
    (catalogs / "hubspot.json").write_text(json.dumps(hs))
    mapping = mappings / "hubspot_salesforce.mapc"
    text = mapping.read_text()
    anchor = "  hs_email_optout  <-> HasOptedOutOfEmail : standard opt_out\n"
    assert anchor in text
    added = "  sales_region     <-> Lead.Region__c     : two way, values regions\n"
    text = text.replace(anchor, anchor + added, 1)
    text += '\nvalues regions {\n  emea -> "EMEA"\n  apac -> "APAC"\n}\n'
    mapping.write_text(text)
    assert main(["check", str(mappings)]) == 0
    return tmp_path


def test_the_sample_carries_the_project_catalogs_custom_fields(project: Path) -> None:
    custom = custom_fields([project / "mappings" / "hubspot_salesforce.mapc"])
    assert custom.hubspot == {
        "contacts": [
            {
                "name": "sales_region",
                "label": "Sales region",
                "type": "enumeration",
                "fieldType": "select",
                "options": [{"value": "emea", "label": "EMEA"}, {"value": "apac", "label": "APAC"}],
            }
        ]
    }
    region = next(e for e in custom.salesforce["Lead"] if e["name"] == "Region__c")
    assert region["type"] == "picklist" and region["picklistValues"] == ["EMEA", "APAC"]
    data = sample(custom=custom)
    lead_fields = [e["name"] for e in data["salesforce"]["custom_fields"]["Lead"]]
    assert lead_fields.count("Lifecycle_Stage__c") == 1 and "Region__c" in lead_fields
    assert data["hubspot"]["properties"]["contacts"][0]["name"] == "sales_region"


def test_demo_runs_with_custom_fields_and_no_plan_lines(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    code = main(["demo", "--plan-lines", "0"])
    out = " ".join(capsys.readouterr().out.split())
    assert code == 0, out[-3000:]
    assert "changes (not listed)" in out and "done in" in out


def test_a_field_the_org_lacks_is_one_sentence_and_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mapc.runtime.errors import ConfigurationError
    from mapc.runtime.sync.engine import SyncEngine

    def missing_field(self: SyncEngine) -> Report:
        raise ConfigurationError("Salesforce has no field Lead.Legacy (INVALID_FIELD)")

    monkeypatch.setattr(SyncEngine, "run", missing_field)
    monkeypatch.chdir(ROOT)
    assert main(["demo"]) == 2
    out = capsys.readouterr().out
    assert "mapc demo: Salesforce has no field Lead.Legacy (INVALID_FIELD)" in out
    assert "Traceback" not in out
