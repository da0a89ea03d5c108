"""Answers that never came: the emulator's after-commit faults, and connectors reporting
such a create as "maybe done" (TRANSIENT), never as a refusal and never repeated."""

from __future__ import annotations

from typing import Any

import pytest

from mapc.emulator import Emulator
from mapc.runtime.records import TRANSIENT, maybe_done
from tests.runtime.sync.conftest import connectors

SF_CREATE = "POST /services/data/*/composite/sobjects"
HS_CREATE = "POST /crm/v3/objects/contacts/batch/create"


@pytest.fixture
def both(emulator: Emulator) -> Any:
    return connectors(emulator.env())


@pytest.mark.parametrize(
    "fault", [{"drop": True}, {"status": 504}], ids=["drop-after-commit", "504-after-commit"]
)
def test_a_salesforce_create_whose_answer_is_lost_is_maybe_created(
    emulator: Emulator, both: Any, fault: dict[str, Any]
) -> None:
    sf, _hs = both
    rule = emulator.add_fault(SF_CREATE, after_commit=True, nth=1, **fault)
    [result] = sf.create("Lead", [{"LastName": "Once", "Company": "C"}])
    assert rule.fired == 1 and result.errors[0].code == TRANSIENT and maybe_done(result)
    assert emulator.call_count(SF_CREATE) == 1  # a create is never sent twice
    assert [r["LastName"] for r in sf.query("SELECT LastName FROM Lead")] == ["Once"]


@pytest.mark.parametrize(
    "fault", [{"drop": True}, {"status": 504}], ids=["drop-after-commit", "504-after-commit"]
)
def test_a_hubspot_create_whose_answer_is_lost_is_maybe_created(
    emulator: Emulator, both: Any, fault: dict[str, Any]
) -> None:
    _sf, hs = both
    rule = emulator.add_fault(HS_CREATE, after_commit=True, nth=1, **fault)
    [result] = hs.create("contacts", [{"email": "once@example.com"}])
    assert rule.fired == 1 and maybe_done(result)
    assert emulator.call_count(HS_CREATE) == 1
    assert [r["email"] for p in hs.read_changed("contacts", ["email"]) for r in p.records] == [
        "once@example.com"
    ]


def test_a_drop_before_commit_changes_nothing_and_only_the_nth_call_fails(
    emulator: Emulator, both: Any
) -> None:
    sf, _hs = both
    emulator.add_fault(SF_CREATE, drop=True, nth=2)
    assert sf.create("Lead", [{"LastName": "A", "Company": "C"}])[0].ok
    assert maybe_done(sf.create("Lead", [{"LastName": "B", "Company": "C"}])[0])
    assert sf.create("Lead", [{"LastName": "C", "Company": "C"}])[0].ok
    assert sorted(r["LastName"] for r in sf.query("SELECT LastName FROM Lead")) == ["A", "C"]


def test_an_update_whose_answer_is_lost_is_retried_safely(emulator: Emulator, both: Any) -> None:
    sf, _hs = both
    [made] = sf.create("Lead", [{"LastName": "A", "Company": "C"}])
    emulator.add_fault(
        "PATCH /services/data/*/composite/sobjects", drop=True, after_commit=True, nth=1
    )
    [result] = sf.update("Lead", [{"Id": made.id, "LastName": "B"}])
    assert result.ok  # repeated: an update is safe to send twice
    assert [r["LastName"] for r in sf.query("SELECT LastName FROM Lead")] == ["B"]
