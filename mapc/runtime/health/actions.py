"""Acting on per-record errors (`mapc errors retry|ignore`, the page's buttons): the state
operations, shared by every front end so a button does exactly what the command does.

Retry: the selected records are tried again by the next run (an open error's record is
re-read and re-written by every run; an ignored one is reopened). Ignore: their open
errors are closed without a sync, so no run retries them; a record that changes is read
again by its cursor and, failing again, opens a new error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, select, update

from mapc.runtime.health.categories import Category, categorize
from mapc.runtime.sync import schema as s
from mapc.runtime.sync.runlog import now_iso
from mapc.runtime.sync.state import StateStore

Record = tuple[str, str, str]
"""(object, side that rejected it, record id)."""


@dataclass(frozen=True)
class Selection:
    """Which errors to act on; fields left None match anything. A selection names at
    least a category or one record."""

    category: Category | None = None
    object: str | None = None
    side: str | None = None
    record_id: str | None = None

    def __str__(self) -> str:
        parts = [
            f"{name}={value}"
            for name, value in (
                ("category", self.category.value if self.category else None),
                ("object", self.object),
                ("side", self.side),
                ("record", self.record_id),
            )
            if value
        ]
        return ", ".join(parts) or "everything"


def _matching(
    conn: Connection, state: StateStore, selection: Selection, *, open_only: bool
) -> list[tuple[int, Record, bool]]:
    """(error id, record, is open) of the errors the selection names."""
    e = s.record_errors.c
    query = select(e.id, e.object, e.side, e.record_id, e.code, e.message, e.resolved_at).where(
        e.account == state.account
    )
    if open_only:
        query = query.where(e.resolved_at.is_(None))
    if selection.object:
        query = query.where(e.object == selection.object)
    if selection.side:
        query = query.where(e.side == selection.side)
    if selection.record_id:
        query = query.where(e.record_id == selection.record_id)
    found = []
    for row in conn.execute(query.order_by(e.last_seen.desc(), e.id.desc())):
        if selection.category and categorize(row.code, row.message) is not selection.category:
            continue
        found.append((row.id, (row.object, row.side, row.record_id), row.resolved_at is None))
    return found


def _records(found: Iterable[tuple[int, Record, bool]]) -> set[Record]:
    return {record for _, record, _ in found}


def retry(state: StateStore, selection: Selection) -> int:
    """Have the next run try the selected records again; returns how many records."""
    with state.engine.begin() as conn:
        found = _matching(conn, state, selection, open_only=selection.record_id is None)
        reopened: set[Record] = set()
        open_records = {record for _, record, is_open in found if is_open}
        for error_id, record, is_open in found:
            # A named record with no open error (ignored, or synced since) gets its latest
            # error back: open errors are what the next run re-reads and retries.
            if is_open or record in open_records or record in reopened:
                continue
            conn.execute(
                update(s.record_errors)
                .where(s.record_errors.c.id == error_id)
                .values(resolved_at=None)
            )
            reopened.add(record)
    return len(_records(found))


def ignore(state: StateStore, selection: Selection) -> int:
    """Close the selected open errors without a sync; returns how many records."""
    with state.engine.begin() as conn:
        found = _matching(conn, state, selection, open_only=True)
        ids = [error_id for error_id, _, _ in found]
        stamp = now_iso()
        for chunk_start in range(0, len(ids), s.IN_CHUNK):
            conn.execute(
                update(s.record_errors)
                .where(s.record_errors.c.id.in_(ids[chunk_start : chunk_start + s.IN_CHUNK]))
                .values(resolved_at=stamp)
            )
    return len(_records(found))
