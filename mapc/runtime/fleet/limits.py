"""Rate limits shared by every worker, in Redis: a sliding window of calls per scope.

Salesforce's API allocation is the org's, shared by every HubSpot portal synced with it
(R11), so its scope is the org; HubSpot's limits are per portal and app, so theirs is the
portal. Each call takes a slot atomically (a Lua script, timed by the Redis server's
clock, so workers' clocks do not matter) or learns how long until one frees."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mapc.runtime.hubspot.limits import GENERAL_MARGIN, SEARCH_MARGIN, HubSpotLimiter

# KEYS[1]: the window's sorted set. ARGV: max calls, period (ms), a unique member.
# Returns 0 when a slot was taken, else the milliseconds until the oldest call leaves.
_TAKE = """
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local max = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ms - period)
if redis.call('ZCARD', KEYS[1]) < max then
  redis.call('ZADD', KEYS[1], ms, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], period)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + period - ms)
"""

PREFIX = "mapc:limit:"


@dataclass(frozen=True)
class Window:
    """At most `calls` calls in any `seconds`."""

    calls: int
    seconds: float


class SharedWindow:
    """One sliding window in Redis, shared by every process that names the same scope."""

    def __init__(
        self,
        client: Any,
        scope: str,
        window: Window,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if window.calls < 1 or window.seconds <= 0:
            raise ValueError("a window needs calls >= 1 and seconds > 0")
        self.key = PREFIX + scope
        self.window = window
        self._take = client.register_script(_TAKE)
        self._sleep = sleep
        self.waited = 0.0

    def try_take(self) -> float:
        """Take a slot: 0.0, or the seconds to wait before trying again."""
        wait_ms = self._take(
            keys=[self.key],
            args=[self.window.calls, int(self.window.seconds * 1000), uuid.uuid4().hex],
        )
        return int(wait_ms) / 1000.0

    def acquire(self) -> None:
        while (wait := self.try_take()) > 0:
            self.waited += wait
            self._sleep(wait)


class SharedHubSpotLimiter(HubSpotLimiter):
    """HubSpotLimiter's limits (the 10-second window, search's own per second, the daily
    limit when given) kept in Redis for one portal and app, across every worker."""

    def __init__(
        self,
        client: Any,
        portal: str,
        *,
        requests_per_10s: int = 100,
        searches_per_second: int = 5,
        per_day: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(requests_per_10s, searches_per_second, sleep=sleep)
        scope = f"hubspot:{portal}"
        self.windows = [
            SharedWindow(
                client,
                f"{scope}:10s",
                Window(requests_per_10s, 10.0 + GENERAL_MARGIN),
                sleep=sleep,
            )
        ]
        if per_day is not None:
            self.windows.append(
                SharedWindow(client, f"{scope}:day", Window(per_day, 86400.0), sleep=sleep)
            )
        self.searches = SharedWindow(
            client,
            f"{scope}:search",
            Window(searches_per_second, 1.0 + SEARCH_MARGIN),
            sleep=sleep,
        )

    def acquire(self, *, search: bool = False) -> None:
        if search:
            self.searches.acquire()
        for window in self.windows:
            window.acquire()

    def observe(self, headers: dict[str, str]) -> None:
        """HubSpot's headers count every client of the portal; the shared windows already
        do, and a 429 that still comes is retried by the policy."""

    @property
    def waited(self) -> float:
        return sum(w.waited for w in (*self.windows, self.searches))


class SharedSalesforceLimiter:
    """The org's API allocation (calls per window) across every worker and every portal
    synced with the org; installed as the Salesforce session's `before_call`."""

    def __init__(
        self,
        client: Any,
        org: str,
        window: Window,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.window = SharedWindow(client, f"salesforce:{org}", window, sleep=sleep)

    def __call__(self) -> None:
        self.window.acquire()

    @property
    def waited(self) -> float:
        return self.window.waited
