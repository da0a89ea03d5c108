"""The Salesforce poll against the emulator: a first look only sets the mark, a new,
changed or deleted record is seen once, a second's later write is seen despite sharing
its SystemModstamp, and every call is counted in the state and stops at the budget."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mapc.emulator import Emulator
from mapc.runtime.budget import Allocation, Budget
from mapc.runtime.salesforce.client import SalesforceConnector
from mapc.runtime.sync.state import StateStore
from mapc.runtime.triggers.poll import Mark, SalesforcePoll, look
from tests.databases import StateTargets


def _lead(sf: SalesforceConnector, name: str) -> str:
    [result] = sf.create("Lead", [{"LastName": name, "Company": "Acme", "Email": f"{name}@x.io"}])
    assert result.ok, result
    return str(result.id)


def _day_ago() -> str:
    return (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_each_change_is_seen_once_and_every_call_counted(
    emulator: Emulator, sf: SalesforceConnector, new_state: StateTargets
) -> None:
    emulator.clock.freeze()
    _lead(sf, "before")
    state = StateStore(new_state())
    changes: list[list[str]] = []
    poll = SalesforcePoll(
        SalesforceConnector.from_env(emulator.env()),
        ["Lead", "Contact"],
        changes.append,
        state=state,
    )
    assert poll.tick() == []  # the first look sets the marks: what came before is the start run's
    assert poll.tick() == []
    emulator.clock.advance(2)
    first = _lead(sf, "first")
    assert poll.tick() == ["Lead"]
    # Another lead in the same second shares its SystemModstamp: still a change.
    _lead(sf, "second")
    assert poll.tick() == ["Lead"]
    assert poll.tick() == []
    emulator.clock.advance(2)
    sf.update("Lead", [{"Id": first, "FirstName": "Ada"}])
    assert poll.tick() == ["Lead"]
    emulator.clock.advance(2)
    assert sf.delete([first])[0].ok  # the recycle bin is read too (queryAll)
    assert poll.tick() == ["Lead"]
    assert poll.tick() == []
    assert changes == [["Lead"]] * 4
    # Two queries a look, each counted where the day's usage and the budget read.
    assert poll.looks == 8
    assert state.log.api_calls_since(_day_ago()) == {"salesforce": 16}
    assert state.log.recent_runs(5)[0]["status"] == "poll"


def test_the_poll_stops_at_the_budget(
    emulator: Emulator, sf: SalesforceConnector, new_state: StateTargets
) -> None:
    state = StateStore(new_state())
    poller = SalesforceConnector.from_env(emulator.env())
    budget = Budget({"salesforce": Allocation(calls=5)})
    poll = SalesforcePoll(poller, ["Lead", "Contact"], lambda _c: None, state=state, budget=budget)
    poll.tick()
    poll.tick()  # 4 calls made: a third look (2 more) would exceed 5
    before = sum(poller.calls.values())
    _lead(sf, "late")
    assert poll.tick() == []
    assert sum(poller.calls.values()) == before == 4
    assert state.log.api_calls_since(_day_ago()) == {"salesforce": 4}


def test_a_look_tells_new_from_seen() -> None:
    rows = [
        {"Id": "00Q2", "SystemModstamp": "2026-12-06T10:00:05.000+0000"},
        {"Id": "00Q1", "SystemModstamp": "2026-12-06T10:00:05.000+0000"},
        {"Id": "00Q0", "SystemModstamp": "2026-12-06T10:00:01.000+0000"},
    ]
    changed, mark = look(rows, None)
    assert not changed and mark == Mark("2026-12-06T10:00:05.000Z", frozenset({"00Q1", "00Q2"}))
    assert look(rows, mark) == (False, mark)
    changed, later = look([{"Id": "00Q0", "SystemModstamp": "2026-12-06T10:00:05Z"}, *rows], mark)
    assert changed and later.ids == {"00Q0", "00Q1", "00Q2"}
    assert look([], Mark(None)) == (False, Mark(None))
    changed, _ = look(rows[2:], Mark(None))  # the object's first record ever
    assert changed


def test_a_look_cut_short_by_a_failed_query_sees_its_changes_again(
    emulator: Emulator, sf: SalesforceConnector
) -> None:
    emulator.clock.freeze()
    changes: list[list[str]] = []
    connector = SalesforceConnector.from_env(emulator.env())
    poll = SalesforcePoll(connector, ["Lead", "Contact"], changes.append)
    assert poll.tick() == []
    emulator.clock.advance(2)
    _lead(sf, "cut")
    real_query = connector.query

    def contacts_time_out(soql: str, **options: Any) -> Any:
        if " FROM Contact" in soql:
            raise TimeoutError("the Contact look timed out")
        return real_query(soql, **options)

    connector.query = contacts_time_out  # type: ignore[method-assign]
    with pytest.raises(TimeoutError):
        poll.tick()  # the Lead look saw the lead; the Contact look failed
    connector.query = real_query  # type: ignore[method-assign]
    assert poll.tick() == ["Lead"]  # seen again, not lost with the cut-short look
    assert changes == [["Lead"]]
