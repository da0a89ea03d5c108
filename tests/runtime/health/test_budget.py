"""The API budget through `mapc run` against the emulator: a Salesforce allocation given as
a share of the org's daily limit (read from the limits resource) runs out mid-run; the
run stops cleanly (exit 3, nothing half applied, cursors unmoved) and the next run, with
room again, resumes and finishes without creating anything twice."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mapc.cli import main
from mapc.runtime.budget import Allocation
from mapc.runtime.errors import ConfigurationError
from mapc.runtime.salesforce.client import SalesforceConnector
from mapc.runtime.sync.state import StateStore
from tests.runtime.sync.conftest import base_seed

ADAPTER = str(Path(__file__).resolve().parents[3] / "generated" / "hubspot_salesforce.py")


@pytest.fixture
def env(emulator_env: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    emulator_env.reset(person_accounts=True)
    for name, value in emulator_env.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HUBSPOT_REQUESTS_PER_10S", "100000")
    monkeypatch.setenv("HUBSPOT_SEARCHES_PER_SECOND", "1000")
    monkeypatch.setenv("MAPC_STATE", str(tmp_path / "state.db"))
    seed = base_seed()
    seed["hubspot"]["records"] = {
        "contacts": [{"email": f"h{i}@example.com", "lastname": f"H{i}"} for i in range(3)],
        "deals": [{"dealname": "D1", "amount": "1", "closedate": "2026-12-31T00:00:00.000Z"}],
    }
    seed["salesforce"]["records"]["Lead"] = [
        {"LastName": f"S{i}", "Company": "C", "Email": f"s{i}@example.com"} for i in range(3)
    ]
    emulator_env.seed(seed)
    assert main(["state", "init"]) == 0
    return emulator_env


def test_a_budget_that_runs_out_mid_run_stops_cleanly_and_the_next_run_resumes(
    env: Any, capsys: Any, tmp_path: Path
) -> None:
    # A plan reads what the run will read: P calls. Allow (by a 1% share of the org's
    # daily limit, read from the limits resource) the plan's calls and as many again
    # and two: the run's writes add calls the plan did not make, so it runs out mid-way.
    capsys.readouterr()
    assert main(["plan", ADAPTER, "--no-progress", "--format", "json"]) == 0
    reads = json.loads(capsys.readouterr().out)["api"]["salesforce"]["calls"]
    allowed = 2 * reads + 2
    env.configure(salesforce_daily_limit=100 * allowed)
    argv = ["run", ADAPTER, "--no-progress", "--format", "json"]
    assert main([*argv, "--salesforce-budget", "1%"]) == 3
    report = json.loads(capsys.readouterr().out)
    assert f"salesforce API budget is used up ({allowed} of {allowed} calls" in report["stopped"]
    assert report["writes"] > 0  # stopped after some writes, before the end
    assert report["api"]["salesforce"]["calls"] == reads + 2
    assert env.call_count("* /services/*") == allowed
    assert report["api"]["salesforce"]["allocation"] == allowed
    assert env.call_count("GET /services/data/vXX.X/limits") == 1
    salesforce = SalesforceConnector.from_env(env.env())
    # HubSpot's contacts were created as leads (and linked) before the stop.
    assert len(list(salesforce.query("SELECT Id FROM Lead"))) == 6
    used = [reads, report["api"]["salesforce"]["calls"]]
    state = StateStore(str(tmp_path / "state.db"), create=False)
    assert state.cursors() == {}  # nothing moved: the next run reads the same changes
    status = _json(capsys, ["status", "--format", "json"])
    assert status["runs"][0]["outcome"] == "stopped: API budget"
    assert status["api_calls_24h"]["salesforce"]["allocation"] == allowed
    assert status["api_calls_24h"]["salesforce"]["org_limit"] == 100 * allowed

    # The same budget the next minute: the last 24 hours used it up, so the run stops at
    # its first call, having written nothing.
    assert main([*argv, "--salesforce-budget", "1%"]) == 3
    report = json.loads(capsys.readouterr().out)
    assert report["writes"] == 0
    used.append(report["api"]["salesforce"]["calls"])

    # Room again: the run resumes and finishes; nothing was created twice.
    assert main([*argv, "--salesforce-budget", "50%"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["stopped"] is None
    used.append(report["api"]["salesforce"]["calls"])
    emails = sorted(r["Email"] for r in salesforce.query("SELECT Email FROM Lead"))
    assert emails == sorted(
        [f"h{i}@example.com" for i in range(3)] + [f"s{i}@example.com" for i in range(3)]
    )
    assert len(list(salesforce.query("SELECT Id FROM Opportunity"))) == 1
    assert state.cursors() != {}
    status = _json(capsys, ["status", "--format", "json"])
    assert status["runs"][0]["outcome"] == "completed"
    assert status["api_calls_24h"]["salesforce"]["calls"] == sum(used)

    # HubSpot's side: an allocation already used up stops the run before its first call.
    hubspot_calls = env.call_count() - env.call_count("* /services/*")
    assert main([*argv, "--hubspot-budget", "1"]) == 3
    assert "hubspot API budget is used up" in json.loads(capsys.readouterr().out)["stopped"]
    assert env.call_count() - env.call_count("* /services/*") == hubspot_calls
    text_run = main(["run", ADAPTER, "--no-progress", "--hubspot-budget", "1"])
    assert text_run == 3
    assert "stopped early" in capsys.readouterr().out


def _json(capsys: Any, argv: list[str]) -> Any:
    capsys.readouterr()
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_allocations_are_a_number_or_a_share() -> None:
    assert Allocation.parse("5000", "--salesforce-budget").resolve(None) == 5000
    share = Allocation.parse("20%", "--salesforce-budget")
    assert share.resolve(None) is None and share.resolve(15_000) == 3000
    for bad in ("0", "-5", "150%", "lots"):
        with pytest.raises(ConfigurationError, match="--salesforce-budget"):
            Allocation.parse(bad, "--salesforce-budget")
