"""The Salesforce side's trigger: a short poll, one cheap query per synced object
("has anything changed since the last look?"), its calls counted like a run's."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from mapc.runtime import soql
from mapc.runtime.api_usage import RunUsage, meter_of
from mapc.runtime.budget import Budget
from mapc.runtime.records import format_timestamp, parse_timestamp
from mapc.runtime.sync.context import SALESFORCE
from mapc.runtime.sync.state import StateStore

log = logging.getLogger("mapc.triggers")

DEFAULT_INTERVAL = 30.0
"""Seconds between looks: 2,880 queries a day per synced object (docs/runner.md)."""
NEWEST = 20
"""Rows a look reads, newest first: enough to tell a new change from the last one seen."""
STAMP, ID = "SystemModstamp", "Id"


@dataclass(frozen=True)
class Mark:
    """What the last look saw of an object: its newest SystemModstamp (None: no record
    yet) and the records at that second (Salesforce keeps it to the second, so a later
    write in the same second shares it)."""

    stamp: str | None
    ids: frozenset[str] = frozenset()


def query(sobject: str, mark: Mark | None) -> str:
    where = ""
    if mark is not None and mark.stamp is not None:
        where = f" WHERE {STAMP} >= {soql.datetime_literal(mark.stamp)}"
    return (
        f"SELECT {ID}, {STAMP} FROM {soql.name(sobject)}{where} "
        f"ORDER BY {STAMP} DESC, {ID} DESC LIMIT {NEWEST}"
    )


def look(rows: Sequence[dict[str, Any]], mark: Mark | None) -> tuple[bool, Mark]:
    """(whether the rows show a change the last look had not seen, the new mark). The
    first look only sets the mark: the run `mapc serve` starts with covers what came
    before."""
    seen = [(format_timestamp(parse_timestamp(str(r[STAMP]))), str(r[ID])) for r in rows]
    if not seen:
        return False, mark if mark is not None else Mark(None)
    newest = max(stamp for stamp, _ in seen)
    ids = frozenset(i for stamp, i in seen if stamp == newest)
    if mark is None:
        return False, Mark(newest, ids)
    changed = any(
        mark.stamp is None or stamp > mark.stamp or (stamp == mark.stamp and i not in mark.ids)
        for stamp, i in seen
    )
    if newest == mark.stamp:
        ids |= mark.ids
    return changed, Mark(newest, ids)


class SalesforcePoll:
    """Looks at each of `sobjects` every `interval` seconds and calls `on_change` with
    the objects that changed. Its connector is its own: a run going on beside it counts
    only its own calls. Deleted records are seen too (queryAll)."""

    def __init__(
        self,
        salesforce: Any,
        sobjects: Sequence[str],
        on_change: Callable[[list[str]], None],
        *,
        interval: float = DEFAULT_INTERVAL,
        state: StateStore | None = None,
        budget: Budget | None = None,
        name: str = "Salesforce",
    ) -> None:
        self.name = name
        """What the log calls it ("Salesforce org acme-prod" under a fleet)."""
        self.salesforce = salesforce
        self.sobjects = list(dict.fromkeys(sobjects))
        self.on_change = on_change
        self.interval = interval
        self.state = state
        self.budget = budget
        self.marks: dict[str, Mark] = {}
        self.looks = 0
        self._stop = threading.Event()
        self._held = False
        self._thread = threading.Thread(target=self._loop, name="mapc-poll:salesforce", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(10)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception as error:  # an outage: the next look tries again
                log.warning(
                    "%s poll failed (%s: %s); trying again in %.0f s",
                    self.name,
                    type(error).__name__,
                    str(error).splitlines()[0] if str(error) else "",
                    self.interval,
                )
            self._stop.wait(self.interval)

    def tick(self) -> list[str]:
        """One look at every object (unless the API budget is spent); the changed ones."""
        if not self._room():
            return []
        usage = RunUsage({SALESFORCE: meter_of(self.salesforce)})
        changed: list[str] = []
        marks = dict(self.marks)
        try:
            for sobject in self.sobjects:
                rows = list(
                    self.salesforce.query(query(sobject, marks.get(sobject)), include_deleted=True)
                )
                found, marks[sobject] = look(rows, marks.get(sobject))
                if found:
                    changed.append(sobject)
        finally:
            self.looks += 1
            self._record(usage)
        # The marks move only with a whole look whose changes are handed on: a look cut
        # short by a failed query sees the same changes again next time.
        if changed:
            log.info("%s changes in %s: a run is due", self.name, ", ".join(changed))
            self.on_change(changed)
        self.marks = marks
        return changed

    def _room(self) -> bool:
        """Whether a look fits in mapc's Salesforce budget (and the org's daily limit)."""
        meter = meter_of(self.salesforce)
        if meter is not None and meter.org_usage is not None:
            used, limit = meter.org_usage
            if used + len(self.sobjects) > limit:
                return self._hold("the org's whole daily API limit is used")
        if self.budget is None or self.state is None or SALESFORCE not in self.budget.allocations:
            self._held = False
            return True
        allowed = self.budget.allowed(SALESFORCE, RunUsage({SALESFORCE: meter}), {})
        if allowed is None:
            return True
        since = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        used = self.state.log.api_calls_since(since).get(SALESFORCE, 0)
        if used + len(self.sobjects) > allowed:
            return self._hold(f"mapc's Salesforce budget is used ({used:,} of {allowed:,})")
        self._held = False
        return True

    def _hold(self, why: str) -> bool:
        if not self._held:
            log.warning("%s poll paused: %s; it resumes when there is room", self.name, why)
        self._held = True
        return False

    def _record(self, usage: RunUsage) -> None:
        """Count the look's calls in the run log; a state that cannot be written now (a
        run holding SQLite's lock) costs the count, never the changes the look saw."""
        if self.state is None or not usage.meters:
            return
        allowed = None
        if self.budget is not None:
            allowed = self.budget.allowed(SALESFORCE, usage, {})
        entry = usage.as_dict({SALESFORCE: allowed})[SALESFORCE]
        try:
            self.state.log.record_poll_calls(SALESFORCE, entry)
        except Exception as error:
            log.warning("%s poll: its calls could not be counted (%s)", self.name, error)
