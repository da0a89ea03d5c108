"""HubSpot's rate limits: its burst and search limits on the client side, and what its
X-HubSpot-RateLimit-* headers say to the retry policy."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import replace

from mapc.runtime.ratelimit import SlidingWindowLimiter
from mapc.runtime.retry import Failure, RetryPolicy


def hubspot_window_wait(failure: Failure) -> float | None:
    """When HubSpot says the current window is used up, how long until it resets."""
    remaining = failure.header("x-hubspot-ratelimit-remaining")
    interval = failure.header("x-hubspot-ratelimit-interval-milliseconds")
    if remaining is not None and remaining.strip() == "0" and interval and interval.isdigit():
        return int(interval) / 1000.0
    secondly = failure.header("x-hubspot-ratelimit-secondly-remaining")
    if secondly is not None and secondly.strip() == "0":
        return 1.0
    return None


def daily_limit_exhausted(failure: Failure) -> bool:
    remaining = failure.header("x-hubspot-ratelimit-daily-remaining")
    return failure.status == 429 and remaining is not None and remaining.strip() == "0"


def hubspot_policy(policy: RetryPolicy) -> RetryPolicy:
    """`policy`, reading HubSpot's rate-limit headers."""
    return replace(policy, window_wait=hubspot_window_wait, exhausted=daily_limit_exhausted)


SEARCH_MARGIN = 0.03
GENERAL_MARGIN = 0.1
"""Seconds each call is counted beyond its window (3% of search's second, 1% of the 10 s
window): paced exactly to the limit, jitter between us and HubSpot lets some calls land
inside the server's window and come back 429, each costing a second's Retry-After."""


SEARCHING = 2.0
"""Seconds after a search during which searches count as still going (one every 0.2 s at
full speed; a page's answer and its staging fit well within)."""


class HubSpotLimiter:
    """HubSpot's burst limit (requests per 10 seconds, per account and app) and the
    separate CRM search limit (requests per second); a search counts against both."""

    def __init__(
        self,
        requests_per_10s: int = 100,
        searches_per_second: int = 5,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.general = SlidingWindowLimiter(
            requests_per_10s, 10.0, margin=GENERAL_MARGIN, clock=clock, sleep=sleep
        )
        self.search = SlidingWindowLimiter(
            searches_per_second, 1.0, margin=SEARCH_MARGIN, clock=clock, sleep=sleep
        )
        self._lock = threading.Lock()
        self._clock = clock
        self._searches: deque[float] = deque()
        """When our searches went (monotonic), those in the last window."""
        self._window = 10.0 + GENERAL_MARGIN
        self.reserve = min(searches_per_second * 10, requests_per_10s // 2)
        """Calls of the 10 s window searches may take while they go: a read by search gates
        everything a run does after it, so other calls leave the share searches have not
        used yet (at Pro limits 50 of 190, what 5 searches a second take)."""

    def acquire(self, *, search: bool = False) -> None:
        if search:
            self.search.acquire()
            with self._lock:
                self._searches.append(self._clock())
            self.general.acquire()
            return
        self.general.acquire(reserve=self._unused_search_share)

    def _unused_search_share(self) -> int:
        """The window's calls kept free for searches: none once they stopped (none in the
        last `SEARCHING` seconds), else their share less what they took already."""
        now = self._clock()
        with self._lock:
            while self._searches and now - self._searches[0] >= self._window:
                self._searches.popleft()
            if not self._searches or now - self._searches[-1] >= SEARCHING:
                return 0
            return max(self.reserve - len(self._searches), 0)

    def observe(self, headers: dict[str, str]) -> None:
        """Follow HubSpot's X-HubSpot-RateLimit-* headers (lower-cased names): when the
        rolling window has no calls left, hold further calls until our oldest call in it
        drops out (if other clients share the budget, a 429 may still come; it is retried)."""
        remaining = headers.get("x-hubspot-ratelimit-remaining")
        interval = headers.get("x-hubspot-ratelimit-interval-milliseconds")
        if remaining is not None and remaining.strip() == "0" and interval and interval.isdigit():
            self.general.pause(self.general.until_frees(int(interval) / 1000.0))

    @property
    def waited(self) -> float:
        return self.general.waited + self.search.waited
