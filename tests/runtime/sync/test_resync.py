"""`mapc resync` through the CLI against the emulator: a field mapping added after the
records were linked reaches every one of them, links kept, nothing created twice."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from mapc.cli import main
from mapc.compiler.codegen.render import generate
from mapc.compiler.pipeline import check_file
from tests.runtime.sync.conftest import base_seed

ROOT = Path(__file__).resolve().parents[3]
DEFAULT = ROOT / "mappings" / "hubspot_salesforce.mapc"
AMOUNT = "  amount           <-> Amount    : two way\n"


def compile_to(mapping: Path, target: Path) -> str:
    result = check_file(mapping)
    assert result.plan is not None, [d.message for d in result.diagnostics]
    (module,) = generate(result.plan, mapping.name)
    target.write_text(module.source, encoding="utf-8")
    return str(target)


@pytest.fixture(params=["standard", "person-accounts"])
def adapters(
    request: pytest.FixtureRequest,
    emulator_env: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Any:
    """(before, after): the default mapping without, then with, the deals' amount, on an
    org without and one with person accounts."""
    emulator_env.reset(person_accounts=request.param == "person-accounts")
    for name, value in emulator_env.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HUBSPOT_REQUESTS_PER_10S", "100000")
    monkeypatch.setenv("HUBSPOT_SEARCHES_PER_SECOND", "1000")
    monkeypatch.setenv("MAPC_STATE", str(tmp_path / "state.db"))
    emulator_env.seed(base_seed())
    mappings = tmp_path / "mappings"
    shutil.copytree(DEFAULT.parent / "catalogs", mappings / "catalogs")
    text = DEFAULT.read_text(encoding="utf-8")
    assert AMOUNT in text
    (mappings / "hubspot_salesforce.mapc").write_text(text.replace(AMOUNT, ""), "utf-8")
    before = compile_to(mappings / "hubspot_salesforce.mapc", tmp_path / "before.py")
    (mappings / "hubspot_salesforce.mapc").write_text(text, "utf-8")
    after = compile_to(mappings / "hubspot_salesforce.mapc", tmp_path / "after.py")
    assert main(["state", "init"]) == 0
    return before, after


def deals(emu: Any) -> dict[str, Any]:
    from mapc.runtime.sync.runner import connect

    hubspot = connect().hubspot
    found = {}
    for page in hubspot.read_changed("deals", ["dealname", "amount"], None):
        for record in page.records:
            found[str(record["dealname"])] = record.get("amount")
    return found


def opportunities() -> dict[str, Any]:
    from mapc.runtime.sync.runner import connect

    salesforce = connect().salesforce
    rows = salesforce.query("SELECT Id, Name, Amount FROM Opportunity ORDER BY Name")
    return {str(r["Name"]): r["Amount"] for r in rows}


def writes(emu: Any) -> list[str]:
    return [
        k
        for k in emu.calls()
        if k.startswith(("PATCH", "DELETE", "PUT"))
        or (k.startswith("POST") and not k.endswith(("search", "batch/read")) and "query" not in k)
    ]


def test_a_field_mapped_later_reaches_every_linked_record(
    adapters: Any, emulator_env: Any, capsys: Any
) -> None:
    before, after = adapters
    emulator_env.seed(
        {
            "salesforce": {
                "records": {
                    "Opportunity": [
                        {
                            "Name": "From Salesforce",
                            "StageName": "Qualification",
                            "CloseDate": "2026-12-01",
                            "Amount": 250.0,
                        }
                    ]
                }
            },
            "hubspot": {
                "records": {
                    "deals": [
                        {
                            "dealname": "From HubSpot",
                            "dealstage": "qualifiedtobuy",
                            "closedate": "2026-12-01",
                            "amount": "100",
                        }
                    ]
                }
            },
        }
    )
    assert main(["run", before, "--no-progress"]) == 0
    assert opportunities() == {"From HubSpot": None, "From Salesforce": 250.0}
    assert deals(emulator_env) == {"From HubSpot": "100", "From Salesforce": None}
    # An hour later another deal changes, and the cursors move past the first two.
    emulator_env.clock.advance(3600)
    emulator_env.seed(
        {
            "hubspot": {
                "records": {
                    "deals": [
                        {
                            "dealname": "Later",
                            "dealstage": "qualifiedtobuy",
                            "closedate": "2026-12-01",
                            "amount": "5",
                        }
                    ]
                }
            }
        }
    )
    assert main(["run", before, "--no-progress"]) == 0
    assert main(["run", before, "--no-progress"]) == 0  # the echoes of that run
    # The mapping now maps amount: a run reaches only records that change from now on.
    assert main(["run", after, "--no-progress"]) == 0
    assert opportunities()["From HubSpot"] is None
    assert deals(emulator_env)["From Salesforce"] is None
    capsys.readouterr()
    # A dry run says what the resync would write, and writes nothing.
    emulator_env.reset_calls()
    assert (
        main(
            [
                "resync",
                after,
                "--pair",
                "deals",
                "--field",
                "amount",
                "--dry-run",
                "--format",
                "json",
            ]
        )
        == 0
    )
    plan = json.loads(capsys.readouterr().out)
    assert plan["changes_pending"] == 2, plan  # "Later" had its amount from the start
    assert writes(emulator_env) == []
    assert main(["resync", after, "--pair", "deals", "--field", "amount", "--no-progress"]) == 0
    assert opportunities() == {"From HubSpot": 100.0, "From Salesforce": 250.0, "Later": 5.0}
    assert deals(emulator_env) == {"From HubSpot": "100", "From Salesforce": "250", "Later": "5"}
    # Links kept: one opportunity and one deal each, nothing created twice.
    capsys.readouterr()
    emulator_env.reset_calls()
    assert main(["resync", after, "--pair", "deals", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["writes"] == 0
    assert main(["run", after, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["writes"] == 0
    assert writes(emulator_env) == []


def test_an_unknown_pair_or_field_is_one_sentence(adapters: Any, capsys: Any) -> None:
    _, after = adapters
    assert main(["resync", after, "--pair", "widgets", "--no-progress"]) == 2
    assert "no sync block for widgets" in capsys.readouterr().err
    assert main(["resync", after, "--pair", "deals", "--field", "lastname"]) == 2
    err = capsys.readouterr().err
    assert "lastname: not a mapped HubSpot property of deals" in err
    assert main(["resync", after, "--since", "last tuesday"]) == 2
    assert "not an ISO date" in capsys.readouterr().err
