"""Write batches in flight at once (MAPC_CONCURRENCY): each sent when full while the run
goes on, journalled before it is sent, at most N per lane, settled in queue order on the
run's own thread, and a run that ends as one at a time would."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from mapc.runtime.errors import ConfigurationError
from mapc.runtime.records import WriteResult
from mapc.runtime.sync.engine import SyncEngine, concurrency_from_env
from mapc.runtime.sync.writes import Writes
from tests.runtime.sync.conftest import SyncEnv


def test_batches_are_in_flight_together_and_settle_in_order() -> None:
    events: list[str] = []
    main = threading.get_ident()
    together = threading.Barrier(3, timeout=10)  # three sends at once, or this breaks

    def send(payloads: Any) -> list[WriteResult]:
        events.append(f"send {payloads[0]}")
        together.wait()
        return [WriteResult(i, True, f"id-{p}") for i, p in enumerate(payloads)]

    def done(result: WriteResult) -> None:
        assert threading.get_ident() == main
        events.append(f"done {result.id}")

    with ThreadPoolExecutor(3) as pool:
        writes = Writes(3, pool)
        writes.queue(
            "q",
            2,
            send,
            before=lambda batch: events.append(f"journal {batch[0].payload}"),
            after=lambda batch: events.append(f"after {batch[0].payload}"),
        )
        for n in range(6):
            writes.add("q", n, done)  # each full batch goes at once; adding goes on
        assert writes.in_flight == 3  # none can answer before the third is sent
        writes.flush_all()
    assert [e for e in events if e.startswith("journal")] == ["journal 0", "journal 2", "journal 4"]
    for n in (0, 2, 4):
        assert events.index(f"journal {n}") < events.index(f"send {n}")  # journal first
    assert [e for e in events if e.startswith(("done", "after"))] == [
        "done id-0", "done id-1", "after 0",
        "done id-2", "done id-3", "after 2",
        "done id-4", "done id-5", "after 4",
    ]  # fmt: skip
    assert writes.calls == 3


def test_the_run_goes_on_while_a_batch_is_in_flight_and_settles_it_later() -> None:
    answered = threading.Event()
    settled: list[str] = []

    def send(payloads: Any) -> list[WriteResult]:
        assert answered.wait(10)
        return [WriteResult(i, True, str(p)) for i, p in enumerate(payloads)]

    with ThreadPoolExecutor(2) as pool:
        writes = Writes(2, pool)
        writes.queue("sf:create:Lead", 2, send)
        writes.add("sf:create:Lead", 0, lambda r: settled.append(str(r.id)))
        writes.add("sf:create:Lead", 1, lambda r: settled.append(str(r.id)))
        assert writes.in_flight == 1 and settled == []  # sent, not waited for
        answered.set()
        writes.flush_all()
    assert settled == ["0", "1"]


def test_each_lane_has_its_own_batches_in_flight_and_never_more() -> None:
    """Salesforce's and HubSpot's queues each send up to `concurrency` batches at once."""
    lock = threading.Lock()
    now: Counter[str] = Counter()
    most: Counter[str] = Counter()
    both = threading.Barrier(4, timeout=10)  # two of each lane at once, or this breaks

    def sender(lane: str) -> Any:
        def send(payloads: Any) -> list[WriteResult]:
            with lock:
                now[lane] += 1
                most[lane] = max(most[lane], now[lane])
            if payloads[0] < 2:
                both.wait()
            with lock:
                now[lane] -= 1
            return [WriteResult(i, True, str(p)) for i, p in enumerate(payloads)]

        return send

    with ThreadPoolExecutor(4) as pool:
        writes = Writes(2, pool)
        writes.queue("sf:create:Lead", 1, sender("sf"))
        writes.queue("sf:update:Lead", 1, sender("sf"))
        writes.queue("hs:create:contacts", 1, sender("hs"))
        for n in range(6):
            writes.add("sf:create:Lead" if n % 2 else "sf:update:Lead", n, lambda r: None)
            writes.add("hs:create:contacts", n, lambda r: None)
        writes.flush_all()
    assert most == {"sf": 2, "hs": 2}
    assert writes.calls == 12


def test_a_failed_batch_stops_the_run_after_its_neighbours_are_recorded() -> None:
    settled: list[str] = []

    def send(payloads: Any) -> list[WriteResult]:
        if payloads[0] == 2:
            raise TimeoutError("no answer")
        return [WriteResult(i, True, str(p)) for i, p in enumerate(payloads)]

    with ThreadPoolExecutor(3) as pool:
        writes = Writes(3, pool)
        writes.queue("q", 2, send)
        with pytest.raises(TimeoutError):
            for n in range(6):
                writes.add("q", n, lambda r: settled.append(str(r.id)))
            writes.flush_all()
    assert settled == ["0", "1", "4", "5"]  # the batch sent beside the failed one counts


def test_drain_records_every_answer_in_flight_and_sends_nothing_queued() -> None:
    """A run stopping on its own thread: what was carried out is recorded, a batch whose
    answer never came is left maybe done, and nothing still queued is sent."""
    settled: list[str] = []
    sent: list[Any] = []
    gate = threading.Event()

    def send(payloads: Any) -> list[WriteResult]:
        gate.wait(5)
        sent.append(list(payloads))
        if payloads[0] == 2:
            raise TimeoutError("no answer")
        return [WriteResult(i, True, str(p)) for i, p in enumerate(payloads)]

    with ThreadPoolExecutor(3) as pool:
        writes = Writes(3, pool)
        writes.queue("q", 2, send)
        for n in range(7):  # three whole batches go out; the seventh item waits
            writes.add("q", n, lambda r: settled.append(str(r.id)))
        assert writes.in_flight == 3 and not settled
        gate.set()
        writes.drain()
    assert settled == ["0", "1", "4", "5"]
    assert writes.in_flight == 0
    assert sorted(map(tuple, sent)) == [(0, 1), (2, 3), (4, 5)]  # 6 was never sent


def test_a_deferred_queue_waits_for_room_in_its_lane_not_the_run() -> None:
    """Its full batches go as the lane frees up, whenever the run adds or settles; the
    run adds meanwhile (even to the busy lane's queue) and writes on another lane."""
    gate = threading.Event()
    sent: list[Any] = []

    def slow(payloads: Any) -> list[WriteResult]:
        assert gate.wait(10)
        sent.append(payloads[0])
        return [WriteResult(i, True, str(p)) for i, p in enumerate(payloads)]

    def fast(payloads: Any) -> list[WriteResult]:
        sent.append(payloads[0])
        return [WriteResult(i, True, str(p)) for i, p in enumerate(payloads)]

    settled: list[str] = []
    with ThreadPoolExecutor(4) as pool:
        writes = Writes(2, pool)
        writes.queue("hs:create:contacts", 2, slow)
        writes.queue("sf:create:Lead", 2, fast)
        writes.defer("hs:create:contacts")
        for n in range(10):  # two batches fill the lane; three more wait, none blocks
            writes.add("hs:create:contacts", n, lambda r: settled.append(str(r.id)))
        assert writes.in_flight == 2 and writes.backlog("hs:create:contacts") == 6
        for n in (100, 101):  # the other lane is not held up by the deferred one
            writes.add("sf:create:Lead", n, lambda r: settled.append(str(r.id)))
        writes.flush("sf:create:Lead")
        assert settled == ["100", "101"]
        gate.set()
        writes.send_below("hs:create:contacts", 3)  # waits for room: two more batches go
        assert writes.backlog("hs:create:contacts") == 2
        writes.flush_all()
    assert sorted(int(r) for r in settled) == [*range(10), 100, 101]
    assert sent.count(100) == 1 and sorted(p for p in sent if p < 100) == [0, 2, 4, 6, 8]


def test_a_deferred_queue_goes_as_it_fills_when_one_batch_goes_at_a_time() -> None:
    sent: list[Any] = []

    def send(payloads: Any) -> list[WriteResult]:
        sent.append(list(payloads))
        return [WriteResult(i, True, str(p)) for i, p in enumerate(payloads)]

    writes = Writes()  # no executor: nothing is in flight, so nothing need wait
    writes.queue("q", 2, send)
    writes.defer("q")
    for n in range(4):
        writes.add("q", n, lambda r: None)
    assert sent == [[0, 1], [2, 3]] and writes.backlog("q") == 0


def test_concurrency_comes_from_the_environment() -> None:
    assert concurrency_from_env({}) == 1
    assert concurrency_from_env({"MAPC_CONCURRENCY": "4"}) == 4
    for bad in ("0", "x", "99", "-1"):
        with pytest.raises(ConfigurationError):
            concurrency_from_env({"MAPC_CONCURRENCY": bad})


def test_a_run_with_batches_in_flight_syncs_everything_once(sync: SyncEnv) -> None:
    sync.seed(
        {
            "hubspot": {
                "records": {
                    "contacts": [
                        {"email": f"hs{i}@c.example", "lastname": f"H{i}", "lifecyclestage": "lead"}
                        for i in range(450)
                    ]
                }
            },
            "salesforce": {
                "records": {
                    "Lead": [
                        {"LastName": f"S{i}", "Company": "Co", "Email": f"sf{i}@c.example"}
                        for i in range(450)
                    ]
                }
            },
        }
    )
    engine = SyncEngine(sync.adapter, sync.salesforce, sync.hubspot, sync.state, concurrency=4)
    report = engine.run()
    assert report.failed == 0
    leads = Counter(str(r["Email"]) for r in sync.sf("Lead", fields="Id, Email"))
    contacts = Counter(str(r["email"]) for r in sync.hs("contacts", ("email",)))
    for i in range(450):
        assert leads[f"hs{i}@c.example"] == 1 and leads[f"sf{i}@c.example"] == 1
        assert contacts[f"hs{i}@c.example"] == 1 and contacts[f"sf{i}@c.example"] == 1
    assert sync.state.pending_creates("contacts") == []  # every journalled create settled
    before = sync.write_count()
    again = SyncEngine(sync.adapter, sync.salesforce, sync.hubspot, sync.state, concurrency=4)
    assert again.run().writes == 0
    assert sync.write_count() == before
