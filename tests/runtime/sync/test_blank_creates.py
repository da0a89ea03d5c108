"""A create that sends nothing to find it by (issue 9): after a lost answer, recovery has
no fingerprint, so it must neither guess nor create again while a record it may have made
is there. It holds the record, with a MAYBE_CREATED error for an operator, until no such
record is left."""

from __future__ import annotations

from typing import Any

import pytest

from tests.runtime.sync.compiled import fixture
from tests.runtime.sync.conftest import SyncEnv
from tests.runtime.sync.test_objects import WIDGET_OBJECT, WIDGET_SCHEMA

CREATE = "POST /crm/v3/objects/*/batch/create"


@pytest.fixture
def blank(sync: SyncEnv) -> SyncEnv:
    sync.adapter = fixture("blank")
    # A widget type with no required property: a widget made from a Salesforce widget
    # without a size has no value at all.
    schema = {**WIDGET_SCHEMA, "requiredProperties": []}
    sync.seed(
        {
            "salesforce": {
                "custom_objects": [WIDGET_OBJECT],
                "records": {"Widget__c": [{"Name": "Plain", "Code__c": "P-1"}]},
            },
            "hubspot": {"schemas": [schema]},
        }
    )
    return sync


def widgets(sync: SyncEnv) -> list[dict[str, Any]]:
    return sync.hs("p_widgets", ("size",))


@pytest.mark.parametrize(
    "fault",
    [{"drop": True, "after_commit": True}, {"status": 504, "after_commit": True}],
    ids=["drop-after-commit", "504-after-commit"],
)
def test_a_blank_create_whose_answer_was_lost_is_held_not_made_twice(
    blank: SyncEnv, fault: dict[str, Any]
) -> None:
    rule = blank.emulator.add_fault(CREATE, first_n=1, **fault)
    blank.run()
    assert rule.fired and len(widgets(blank)) == 1  # made, but the runner never heard
    blank.emulator.clear_faults()
    report = blank.run()
    assert len(widgets(blank)) == 1, "created a second time"
    assert report.failed == 1
    (error,) = [e for e in blank.state.log.errors() if e.code == "MAYBE_CREATED"]
    assert error.record_id == blank.sf("Widget__c")[0]["Id"]
    report = blank.run()  # still held, still reported, still one
    assert len(widgets(blank)) == 1 and report.failed == 1
    # The operator deletes the widget the lost answer made: the next run creates it once.
    (stray,) = widgets(blank)
    blank.hubspot.archive("p_widgets", [str(stray["id"])])
    assert blank.run().failed == 0
    assert len(widgets(blank)) == 1
    assert [e for e in blank.state.log.errors() if e.code == "MAYBE_CREATED"] == []
    blank.emulator.reset_calls()
    blank.run()
    assert blank.write_count() == 0, blank.writes()
    assert len(widgets(blank)) == 1


def test_a_blank_create_refused_for_certain_is_simply_made_again(blank: SyncEnv) -> None:
    blank.emulator.add_fault(CREATE, first_n=1, status=503)  # refused before committing
    blank.run()
    assert widgets(blank) == []
    blank.emulator.clear_faults()
    blank.run()
    assert len(widgets(blank)) == 1
