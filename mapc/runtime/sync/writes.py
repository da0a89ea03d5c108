"""Batched writes: queue per (side, operation, object), flushed at the API's batch size.

Each queued write carries callbacks that run with its own result, so a rejected record
is recorded and the rest of its batch proceeds. A dry run queues nothing.

With a concurrency above 1 a queue holds that many batches and sends them at once, each
on its own thread (the connectors' limiters pace them); every batch's `before` (the
create journal) runs before any is sent, and results, callbacks and `after` run on the
calling thread in queue order, as with one batch at a time.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from mapc.runtime.records import WriteResult

log = logging.getLogger("mapc.sync")

SALESFORCE_BATCH = 200
HUBSPOT_BATCH = 100

Send = Callable[[Sequence[Any]], list[WriteResult]]
Done = Callable[[WriteResult], None]


@dataclass
class Item:
    payload: Any
    """What is sent, and only that."""
    on_done: Done
    source: str | None = None
    """What the written record comes from (the record a create copies, the event a task
    records), for the queue's `before` to journal: never sent."""


class Queue:
    def __init__(
        self,
        name: str,
        size: int,
        send: Send,
        before: Callable[[list[Item]], None] | None = None,
        after: Callable[[list[Item]], None] | None = None,
        *,
        concurrency: int = 1,
        executor: Executor | None = None,
    ) -> None:
        self.name = name
        self.size = size
        self.send = send
        self.before = before
        self.after = after
        self.items: list[Item] = []
        self.calls = 0
        self.concurrency = concurrency if executor is not None else 1
        self.executor = executor

    def flush(self) -> None:
        while self.items:
            batches: list[list[Item]] = []
            while self.items and len(batches) < self.concurrency:
                batch, self.items = self.items[: self.size], self.items[self.size :]
                batch = screened(batch)
                if batch:
                    batches.append(batch)
            for batch in batches:
                if self.before is not None:
                    self.before(batch)
            failure: BaseException | None = None
            for batch, outcome in zip(batches, self._send_all(batches), strict=True):
                if isinstance(outcome, BaseException):
                    # An answer that never came: those records stay "maybe done" (the
                    # journal keeps their creates); the batches sent beside it are
                    # recorded before the failure stops the run.
                    failure = failure or outcome
                    continue
                self._settle(batch, outcome)
            if failure is not None:
                raise failure

    def _settle(self, batch: list[Item], results: list[WriteResult]) -> None:
        self.calls += 1
        by_index = {r.index: r for r in results}
        for index, item in enumerate(batch):
            result = by_index.get(index) or WriteResult.failure(
                index, "NO_RESULT", "the API returned no result for this record"
            )
            item.on_done(result)
        if self.after is not None:
            self.after(batch)

    def _send_all(self, batches: list[list[Item]]) -> list[list[WriteResult] | BaseException]:
        payloads = [[item.payload for item in batch] for batch in batches]
        if self.executor is None or len(payloads) < 2:
            return [self.send(p) for p in payloads]  # one at a time: a failure raises here
        futures = [self.executor.submit(self.send, p) for p in payloads]
        return [f.exception() or f.result() for f in futures]


def non_finite(payload: Any) -> list[str]:
    """The fields of a record whose value is an infinite or NaN number (`1e400` read as
    a float): no JSON can carry it, and `Infinity` is not a value either API accepts."""
    if not isinstance(payload, Mapping):
        return []
    return sorted(
        str(k) for k, v in payload.items() if isinstance(v, float) and not math.isfinite(v)
    )


def screened(batch: list[Item]) -> list[Item]:
    """The items fit to send; each record with a non-finite number gets its own error."""
    kept: list[Item] = []
    for item in batch:
        bad = non_finite(item.payload)
        if not bad:
            kept.append(item)
            continue
        values = ", ".join(f"{k}={item.payload[k]}" for k in bad)
        item.on_done(
            WriteResult.failure(
                0, "NON_FINITE_NUMBER", f"not a finite number, so not sent: {values}", bad
            )
        )
    return kept


class Writes:
    """All write queues of a run; `depends` orders flushes (creates before what needs them).
    `concurrency` batches of one queue are sent at once on `executor` (one at a time
    without one)."""

    def __init__(self, concurrency: int = 1, executor: Executor | None = None) -> None:
        self.queues: dict[str, Queue] = {}
        self.depends: dict[str, tuple[str, ...]] = {}
        self.concurrency = concurrency
        self.executor = executor

    def queue(
        self,
        name: str,
        size: int,
        send: Send,
        *,
        depends: tuple[str, ...] = (),
        before: Callable[[list[Item]], None] | None = None,
        after: Callable[[list[Item]], None] | None = None,
    ) -> Queue:
        found = self.queues.get(name)
        if found is None:
            found = self.queues[name] = Queue(
                name,
                size,
                send,
                before,
                after,
                concurrency=self.concurrency,
                executor=self.executor,
            )
            self.depends[name] = depends
        return found

    def add(
        self,
        name: str,
        payload: Mapping[str, Any] | Any,
        on_done: Done,
        *,
        source: str | None = None,
    ) -> None:
        queue = self.queues[name]
        queue.items.append(Item(payload, on_done, source))
        if len(queue.items) >= queue.size * queue.concurrency:
            self.flush(name)

    def flush(self, name: str) -> None:
        for dep in self.depends.get(name, ()):
            if dep in self.queues:
                self.flush(dep)
        self.queues[name].flush()

    def flush_all(self) -> None:
        """Until every queue is empty: a result's callback may queue a follow-up write."""
        while any(q.items for q in self.queues.values()):
            for name in list(self.queues):
                if self.queues[name].items:
                    self.flush(name)

    @property
    def calls(self) -> int:
        return sum(q.calls for q in self.queues.values())
