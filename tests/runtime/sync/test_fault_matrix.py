"""The fault matrix (issue 9): every write call of a full run, in turn, fails in each way
a write can fail, and the re-runs converge to exactly what a run without faults makes.

(a) the server carries the call out and the connection drops before the answer;
(b) the server carries it out and answers 504;
(c) the server answers 503 without carrying it out;
(d) the runner is killed (os._exit in a forked child, no cleanup of any kind) right after
    the call was sent and answered, before it could look at the answer.

After each: one more run, then both CRMs must equal the fault-free run's (no duplicate,
no lost field, every opt-out applied), and a final run must write nothing. The sample has
every object pair, opt-outs both ways, a deal each way, Closed/Won and email-event tasks.
"""

from __future__ import annotations

import contextlib
import http.client
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from mapc.runtime.errors import ConnectorError
from mapc.runtime.sync.engine import SyncEngine
from mapc.runtime.sync.state import StateStore
from tests.runtime.sync.conftest import SyncEnv, connectors, is_write
from tests.runtime.sync.test_crash import fresh
from tests.runtime.sync.worlds import world

KILLED = 137


def full_world(sync: SyncEnv) -> dict[str, Any]:
    """`world`, plus the fields of deals, opportunities, companies and accounts."""
    picture = world(sync)
    picture["deal_fields"] = sorted(
        (str(d.get("dealname")), d.get("amount"), d.get("dealstage"))
        for d in sync.hs("deals", ("dealname", "amount", "dealstage"))
    )
    picture["opportunity_fields"] = sorted(
        (r["Name"], r.get("Amount"), r.get("StageName"))
        for r in sync.sf("Opportunity", fields="Id, Name, Amount, StageName")
    )
    picture["company_fields"] = sorted(
        (str(c.get("name")), c.get("domain")) for c in sync.hs("companies", ("name", "domain"))
    )
    return picture


def write_calls(sync: SyncEnv) -> list[tuple[str, int]]:
    """(route, nth call of that route) for every write call of the last run."""
    return [(key, n) for key, count in sorted(sync.writes().items()) for n in range(1, count + 1)]


@pytest.fixture
def reference(sync: SyncEnv, tmp_path: Path) -> tuple[dict[str, Any], list[tuple[str, int]]]:
    fresh(sync)
    sync.run(state=StateStore(sync.new_state("reference")))
    calls = write_calls(sync)
    assert len(calls) >= 10, calls
    return full_world(sync), calls


def converges(
    sync: SyncEnv, state: StateStore, expected: dict[str, Any], case: str, problems: list[str]
) -> None:
    try:
        sync.emulator.clear_faults()
        sync.run(state=state)
        got = full_world(sync)
        if got != expected:
            diff = {k: (got[k], expected[k]) for k in expected if got.get(k) != expected[k]}
            problems.append(f"{case}: after one more run the CRMs differ: {diff}")
            return
        sync.emulator.reset_calls()
        sync.run(state=state)
        if sync.write_count():
            problems.append(f"{case}: the final run wrote {sync.writes()}")
    finally:
        state.close()


FAULTS: dict[str, dict[str, Any]] = {
    "drop-after-commit": {"drop": True, "after_commit": True},
    "504-after-commit": {"status": 504, "after_commit": True},
    "503-before-commit": {"status": 503},
}


@pytest.mark.parametrize("kind", sorted(FAULTS))
def test_each_write_failing_on_the_wire_converges(
    sync: SyncEnv, tmp_path: Path, reference: tuple[dict[str, Any], list[Any]], kind: str
) -> None:
    expected, calls = reference
    problems: list[str] = []
    for route, nth in calls:
        case = f"{kind} on call {nth} of {route}"
        fresh(sync)
        rule = sync.emulator.add_fault(route, nth=nth, **FAULTS[kind])
        state = StateStore(sync.new_state(f"wire-{kind}"))  # a new one each time
        with contextlib.suppress(ConnectorError):  # a run may stop; the next must converge
            sync.run(state=state)
        if not rule.fired:
            problems.append(f"{case}: the run made fewer calls than the reference run")
            state.close()
            continue
        converges(sync, state, expected, case, problems)
    assert problems == [], "\n".join(problems)


# -- (d) kill -9 --------------------------------------------------------------------------


def _die_after_write(n: int) -> Callable[[], None]:
    """Patch http.client (under requests and urllib3 alike) in this process: the nth write
    call's answer arrives, then the process ends at once, before anyone reads it."""
    seen = {"writes": 0, "current": ""}
    put, get = http.client.HTTPConnection.putrequest, http.client.HTTPConnection.getresponse

    def putrequest(self: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        seen["current"] = f"{method} {urlsplit(url).path}"
        return put(self, method, url, *args, **kwargs)

    def getresponse(self: Any) -> Any:
        response = get(self)
        if is_write(seen["current"]):
            seen["writes"] += 1
            if seen["writes"] == n:
                os._exit(KILLED)
        return response

    http.client.HTTPConnection.putrequest = putrequest  # type: ignore[method-assign]
    http.client.HTTPConnection.getresponse = getresponse  # type: ignore[method-assign]

    def undo() -> None:
        http.client.HTTPConnection.putrequest = put  # type: ignore[method-assign]
        http.client.HTTPConnection.getresponse = get  # type: ignore[method-assign]

    return undo


def run_killed_at(sync: SyncEnv, state_path: str, n: int) -> int:
    """Run in a forked child that dies after its nth write; the child's exit status."""
    pid = os.fork()
    if pid == 0:  # the child: nothing of the parent's connections or database is reused
        code = 1
        try:
            _die_after_write(n)
            sf, hs = connectors(sync.emulator.env())
            SyncEngine(sync.adapter, sf, hs, StateStore(state_path)).run()
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_a_runner_killed_after_each_write_converges(
    sync: SyncEnv, tmp_path: Path, reference: tuple[dict[str, Any], list[Any]]
) -> None:
    expected, calls = reference
    problems: list[str] = []
    for n in range(1, len(calls) + 1):
        fresh(sync)
        path = sync.new_state(f"kill-{n}")
        StateStore(path).close()
        code = run_killed_at(sync, path, n)
        if code != KILLED:
            problems.append(f"kill after write {n}: the child ended with {code}")
            continue
        converges(sync, StateStore(path), expected, f"kill after write {n}", problems)
    assert problems == [], "\n".join(problems)
