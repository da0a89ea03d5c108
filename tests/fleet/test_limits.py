"""Rate limits shared across workers, against a real Redis."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from mapc.runtime.fleet.limits import (
    PREFIX,
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


def test_an_api_budget_and_the_fleets_org_limit_both_check_every_call(
    emulator_env: Any, redis_client: Any, scope: str
) -> None:
    """A worker's Salesforce calls count against the org's shared window and a run's
    API budget at once; the budget's guard going leaves the shared limit in place."""
    from mapc.runtime.api_usage import RunUsage, meter_of
    from mapc.runtime.budget import Allocation, Budget, BudgetExhausted
    from mapc.runtime.fleet.config import Fleet, PairSpec
    from mapc.runtime.fleet.job import connectors

    spec = PairSpec("portal", scope, dict(emulator_env.env()))
    fleet = Fleet("sqlite://", "adapter.py", (spec,), salesforce_limit=Window(3, 60.0))
    sf, _hs = connectors(fleet, spec, redis_client)
    usage = RunUsage({"salesforce": meter_of(sf)})
    remove = Budget({"salesforce": Allocation(calls=2)}).guard(usage, {}, {})
    sf.users()
    sf.users()
    with pytest.raises(BudgetExhausted):
        sf.users()  # the budget refuses the third call
    assert usage.calls("salesforce") == 2
    key = f"{PREFIX}salesforce:{scope}"
    assert redis_client.zcard(key) == 2  # the org's window counted the two calls it passed
    remove()
    sf.users()  # the budget gone, the org's window still counts
    assert redis_client.zcard(key) == 3
    assert SharedWindow(redis_client, f"salesforce:{scope}", Window(3, 60.0)).try_take() > 50
