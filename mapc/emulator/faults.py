"""Test controls over the wire: call counting and injected failures."""

from __future__ import annotations

import fnmatch
import itertools
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FaultRule:
    """Fail (or slow down) the calls whose counter key matches `pattern`.

    `pattern` is a shell-style pattern over keys like "POST /crm/v3/objects/*/batch/*" or
    "GET /services/data/vXX.X/query*". With `first_n` only the first N matching calls
    fail; with `every_nth` every Nth one does; with `nth` only the Nth; with none of
    them, all. A rule with no `status` (and no `drop`) only adds `latency` seconds.

    Faults a client cannot tell from success or failure: with `after_commit` the call is
    carried out (and its changes kept) before the fault replaces its answer, e.g. a 504
    from a gateway that gave up waiting; with `drop` the connection is closed without
    any answer (the client sees it reset), before the call is carried out or, with
    `after_commit`, after it.
    """

    pattern: str
    status: int | None = None
    retry_after: float | None = None
    first_n: int | None = None
    every_nth: int | None = None
    latency: float = 0.0
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    service: str | None = None  # "salesforce", "hubspot" or None for both
    nth: int | None = None
    after_commit: bool = False
    drop: bool = False
    id: int = 0
    seen: int = 0
    fired: int = 0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultRule:
        allowed = {
            "pattern",
            "status",
            "retry_after",
            "first_n",
            "every_nth",
            "latency",
            "body",
            "headers",
            "service",
            "nth",
            "after_commit",
            "drop",
        }
        unknown = set(data) - allowed
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "pattern": self.pattern,
            "status": self.status,
            "retry_after": self.retry_after,
            "first_n": self.first_n,
            "every_nth": self.every_nth,
            "latency": self.latency,
            "service": self.service,
            "nth": self.nth,
            "after_commit": self.after_commit,
            "drop": self.drop,
            "seen": self.seen,
            "fired": self.fired,
        }

    def _fires(self) -> bool:
        self.seen += 1
        if self.nth is not None:
            return self.seen == self.nth
        if self.first_n is not None:
            return self.seen <= self.first_n
        if self.every_nth is not None:
            return self.seen % self.every_nth == 0
        return True


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._ids = itertools.count(1)

    def add(self, rule: FaultRule | None = None, **settings: Any) -> FaultRule:
        rule = rule or FaultRule(**settings)
        with self._lock:
            rule.id = next(self._ids)
            self._rules.append(rule)
        return rule

    def remove(self, rule_id: int) -> None:
        with self._lock:
            self._rules = [r for r in self._rules if r.id != rule_id]

    def clear(self) -> None:
        with self._lock:
            self._rules = []

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def match(self, service: str, key: str) -> list[FaultRule]:
        """The rules that fire for this call; counting happens even when they do not fire."""
        fired: list[FaultRule] = []
        with self._lock:
            for rule in self._rules:
                if rule.service not in (None, service):
                    continue
                if not fnmatch.fnmatchcase(key, rule.pattern):
                    continue
                if rule._fires():
                    rule.fired += 1
                    fired.append(rule)
        return fired


class CallCounter:
    """How many calls each endpoint received, keyed "METHOD /route/template"."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._last_headers: dict[str, dict[str, str]] = {}

    def record(self, key: str, headers: dict[str, str] | None = None) -> None:
        with self._lock:
            self._counts[key] += 1
            if headers is not None:
                self._last_headers.pop(key, None)  # re-insert: dict order is call order
                self._last_headers[key] = headers

    def last_headers(self, pattern: str = "*") -> dict[str, str] | None:
        """The headers of the latest call whose key matches (insertion order = call order)."""
        with self._lock:
            found = None
            for key, headers in self._last_headers.items():
                if fnmatch.fnmatchcase(key, pattern):
                    found = headers
            return found

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def total(self, pattern: str = "*") -> int:
        with self._lock:
            return sum(n for key, n in self._counts.items() if fnmatch.fnmatchcase(key, pattern))

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
            self._last_headers.clear()
