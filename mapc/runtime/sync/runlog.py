"""The state store's run log: runs, per-record errors, conflicts and email events (R8)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, insert, select, update

from mapc.runtime.records import chunked
from mapc.runtime.sync import schema as s

_ISO = "%Y-%m-%dT%H:%M:%S.%fZ"
POLL = "poll"
"""The status of a run log row that holds calls made between runs (`mapc serve`'s
Salesforce poll): a dry run, never listed as a run, counted in the day's API usage."""


def now_iso() -> str:
    return datetime.now(UTC).strftime(_ISO)


def _new_id(result: Any) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class ErrorRow:
    object: str
    side: str
    record_id: str
    field: str
    code: str
    message: str
    first_seen: str
    last_seen: str
    occurrences: int
    resolved_at: str | None
    run_id: int | None


def _note_key(account: str, name: str) -> str:
    return f"note/{name}/{account}"[:64]


@dataclass(frozen=True)
class RetryRow:
    """A record that keeps failing (see runtime/sync/retries.py)."""

    object: str
    side: str
    """The side that rejected it; the record lives on the other."""
    record_id: str
    failures: int
    next_at: str | None
    parked_at: str | None
    ignored_at: str | None
    stamp: str | None


class RunLog:
    """Run bookkeeping in one account's state (a StateStore's `log`): runs, errors,
    retries, conflicts, notes and email events."""

    def __init__(self, engine: Engine, account: str) -> None:
        self.engine = engine
        self.account = account

    # -- email events (R8) -------------------------------------------------------------

    def email_event_status(self, event_ids: Iterable[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        wanted = sorted(set(event_ids))
        with self.engine.connect() as conn:
            for chunk in chunked(wanted, s.IN_CHUNK):
                rows = conn.execute(
                    select(s.email_events.c.event_id, s.email_events.c.status).where(
                        s.email_events.c.account == self.account,
                        s.email_events.c.event_id.in_(chunk),
                    )
                )
                found.update({eid: status for eid, status in rows})
        return found

    def mark_events_pending(self, items: Iterable[tuple[str, str, str]]) -> None:
        """(event id, Salesforce WhoId, task subject) about to become tasks."""
        stamp = now_iso()
        rows = [
            {
                "account": self.account,
                "event_id": eid,
                "status": "pending",
                "who_id": who,
                "subject": subject,
                "started_at": stamp,
            }
            for eid, who, subject in items
        ]
        if rows:
            with self.engine.begin() as conn:
                conn.execute(insert(s.email_events), rows)

    def mark_events_done(self, items: Iterable[tuple[str, str | None]]) -> None:
        with self.engine.begin() as conn:
            for eid, task_id in items:
                conn.execute(
                    update(s.email_events)
                    .where(
                        s.email_events.c.account == self.account, s.email_events.c.event_id == eid
                    )
                    .values(status="done", task_id=task_id)
                )

    def forget_events(self, event_ids: Iterable[str]) -> None:
        wanted = list(event_ids)
        if wanted:
            with self.engine.begin() as conn:
                conn.execute(
                    delete(s.email_events).where(
                        s.email_events.c.account == self.account,
                        s.email_events.c.event_id.in_(wanted),
                    )
                )

    def pending_events(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(s.email_events)
                .where(
                    s.email_events.c.account == self.account,
                    s.email_events.c.status == "pending",
                )
                .order_by(s.email_events.c.started_at, s.email_events.c.event_id)
            )
            return [r._asdict() for r in rows]

    def tasks_claimed(self, task_ids: Iterable[str]) -> set[str]:
        """Those of `task_ids` already recorded as some event's task (looked up by id, so
        memory follows the question, not every task ever created)."""
        found: set[str] = set()
        with self.engine.connect() as conn:
            for chunk in chunked(sorted(set(task_ids)), s.IN_CHUNK):
                rows = conn.execute(
                    select(s.email_events.c.task_id).where(
                        s.email_events.c.account == self.account,
                        s.email_events.c.task_id.in_(chunk),
                    )
                )
                found.update(r[0] for r in rows)
        return found

    # -- runs, errors, conflicts -------------------------------------------------------

    def start_run(self, adapter: str, *, dry_run: bool = False) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(
                insert(s.runs).values(
                    account=self.account,
                    adapter=adapter,
                    started_at=now_iso(),
                    status="running",
                    dry_run=dry_run,
                    counts="{}",
                )
            )
            return _new_id(result)

    def finish_run(self, run_id: int, status: str, counts: Mapping[str, Any]) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(s.runs)
                .where(s.runs.c.id == run_id)
                .values(
                    ended_at=now_iso(),
                    status=status,
                    counts=json.dumps(dict(counts), sort_keys=True),
                )
            )

    def fail_abandoned_runs(self, conn: Connection) -> int:
        """Runs still `running` when their lock was taken: their process is gone, so they
        end as failed (else they would show as running, and be waited for, forever)."""
        result = conn.execute(
            update(s.runs)
            .where(s.runs.c.account == self.account, s.runs.c.status == "running")
            .values(ended_at=now_iso(), status="failed")
        )
        return int(result.rowcount or 0)

    def recent_runs(self, limit: int = 10) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(s.runs)
                .where(s.runs.c.account == self.account)
                .order_by(s.runs.c.id.desc())
                .limit(limit)
            )
            return [{**r._asdict(), "counts": json.loads(r.counts)} for r in rows]

    def record_error(
        self,
        run_id: int | None,
        obj: str,
        side: str,
        record_id: str,
        code: str,
        message: str,
        field_name: str = "",
    ) -> None:
        stamp = now_iso()
        key = and_(
            s.record_errors.c.account == self.account,
            s.record_errors.c.object == obj,
            s.record_errors.c.side == side,
            s.record_errors.c.record_id == record_id,
            s.record_errors.c.code == code,
            s.record_errors.c.field == field_name,
        )
        with self.engine.begin() as conn:
            found = conn.execute(select(s.record_errors.c.id).where(key)).first()
            if found:
                conn.execute(
                    update(s.record_errors)
                    .where(s.record_errors.c.id == found[0])
                    .values(
                        message=message,
                        last_seen=stamp,
                        resolved_at=None,
                        run_id=run_id,
                        occurrences=s.record_errors.c.occurrences + 1,
                    )
                )
            else:
                conn.execute(
                    insert(s.record_errors).values(
                        account=self.account,
                        object=obj,
                        side=side,
                        record_id=record_id,
                        field=field_name,
                        code=code,
                        message=message,
                        first_seen=stamp,
                        last_seen=stamp,
                        occurrences=1,
                        run_id=run_id,
                    )
                )

    def resolve_errors(
        self, obj: str, side: str, record_ids: Iterable[str], code: str | None = None
    ) -> None:
        wanted = sorted(set(record_ids))
        if not wanted:
            return
        with self.engine.begin() as conn:
            for chunk in chunked(wanted, s.IN_CHUNK):
                query = update(s.record_errors).where(
                    s.record_errors.c.account == self.account,
                    s.record_errors.c.object == obj,
                    s.record_errors.c.side == side,
                    s.record_errors.c.record_id.in_(chunk),
                    s.record_errors.c.resolved_at.is_(None),
                )
                if code is not None:
                    query = query.where(s.record_errors.c.code == code)
                conn.execute(query.values(resolved_at=now_iso()))
                if code is None:
                    conn.execute(
                        delete(s.retries).where(
                            s.retries.c.account == self.account,
                            s.retries.c.object == obj,
                            s.retries.c.side == side,
                            s.retries.c.record_id.in_(chunk),
                        )
                    )

    def open_error_ids(self, obj: str, side: str) -> list[str]:
        """Records whose last sync attempt failed (retried by the next run)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(s.record_errors.c.record_id)
                .distinct()
                .where(
                    s.record_errors.c.account == self.account,
                    s.record_errors.c.object == obj,
                    s.record_errors.c.side == side,
                    s.record_errors.c.resolved_at.is_(None),
                )
            )
            return sorted(r[0] for r in rows)

    def errors(self, *, include_resolved: bool = False, limit: int = 200) -> list[ErrorRow]:
        query = select(s.record_errors).where(s.record_errors.c.account == self.account)
        if not include_resolved:
            query = query.where(s.record_errors.c.resolved_at.is_(None))
        return self._error_rows(query.order_by(s.record_errors.c.last_seen.desc()).limit(limit))

    def record_errors(self, obj: str, side: str, record_id: str) -> list[ErrorRow]:
        """Every error of one record, the resolved ones too, newest first."""
        c = s.record_errors.c
        query = select(s.record_errors).where(
            c.account == self.account, c.object == obj, c.side == side, c.record_id == record_id
        )
        return self._error_rows(query.order_by(c.last_seen.desc()))

    def _error_rows(self, query: Any) -> list[ErrorRow]:
        with self.engine.connect() as conn:
            return [
                ErrorRow(
                    r.object,
                    r.side,
                    r.record_id,
                    r.field,
                    r.code,
                    r.message,
                    r.first_seen,
                    r.last_seen,
                    r.occurrences,
                    r.resolved_at,
                    r.run_id,
                )
                for r in conn.execute(query)
            ]

    def record_conflict(
        self,
        run_id: int | None,
        obj: str,
        hubspot_id: str,
        sf_id: str,
        field_name: str,
        hs_value: Any,
        sf_value: Any,
        winner: str,
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(s.conflicts).values(
                    run_id=run_id,
                    account=self.account,
                    object=obj,
                    hubspot_id=hubspot_id,
                    sf_id=sf_id,
                    field=field_name,
                    hubspot_value=_text(hs_value),
                    salesforce_value=_text(sf_value),
                    winner=winner,
                    at=now_iso(),
                )
            )

    def conflicts(self, run_id: int | None = None) -> list[dict[str, Any]]:
        query = select(s.conflicts).where(s.conflicts.c.account == self.account)
        if run_id is not None:
            query = query.where(s.conflicts.c.run_id == run_id)
        with self.engine.connect() as conn:
            return [r._asdict() for r in conn.execute(query.order_by(s.conflicts.c.id))]

    def note(self, name: str) -> str | None:
        """A small fact kept for this account between processes (mapc_meta)."""
        with self.engine.connect() as conn:
            return conn.execute(
                select(s.meta.c.value).where(s.meta.c.key == _note_key(self.account, name))
            ).scalar_one_or_none()

    def set_note(self, name: str, value: str) -> None:
        key = _note_key(self.account, name)
        with self.engine.begin() as conn:
            conn.execute(delete(s.meta).where(s.meta.c.key == key))
            conn.execute(insert(s.meta).values(key=key, value=value))

    def record_poll_calls(self, side: str, entry: Mapping[str, Any]) -> None:
        """Add calls made between runs (an API usage entry as a run records it) to this
        hour's poll row, so the 24-hour usage and the budget count them like a run's."""
        calls = int(entry.get("calls") or 0)
        if not calls:
            return
        now = now_iso()
        hour = now[:13]
        with self.engine.begin() as conn:
            row = conn.execute(
                select(s.runs.c.id, s.runs.c.counts)
                .where(
                    s.runs.c.account == self.account,
                    s.runs.c.status == POLL,
                    s.runs.c.started_at >= hour,
                )
                .order_by(s.runs.c.id.desc())
                .limit(1)
            ).first()
            counts: dict[str, Any] = {}
            if row is not None:
                try:
                    counts = json.loads(row.counts or "{}")
                except ValueError:
                    counts = {}
            api = counts.setdefault("api", {})
            kept = api.get(side) if isinstance(api.get(side), dict) else {}
            api[side] = {**entry, "calls": int(kept.get("calls") or 0) + calls}
            text = json.dumps(counts, sort_keys=True)
            if row is None:
                conn.execute(
                    insert(s.runs).values(
                        account=self.account,
                        adapter=POLL,
                        started_at=now,
                        ended_at=now,
                        status=POLL,
                        dry_run=True,
                        counts=text,
                    )
                )
            else:
                conn.execute(
                    update(s.runs).where(s.runs.c.id == row.id).values(ended_at=now, counts=text)
                )

    def api_calls_since(self, since: str) -> dict[str, int]:
        """Per side, the API calls of every run and plan started at or after `since`."""
        calls: dict[str, int] = {}
        query = select(s.runs.c.counts).where(
            s.runs.c.account == self.account, s.runs.c.started_at >= since
        )
        with self.engine.connect() as conn:
            for (text,) in conn.execute(query):
                try:
                    api = json.loads(text or "{}").get("api") or {}
                except (ValueError, AttributeError):
                    continue
                for side, entry in api.items() if isinstance(api, dict) else ():
                    made = entry.get("calls") if isinstance(entry, dict) else None
                    if isinstance(made, int):
                        calls[side] = calls.get(side, 0) + made
        return calls

    # -- retries and parking -------------------------------------------------------------

    def retry_rows(self, obj: str | None = None) -> list[RetryRow]:
        query = select(s.retries).where(s.retries.c.account == self.account)
        if obj is not None:
            query = query.where(s.retries.c.object == obj)
        with self.engine.connect() as conn:
            return [
                RetryRow(
                    r.object,
                    r.side,
                    r.record_id,
                    r.failures,
                    r.next_at,
                    r.parked_at,
                    r.ignored_at,
                    r.stamp,
                )
                for r in conn.execute(query)
            ]

    def record_failures(
        self,
        items: Iterable[tuple[str, str, str, str | None]],
        *,
        limit: int,
        wait: Callable[[int], timedelta],
    ) -> None:
        """(object, rejecting side, record id, the record's modification time) of records
        that failed in a run: one more failure in a row each (the first again when the
        record changed since its last failure), parked at `limit`."""
        now = datetime.now(UTC)
        stamp_now = now.strftime(_ISO)
        with self.engine.begin() as conn:
            for obj, side, rid, stamp in items:
                key = and_(
                    s.retries.c.account == self.account,
                    s.retries.c.object == obj,
                    s.retries.c.side == side,
                    s.retries.c.record_id == rid,
                )
                row = conn.execute(select(s.retries).where(key)).first()
                changed = row is not None and stamp is not None and stamp != row.stamp
                failures = 1 if row is None or changed else row.failures + 1
                values = {
                    "failures": failures,
                    "next_at": (now + wait(failures)).strftime(_ISO),
                    "parked_at": stamp_now if failures >= limit else None,
                    "ignored_at": None if row is None or changed else row.ignored_at,
                    "stamp": stamp if stamp is not None else (row.stamp if row else None),
                    "updated_at": stamp_now,
                }
                if row is None:
                    conn.execute(
                        insert(s.retries).values(
                            account=self.account, object=obj, side=side, record_id=rid, **values
                        )
                    )
                else:
                    conn.execute(update(s.retries).where(key).values(**values))

    def retry_records(self, keys: Iterable[tuple[str, str, str]]) -> int:
        """Release (object, side, record id) records by hand: parked, ignored or waiting,
        each is retried by the next run, with its count of failures started again."""
        count = 0
        with self.engine.begin() as conn:
            for obj, side, rid in sorted(set(keys)):
                conn.execute(
                    delete(s.retries).where(
                        s.retries.c.account == self.account,
                        s.retries.c.object == obj,
                        s.retries.c.side == side,
                        s.retries.c.record_id == rid,
                    )
                )
                count += 1
        return count

    def ignore_records(self, keys: Iterable[tuple[str, str, str]]) -> int:
        """Hold (object, side, record id) records from automatic retries by hand."""
        stamp = now_iso()
        count = 0
        with self.engine.begin() as conn:
            for obj, side, rid in sorted(set(keys)):
                key = and_(
                    s.retries.c.account == self.account,
                    s.retries.c.object == obj,
                    s.retries.c.side == side,
                    s.retries.c.record_id == rid,
                )
                if conn.execute(select(s.retries.c.failures).where(key)).first() is None:
                    conn.execute(
                        insert(s.retries).values(
                            account=self.account,
                            object=obj,
                            side=side,
                            record_id=rid,
                            failures=0,
                            ignored_at=stamp,
                            updated_at=stamp,
                        )
                    )
                else:
                    conn.execute(
                        update(s.retries).where(key).values(ignored_at=stamp, updated_at=stamp)
                    )
                count += 1
        return count
