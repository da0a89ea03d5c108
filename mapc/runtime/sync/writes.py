"""Batched writes: queue per (side, operation, object), flushed at the API's batch size.

Each queued write carries callbacks that run with its own result, so a rejected record
is recorded and the rest of its batch proceeds. A dry run queues nothing.

With a concurrency above 1 each batch is sent on a thread as soon as it is full, and the
run goes on deciding while it is in flight: at most `concurrency` batches of one lane
(Salesforce's queues, HubSpot's) are in flight at once (the connectors' limiters pace
them). A batch's `before` (the create journal) runs on the calling thread before it is
sent; results, callbacks and `after` run on the calling thread, in each queue's order,
whenever the run next adds, sends or flushes (`settle`), and `flush`/`flush_all` wait
for every batch they cover. A queue `deferred` never waits for room when a record is
added: its full batches wait in the queue and go whenever the run next adds or settles
and the lane has room, so the run can do other work while that lane is busy.
"""

from __future__ import annotations

import logging
import math
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
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


@dataclass
class Sent:
    """A batch on its way: settled from the head of its queue once its answer is in."""

    batch: list[Item]
    future: Future[list[WriteResult]]
    order: int


def lane_of(name: str) -> str:
    """The API a queue writes to, from its name's prefix ("sf:update:Lead" -> "sf")."""
    return name.split(":", 1)[0]


