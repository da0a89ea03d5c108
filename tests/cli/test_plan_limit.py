"""`mapc plan --format json` lists every action or says how many it left out (--limit)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mapc.cli import main
from tests.runtime.sync.conftest import base_seed
from tests.runtime.sync.worlds import mixed_seed

ADAPTER = str(Path(__file__).resolve().parents[2] / "generated" / "hubspot_salesforce.py")


@pytest.fixture
def seeded(emulator_env: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    emulator_env.reset(person_accounts=True)
    for name, value in emulator_env.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HUBSPOT_REQUESTS_PER_10S", "100000")
    monkeypatch.setenv("HUBSPOT_SEARCHES_PER_SECOND", "1000")
    monkeypatch.setenv("MAPC_STATE", str(tmp_path / "state.db"))
    emulator_env.seed(base_seed())
    emulator_env.seed(mixed_seed())
    return emulator_env


def _plan(capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    assert main(["plan", ADAPTER, "--format", "json", *extra]) == 0
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return document


def test_plan_json_is_complete_or_says_what_it_left_out(
    seeded: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    full = _plan(capsys)
    total = full["actions_total"]
    assert total == full["changes_pending"] >= 3  # one action per change here
    assert len(full["actions"]) == total and full["actions_truncated"] is False
    cut = _plan(capsys, "--limit", "2")
    assert len(cut["actions"]) == 2
    assert cut["actions_truncated"] is True and cut["actions_total"] == total
    assert cut["actions"] == full["actions"][:2]
    everything = _plan(capsys, "--limit", "0")
    assert everything["actions"] == full["actions"] and everything["actions_truncated"] is False


def test_a_negative_limit_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", ADAPTER, "--limit", "-1"]) == 2
    assert "must be 0 or more" in capsys.readouterr().err
