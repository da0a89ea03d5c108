"""Insert-or-update of many rows in one statement, on SQLite and PostgreSQL alike, that
leaves a row whose values did not change untouched (no page written, no dead tuple)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, and_, delete, insert, or_, tuple_
from sqlalchemy.dialects import postgresql, sqlite


def upsert(
    conn: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    changing: Sequence[str],
) -> None:
    """Insert `rows`; where one with the same `keys` exists, set its `changing` columns,
    and only when one of them differs. Rows are unique by `keys` (the last one wins)."""
    unique = list({tuple(r[k] for k in keys): r for r in rows}.values())
    if not unique:
        return
    name = conn.dialect.name
    if name in ("sqlite", "postgresql"):
        dialect_insert = sqlite.insert if name == "sqlite" else postgresql.insert
        stmt = dialect_insert(table)
        differs = or_(*(table.c[c].is_distinct_from(stmt.excluded[c]) for c in changing))
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[table.c[k] for k in keys],
                set_={c: stmt.excluded[c] for c in changing},
                where=differs,
            ),
            unique,
        )
        return
    # Any other database: the portable way, at the cost of rewriting every row.
    columns = tuple_(*(table.c[k] for k in keys))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        conn.execute(
            delete(table).where(and_(columns.in_([tuple(r[k] for k in keys) for r in chunk])))
        )
    conn.execute(insert(table), unique)
