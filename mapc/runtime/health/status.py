"""What `mapc status` shows: run history with outcomes, open errors by category, cursor lag."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from mapc.runtime.health.categories import Category, categorize
from mapc.runtime.records import Cursor
from mapc.runtime.sync import schema as s
from mapc.runtime.sync.state import StateStore

COMPLETED = "completed"
COMPLETED_WITH_ERRORS = "completed with record errors"
FAILED = "failed"
RUNNING = "running"

API_CALLS_UNKNOWN = "unknown: API calls are not recorded per run yet"


def outcome(status: str, counts: dict[str, Any]) -> str:
    """A run's outcome. The engine records "ok", "failed" (it finished, some records were
    rejected) or "crashed" (it stopped on an exception); "failed" is not a failed run."""
    if status in {"ok", COMPLETED}:
        return COMPLETED
    if status == "failed":
        return COMPLETED_WITH_ERRORS if int(counts.get("errors") or 0) else FAILED
    if status == RUNNING:
        return RUNNING
    return FAILED


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
    out = []
    for r in rows:
        counts = _counts(r.counts)
        out.append(
            RunRow(
                r.id,
                r.adapter,
                r.started_at,
                r.ended_at,
                outcome(r.status, counts),
                int(counts.get("writes") or 0),
                int(counts.get("errors") or 0),
                int(counts.get("conflicts") or 0),
            )
        )
    return out


def open_errors_by_category(state: StateStore) -> dict[Category, int]:
    """Open per-record errors counted by family, largest first."""
    query = select(s.record_errors.c.code, s.record_errors.c.message).where(
        s.record_errors.c.account == state.account, s.record_errors.c.resolved_at.is_(None)
    )
    counts: Counter[Category] = Counter()
    with state.engine.connect() as conn:
        for code, message in conn.execute(query):
            counts[categorize(code, message)] += 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0].value)))


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
