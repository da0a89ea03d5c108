"""R8: email opens and clicks -> one Salesforce Task per event, exactly once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from mapc.runtime.sync.engine import SyncEngine
from tests.runtime.sync.compiled import fixture
from tests.runtime.sync.conftest import SyncEnv


class Killed(BaseException):
    """The process dies: nothing after it runs, not even the engine's own error handling."""


class KillAfterTasks:
    """A Salesforce connector that dies right after Salesforce created a batch of Tasks
    `dies_on` accepts, before mapc could record them."""

    def __init__(self, inner: Any, dies_on: Callable[[list[Any]], bool] = lambda _r: True):
        self.inner, self.dies_on = inner, dies_on

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def create(self, sobject: str, records: Any) -> Any:
        result = self.inner.create(sobject, records)
        if sobject == "Task" and self.dies_on(list(records)):
            raise Killed("killed after the tasks were created")
        return result


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


DAY_MS = 86_400_000


def test_r8_events_of_a_contact_that_starts_syncing_later_become_tasks_within_the_window(
    shaped: SyncEnv,
) -> None:
    """`look back 7 days`: an event read while its contact was outside the inclusion list
    becomes a task once the contact syncs, though the cursor has long passed it; one older
    than the window does not. Subjects name the campaign (read from HubSpot), not its id."""
    sync = shaped  # on an org with and one without person accounts
    sync.adapter = fixture("events")
    now = sync.emulator.clock.now_ms()
    sync.seed(
        {
            "hubspot": {
                "email_campaigns": [{"id": 42, "name": "Spring launch"}],
                "records": {
                    "contacts": [
                        {
                            "email": "late@example.com",
                            "lastname": "Late",
                            "lifecyclestage": "subscriber",
                        },
                        {"email": "now@example.com", "lastname": "Now", "lifecyclestage": "lead"},
                    ]
                },
                "email_events": [
                    # Read in the first run, when `late` does not sync yet.
                    {
                        "id": "old",
                        "type": "OPEN",
                        "recipient": "late@example.com",
                        "created": now - 2 * DAY_MS,
                        "emailCampaignId": 42,
                    },
                    {
                        "id": "ancient",
                        "type": "CLICK",
                        "recipient": "late@example.com",
                        "created": now - 9 * DAY_MS,
                        "emailCampaignId": 42,
                    },
                    # A newer event moves the cursor past both.
                    {
                        "id": "fresh",
                        "type": "CLICK",
                        "recipient": "now@example.com",
                        "created": now,
                        "emailCampaignId": 42,
                    },
                ],
            }
        }
    )
    report = sync.run()
    assert report.failed == 0
    tasks = sync.sf("Task", fields="Id, Subject, WhoId")
    [now_lead] = sync.sf("Lead", "Email = 'now@example.com'")
    assert [(t["Subject"], t["WhoId"]) for t in tasks] == [
        ("Marketing email clicked: Spring launch", now_lead["Id"])
    ]
    late = sync.hs_by_email()["late@example.com"]
    sync.hubspot.update("contacts", [{"id": late["id"], "lifecyclestage": "lead"}])
    sync.run()  # `late` syncs now: its event of two days ago becomes a task
    [late_lead] = sync.sf("Lead", "Email = 'late@example.com'")
    late_tasks = sync.sf("Task", f"WhoId = '{late_lead['Id']}'", fields="Id, Subject, Description")
    assert [t["Subject"] for t in late_tasks] == ["Marketing email opened: Spring launch"]
    assert "HubSpot email event old" in late_tasks[0]["Description"]  # not `ancient`
    sync.emulator.reset_calls()
    report = sync.run()
    assert sync.write_count() == 0, sync.writes()
    assert report.failed == 0
    assert len(sync.sf("Task", fields="Id")) == 2


def test_r8_a_task_names_the_campaign_hubspot_reads_back_and_its_id_only_without_one(
    shaped: SyncEnv,
) -> None:

    sync = (
        shaped  # on an org with and one without person accounts    sync.adapter = fixture("events")
    )
    sync.seed(
        {
            "hubspot": {
                "email_campaigns": [{"id": 7, "name": "Webinar invite"}],
                "records": {"contacts": [{"email": "r@example.com", "lastname": "R"}]},
                "email_events": [
                    {"id": "a", "type": "OPEN", "recipient": "r@example.com", "emailCampaignId": 7},
                    {"id": "b", "type": "OPEN", "recipient": "r@example.com", "emailCampaignId": 7},
                ],
            }
        }
    )
    sync.emulator.reset_calls()
    sync.run()
    subjects = sorted(t["Subject"] for t in sync.sf("Task", fields="Id, Subject"))
    assert subjects == ["Marketing email opened: Webinar invite"] * 2
    reads = {k: v for k, v in sync.emulator.calls().items() if "campaigns" in k}
    assert sum(reads.values()) == 1, reads  # one read per campaign per run


