"""Client-side rate limiting: a sliding window of calls that spaces requests so an API's
burst limit is never hit instead of running into 429s (HubSpot's limiter, in
runtime/hubspot/limits.py, builds on it). Clock and sleep are injectable for tests."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class SlidingWindowLimiter:
    """At most `max_calls` calls in any `period` seconds, each counted `margin` seconds
    longer: the server sees a call a moment after we send it, and a little later still
    when the network is slower for it than for the call it follows."""

    def __init__(
        self,
        max_calls: int,
        period: float,
        *,
        margin: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_calls < 1 or period <= 0 or margin < 0:
            raise ValueError("a limiter needs max_calls >= 1, period > 0 and margin >= 0")
        self.max_calls = max_calls
        self.period = period + margin
        self._clock = clock
        self._sleep = sleep
        self._calls: deque[float] = deque()
        self._not_before = 0.0
        self._lock = threading.Lock()
        self.waited = 0.0
        """Seconds callers waited, summed over threads (several may wait at once)."""

    def _wait_needed(self, now: float, reserve: int = 0) -> float:
        while self._calls and now - self._calls[0] >= self.period:
            self._calls.popleft()
        wait = max(0.0, self._not_before - now)
        room = max(self.max_calls - reserve, 1)
        if len(self._calls) >= room:
            # Enough of the oldest calls must leave the window for this one to fit.
            wait = max(wait, self._calls[len(self._calls) - room] + self.period - now)
        return wait

    def acquire(self, reserve: Callable[[], int] = lambda: 0) -> None:
        """Block until one more call fits in the window, then count it. `reserve`: calls
        of the window this one leaves to others (a lane with priority), asked afresh each
        time the call is tried."""
        while True:
            with self._lock:
                now = self._clock()
                wait = self._wait_needed(now, reserve())
                if wait <= 0:
                    self._calls.append(now)
                    return
                self.waited += wait
            # Not asleep holding the lock: a call with priority may fit meanwhile.
            self._sleep(wait)

    def until_frees(self, interval: float) -> float:
        """Seconds until the oldest of our calls in the last `interval` seconds leaves a
        rolling window of that length (the whole interval if we made none)."""
        with self._lock:
            now = self._clock()
            recent = [t for t in self._calls if now - t < interval]
            # A little extra: the server saw each call a moment after we sent it.
            margin = 0.01 + 0.05 * interval
            return recent[0] + interval - now + margin if recent else interval

    def pause(self, seconds: float) -> None:
        """Let no call start for `seconds` (the server said its window is used up)."""
        with self._lock:
            self._not_before = max(self._not_before, self._clock() + seconds)
