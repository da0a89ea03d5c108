"""What a trigger runs: the sync itself in this process (the embedded default, as
`mapc run --once`), or a job on the fleet's queue."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from mapc.runtime.adapter import Adapter
from mapc.runtime.budget import Budget
from mapc.runtime.records import Cursor
from mapc.runtime.sync.context import HUBSPOT
from mapc.runtime.sync.lock import StateLocked
from mapc.runtime.sync.retries import RetryRule
from mapc.runtime.sync.runner import EXIT_BUDGET, Connections, run_loop
from mapc.runtime.sync.state import StateStore
from mapc.runtime.triggers.debounce import Again, Pending

log = logging.getLogger("mapc.triggers")

BUSY_WAIT = 5.0
"""Seconds before trying again when another process's run holds the state."""
LAG_WAIT = 3.0
"""Seconds before a follow-up run when a run's read did not reach what a webhook
announced (HubSpot's search index lags behind its webhooks); doubled each time."""
MAX_FOLLOW_UPS = 3
SLACK_MS = 1000
"""A cursor this close to an event's occurredAt counts as having read it."""


class LocalSync:
    """Runs the sync in this process, on the trigger's thread: the same engine, options
    and run lock as `mapc run --once`. A run another process holds the lock for means one
    more run after it; a run whose read did not reach what a webhook announced is
    followed by another, a few seconds later."""

    def __init__(
        self,
        adapter: Adapter,
        connections: Connections,
        state: StateStore,
        *,
        retry: RetryRule | None = None,
        budget: Budget | None = None,
        concurrency: int | None = None,
    ) -> None:
        self.adapter = adapter
        self.connections = connections
        self.state = state
        self.retry = retry
        self.budget = budget
        self.concurrency = concurrency

    def __call__(self, pending: Pending) -> Again | None:
        log.info("run triggered by %s", pending.describe())
        try:
            code = run_loop(
                self.adapter,
                self.connections,
                self.state,
                retry=self.retry,
                budget=self.budget,
                concurrency=self.concurrency,
            )
        except StateLocked as busy:
            log.info("%s; running once it is done", busy)
            return Again(BUSY_WAIT, pending)
        if code == EXIT_BUDGET:
            return None  # the budget's window frees room later: the next trigger resumes
        return self.follow_up(pending)

    def follow_up(self, pending: Pending) -> Again | None:
        behind = {name: at for name, at in pending.expect.items() if self._behind(name, at)}
        if not behind:
            return None
        if pending.follow_ups >= MAX_FOLLOW_UPS:
            log.warning(
                "the changes webhooks announced for %s were not read after %d runs; the "
                "next change or run reads them",
                ", ".join(sorted(behind)),
                pending.follow_ups + 1,
            )
            return None
        wait = LAG_WAIT * 2**pending.follow_ups
        log.info("%s not read yet (search lag?): running again in %.0f s", ", ".join(behind), wait)
        return Again(wait, Pending(Counter({"follow-up": 1}), behind, pending.follow_ups + 1))

    def _behind(self, hubspot_object: str, occurred_ms: int) -> bool:
        raw = self.state.cursor(HUBSPOT, hubspot_object)
        if raw is None:
            return False  # not an object this mapping reads
        return Cursor.decode(raw).moment.timestamp() * 1000 < occurred_ms - SLACK_MS


class FleetEnqueue:
    """Queues one job for a fleet's pair (the lease keeps two from running at once)."""

    def __init__(self, fleet: Any, pair: str) -> None:
        self.fleet = fleet
        self.pair = pair

    def __call__(self, pending: Pending) -> Again | None:
        from mapc.runtime.fleet.queue import enqueue

        enqueue(self.fleet, [self.pair])
        log.info("queued %s, triggered by %s", self.pair, pending.describe())
        return None
