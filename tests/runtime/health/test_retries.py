"""Retry with backoff, then park, through `mapc run` against the emulator: a record that
keeps failing is parked after N failures, `mapc errors retry` brings it back, `ignore`
silences it, and a change to the record un-parks it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from mapc.cli import main
from mapc.runtime.hubspot.client import HubSpotConnector
from mapc.runtime.hubspot.limits import HubSpotLimiter
from mapc.runtime.salesforce.client import SalesforceConnector
from mapc.runtime.sync.retries import RetryRule, held_reason
from mapc.runtime.sync.state import StateStore
from tests.runtime.sync.conftest import base_seed

ADAPTER = str(Path(__file__).resolve().parents[3] / "generated" / "hubspot_salesforce.py")
CREATES = "POST /services/data/vXX.X/composite/sobjects"


@pytest.fixture
def env(emulator_env: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    emulator_env.reset(person_accounts=True)
    for name, value in emulator_env.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HUBSPOT_REQUESTS_PER_10S", "100000")
    monkeypatch.setenv("HUBSPOT_SEARCHES_PER_SECOND", "1000")
    monkeypatch.setenv("MAPC_STATE", str(tmp_path / "state.db"))
    monkeypatch.setenv("MAPC_RETRY_LIMIT", "2")
    monkeypatch.setenv("MAPC_RETRY_BACKOFF", "0")  # due again at once: runs follow each other
    seed = base_seed()
    seed["hubspot"]["records"] = {
        "contacts": [
            {"email": "ok@example.com", "lastname": "Fine"},
            {"email": "long@example.com", "lastname": "L" * 300},
        ]
    }
    emulator_env.seed(seed)
    assert main(["state", "init"]) == 0
    return emulator_env


def _errors(capsys: Any, *extra: str) -> list[dict[str, Any]]:
    capsys.readouterr()
    main(["errors", "--format", "json", *extra])
    rows: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    return rows


def _run(capsys: Any, code: int) -> None:
    assert main(["run", ADAPTER, "--no-progress"]) == code
    capsys.readouterr()


def test_a_failing_record_is_parked_retried_by_hand_ignored_and_unparked_by_a_change(
    env: Any, capsys: Any
) -> None:
    _run(capsys, 1)
    [error] = _errors(capsys)
    assert (error["code"], error["state"], error["failures"]) == ("STRING_TOO_LONG", "open", 1)
    record = error["record_id"]

    _run(capsys, 1)  # retried (its backoff is over), fails again: the second failure parks
    [error] = _errors(capsys)
    assert (error["state"], error["failures"], error["occurrences"]) == ("parked", 2, 2)

    # Parked: later runs do not send it again, and the plan says why it is skipped.
    creates = env.call_count(CREATES)
    _run(capsys, 0)
    assert env.call_count(CREATES) == creates
    assert _errors(capsys)[0]["occurrences"] == 2
    capsys.readouterr()
    assert main(["plan", ADAPTER, "--no-progress", "--format", "json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    [skip] = [s for s in plan["skips"] if "parked" in s["reason"]]
    assert skip["side"] == "salesforce" and "parked after 2 failures" in skip["reason"]
    assert main(["errors", "--fail-if-open"]) == 1  # parked is still an open problem
    status = json.loads(_status(capsys))
    assert status["records_held"] == {"parked": 1, "ignored": 0, "waiting": 0}

    # A retry by hand: the next run sends it again (and it fails once more, not parked).
    capsys.readouterr()
    assert main(["errors", "retry", "--category", "property_value"]) == 0
    assert "1 record(s) released" in capsys.readouterr().out
    _run(capsys, 1)
    assert env.call_count(CREATES) == creates + 1
    [error] = _errors(capsys)
    assert (error["state"], error["failures"], error["occurrences"]) == ("open", 1, 3)

    # Ignored: held like a parked record, and no longer an open error for alerting.
    capsys.readouterr()
    assert main(["errors", "ignore", "--record", record]) == 0
    _run(capsys, 0)
    assert env.call_count(CREATES) == creates + 1
    assert _errors(capsys) == []
    assert [e["state"] for e in _errors(capsys, "--status", "ignored")] == ["ignored"]
    assert main(["errors", "--fail-if-open"]) == 0
    assert json.loads(_status(capsys))["open_errors"] == {}

    # A change to the record releases it: fixed in HubSpot, it syncs and its error resolves.
    hubspot = HubSpotConnector.from_env(env.env(), limiter=HubSpotLimiter(100_000, 1_000))
    [result] = hubspot.update("contacts", [{"id": record, "lastname": "Short"}])
    assert result.ok
    _run(capsys, 0)
    salesforce = SalesforceConnector.from_env(env.env())
    found = list(salesforce.query("SELECT Id FROM Lead WHERE Email = 'long@example.com'"))
    found += list(salesforce.query("SELECT Id FROM Contact WHERE Email = 'long@example.com'"))
    assert len(found) == 1
    assert _errors(capsys, "--status", "ignored") == []
    [resolved] = _errors(capsys, "--all")
    assert resolved["state"] == "resolved"
    assert json.loads(_status(capsys))["records_held"] == {"parked": 0, "ignored": 0, "waiting": 0}


def _status(capsys: Any) -> str:
    capsys.readouterr()
    assert main(["status", "--format", "json"]) == 0
    return str(capsys.readouterr().out)


def test_the_backoff_doubles_and_a_record_waits_until_it_is_due() -> None:
    rule = RetryRule(limit=4, backoff=60)
    assert [rule.wait(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
    state = StateStore("sqlite://", create=True)
    fail = [("contacts", "salesforce", "7", "2026-12-06T10:00:00.000Z")]
    state.log.record_failures(fail, limit=rule.limit, wait=rule.wait)
    state.log.record_failures(fail, limit=rule.limit, wait=rule.wait)
    [row] = state.log.retry_rows()
    assert row.failures == 2 and row.parked_at is None
    now = datetime.now(UTC)
    reason = held_reason(row, now)
    assert reason is not None and "next retry after" in reason
    assert held_reason(row, now + timedelta(seconds=121)) is None  # due once 2 x 60 s passed
    # A new modification time is a change: the count starts again.
    state.log.record_failures(
        [("contacts", "salesforce", "7", "2026-12-06T11:00:00.000Z")],
        limit=rule.limit,
        wait=rule.wait,
    )
    assert state.log.retry_rows()[0].failures == 1


def test_a_change_on_the_other_side_retries_a_parked_record_with_its_current_values(
    env: Any, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.runtime.sync.conftest import LIFECYCLE_FIELD

    # No look-back: the HubSpot record is not read again by chance, only because its
    # Salesforce twin changed.
    monkeypatch.setenv("HUBSPOT_SEARCH_LOOKBACK_SECONDS", "0")
    narrow = {
        **LIFECYCLE_FIELD,
        "picklistValues": [v for v in LIFECYCLE_FIELD["picklistValues"] if v != "Evangelist"],
    }
    env.add_salesforce_field("Lead", narrow)
    _run(capsys, 1)  # the seed's long name fails as before; the fine contact is a Lead now
    hubspot = HubSpotConnector.from_env(env.env(), limiter=HubSpotLimiter(100_000, 1_000))
    salesforce = SalesforceConnector.from_env(env.env())
    [fine] = [
        r
        for page in hubspot.read_changed("contacts", ["email"], None)
        for r in page.records
        if r["email"] == "ok@example.com"
    ]
    [lead] = salesforce.query("SELECT Id FROM Lead WHERE Email = 'ok@example.com'")
    [ok] = hubspot.update("contacts", [{"id": fine["id"], "lifecyclestage": "evangelist"}])
    assert ok.ok
    updates = "PATCH /services/data/vXX.X/composite/sobjects"
    for _ in range(2):  # fails twice: parked
        _run(capsys, 1)
    [parked] = _errors(capsys, "--record", fine["id"])
    assert (parked["code"], parked["state"]) == (
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        "parked",
    )
    # A newer contact moves HubSpot's cursor past the parked one (no read brings it back).
    [new] = hubspot.create("contacts", [{"email": "new@example.com", "lastname": "New"}])
    assert new.ok
    sent = env.call_count(updates)
    _run(capsys, 0)  # both parked (the long name too): nothing is sent, nothing fails
    assert env.call_count(updates) == sent

    # Salesforce's lead changes: the record is read again and its write retried (and it
    # fails again on the same value, so it is parked again, one failure more).
    [ok] = salesforce.update("Lead", [{"Id": lead["Id"], "Title": "CTO"}])
    assert ok.ok
    _run(capsys, 1)
    assert env.call_count(updates) > sent
    [again] = _errors(capsys, "--record", fine["id"])
    assert again["occurrences"] == parked["occurrences"] + 1 and again["state"] == "parked"
