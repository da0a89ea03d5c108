"""R8: email opens and clicks -> one Salesforce Task per event, exactly once."""

from __future__ import annotations

from tests.runtime.sync.conftest import SyncEnv


def test_r8_one_task_per_event_never_deduplicated(sync: SyncEnv) -> None:
    sync.seed(
        {
            "hubspot": {
                "records": {"contacts": [{"email": "reader@example.com", "lastname": "Reader"}]},
                "email_events": [
                    {"id": "e1", "type": "OPEN", "recipient": "reader@example.com"},
                    {"id": "e2", "type": "OPEN", "recipient": "reader@example.com"},
                    {"id": "e3", "type": "CLICK", "recipient": "reader@example.com"},
                    {"id": "e4", "type": "DELIVERED", "recipient": "reader@example.com"},
                    {"id": "e5", "type": "OPEN", "recipient": "stranger@example.com"},
                ],
            }
        }
    )
    sync.run()
    [lead] = sync.sf("Lead")
    tasks = sync.sf("Task", fields="Id, Subject, WhoId")
    assert len(tasks) == 3  # two opens (not deduplicated) and a click; no DELIVERED
    assert {t["WhoId"] for t in tasks} == {lead["Id"]}
    sync.emulator.add_email_events(
        [{"id": "e6", "type": "OPEN", "recipient": "reader@example.com"}]
    )
    sync.run()
    assert len(sync.sf("Task", fields="Id")) == 4
    sync.emulator.reset_calls()
    sync.run()
    assert len(sync.sf("Task", fields="Id")) == 4
    assert sync.write_count() == 0, sync.writes()


def test_r8_events_of_a_contact_created_from_salesforce_in_the_same_run(sync: SyncEnv) -> None:
    sync.seed(
        {
            "salesforce": {
                "records": {
                    "Lead": [{"LastName": "New", "Company": "Co", "Email": "new@example.com"}]
                }
            },
            "hubspot": {
                "email_events": [{"id": "n1", "type": "CLICK", "recipient": "new@example.com"}]
            },
        }
    )
    sync.run()
    [lead] = sync.sf("Lead")
    [task] = sync.sf("Task", fields="Id, WhoId")
    assert task["WhoId"] == lead["Id"]


def test_r8_killed_after_tasks_were_created_makes_no_second_task(sync: SyncEnv) -> None:
    """The run dies after Salesforce created the tasks but before mapc recorded them: the
    next run finds them and claims them, one task per event, and creates none again."""
    from typing import Any

    import pytest

    from mapc.runtime.sync.engine import SyncEngine

    class Killed(BaseException):
        pass

    class KillAfterTasks:
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

        def create(self, sobject: str, records: Any) -> Any:
            result = self.inner.create(sobject, records)
            if sobject == "Task":
                raise Killed("killed after the tasks were created")
            return result

    sync.seed(
        {
            "hubspot": {
                "records": {"contacts": [{"email": "kill@example.com", "lastname": "Kill"}]},
                "email_events": [
                    {"id": "k1", "type": "OPEN", "recipient": "kill@example.com"},
                    {"id": "k2", "type": "OPEN", "recipient": "KILL@example.com"},
                    {"id": "k3", "type": "CLICK", "recipient": "kill@example.com"},
                ],
            }
        }
    )
    engine = SyncEngine(sync.adapter, KillAfterTasks(sync.salesforce), sync.hubspot, sync.state)
    with pytest.raises(Killed):
        engine.run()
    assert len(sync.sf("Task", fields="Id")) == 3
    sync.run()
    [lead] = sync.sf("Lead")
    tasks = sync.sf("Task", fields="Id, Subject, WhoId")
    assert len(tasks) == 3 and {t["WhoId"] for t in tasks} == {lead["Id"]}
    verbs = sorted(t["Subject"].split(":")[0] for t in tasks)
    assert verbs == ["Marketing email clicked", "Marketing email opened", "Marketing email opened"]
    sync.emulator.add_email_events([{"id": "k4", "type": "OPEN", "recipient": "kill@example.com"}])
    sync.run()
    assert len(sync.sf("Task", fields="Id")) == 4  # a later open is still its own task
    sync.emulator.reset_calls()
    sync.run()
    assert len(sync.sf("Task", fields="Id")) == 4
    assert sync.write_count() == 0, sync.writes()
    assert sync.hs_by_email()["kill@example.com"]["lastname"] == "Kill"
