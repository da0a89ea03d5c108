"""Records read this run, spilled to the state database so memory stays flat in N."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sqlalchemy import delete, func, select

from mapc.runtime.records import Record, chunked
from mapc.runtime.sync import schema as s
from mapc.runtime.sync.codec import decode, encode
from mapc.runtime.sync.state import StateStore, find_by_keys
from mapc.runtime.sync.upsert import upsert

STAGING_KEY = ("run", "side", "object", "record_id")


class Staging:
    """The changed records of one run, by side ("hubspot"/"salesforce") and object."""

    def __init__(self, state: StateStore, run: int) -> None:
        self.engine = state.engine
        self.run = run
        self._seq = 0
        with self.engine.begin() as conn:
            # A run that died leaves its rows behind; they are of no use to this one.
            conn.execute(
                delete(s.staging)
                .where(s.staging.c.run != run)
                .where(
                    s.staging.c.run.in_(
                        select(s.runs.c.id).where(s.runs.c.account == state.account)
                    )
                )
            )

    def clear(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(s.staging).where(s.staging.c.run == self.run))

    def add(
        self,
        side: str,
        obj: str,
        records: Iterable[Record],
        key: Callable[[Record], str | None] | None,
        id_field: str,
    ) -> int:
        rows: list[dict[str, Any]] = []
        for record in records:
            self._seq += 1
            rows.append(
                {
                    "run": self.run,
                    "side": side,
                    "object": obj,
                    "record_id": str(record[id_field]),
                    "seq": self._seq,
                    "key": key(record) if key else None,
                    "payload": encode(record),
                }
            )
        if not rows:
            return 0
        # A record staged again (read twice) takes its new place in read order.
        with self.engine.begin() as conn:
            upsert(conn, s.staging, rows, STAGING_KEY, ("seq", "key", "payload"))
        return len(rows)

    def discard(self, side: str, obj: str, ids: Iterable[str]) -> None:
        """Take records out of this run (a held record the run must not retry)."""
        with self.engine.begin() as conn:
            for chunk in chunked(sorted(set(ids)), s.IN_CHUNK):
                conn.execute(
                    delete(s.staging).where(
                        s.staging.c.run == self.run,
                        s.staging.c.side == side,
                        s.staging.c.object == obj,
                        s.staging.c.record_id.in_(chunk),
                    )
                )

    def chunks(self, side: str, obj: str, size: int) -> Iterator[list[Record]]:
        """Staged records in read order, `size` at a time."""
        last = 0
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    select(s.staging.c.seq, s.staging.c.payload)
                    .where(
                        s.staging.c.run == self.run,
                        s.staging.c.side == side,
                        s.staging.c.object == obj,
                        s.staging.c.seq > last,
                    )
                    .order_by(s.staging.c.seq)
                    .limit(size)
                ).all()
            if not rows:
                return
            last = rows[-1][0]
            yield [decode(r[1]) for r in rows]

    def get(
        self, side: str, ids: Iterable[str], objects: Iterable[str]
    ) -> dict[str, tuple[str, Record]]:
        """Record id -> (object, record) for those staged on `side` as one of `objects`.
        HubSpot numbers each object type on its own (contact 7001 and company 7001 are two
        records), so a lookup by id always names the objects it means."""
        found: dict[str, tuple[str, Record]] = {}
        wanted = sorted(set(ids))
        kinds = sorted(set(objects))
        with self.engine.connect() as conn:
            for chunk in chunked(wanted, s.IN_CHUNK):
                rows = conn.execute(
                    select(s.staging.c.record_id, s.staging.c.object, s.staging.c.payload).where(
                        s.staging.c.run == self.run,
                        s.staging.c.side == side,
                        s.staging.c.object.in_(kinds),
                        s.staging.c.record_id.in_(chunk),
                    )
                )
                for rid, obj, payload in rows:
                    found[rid] = (obj, decode(payload))
        return found

    def by_keys(
        self, side: str, keys: Iterable[str], objects: Iterable[str]
    ) -> dict[str, list[tuple[str, str]]]:
        """Match key -> [(object, record id)] staged on `side` as one of `objects`."""
        return find_by_keys(
            self.engine, s.staging, s.staging.c.run == self.run, side, keys, objects
        )

    def count(self, side: str, obj: str | None = None) -> int:
        query = (
            select(func.count())
            .select_from(s.staging)
            .where(s.staging.c.run == self.run, s.staging.c.side == side)
        )
        if obj is not None:
            query = query.where(s.staging.c.object == obj)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())
