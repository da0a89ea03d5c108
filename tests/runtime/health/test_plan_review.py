"""A plan an operator can review, through `mapc plan` and `mapc run` against the emulator:
old -> new values per field, skipped records with their reasons, conflicts with both
values and the winner, structured ids in JSON; a saved plan is applied as it is, and a
stale one (records changed, or a run synced since) is refused with nothing written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mapc.cli import main
from mapc.runtime.hubspot.client import HubSpotConnector
from mapc.runtime.hubspot.limits import HubSpotLimiter
from mapc.runtime.salesforce.client import SalesforceConnector
from tests.runtime.sync.conftest import base_seed

ADAPTER = str(Path(__file__).resolve().parents[3] / "generated" / "hubspot_salesforce.py")
STAGE = "Lifecycle_Stage__c"


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
        "contacts": [
            {"email": "alice@example.com", "lastname": "Alice", "lifecyclestage": "lead"},
            {"email": "bob@example.com", "lastname": "Bob"},
            {"email": "sub@example.com", "lastname": "Sub", "lifecyclestage": "subscriber"},
        ]
    }
    emulator_env.seed(seed)
    assert main(["state", "init"]) == 0
    assert main(["run", ADAPTER, "--no-progress"]) == 0
    return emulator_env


class Crms:
    def __init__(self, env: Any) -> None:
        self.hs = HubSpotConnector.from_env(env.env(), limiter=HubSpotLimiter(100_000, 1_000))
        self.sf = SalesforceConnector.from_env(env.env())
        self.ids = {
            str(r["email"]): str(r["id"])
            for page in self.hs.read_changed("contacts", ["email"], None)
            for r in page.records
        }
        self.leads = {
            str(r["Email"]): str(r["Id"]) for r in self.sf.query("SELECT Id, Email FROM Lead")
        }

    def hubspot(self, who: str, **values: str) -> None:
        [result] = self.hs.update("contacts", [{"id": self.ids[who], **values}])
        assert result.ok

    def salesforce(self, who: str, **values: str) -> None:
        [result] = self.sf.update("Lead", [{"Id": self.leads[who], **values}])
        assert result.ok

    def stage(self, email: str) -> str:
        [lead] = self.sf.query(f"SELECT {STAGE} FROM Lead WHERE Id = '{self.leads[email]}'")
        return str(lead[STAGE])


def _plan(capsys: Any, *extra: str) -> Any:
    capsys.readouterr()
    assert main(["plan", ADAPTER, "--no-progress", "--format", "json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_plan_shows_values_skips_and_conflicts_with_structured_ids(
    env: Any, capsys: Any
) -> None:
    crm = Crms(env)
    crm.hubspot("alice@example.com", lifecyclestage="customer")
    crm.salesforce("bob@example.com", Email="bob.sf@example.com")
    crm.hubspot("bob@example.com", email="bob.hs@example.com")  # later: HubSpot wins
    crm.hubspot("sub@example.com", lastname="Still a subscriber")

    plan = _plan(capsys)
    [stage] = [a for a in plan["actions"] if a["fields"] == [STAGE]]
    alice = crm.leads["alice@example.com"]
    assert (stage["op"], stage["side"], stage["record_object"], stage["record_id"]) == (
        "update",
        "salesforce",
        "Lead",
        alice,
    )
    assert stage["changes"] == [{"field": STAGE, "old": "Lead", "new": "Customer"}]
    [conflict] = plan["conflict_details"]
    assert (conflict["field"], conflict["winner"]) == ("email", "hubspot")
    assert conflict["hubspot_value"] == "bob.hs@example.com"
    assert conflict["salesforce_value"] == "bob.sf@example.com"
    assert conflict["sf_id"] == crm.leads["bob@example.com"]
    [skip] = [s for s in plan["skipped"] if s["record_id"] == crm.ids["sub@example.com"]]
    assert skip["record_object"] == "contacts" and "inclusion list" in skip["reason"]
    for action in plan["actions"] + plan["skipped"]:  # ids are ids, never prose
        for key in ("record_id", "source_id"):
            assert action[key] is None or " " not in action[key]

    capsys.readouterr()
    assert main(["plan", ADAPTER, "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert f"{STAGE}: 'Lead' -> 'Customer'" in text
    assert f"skip contacts {crm.ids['sub@example.com']}: outside the inclusion list" in text
    assert "hubspot 'bob.hs@example.com', salesforce 'bob.sf@example.com' -> hubspot wins" in (text)


def test_a_saved_plan_is_applied_and_a_stale_one_refused(
    env: Any, capsys: Any, tmp_path: Path
) -> None:
    crm = Crms(env)
    crm.hubspot("alice@example.com", lifecyclestage="customer")
    saved = tmp_path / "plan.json"
    capsys.readouterr()
    assert main(["plan", ADAPTER, "--no-progress", "-o", str(saved)]) == 0
    assert main(["run", ADAPTER, "--no-progress", "--plan", str(saved)]) == 0
    assert crm.stage("alice@example.com") == "Customer"

    # The records changed after the plan was made: the run refuses and writes nothing.
    crm.hubspot("alice@example.com", lifecyclestage="opportunity")
    stale = tmp_path / "stale.json"
    assert main(["plan", ADAPTER, "--no-progress", "-o", str(stale)]) == 0
    crm.hubspot("alice@example.com", lifecyclestage="evangelist")
    capsys.readouterr()
    writes = env.call_count("PATCH /services/data/vXX.X/composite/sobjects")
    assert main(["run", ADAPTER, "--no-progress", "--plan", str(stale)]) == 2
    err = capsys.readouterr().err
    assert "plan is stale" in err and "Nothing was written" in err
    assert f"no longer: update Lead {crm.leads['alice@example.com']} [{STAGE}]" in err
    assert env.call_count("PATCH /services/data/vXX.X/composite/sobjects") == writes
    assert crm.stage("alice@example.com") == "Customer"

    # A run synced since the plan was made: its cursors moved, the plan is stale too.
    fresh = tmp_path / "fresh.json"
    assert main(["plan", ADAPTER, "--no-progress", "-o", str(fresh)]) == 0
    assert main(["run", ADAPTER, "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["run", ADAPTER, "--no-progress", "--plan", str(fresh)]) == 2
    assert "cursors moved" in capsys.readouterr().err

    # A file that is not a plan, or was edited, is refused the same way.
    document = json.loads(fresh.read_text())
    document["plan"]["actions"] = []
    fresh.write_text(json.dumps(document))
    assert main(["run", ADAPTER, "--no-progress", "--plan", str(fresh)]) == 2
    assert "edited after it was saved" in capsys.readouterr().err
