"""Acting on errors: retry or ignore the records of a selection (the page's buttons; the
same two actions for any other front end).

Retry: the next run tries each record again (an open error's record is re-read and
re-written by the next run due; an ignored one is reopened; a parked one, or one waiting
for its backoff, is released with its failures counted from zero: runtime/sync/retries.py).
Ignore: the records' open errors are closed without a sync and the records are held like
parked ones, so no run retries them; a record that changes is read again by its cursor
and, failing again, opens a new error.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, update
from sqlalchemy.sql.elements import ColumnElement

from mapc.runtime.health.records import ErrorView
from mapc.runtime.sync import schema as s
from mapc.runtime.sync.runlog import now_iso
from mapc.runtime.sync.state import StateStore

Record = tuple[str, str, str]
"""(object, side that rejected it, record id)."""


def _record(v: ErrorView) -> Record:
    return (v.error.object, v.error.side, v.error.record_id)


def _where(state: StateStore, record: Record) -> ColumnElement[bool]:
    e = s.record_errors.c
    obj, side, record_id = record
    return and_(
        e.account == state.account, e.object == obj, e.side == side, e.record_id == record_id
    )


def retry(state: StateStore, found: Iterable[ErrorView]) -> int:
    """The next run retries each record of `found`; returns how many records."""
    views = list(found)
    open_records = {_record(v) for v in views if v.error.resolved_at is None}
    # A record with no open error (ignored by hand) gets its latest error back: open
    # errors are what the next run re-reads and retries.
    closed: dict[Record, str] = {}
    for v in views:
        key = _record(v)
        if key not in open_records and v.error.last_seen > closed.get(key, ""):
            closed[key] = v.error.last_seen
    e = s.record_errors.c
    with state.engine.begin() as conn:
        for key, last_seen in closed.items():
            conn.execute(
                update(s.record_errors)
                .where(_where(state, key), e.last_seen == last_seen)
                .values(resolved_at=None)
            )
    state.log.retry_records(open_records | set(closed))
    return len(open_records | set(closed))


def ignore(state: StateStore, found: Iterable[ErrorView]) -> int:
    """No run retries these records until they change; they no longer count as open
    errors. Returns how many records."""
    records = sorted({_record(v) for v in found if v.error.resolved_at is None})
    stamp = now_iso()
    e = s.record_errors.c
    with state.engine.begin() as conn:
        for key in records:
            conn.execute(
                update(s.record_errors)
                .where(_where(state, key), e.resolved_at.is_(None))
                .values(resolved_at=stamp)
            )
    state.log.ignore_records(records)
    return len(records)
