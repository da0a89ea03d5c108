"""Rate limits shared across workers, against a real Redis."""

from __future__ import annotations

import threading
import time
from typing import Any

from mapc.runtime.fleet.limits import (
    SharedHubSpotLimiter,
    SharedSalesforceLimiter,
    SharedWindow,
    Window,
)


def test_two_workers_share_one_window(redis_client: Any, scope: str) -> None:
    one = SharedWindow(redis_client, scope, Window(5, 1.0))
    two = SharedWindow(redis_client, scope, Window(5, 1.0))
    taken = [one.try_take() for _ in range(3)] + [two.try_take() for _ in range(2)]
    assert taken == [0.0] * 5
    wait = two.try_take()
    assert 0 < wait <= 1.0
    assert one.try_take() > 0  # the first worker is held back too
    time.sleep(wait + 0.05)
    assert one.try_take() == 0.0
    other = SharedWindow(redis_client, f"{scope}-other", Window(5, 1.0))
    assert other.try_take() == 0.0  # another scope has its own budget


def test_the_shared_window_paces_many_threads(redis_client: Any, scope: str) -> None:
    windows = [SharedWindow(redis_client, scope, Window(10, 1.0)) for _ in range(4)]
    started = time.monotonic()
    threads = [
        threading.Thread(target=lambda w=w: [w.acquire() for _ in range(6)]) for w in windows
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # 24 calls at 10 a second: the last ten cannot start before 2 s have passed.
    assert time.monotonic() - started >= 1.9
    assert sum(w.waited for w in windows) > 0


def test_an_org_allocation_is_shared_by_every_portal_on_it(redis_client: Any, scope: str) -> None:
    slept: list[float] = []
    portal_a = SharedSalesforceLimiter(redis_client, scope, Window(4, 30.0), sleep=slept.append)
    portal_b = SharedSalesforceLimiter(redis_client, scope, Window(4, 30.0), sleep=slept.append)
    for _ in range(2):
        portal_a()
        portal_b()
    assert slept == []
    assert portal_b.window.try_take() > 25  # the org's four calls are spent, for both


def test_hubspot_search_counts_against_both_limits(redis_client: Any, scope: str) -> None:
    limiter = SharedHubSpotLimiter(redis_client, scope, requests_per_10s=3, searches_per_second=2)
    limiter.acquire(search=True)
    limiter.acquire(search=True)
    assert limiter.searches.try_take() > 0
    limiter.acquire()
    assert limiter.windows[0].try_take() > 0  # 3 calls in 10 s: two searches and one more
    other_portal = SharedHubSpotLimiter(redis_client, f"{scope}-b", requests_per_10s=3)
    assert other_portal.windows[0].try_take() == 0.0
