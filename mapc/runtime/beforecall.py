"""Checks an API session runs before every call (the run's API budget, a fleet's shared
rate limit): any number at once, each added and removed on its own."""

from __future__ import annotations

import threading
from collections.abc import Callable

Check = Callable[[], None]


class BeforeCall:
    """Called before every attempt of a session's calls: runs each check in the order
    added; one that raises stops the call (a later one does not run)."""

    def __init__(self) -> None:
        self._checks: tuple[Check, ...] = ()
        self._lock = threading.Lock()

    def add(self, check: Check, *, first: bool = False) -> Callable[[], None]:
        """Run `check` before every call from now on (before the others with `first`: a
        check that refuses calls goes before one that takes a slot of a shared limit, so a
        refused call spends none); returns what removes it (this one only)."""
        token = _Entry(check)
        with self._lock:
            self._checks = (token, *self._checks) if first else (*self._checks, token)

        def remove() -> None:
            with self._lock:
                self._checks = tuple(c for c in self._checks if c is not token)

        return remove

    def __call__(self) -> None:
        # A tuple replaced whole: calls in flight on other threads see the old or the new
        # checks, never half of a change.
        for check in self._checks:
            check()

    def __len__(self) -> int:
        return len(self._checks)


class _Entry:
    """One added check (the same function added twice is two entries)."""

    def __init__(self, check: Check) -> None:
        self.check = check

    def __call__(self) -> None:
        self.check()