class Recording:
    """A connector that keeps every record the engine hands it to write."""

    WRITES = ("create", "update", "upsert")

    def __init__(self, inner: object, sent: list[dict[str, object]]) -> None:
        self.inner = inner
        self.sent = sent

    def __getattr__(self, name: str) -> object:
        found = getattr(self.inner, name)
        if name not in self.WRITES:
            return found

        def write(*args: object, **kwargs: object) -> object:
            self.sent.extend(dict(r) for r in args[-1])  # type: ignore[attr-defined]
            return found(*args, **kwargs)

        return write


def test_what_the_engine_sends_is_the_records_fields_and_nothing_of_its_own(
    sync: SyncEnv,
) -> None:
    """Creates both ways are journalled by their source record and tasks by their event,
    beside the write, never inside it: no payload carries an engine key ("@...")."""
    sync.seed(
        {
            "salesforce": {
                "records": {
                    "Lead": [{"LastName": "New", "Company": "Co", "Email": "new@example.com"}]
                }
            },
            "hubspot": {
                "records": {"contacts": [{"email": "hs@example.com", "lastname": "Hs"}]},
                "email_events": [
                    {"id": "p1", "type": "CLICK", "recipient": "new@example.com"},
                    {"id": "p2", "type": "OPEN", "recipient": "hs@example.com"},
                ],
            },
        }
    )
    sent: list[dict[str, object]] = []
    engine = SyncEngine(
        sync.adapter,
        Recording(sync.salesforce, sent),  # type: ignore[arg-type]
        Recording(sync.hubspot, sent),  # type: ignore[arg-type]
        sync.state,
    )
    report = engine.run()
    assert not report.failed, report.actions
    assert len(sync.sf("Lead")) == 2 and len(sync.hs("contacts")) == 2
    assert len(sync.sf("Task", fields="Id")) == 2
    assert len(sent) >= 4, sent  # a create each way and two tasks at least
    assert [r for r in sent if any(str(k).startswith("@") for k in r)] == []
    assert sync.state.pending_creates("contacts") == []  # each journalled, then cleared


def test_r8_tasks_beside_a_pair_creating_tasks_keep_their_own_journal(sync: SyncEnv) -> None:
    """A `calls -> Task` pair and email events both create Tasks: each journals its own
    creates, so a run killed after the events' tasks were created still claims them (no
    second task), and no call is linked to an event's task."""
    from dataclasses import replace

    sync.adapter = replace(fixture("objects"), email_events=fixture("seed").email_events)
    sync.seed(
        {
            "salesforce": {
                "records": {"Contact": [{"LastName": "Lee", "Email": "ann@acme.example"}]}
            },
            "hubspot": {
                "records": {
                    "contacts": [{"_ref": "ann", "email": "ann@acme.example", "lastname": "Lee"}],
                    "calls": [{"_ref": "call", "hs_call_title": "Discovery call"}],
                },
                "associations": [
                    {
                        "from": {"type": "calls", "id": "@call"},
                        "to": {"type": "contacts", "id": "@ann"},
                    }
                ],
                "email_events": [
                    {"id": "t1", "type": "OPEN", "recipient": "ann@acme.example"},
                    {"id": "t2", "type": "CLICK", "recipient": "ann@acme.example"},
                ],
            },
        }
    )
    events_only = KillAfterTasks(
        sync.salesforce, lambda records: "Marketing email" in str(records[0].get("Subject"))
    )
    engine = SyncEngine(sync.adapter, events_only, sync.hubspot, sync.state)
    with pytest.raises(Killed):
        engine.run()
    assert sync.state.pending_creates("calls") == []  # the call's task was recorded
    sync.run()
    subjects = sorted(t["Subject"] for t in sync.sf("Task", fields="Id, Subject"))
    assert len(subjects) == 3, subjects  # the call's task and one per event, none twice
    assert subjects[0] == "Discovery call"
    sync.emulator.reset_calls()
    sync.run()
    assert sync.write_count() == 0, sync.writes()
