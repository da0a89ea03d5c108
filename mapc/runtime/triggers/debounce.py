"""One pair's triggered runs: triggers within a short window of the first coalesce into
one run, a trigger during a run means one more run after it, never two at once."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

log = logging.getLogger("mapc.triggers")

DEFAULT_WINDOW = 1.0
"""Seconds a first trigger waits for more: HubSpot sends a burst of edits as several
deliveries, which one run covers."""
FAILED_FIRST, FAILED_MOST = 5.0, 300.0
"""After a failed run, the next waits this long, doubling up to the most."""


@dataclass
class Pending:
    """What the next run is for."""

    reasons: Counter[str] = field(default_factory=Counter)
    expect: dict[str, int] = field(default_factory=dict)
    """HubSpot object -> the latest occurredAt (ms) webhooks announced: the run's read
    should reach it (HubSpot's search can lag behind its webhooks)."""
    follow_ups: int = 0

    def add(self, reason: str, expect: Mapping[str, int] | None = None, n: int = 1) -> None:
        self.reasons[reason] += n
        self.merge(Pending(expect=dict(expect or {})))

    def merge(self, other: Pending) -> None:
        self.reasons.update(other.reasons)
        for name, moment in other.expect.items():
            self.expect[name] = max(self.expect.get(name, 0), moment)
        self.follow_ups = max(self.follow_ups, other.follow_ups)

    def describe(self) -> str:
        return ", ".join(f"{n} {reason}" for reason, n in sorted(self.reasons.items()))


@dataclass(frozen=True)
class Again:
    """A run to make later: after `after` seconds, for `pending`."""

    after: float
    pending: Pending


Run = Callable[[Pending], "Again | None"]


class Debouncer:
    def __init__(
        self,
        name: str,
        run: Run,
        window: float = DEFAULT_WINDOW,
        *,
        clock: Callable[[], float] = time.monotonic,
        failed_first: float = FAILED_FIRST,
    ) -> None:
        self.name = name
        self.window = window
        self._run = run
        self._clock = clock
        self._cond = threading.Condition()
        self._pending: Pending | None = None
        self._due = 0.0
        self._running = False
        self._stopping = False
        self._failed_first = failed_first
        self._failed_wait = failed_first
        self.runs = 0
        """Runs started so far (for tests and the log)."""
        self._thread = threading.Thread(target=self._loop, name=f"mapc-trigger:{name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop taking triggers; a run going on is left to finish (up to `timeout`)."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def trigger(self, reason: str, expect: Mapping[str, int] | None = None, n: int = 1) -> None:
        """Ask for a run; returns at once."""
        with self._cond:
            if self._pending is None:
                self._pending = Pending()
                self._due = self._clock() + self.window
            self._pending.add(reason, expect, n)
            self._cond.notify_all()

    @property
    def busy(self) -> bool:
        """A run is going on or due."""
        with self._cond:
            return self._pending is not None or self._running

    def idle(self, timeout: float) -> bool:
        """Wait until nothing is pending or running; whether it got there in time."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending is None and not self._running, timeout)

    def _take(self) -> Pending | None:
        with self._cond:
            while not self._stopping:
                if self._pending is not None:
                    wait = self._due - self._clock()
                    if wait <= 0:
                        pending, self._pending = self._pending, None
                        self._running = True
                        self.runs += 1
                        return pending
                    self._cond.wait(wait)
                else:
                    self._cond.wait()
            return None

    def _loop(self) -> None:
        while (pending := self._take()) is not None:
            try:
                again = self._run(pending)
                self._failed_wait = self._failed_first
            except Exception as error:  # the server goes on: the next trigger tries again
                log.error(
                    "%s: triggered run failed (%s: %s); trying again in %.0f s",
                    self.name,
                    type(error).__name__,
                    str(error).splitlines()[0] if str(error) else "",
                    self._failed_wait,
                )
                again = Again(self._failed_wait, pending)
                self._failed_wait = min(self._failed_wait * 2, FAILED_MOST)
            with self._cond:
                self._running = False
                if again is not None:
                    if self._pending is None:
                        self._pending = again.pending
                        self._due = self._clock() + again.after
                    else:
                        self._pending.merge(again.pending)
                        self._due = max(self._due, self._clock() + again.after)
                self._cond.notify_all()
