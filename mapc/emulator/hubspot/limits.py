"""HubSpot's rate limits: the X-HubSpot-RateLimit-* headers and, when enforced, 429s."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from mapc.emulator.hubspot.errors import correlation_id


@dataclass
class RateLimit:
    """Limits in real (monotonic) time: a frozen test clock must not freeze the windows."""

    enforce: bool = False
    max_per_interval: int = 190
    interval_ms: int = 10_000
    per_second: int | None = None
    search_per_second: int = 5
    daily: int = 1_000_000

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RateLimit:
        data = dict(data)
        data.setdefault("enforce", True)
        return cls(**data)


class RateLimiter:
    def __init__(self, limit: RateLimit | None = None) -> None:
        self.limit = limit or RateLimit()
        self._lock = threading.Lock()
        self._window: deque[float] = deque()
        self._second: deque[float] = deque()
        self._search: deque[float] = deque()
        self._daily = 0

    def configure(self, limit: RateLimit) -> None:
        with self._lock:
            self.limit = limit
            for window in (self._window, self._second, self._search):
                window.clear()
            self._daily = 0

    def admit(self, is_search: bool) -> tuple[dict[str, str], dict[str, Any] | None, float]:
        """(headers, 429 body or None, seconds to wait) for one incoming call."""
        now = time.monotonic()
        limit = self.limit
        with self._lock:
            interval = limit.interval_ms / 1000
            _trim(self._window, now - interval)
            _trim(self._second, now - 1)
            _trim(self._search, now - 1)
            refusal: tuple[str, str, float] | None = None
            if limit.enforce:
                if self._daily >= limit.daily:
                    refusal = ("DAILY", "You have reached your daily limit.", 3600.0)
                elif is_search and len(self._search) >= limit.search_per_second:
                    refusal = (
                        "SECONDLY",
                        "You have reached your secondly limit.",
                        self._search[0] + 1 - now,
                    )
                elif limit.per_second and len(self._second) >= limit.per_second:
                    refusal = (
                        "SECONDLY",
                        "You have reached your secondly limit.",
                        self._second[0] + 1 - now,
                    )
                elif len(self._window) >= limit.max_per_interval:
                    refusal = (
                        "TEN_SECONDLY_ROLLING",
                        "You have reached your ten_secondly_rolling limit.",
                        self._window[0] + interval - now,
                    )
            if refusal is None:
                self._window.append(now)
                self._second.append(now)
                if is_search:
                    self._search.append(now)
                self._daily += 1
            headers = {
                "X-HubSpot-RateLimit-Daily": str(limit.daily),
                "X-HubSpot-RateLimit-Daily-Remaining": str(max(limit.daily - self._daily, 0)),
                "X-HubSpot-RateLimit-Interval-Milliseconds": str(limit.interval_ms),
                "X-HubSpot-RateLimit-Max": str(limit.max_per_interval),
                "X-HubSpot-RateLimit-Remaining": str(
                    max(limit.max_per_interval - len(self._window), 0)
                ),
            }
            # Without an enforced per-second limit, report the interval's share of one second.
            secondly = limit.per_second or max(
                1, limit.max_per_interval * 1000 // limit.interval_ms
            )
            headers["X-HubSpot-RateLimit-Secondly"] = str(secondly)
            headers["X-HubSpot-RateLimit-Secondly-Remaining"] = str(
                max(secondly - len(self._second), 0)
            )
        if refusal is None:
            # HubSpot documents that search responses carry no rate-limit headers.
            return ({} if is_search else headers), None, 0.0
        policy, message, wait = refusal
        body = {
            "status": "error",
            "message": message,
            "errorType": "RATE_LIMIT",
            "correlationId": correlation_id(),
            "policyName": policy,
            "groupName": "publicapi:emulator",
        }
        return headers, body, max(wait, 0.001)


def _trim(window: deque[float], horizon: float) -> None:
    while window and window[0] <= horizon:
        window.popleft()


def retry_after(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))
