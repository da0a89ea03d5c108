"""The fault matrix (issue 9) on a mapping with idempotency keys on both sides: every write
call of a full run, in turn, loses its answer after the server carried it out (dropped
connection, 504) or is refused before it (503); one more run must leave both CRMs as a
run without faults does, with nothing journalled for fingerprint recovery, and a final
run must write nothing."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest

from mapc.runtime.errors import ConnectorError
from mapc.runtime.sync.state import StateStore
from tests.runtime.sync.compiled import fixture
from tests.runtime.sync.conftest import SyncEnv, base_seed
from tests.runtime.sync.test_fault_matrix import FAULTS, write_calls
from tests.runtime.sync.test_idempotency_keys import journal, keyed_seed


def fresh(sync: SyncEnv) -> None:
    sync.emulator.reset(person_accounts=True)
    sync.seed(base_seed())
    sync.seed(keyed_seed())
    # An opted-out lead: its contact is created by an upsert, then unsubscribed (R1).
    opted = {"LastName": "Opt", "Company": "Acme", "Email": "opt@sf.example"}
    sync.seed({"salesforce": {"records": {"Lead": [{**opted, "HasOptedOutOfEmail": True}]}}})


def picture(sync: SyncEnv) -> dict[str, Any]:
    return {
        "sf_people": sorted(
            (str(r["Email"]).lower(), r.get("LastName"), bool(r.get("HasOptedOutOfEmail")))
            for o in ("Lead", "Contact")
            for r in sync.sf(o)
        ),
        "hs_people": sorted(
            (str(c["email"]), c.get("lastname"), c.get("hs_email_optout"))
            for c in sync.hs("contacts", ("email", "lastname", "hs_email_optout"))
        ),
        "opportunities": sorted((r["Name"], r.get("Amount")) for r in sync.sf("Opportunity")),
        "deals": sorted(
            (str(d.get("dealname")), d.get("amount"))
            for d in sync.hs("deals", ("dealname", "amount"))
        ),
    }


@pytest.fixture
def keyed_reference(sync: SyncEnv, tmp_path: Path) -> tuple[dict[str, Any], list[tuple[str, int]]]:
    sync.adapter = fixture("keyed")
    fresh(sync)
    sync.emulator.reset_calls()
    sync.run(state=StateStore(str(tmp_path / "reference.db")))
    calls = write_calls(sync)
    assert any(route.endswith("/batch/upsert") for route, _ in calls), calls
    assert any("unsubscribe" in route for route, _ in calls), calls
    assert len(calls) >= 5, calls
    assert ("opt@sf.example", "Opt", "true") in picture(sync)["hs_people"]
    return picture(sync), calls


@pytest.mark.parametrize("kind", sorted(FAULTS))
def test_each_keyed_write_failing_on_the_wire_converges(
    sync: SyncEnv, keyed_reference: tuple[dict[str, Any], list[Any]], kind: str
) -> None:
    expected, calls = keyed_reference
    problems: list[str] = []
    for route, nth in calls:
        case = f"{kind} on call {nth} of {route}"
        fresh(sync)
        rule = sync.emulator.add_fault(route, nth=nth, **FAULTS[kind])
        state = StateStore("sqlite://")
        try:
            with contextlib.suppress(ConnectorError):
                sync.run(state=state)
            if not rule.fired:
                problems.append(f"{case}: the run made fewer calls than the reference run")
                continue
            if journal(state):
                problems.append(f"{case}: a keyed create was journalled: {journal(state)}")
            sync.emulator.clear_faults()
            sync.run(state=state)
            got = picture(sync)
            if got != expected:
                diff = {k: (got[k], expected[k]) for k in expected if got[k] != expected[k]}
                problems.append(f"{case}: after one more run the CRMs differ: {diff}")
                continue
            sync.emulator.reset_calls()
            sync.run(state=state)
            if sync.write_count():
                problems.append(f"{case}: the final run wrote {sync.writes()}")
        finally:
            state.close()
    assert problems == [], "\n".join(problems)
