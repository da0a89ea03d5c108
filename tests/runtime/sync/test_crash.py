"""Crash safety, injected faults and rejected records, end to end."""

from __future__ import annotations

from typing import Any

from mapc.runtime.errors import ConnectorError
from mapc.runtime.sync.state import StateStore
from tests.runtime.sync.conftest import SyncEnv, base_seed
from tests.runtime.sync.worlds import mixed_seed, world

WRITES = ("create", "update", "associate", "unsubscribe_all_batch")


class Killed(BaseException):
    """Stands in for SIGKILL: not an Exception, so nothing on the way up handles it."""


class Killer:
    """Wraps a connector; the Nth write (counting both connectors) happens, then the run dies."""

    def __init__(self, at: int) -> None:
        self.at = at
        self.seen = 0

    def wrap(self, inner: Any) -> Any:
        killer = self

        class Proxy:
            def __getattr__(self, name: str) -> Any:
                attr = getattr(inner, name)
                if name not in WRITES:
                    return attr

                def call(*args: Any, **kwargs: Any) -> Any:
                    result = attr(*args, **kwargs)
                    killer.seen += 1
                    if killer.seen == killer.at:
                        raise Killed(f"killed after write {killer.at}")
                    return result

                return call

        return Proxy()


def fresh(sync: SyncEnv) -> None:
    sync.emulator.reset(person_accounts=True)
    sync.seed(base_seed())
    sync.seed(mixed_seed())


def reference_world(sync: SyncEnv, state_path: str) -> tuple[dict[str, Any], int]:
    fresh(sync)
    sync.emulator.reset_calls()
    sync.run(state=StateStore(state_path))
    return world(sync), sync.write_count()


def test_mixed_world_converges_and_second_run_writes_nothing(sync: SyncEnv) -> None:
    sync.seed(mixed_seed())
    report = sync.run()
    assert report.failed == 0, [a for a in report.actions if a.op == "error"]
    before = world(sync)
    assert len(before["tasks"]) == 3  # ev-1, ev-2 (Ann), ev-3; the stranger's is skipped
    assert ("ann@acme.example", "Lee", "Ann", "CEO", False, "Lead") in before["sf_people"]
    assert "sub@only.example" not in [p[0] for p in before["sf_people"]]
    sync.emulator.reset_calls()
    sync.run()
    assert sync.write_count() == 0, sync.writes()
    assert world(sync) == before


# A run killed after each write, in turn, is covered by the fault matrix
# (test_fault_matrix.py), with a real process dying rather than an exception.


def test_503_and_429_faults_lose_nothing(sync: SyncEnv, tmp_path: Any) -> None:
    expected, _ = reference_world(sync, sync.new_state("ref"))
    fresh(sync)
    rules = [
        sync.emulator.add_fault("*", status=429, retry_after=0, every_nth=4),
        sync.emulator.add_fault("POST /services/data/*/composite/sobjects", status=503, first_n=1),
        sync.emulator.add_fault(
            "POST /crm/v3/objects/contacts/batch/create", status=503, first_n=1
        ),
        sync.emulator.add_fault("POST /crm/v3/objects/contacts/search", status=503, first_n=2),
    ]
    state = StateStore(sync.new_state("faults"))
    failures = 0
    for _ in range(6):
        try:
            sync.run(state=state)
            break
        except ConnectorError:
            failures += 1  # a create that may not be repeated safely: the run stops
    assert failures < 6  # a run got through while the faults were still being injected
    assert all(rule.fired for rule in rules), [r.to_dict() for r in rules]
    sync.emulator.clear_faults()
    sync.run(state=state)
    assert world(sync) == expected
    sync.emulator.reset_calls()
    sync.run(state=state)
    assert sync.write_count() == 0, sync.writes()


def test_rejected_record_is_logged_and_the_batch_proceeds(sync: SyncEnv) -> None:
    sync.seed(
        {
            "hubspot": {
                "records": {
                    "contacts": [
                        {"email": "ok1@example.com", "lastname": "One"},
                        {"email": "bad@example.com", "lastname": "B" * 300},
                        {"email": "ok2@example.com", "lastname": "Two"},
                    ]
                }
            }
        }
    )
    report = sync.run()
    assert report.failed == 1
    assert sorted(r["Email"] for r in sync.sf("Lead")) == ["ok1@example.com", "ok2@example.com"]
    [error] = sync.state.log.errors()
    assert error.code == "STRING_TOO_LONG" and error.side == "salesforce"
    # Fixed in HubSpot: the next run syncs it and the error is resolved.
    bad = sync.hs_by_email()["bad@example.com"]
    sync.hubspot.update("contacts", [{"id": bad["id"], "lastname": "Better"}])
    sync.run()
    assert len(sync.sf("Lead")) == 3
    assert sync.state.log.errors() == []
