"""Pairs as jobs, end to end: the emulator, a PostgreSQL state, Redis limits, and a real
Dramatiq worker taking the job from RabbitMQ."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from mapc.runtime.fleet.config import Fleet, load_fleet
from mapc.runtime.fleet.job import PairBusy, sync_pair
from mapc.runtime.fleet.lease import Leases, overlaps
from mapc.runtime.sync.state import StateStore
from tests.databases import StateTargets
from tests.runtime.sync.conftest import base_seed

GENERATED = Path(__file__).resolve().parents[2] / "generated" / "hubspot_salesforce.py"


def people(n: int) -> dict[str, Any]:
    seed = base_seed()
    seed["salesforce"]["records"]["Lead"] = [
        {"LastName": f"Lead {i}", "Company": "Co", "Email": f"sf{i}@fleet.example"}
        for i in range(n)
    ]
    seed["hubspot"]["records"] = {
        "contacts": [
            {"email": f"hs{i}@fleet.example", "lastname": f"C {i}", "lifecyclestage": "lead"}
            for i in range(n)
        ]
    }
    return seed


@pytest.fixture
def fleet(emulator: Any, pg_database: str, tmp_path: Path) -> Iterator[Fleet]:
    emulator.configure(person_accounts=True)
    emulator.seed(people(3))
    state = StateTargets(tmp_path, pg_database)("fleet")
    StateStore(state, create=True).close()
    path = tmp_path / "fleet.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "state": state,
                "adapter": str(GENERATED),
                "lease_seconds": 5,
                "salesforce_limit": {"calls": 1000, "seconds": 10},
                "pairs": [{"account": "portal-1", "org": "org-a", "env": emulator.runner_env()}],
            }
        )
    )
    yield load_fleet(path)


def test_a_pair_syncs_under_its_lease_and_waits_while_another_holds_it(
    fleet: Fleet, redis_client: Any, emulator: Any
) -> None:
    leases = Leases(fleet.state, ttl=fleet.lease_seconds)
    report = sync_pair(fleet, "portal-1@org-a", leases, redis_client)
    assert report.failed == 0 and report.writes == 6  # three contacts each way
    held = leases.acquire("portal-1@org-a", holder="another worker")
    assert held is not None
    with pytest.raises(PairBusy) as busy:
        sync_pair(fleet, "portal-1@org-a", leases, redis_client)
    assert 0 < busy.value.seconds <= 5
    leases.release(held)
    assert sync_pair(fleet, "portal-1@org-a", leases, redis_client).writes == 0
    assert overlaps(leases.history()) == []
    leases.close()


def test_a_worker_takes_the_pair_from_rabbitmq_and_syncs_it(
    fleet: Fleet, redis_client: Any, rabbitmq_url: str, emulator: Any
) -> None:
    import dramatiq

    from mapc.runtime.fleet import queue

    name = f"mapc-test-{uuid.uuid4().hex[:8]}"
    broker = queue.setup(rabbitmq_url, queue=name)
    worker = dramatiq.Worker(broker, worker_threads=1)
    worker.start()
    try:
        [message_id] = queue.enqueue(fleet)
        assert message_id
        state = StateStore(fleet.state, account="portal-1", create=False)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not [
            r for r in state.log.recent_runs() if r.get("ended_at")
        ]:
            time.sleep(0.2)
        runs = state.log.recent_runs()
        state.close()
    finally:
        worker.stop()
        broker.channel.queue_delete(name)
        broker.channel.queue_delete(f"{name}.DQ")
        broker.channel.queue_delete(f"{name}.XQ")
        broker.close()
    assert [r["status"] for r in runs] == ["completed"], runs
    emails = {
        str(r["properties"]["email"]) for r in emulator.dump()["hubspot"]["records"]["contacts"]
    }
    assert {f"sf{i}@fleet.example" for i in range(3)} <= emails


def test_what_a_failed_job_does_next() -> None:
    from mapc.runtime.errors import AuthenticationError, ConfigurationError
    from mapc.runtime.fleet.queue import _retry_when

    assert _retry_when(50, PairBusy("p@o", 3.0))  # waits its turn, however long
    assert _retry_when(0, TimeoutError("an outage")) and not _retry_when(5, TimeoutError())
    assert not _retry_when(0, AuthenticationError("a refused token"))
    assert not _retry_when(0, ConfigurationError("a broken fleet file"))


def test_webhooks_and_the_org_poll_queue_the_pair_and_a_worker_syncs_it(
    fleet: Fleet,
    redis_client: Any,
    rabbitmq_url: str,
    emulator: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`mapc serve --fleet`'s triggers: a burst of events for the pair's portal queues
    it once; a lead created in its org later is found by the org's poll and queued too;
    a real worker syncs both."""
    import dramatiq

    from mapc.runtime.fleet import queue
    from mapc.runtime.salesforce.client import SalesforceConnector
    from mapc.runtime.triggers import hub
    from mapc.runtime.triggers.events import Event

    fleet = replace(fleet, pairs=(replace(fleet.pairs[0], portal="62515"),))
    name = f"mapc-test-{uuid.uuid4().hex[:8]}"
    broker = queue.setup(rabbitmq_url, queue=name)
    sent: list[str] = []
    real_enqueue = queue.enqueue

    def enqueue(fleet: Fleet, pairs: list[str] | None = None) -> list[str]:
        sent.extend(pairs or [])
        return real_enqueue(fleet, pairs)

    monkeypatch.setattr(queue, "enqueue", enqueue)
    worker = dramatiq.Worker(broker, worker_threads=1)
    worker.start()
    triggers = hub.fleet(fleet, window=0.2, poll_interval=0.5, redis=redis_client)
    state = StateStore(fleet.state, account="portal-1", create=False)

    def completed() -> int:
        return len([r for r in state.log.recent_runs() if r["status"] == "completed"])

    def hubspot_emails() -> set[str]:
        contacts = emulator.dump()["hubspot"]["records"].get("contacts", [])
        return {str(r["properties"].get("email")) for r in contacts}

    try:
        triggers.start()
        events = [Event(str(n), "62515", "contact.propertyChange", str(n), 1) for n in range(5)]
        out = triggers.hubspot([*events, Event("9", "1", "contact.creation", "9", 1)])
        assert out.triggered == ["portal-1@org-a"] and out.unknown_portals == ["1"]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not completed():
            time.sleep(0.2)
        assert completed() and sent[0] == "portal-1@org-a"
        [poll] = triggers.pollers
        while poll.looks < 1:
            time.sleep(0.1)
        salesforce = SalesforceConnector.from_env(emulator.runner_env())
        lead = {"LastName": "Polled", "Company": "Co", "Email": "polled@fleet.example"}
        assert salesforce.create("Lead", [lead])[0].ok
        while time.monotonic() < deadline and "polled@fleet.example" not in hubspot_emails():
            time.sleep(0.2)
        assert "polled@fleet.example" in hubspot_emails()
    finally:
        triggers.stop()
        worker.stop()
        state.close()
        broker.channel.queue_delete(name)
        broker.channel.queue_delete(f"{name}.DQ")
        broker.channel.queue_delete(f"{name}.XQ")
        broker.close()
    assert set(sent) == {"portal-1@org-a"} and len(sent) >= 2
