"""What `mapc status` shows: run history with outcomes, open errors by category, cursor lag."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from mapc.runtime.health.categories import Category, categorize
from mapc.runtime.records import Cursor
from mapc.runtime.sync import schema as s
from mapc.runtime.sync.lock import run_in_progress
from mapc.runtime.sync.state import StateStore

COMPLETED = "completed"
COMPLETED_WITH_ERRORS = "completed with record errors"
FAILED = "failed"
STOPPED = "stopped: API budget"
RUNNING = "running"
ABANDONED = "failed: stopped without finishing"
SIDES = ("hubspot", "salesforce")
DAY = timedelta(hours=24)

_OUTCOMES = {
    "completed": COMPLETED,
    "completed_with_errors": COMPLETED_WITH_ERRORS,
    "failed": FAILED,
    "stopped_budget": STOPPED,
    "running": RUNNING,
}


def outcome(status: str, counts: dict[str, Any]) -> str:
    """A run's outcome as a person reads it, from the status the run log stores."""
    return _OUTCOMES.get(status, FAILED)


@dataclass(frozen=True)
class RunRow:
    id: int
    adapter: str
    started_at: str
    ended_at: str | None
    outcome: str
    writes: int
    errors: int
    conflicts: int

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Lag:
    side: str
    object: str
    cursor: str
    seconds: float | None
    """now - the cursor's timestamp; None when the cursor holds no timestamp."""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _counts(text: str | None) -> dict[str, Any]:
    try:
        loaded = json.loads(text or "{}")
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def run_history(state: StateStore, limit: int = 10) -> list[RunRow]:
    """The last `limit` runs, newest first; plans (dry runs) are not runs."""
    query = (
        select(s.runs)
        .where(s.runs.c.account == state.account, s.runs.c.dry_run.is_(False))
        .order_by(s.runs.c.id.desc())
        .limit(limit)
    )
    with state.engine.connect() as conn:
        rows = list(conn.execute(query))
    # A run still `running` with no run holding the lock was killed; the next run marks
    # it failed, this says so already (without writing: readers leave the state alone).
    live = any(r.status == "running" for r in rows) and run_in_progress(state)
    out = []
    for r in rows:
        counts = _counts(r.counts)
        abandoned = r.status == "running" and not live
        out.append(
            RunRow(
                r.id,
                r.adapter,
                r.started_at,
                r.ended_at,
                ABANDONED if abandoned else outcome(r.status, counts),
                int(counts.get("writes") or 0),
                int(counts.get("errors") or 0),
                int(counts.get("conflicts") or 0),
            )
        )
    return out


@dataclass(frozen=True)
class ApiUsage:
    """One side's API calls in the last 24 hours, by mapc's runs and plans (each records
    its own), against mapc's allocation and the org's daily limit as last reported."""

    side: str
    calls: int
    allocation: int | None
    org_used: int | None
    org_limit: int | None
    measured_runs: int
    """Runs and plans of the window that recorded their calls (older mapc did not)."""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def api_usage(state: StateStore, now: datetime | None = None) -> dict[str, ApiUsage]:
    """Per side, the calls of every run and plan started in the last 24 hours."""
    since = ((now or datetime.now(UTC)) - DAY).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    query = (
        select(s.runs.c.counts)
        .where(s.runs.c.account == state.account, s.runs.c.started_at >= since)
        .order_by(s.runs.c.id)
    )
    calls = dict.fromkeys(SIDES, 0)
    measured = dict.fromkeys(SIDES, 0)
    latest: dict[str, dict[str, Any]] = {}
    with state.engine.connect() as conn:
        for (text,) in conn.execute(query):
            api = _counts(text).get("api")
            if not isinstance(api, dict):
                continue
            for side in SIDES:
                entry = api.get(side)
                if isinstance(entry, dict) and isinstance(entry.get("calls"), int):
                    calls[side] += entry["calls"]
                    measured[side] += 1
                    latest[side] = entry
    out = {}
    for side in SIDES:
        last = latest.get(side, {})
        out[side] = ApiUsage(
            side,
            calls[side],
            _int(last.get("allocation")),
            _int(last.get("org_used")),
            _int(last.get("org_limit")),
            measured[side],
        )
    return out


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def usage_line(usage: ApiUsage) -> str:
    """ "salesforce: 1,204 calls of 5,000 allocated (24%); org 23,110 of 100,000 used"."""
    if not usage.measured_runs:
        return f"{usage.side}: no run recorded its calls in the last 24 hours"
    text = f"{usage.side}: {usage.calls:,} calls"
    if usage.allocation:
        share = 100 * usage.calls / usage.allocation
        text += f" of {usage.allocation:,} allocated ({share:.0f}%)"
    else:
        text += " (no allocation set)"
    if usage.org_limit:
        text += f"; {'org' if usage.side == 'salesforce' else 'account'} "
        text += f"{usage.org_used or 0:,} of {usage.org_limit:,} used today"
    return text


def open_errors_by_category(state: StateStore) -> dict[Category, int]:
    """Open per-record errors counted by family, largest first (ignored ones are not)."""
    ignored = {(r.object, r.side, r.record_id) for r in state.log.retry_rows() if r.ignored_at}
    query = select(
        s.record_errors.c.object,
        s.record_errors.c.side,
        s.record_errors.c.record_id,
        s.record_errors.c.code,
        s.record_errors.c.message,
    ).where(s.record_errors.c.account == state.account, s.record_errors.c.resolved_at.is_(None))
    counts: Counter[Category] = Counter()
    with state.engine.connect() as conn:
        for obj, side, rid, code, message in conn.execute(query):
            if (obj, side, rid) not in ignored:
                counts[categorize(code, message)] += 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0].value)))


def held_counts(state: StateStore) -> dict[str, int]:
    """Records not retried automatically now: parked, ignored by hand, waiting (backoff)."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    counts = {"parked": 0, "ignored": 0, "waiting": 0}
    for r in state.log.retry_rows():
        if r.ignored_at:
            counts["ignored"] += 1
        elif r.parked_at:
            counts["parked"] += 1
        elif r.next_at and r.next_at > now:
            counts["waiting"] += 1
    return counts


def lags(state: StateStore, now: datetime | None = None) -> list[Lag]:
    moment = now or datetime.now(UTC)
    out = []
    for (side, obj), value in sorted(state.cursors().items()):
        try:
            seconds: float | None = (moment - Cursor.decode(value).moment).total_seconds()
        except (ValueError, TypeError):
            seconds = None
        out.append(Lag(side, obj, value.partition("|")[0], seconds))
    return out


def human_duration(seconds: float | None) -> str:
    if seconds is None:
        return "unknown"
    if seconds < 0:
        return "0s"
    total = int(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if total >= size:
            rest = total % size
            sub = {"d": ("h", 3600), "h": ("m", 60), "m": ("s", 1)}[unit]
            return f"{total // size}{unit}" + (
                f" {rest // sub[1]}{sub[0]}" if rest >= sub[1] else ""
            )
    return f"{total}s"
