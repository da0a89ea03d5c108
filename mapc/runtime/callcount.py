"""API calls by endpoint, counted exactly even when several writes are in flight at once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable


class CallCounter(Counter[str]):
    """A Counter whose `count` is one atomic step (`counter[key] += 1` is three, and two
    threads may interleave them and lose a call, which the API budget must not)."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()

    def count(self, key: str, *, guard: Callable[[], None] | None = None) -> None:
        """Count one call to ``key``; ``guard`` (the API budget's check) runs first, in the
        same step, so calls in flight at once cannot together pass a budget that has room
        for only one of them: a guard that raises counts nothing."""
        with self._lock:
            if guard is not None:
                guard()
            self[key] += 1
