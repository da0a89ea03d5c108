"""Leases per pair against a real PostgreSQL: one holder at a time, expiry, renewal."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from mapc.runtime.fleet.lease import Keeper, LeaseError, Leases, overlaps


@pytest.fixture
def leases(pg_database: str) -> Iterator[Leases]:
    store = Leases(pg_database, ttl=0.6)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM mapc_leases")
        conn.exec_driver_sql("DELETE FROM mapc_lease_log")
    yield store
    store.close()


def test_one_holder_at_a_time_until_released(leases: Leases) -> None:
    first = leases.acquire("p1@org", holder="w1")
    assert first is not None
    assert leases.acquire("p1@org", holder="w2") is None
    assert leases.acquire("p2@org", holder="w2") is not None  # another pair is free
    assert 0 < leases.held_for("p1@org") <= 0.6
    leases.release(first)
    second = leases.acquire("p1@org", holder="w2")
    assert second is not None and second.token != first.token
    assert overlaps(leases.history()) == []


def test_a_dead_holders_lease_expires_and_it_cannot_renew_after(leases: Leases) -> None:
    dead = leases.acquire("p1@org", holder="dead")
    assert dead is not None
    time.sleep(0.7)
    taker = leases.acquire("p1@org", holder="alive")
    assert taker is not None
    assert leases.renew(dead) is False  # it lost the pair: it must stop
    assert leases.renew(taker) is True
    leases.release(dead)  # a late release does not free the taker's lease
    assert leases.acquire("p1@org", holder="third") is None
    history = leases.history("p1@org")
    assert [row["holder"] for row in history] == ["dead", "alive"]
    assert overlaps(history) == []


def test_renewal_keeps_a_lease_past_its_first_expiry(leases: Leases) -> None:
    lease = leases.acquire("p1@org")
    assert lease is not None
    for _ in range(4):
        time.sleep(0.25)
        assert leases.renew(lease)
    assert leases.acquire("p1@org") is None  # 1 s after it was taken, still held


def test_only_one_of_many_racing_workers_gets_the_lease(leases: Leases) -> None:
    won: list[str] = []
    start = threading.Barrier(8)

    def race(n: int) -> None:
        start.wait()
        if leases.acquire("hot@org", holder=f"w{n}") is not None:
            won.append(f"w{n}")

    threads = [threading.Thread(target=race, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1, won


def test_overlaps_are_found_in_a_history_that_has_one() -> None:
    from datetime import UTC, datetime, timedelta

    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    row = {"pair": "p", "released_at": None}
    history = [
        {**row, "holder": "a", "acquired_at": t0, "expires_at": t0 + timedelta(seconds=60)},
        {**row, "holder": "b", "acquired_at": t0 + timedelta(seconds=30), "expires_at": t0},
    ]
    assert len(overlaps(history)) == 1
    history[0]["released_at"] = t0 + timedelta(seconds=10)
    assert overlaps(history) == []


def test_the_keeper_renews_and_stops_a_worker_that_lost_its_lease(leases: Leases) -> None:
    lease = leases.acquire("p1@org")
    assert lease is not None
    lost = threading.Event()
    with Keeper(leases, lease, on_lost=lost.set):
        time.sleep(1.0)  # past the 0.6 s it was first taken for
        assert leases.acquire("p1@org") is None and not lost.is_set()
        with leases.engine.begin() as conn:  # as if the database had not heard from it
            conn.exec_driver_sql(
                "UPDATE mapc_leases SET expires_at = clock_timestamp() - interval '1 second'"
            )
        assert leases.acquire("p1@org", holder="other") is not None
        assert lost.wait(2.0)


def test_leases_need_postgresql() -> None:
    with pytest.raises(LeaseError):
        Leases("sqlite://")