class Queue:
    def __init__(
        self,
        name: str,
        size: int,
        send: Send,
        before: Callable[[list[Item]], None] | None = None,
        after: Callable[[list[Item]], None] | None = None,
    ) -> None:
        self.name = name
        self.lane = lane_of(name)
        self.size = size
        self.send = send
        self.before = before
        self.after = after
        self.items: list[Item] = []
        self.in_flight: deque[Sent] = deque()
        self.calls = 0

    def take(self) -> list[Item]:
        """The next batch fit to send (possibly empty: every item in it was refused)."""
        batch, self.items = self.items[: self.size], self.items[self.size :]
        return screened(batch)

    def settle(self, batch: list[Item], results: list[WriteResult]) -> None:
        self.calls += 1
        by_index = {r.index: r for r in results}
        for index, item in enumerate(batch):
            result = by_index.get(index) or WriteResult.failure(
                index, "NO_RESULT", "the API returned no result for this record"
            )
            item.on_done(result)
        if self.after is not None:
            self.after(batch)


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
    With an `executor`, up to `concurrency` batches of each lane are in flight at once
    (one at a time, each sent and settled before the call returns, without one)."""

    def __init__(self, concurrency: int = 1, executor: Executor | None = None) -> None:
        self.queues: dict[str, Queue] = {}
        self.depends: dict[str, tuple[str, ...]] = {}
        self.concurrency = concurrency if executor is not None else 1
        self.executor = executor
        self._order = 0
        self._settling = False
        """True while a batch's callbacks run: what they queue waits, so batches settle
        whole and in order."""
        self.deferred: set[str] = set()
        """Queues whose full batches wait for room in their lane instead of the run."""

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
            found = self.queues[name] = Queue(name, size, send, before, after)
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
        if self._settling:
            return  # a result's callback queueing a follow-up: sent once settling is done
        self.settle()
        if len(queue.items) >= queue.size and name not in self.deferred:
            self._send(name, whole_only=True)

    def defer(self, name: str, deferred: bool = True) -> None:
        """Make `name` deferred (or not): see the module's docstring. Only a queue that
        depends on none, since its batches go without flushing anything first. Without an
        executor every batch is sent as it fills, deferred or not."""
        assert not self.depends.get(name), f"{name} depends on other queues"
        if deferred and self.executor is not None:
            self.deferred.add(name)
        else:
            self.deferred.discard(name)

    def backlog(self, name: str) -> int:
        """Records queued in `name` and not yet sent."""
        return len(self.queues[name].items)

    def send_below(self, name: str, limit: int) -> None:
        """Send `name`'s full batches, waiting for room, until fewer than `limit` records
        wait in it."""
        queue = self.queues[name]
        while len(queue.items) >= max(limit, queue.size):
            self._send_batch(queue)

    def send(self, name: str) -> None:
        """Send what `name` holds (a last, partial batch too) without waiting for answers
        beyond room in its lane."""
        self._send(name, whole_only=False)

    def send_all(self) -> None:
        """Send what every queue holds; the answers are settled later (`settle`,
        `flush_all`)."""
        for name in list(self.queues):
            if self.queues[name].items:
                self.send(name)

    def flush(self, name: str) -> None:
        """Send everything `name` holds and settle every answer (after its dependencies')."""
        queue = self.queues[name]
        while queue.items or queue.in_flight:
            self.send(name)
            while queue.in_flight:
                self._settle_head(queue)

    def flush_all(self) -> None:
        """Until every queue is empty and settled: a result's callback may queue a
        follow-up write."""
        while any(q.items or q.in_flight for q in self.queues.values()):
            for name in list(self.queues):
                queue = self.queues[name]
                if queue.items or queue.in_flight:
                    self.flush(name)

    def settle(self, *, waiting_on: str | None = None) -> None:
        """Record every answer already in, each queue in its order (the calling thread),
        then send the deferred queues' full batches their lanes have room for (not those
        of lane `waiting_on`, which a queue is waiting to send on)."""
        if self._settling:
            return
        for queue in list(self.queues.values()):
            while queue.in_flight and queue.in_flight[0].future.done():
                self._settle_head(queue)
        for name in sorted(self.deferred):
            queue = self.queues[name]
            while (
                self.executor is not None
                and queue.lane != waiting_on
                and len(queue.items) >= queue.size
                and self._lane_load(queue.lane) < self.concurrency
            ):
                self._send_batch(queue, wait=False)

    @property
    def calls(self) -> int:
        return sum(q.calls for q in self.queues.values())

    @property
    def in_flight(self) -> int:
        return sum(len(q.in_flight) for q in self.queues.values())

    # -- sending ------------------------------------------------------------------------

    def _send(self, name: str, *, whole_only: bool) -> None:
        queue = self.queues[name]
        if queue.items:
            for dep in self.depends.get(name, ()):
                if dep in self.queues:
                    self.flush(dep)
        while queue.items and (len(queue.items) >= queue.size or not whole_only):
            self._send_batch(queue)

    def _send_batch(self, queue: Queue, *, wait: bool = True) -> None:
        """Send the queue's next batch: at once without an executor, else once its lane
        has room (`wait`: the caller saw room already)."""
        batch = queue.take()
        if not batch:
            return
        if self.executor is None:
            if queue.before is not None:
                queue.before(batch)
            results = queue.send([item.payload for item in batch])
            self._settle(queue, batch, results)
            return
        if wait:
            self._make_room(queue.lane)
        if queue.before is not None:
            queue.before(batch)
        self._order += 1
        payloads = [item.payload for item in batch]
        future = self.executor.submit(queue.send, payloads)
        queue.in_flight.append(Sent(batch, future, self._order))

    def _lane_load(self, lane: str) -> int:
        return sum(len(q.in_flight) for q in self.queues.values() if q.lane == lane)

    def _make_room(self, lane: str) -> None:
        """Wait until the lane has fewer than `concurrency` batches in flight (not while a
        batch settles: answers cannot be recorded then, so waiting would never end)."""
        while not self._settling:
            self.settle(waiting_on=lane)
            lane_queues = [q for q in self.queues.values() if q.lane == lane and q.in_flight]
            if sum(len(q.in_flight) for q in lane_queues) < self.concurrency:
                return
            # The lane's oldest batch is the head of its queue: once it is in, it settles.
            oldest = min((q.in_flight[0] for q in lane_queues), key=lambda s: s.order)
            wait([oldest.future], return_when=FIRST_COMPLETED)

    def _settle_head(self, queue: Queue) -> None:
        """Wait for the oldest batch of `queue` and record its results."""
        sent = queue.in_flight.popleft()
        failure = sent.future.exception()
        if failure is not None:
            self._stop(failure)
        self._settle(queue, sent.batch, sent.future.result())

    def _settle(self, queue: Queue, batch: list[Item], results: list[WriteResult]) -> None:
        self._settling = True
        try:
            queue.settle(batch, results)
        finally:
            self._settling = False

    def drain(self) -> None:
        """When the run stops (a failure on its own thread, a budget stop): wait for every
        batch in flight and record each answer that came, so a write carried out keeps its
        link and its create is unjournalled; a batch whose answer never came stays "maybe
        done" (the journal keeps its creates). Nothing still queued is sent. It never
        raises: the failure that stopped the run is the one reported."""
        for queue in list(self.queues.values()):
            while queue.in_flight:
                sent = queue.in_flight.popleft()
                failure = sent.future.exception()
                if failure is not None:
                    log.warning(
                        "%s: a batch's answer never came (%s); its records stay maybe done",
                        queue.name,
                        failure,
                    )
                    continue
                try:
                    self._settle(queue, sent.batch, sent.future.result())
                except Exception as error:  # the run is stopping already: record, go on
                    log.warning("%s: recording a batch's answers failed: %s", queue.name, error)

    def _stop(self, failure: BaseException) -> None:
        """An answer that never came: its records stay "maybe done" (the journal keeps
        their creates); every other batch in flight is recorded first, then the run
        stops with the first failure."""
        self.drain()
        raise failure
