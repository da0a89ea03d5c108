"""Which of a sync run's read calls are its fixed per-run cost, and which read records.

A run makes some reads whatever changed: each object's change read, HubSpot's archived
lists, owners, Salesforce's describe, users and queues, email events, limits (PER_RUN).
Each call of one of them is traced with the records it brought back and whether the API
said more were to come. A call is fixed when it is the read's first, or when the read's
previous call brought no records or said it was the last (a read that finds nothing
still asks once per stream: email events ask once per event type). It is a record page
when the previous call brought records and said more: it exists because of them.
Every other read call (by id, associations, contact roles, matches) is made for
particular records.

One miss, on the record side: a Salesforce keyset query that fills its window (50,000
records) ends `done`, so the query after it is counted fixed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

PER_RUN = {
    "hubspot": ("read_changed", "read_archived", "owners", "email_events"),
    "salesforce": ("read_changed", "describe", "describe_global", "users", "queues", "limits"),
}


@dataclass
class Read:
    """One per-run read: what it read, and (records, more) for each of its calls."""

    side: str
    method: str
    what: str
    calls: list[tuple[int, bool]] = field(default_factory=list)

    def fixed(self) -> int:
        before = [(0, False), *self.calls[:-1]]  # the call before each call
        return sum(1 for records, more in before if not (records and more))

    def records(self) -> int:
        return sum(records for records, _ in self.calls)


def _answer(body: Any) -> tuple[int, bool]:
    """(records, more) of a HubSpot or Salesforce JSON answer; (0, False) for metadata."""
    if not isinstance(body, dict):
        return 0, False
    for key in ("results", "records", "events"):
        if isinstance(body.get(key), list):
            records = len(body[key])
            break
    else:
        return 0, False
    paging = body.get("paging") or {}
    more = bool(paging.get("next") or body.get("hasMore") or body.get("done") is False)
    return records, more


class ReadTrace:
    """Per-run reads of both connectors, and each call made inside one (the outermost
    traced read running in the calling thread: the engine may read in several)."""

    def __init__(self) -> None:
        self.reads: list[Read] = []
        self._local = threading.local()
        self._lock = threading.Lock()

    def attach(self, hubspot: Any, salesforce: Any) -> None:
        for side, connector in (("hubspot", hubspot), ("salesforce", salesforce)):
            for name in PER_RUN[side]:
                setattr(connector, name, self._traced(side, name, getattr(connector, name)))
        meter = hubspot.meter
        for name in ("generated", "raw"):
            setattr(meter, name, self._answered(getattr(meter, name), lambda r: r.body))
        client = salesforce._sf  # simple_salesforce: queries and REST calls answer JSON
        for name in ("query", "query_more", "restful"):
            setattr(client, name, self._answered(getattr(client, name), lambda r: r))

    def _stack(self) -> list[Read]:
        stack: list[Read] | None = getattr(self._local, "stack", None)
        if stack is None:
            stack = self._local.stack = []
        return stack

    def _answered(self, call: Callable[..., Any], body: Callable[[Any], Any]) -> Any:
        def answered(*args: Any, **kwargs: Any) -> Any:
            reply = call(*args, **kwargs)
            stack = self._stack()
            if stack:
                stack[0].calls.append(_answer(body(reply)))
            return reply

        return answered

    def _traced(self, side: str, method: str, call: Callable[..., Any]) -> Any:
        def traced(*args: Any, **kwargs: Any) -> Any:
            what = next((a for a in args if isinstance(a, str)), "")
            read = Read(side, method, what)
            with self._lock:
                self.reads.append(read)
            stack = self._stack()
            stack.append(read)
            try:
                result = call(*args, **kwargs)
            finally:
                stack.pop()
            return self._pages(read, result) if isinstance(result, Iterator) else result

        return traced

    def _pages(self, read: Read, pages: Iterator[Any]) -> Iterator[Any]:
        """A lazy read's pages: its calls happen as each page is asked for."""
        while True:
            stack = self._stack()
            stack.append(read)
            try:
                page = next(pages)
            except StopIteration:
                return
            finally:
                stack.pop()
            yield page


def summary(reads: list[Read], total_reads: int) -> dict[str, Any]:
    """A run's read calls: fixed, record pages of per-run reads, reads for records."""
    fixed = sum(r.fixed() for r in reads)
    traced = sum(len(r.calls) for r in reads)
    by_read: dict[str, list[int]] = {}
    for r in reads:
        key = f"{r.side} {r.method} {r.what}".rstrip()
        row = by_read.setdefault(key, [0, 0, 0])
        row[0] += r.fixed()
        row[1] += len(r.calls) - r.fixed()
        row[2] += r.records()
    return {
        "fixed": fixed,
        "record_pages": traced - fixed,
        "for_records": total_reads - traced,
        "records": sum(r.records() for r in reads),
        "by_read": by_read,
    }
