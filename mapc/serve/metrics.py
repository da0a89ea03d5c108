"""Prometheus metrics computed from the state store at each scrape (no process state to
lose: a restarted server reports the same totals)."""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import select

from mapc.runtime.health.overview import pair_lags
from mapc.runtime.health.status import FAILED, api_usage, open_errors_by_category, outcome
from mapc.runtime.records import parse_timestamp
from mapc.runtime.sync import schema as s
from mapc.runtime.sync.lock import run_in_progress
from mapc.runtime.sync.state import StateStore

WRITE_OPS = ("create", "update", "unsubscribe", "associate", "task")


def _label(text: str) -> str:
    """ "completed with record errors" -> "completed_with_record_errors"."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _counts(text: str | None) -> dict[str, Any]:
    try:
        loaded = json.loads(text or "{}")
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _seconds(text: str | None) -> float | None:
    try:
        return parse_timestamp(text).timestamp() if text else None
    except (ValueError, TypeError):
        return None


class RunTotals:
    """Sums over finished runs (plans excluded), kept between scrapes: a finished run
    never changes, so each scrape reads only the runs it has not summed yet."""

    def __init__(self) -> None:
        self.floor = 0
        """Every run with an id up to this one has been summed (or was a plan)."""
        self.summed: set[int] = set()
        self.runs: Counter[str] = Counter()
        self.read: Counter[tuple[str, str]] = Counter()
        self.written: Counter[tuple[str, str]] = Counter()
        self.errored: Counter[tuple[str, str]] = Counter()
        self.last: tuple[int, float | None, float | None] | None = None
        """(run id, duration in seconds, end as a Unix time) of the last finished run."""

    def update(self, state: StateStore) -> None:
        query = (
            select(s.runs)
            .where(s.runs.c.account == state.account, s.runs.c.id > self.floor)
            .order_by(s.runs.c.id)
        )
        with state.engine.connect() as conn:
            rows = list(conn.execute(query))
        # A run still `running` while no run holds the lock was killed: it counts as
        # failed now, so later runs are not waited for (and re-read) at every scrape.
        live = any(r.status == "running" for r in rows) and run_in_progress(state)
        waiting = False
        for r in rows:
            abandoned = r.status == "running" and not live
            finished = abandoned or (r.ended_at is not None and r.status != "running")
            if r.id not in self.summed and finished:
                self.summed.add(r.id)
                if not r.dry_run:
                    self._add(r, abandoned=abandoned)
            if not finished:
                waiting = True
            elif not waiting:
                self.floor = r.id
                self.summed.discard(r.id)

    def _add(self, r: Any, *, abandoned: bool) -> None:
        counts = _counts(r.counts)
        self.runs[_label(FAILED if abandoned else outcome(r.status, counts))] += 1
        for row in counts.get("by_object") or ():
            key = (str(row.get("object")), str(row.get("side")))
            self.written[key] += sum(int(row.get(op) or 0) for op in WRITE_OPS)
            self.errored[key] += int(row.get("error") or 0)
        for row in counts.get("read") or ():
            self.read[(str(row.get("object")), str(row.get("side")))] += int(
                row.get("records") or 0
            )
        start, end = _seconds(r.started_at), _seconds(r.ended_at)
        if not abandoned and (self.last is None or r.id > self.last[0]):
            self.last = (r.id, end - start if start and end else None, end)


class StateCollector(Collector):
    """Every metric from one state; `mapc_up` 0 (and nothing else) when it cannot be read."""

    def __init__(self, open_state: Callable[[], StateStore]) -> None:
        self.open_state = open_state
        self.totals = RunTotals()
        self.lock = threading.Lock()

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("mapc_up", "Whether the state store could be read (1) or not (0)")
        try:
            with self.lock:
                found = list(self._collect(self.open_state()))
        except Exception:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from found

    def _collect(self, state: StateStore) -> Iterator[Metric]:
        t = self.totals
        t.update(state)
        runs = CounterMetricFamily("mapc_runs", "Finished runs by outcome", labels=["outcome"])
        for name, n in sorted(t.runs.items()):
            runs.add_metric([name], n)
        yield runs
        for name, what, counter in (
            ("mapc_records_read", "Changed records read, by pair and side read", t.read),
            ("mapc_records_written", "Records written, by pair and side written", t.written),
            ("mapc_records_errored", "Records rejected, by pair and rejecting side", t.errored),
        ):
            family = CounterMetricFamily(name, what, labels=["pair", "side"])
            for (pair, side), n in sorted(counter.items()):
                family.add_metric([pair, side], n)
            yield family
        if t.last is not None:
            _, duration, end = t.last
            if duration is not None:
                yield GaugeMetricFamily(
                    "mapc_last_run_duration_seconds", "Duration of the last finished run", duration
                )
            if end is not None:
                yield GaugeMetricFamily(
                    "mapc_last_run_end_timestamp_seconds", "When the last finished run ended", end
                )
        errors = GaugeMetricFamily(
            "mapc_open_errors", "Open per-record errors by category", labels=["category"]
        )
        for category, n in open_errors_by_category(state).items():
            errors.add_metric([category.value], n)
        yield errors
        lag = GaugeMetricFamily(
            "mapc_lag_seconds",
            "Now minus each cursor's last change read, by pair, side and object",
            labels=["pair", "side", "object"],
        )
        for p in pair_lags(state, datetime.now(UTC)):
            if p.lag.seconds is not None:
                lag.add_metric([p.pair, p.lag.side, p.lag.object], p.lag.seconds)
        yield lag
        families = {
            name: GaugeMetricFamily(name, what, labels=["side"])
            for name, what in (
                ("mapc_api_calls_24h", "API calls mapc's runs and plans made in the last 24 hours"),
                ("mapc_api_allocation", "mapc's daily API allocation"),
                ("mapc_api_budget_remaining", "Allocation minus the last 24 hours' calls"),
                ("mapc_api_org_used", "The org's (account's) daily API usage, as last reported"),
                ("mapc_api_org_limit", "The org's (account's) daily API limit, as last reported"),
            )
        }
        # Unknown figures are left out (Prometheus' way of saying "no data"), never 0.
        for u in api_usage(state).values():
            known = {
                "mapc_api_calls_24h": u.calls if u.measured_runs else None,
                "mapc_api_allocation": u.allocation,
                "mapc_api_budget_remaining": max(u.allocation - u.calls, 0)
                if u.allocation is not None and u.measured_runs
                else None,
                "mapc_api_org_used": u.org_used,
                "mapc_api_org_limit": u.org_limit,
            }
            for name, value in known.items():
                if value is not None:
                    families[name].add_metric([u.side], value)
        yield from families.values()
