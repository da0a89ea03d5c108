"""`mapc errors` and `mapc status` after a real run against the emulator with errors of
several categories: filters, exports, links, exit codes, run outcomes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from mapc.cli import main
from tests.runtime.sync.conftest import LIFECYCLE_FIELD, base_seed

ADAPTER = str(Path(__file__).resolve().parents[3] / "generated" / "hubspot_salesforce.py")
PORTAL = "4242"


def _seed() -> dict[str, Any]:
    seed = base_seed()
    # A restricted picklist without "Evangelist": an evangelist is a picklist error.
    narrow = {
        **LIFECYCLE_FIELD,
        "picklistValues": [v for v in LIFECYCLE_FIELD["picklistValues"] if v != "Evangelist"],
    }
    seed["salesforce"]["custom_fields"] = {"Lead": [narrow], "Contact": [narrow]}
    seed["hubspot"] = {
        **seed.get("hubspot", {}),
        "records": {
            **seed.get("hubspot", {}).get("records", {}),
            "contacts": [
                {"email": "ok@example.com", "lastname": "Fine"},
                {"email": "long@example.com", "lastname": "L" * 300},
                {"email": "evan@example.com", "lastname": "Evan", "lifecyclestage": "evangelist"},
            ],
            "deals": [{"dealname": "No date", "amount": "1"}],
        },
    }
    return seed


@pytest.fixture
def ops_env(emulator_env: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    emulator_env.reset(person_accounts=True)
    for name, value in emulator_env.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("HUBSPOT_PORTAL_ID", raising=False)
    monkeypatch.setenv("HUBSPOT_REQUESTS_PER_10S", "100000")
    monkeypatch.setenv("HUBSPOT_SEARCHES_PER_SECOND", "1000")
    monkeypatch.setenv("MAPC_STATE", str(tmp_path / "state.db"))
    emulator_env.seed(_seed())
    assert main(["state", "init"]) == 0
    return emulator_env


def _json(capsys: Any, argv: list[str], code: int = 0) -> Any:
    assert main(argv) == code
    return json.loads(capsys.readouterr().out)


def test_errors_are_categorized_filtered_exported_and_alertable(ops_env: Any, capsys: Any) -> None:
    assert main(["plan", ADAPTER, "--no-progress"]) == 0  # a plan is not a run
    assert main(["run", ADAPTER, "--no-progress"]) == 1  # some records failed
    capsys.readouterr()

    rows = _json(capsys, ["errors", "--format", "json", "--hubspot-portal", PORTAL])
    by_code = {r["code"]: r for r in rows}
    assert set(by_code) == {
        "STRING_TOO_LONG",
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        "REQUIRED_FIELD_MISSING",
    }
    assert {r["code"]: r["category"] for r in rows} == {
        "STRING_TOO_LONG": "property_value",
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST": "picklist",
        "REQUIRED_FIELD_MISSING": "required_field",
    }
    long = by_code["STRING_TOO_LONG"]
    assert long["side"] == "salesforce" and long["record_side"] == "hubspot"
    assert long["identity"] == "long@example.com"
    assert long["record_url"] == (
        f"https://app.hubspot.com/contacts/{PORTAL}/record/0-1/{long['record_id']}"
    )
    deal = by_code["REQUIRED_FIELD_MISSING"]
    assert deal["object"] == "deals"
    assert deal["record_url"] == (
        f"https://app.hubspot.com/contacts/{PORTAL}/record/0-3/{deal['record_id']}"
    )

    # Filters: category, object, side; CSV export carries the same rows.
    [picklist] = _json(capsys, ["errors", "--format", "json", "--category", "picklist"])
    assert picklist["identity"] == "evan@example.com"
    assert picklist["record_url"] is None  # no portal id given: no invented link
    assert "HubSpot portal id unknown" in picklist["link_note"]
    assert [
        r["object"] for r in _json(capsys, ["errors", "--format", "json", "--object", "deals"])
    ] == ["deals"]
    assert _json(capsys, ["errors", "--format", "json", "--side", "hubspot"]) == []
    assert main(["errors", "--format", "csv", "--category", "required-field"]) == 0
    exported = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["category"], r["object"], r["code"]) for r in exported] == [
        ("required_field", "deals", "REQUIRED_FIELD_MISSING")
    ]

    # The table names the category, the record and the link.
    assert main(["errors", "--hubspot-portal", PORTAL]) == 0
    out = capsys.readouterr().out
    assert "completed with record errors" in out
    assert "picklist" in out and "evan@example.com" in out
    assert f"app.hubspot.com/contacts/{PORTAL}" in out

    # Alerting: exit 1 while (matching) errors are open; a bad category is a usage error.
    assert main(["errors", "--fail-if-open", "--format", "json"]) == 1
    assert main(["errors", "--fail-if-open", "--category", "duplicate"]) == 0
    capsys.readouterr()
    assert main(["errors", "--category", "nonsense"]) == 2
    assert "unknown category" in capsys.readouterr().err

    # Status: the plan is not in the history; the run completed with record errors.
    status = _json(capsys, ["status", "--format", "json"])
    [run] = status["runs"]
    assert run["outcome"] == "completed with record errors" and run["errors"] == 3
    assert status["open_errors"] == {"picklist": 1, "property_value": 1, "required_field": 1}
    lags = {(c["side"], c["object"]): c["seconds"] for c in status["cursors"]}
    assert ("hubspot", "contacts") in lags and lags[("hubspot", "contacts")] >= 0
    # API calls: every call the plan and the run made, per side, as the APIs counted them.
    usage = status["api_calls_24h"]
    sf_calls = ops_env.call_count("* /services/*")
    hs_calls = ops_env.call_count() - sf_calls
    assert sf_calls > 0 and hs_calls > 0
    assert (usage["salesforce"]["calls"], usage["hubspot"]["calls"]) == (sf_calls, hs_calls)
    assert usage["salesforce"]["measured_runs"] == 2  # the plan's calls count too
    assert usage["salesforce"]["org_limit"] == 100_000  # from Sforce-Limit-Info
    assert 0 < usage["salesforce"]["org_used"] <= sf_calls
    assert usage["hubspot"]["org_limit"] == 1_000_000  # X-HubSpot-RateLimit-Daily
    assert main(["status"]) == 0
    text = capsys.readouterr().out
    assert "completed with record errors" in text and "required field" in text
    assert "[required_field]" in text  # the name --category takes, not eaten as markup
    assert f"salesforce: {sf_calls:,} calls (no allocation set)" in text
    assert "org " in text and "of 100,000 used today" in text


def test_status_without_state_is_a_usage_error(tmp_path: Path, capsys: Any) -> None:
    assert main(["status", "--state", str(tmp_path / "none.db")]) == 2
    assert "nothing has run yet" in capsys.readouterr().err
