"""The state store: links, last synced values, cursors, run log and per-record errors.

SQLAlchemy Core over SQLite by default (a file path) or any database URL. Every public
method is its own transaction, so what one returns has been committed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Engine,
    Table,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.elements import ColumnElement

from mapc.runtime.records import chunked
from mapc.runtime.sync import schema as s
from mapc.runtime.sync.codec import encode
from mapc.runtime.sync.flags import LinkFlags, split_legacy
from mapc.runtime.sync.flags import dumps as dump_flags
from mapc.runtime.sync.runlog import ErrorRow, RunLog, now_iso
from mapc.runtime.sync.upsert import upsert

__all__ = [
    "ErrorRow",
    "Link",
    "LinkFlags",
    "Owed",
    "StateStore",
    "Unlinked",
    "database_url",
    "now_iso",
]


def database_url(target: str) -> str:
    """A database URL as given, or a SQLite URL for a file path."""
    if "://" in target:
        return target
    return f"sqlite:///{Path(target).expanduser()}"


def masked(target: str) -> str:
    """A state target fit to print: a URL's password masked."""
    if "://" not in target:
        return target
    try:
        from sqlalchemy.engine import make_url

        return make_url(target).render_as_string(hide_password=True)
    except Exception:
        return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", target)


# user[:password]@host[:port][/db] with its scheme forgotten: not a file name anyone means.
_SCHEMELESS_URL = re.compile(r"^[^/\\@\s]+@[^/@\s]+(/[^@]*)?$")


def missing_message(target: str) -> str:
    return (
        f"There is no mapc state at {masked(target)}: against orgs synced before, a new "
        "state would create every record again, so give the state they were synced with, "
        "or create a new one on purpose with `mapc state init` (or `mapc run --init-state`)."
    )


def check_target(target: str, url: str, *, create: bool) -> None:
    """Refuse targets that would silently become a new, empty state."""
    if "://" not in target and _SCHEMELESS_URL.match(target):
        shown = re.sub(r"^([^:@]*):[^@]*@", r"\1:***@", target)
        raise s.StateOpenTargetError(
            f"--state {shown!r} looks like a database URL without its scheme: write it as "
            "postgresql+psycopg://user:password@host/db (or ./name for a file of that name)."
        )
    if not url.startswith("sqlite:///") or url in ("sqlite:///:memory:",):
        return
    path = Path(url.removeprefix("sqlite:///"))
    if not create and not path.exists():
        raise s.StateMissing(missing_message(target))  # SQLite would create the file
    if path.is_file() and path.stat().st_size == 0:
        raise s.StateCorrupt(
            f"The state file {target} is empty (0 bytes), not a mapc state: a state that "
            "lost its contents must not be taken for a first run. Restore it from a backup, "
            "or remove it and run `mapc state init` if a new state is really meant."
        )


@dataclass(frozen=True)
class Owed:
    """An unsubscribe-all HubSpot owes a contact (R1) until it confirms it."""

    object: str
    hubspot_id: str
    sf_id: str
    email: str


@dataclass
class Link:
    """One synced pair, the last values synced on each side (field values only) and the
    engine's flags."""

    object: str
    hubspot_id: str
    sf_object: str
    sf_id: str
    origin: str = "match"
    hs_values: dict[str, Any] = field(default_factory=dict)
    sf_values: dict[str, Any] = field(default_factory=dict)
    hs_parent: str | None = None
    sf_parent: str | None = None
    id: int | None = None
    flags: LinkFlags = field(default_factory=LinkFlags)
    stored: tuple[Any, ...] | None = field(default=None, repr=False, compare=False)
    """The row as last read or written: saving a link that did not change writes nothing."""

    @property
    def synced(self) -> bool:
        """Whether a first sync has completed (values were recorded)."""
        return bool(self.hs_values or self.sf_values)


@dataclass(frozen=True)
class Unlinked:
    """A record kept when its counterpart was deleted: its values then, the Salesforce
    object of the pair it was in and the link's flags."""

    values: dict[str, Any]
    sf_object: str
    flags: LinkFlags = field(default_factory=LinkFlags)


class StateStore:
    """The state of one HubSpot account's sync with one Salesforce org (R11): links, keys,
    cursors and pending creates here, run bookkeeping in its `log`."""

    def __init__(
        self,
        target: str = "mapc-state.db",
        *,
        account: str = "default",
        create: bool = True,
        migrate: bool = True,
    ) -> None:
        """Open the state at `target`. With `create=False` a target that holds no state
        yet (a missing file, an empty database) is StateMissing, never a silent new state;
        a 0-byte file is StateCorrupt either way (SQLite would take it for a new one).
        With `migrate=False` the schema is left as found: SchemaTooOld unless current."""
        url = database_url(target)
        check_target(target, url, create=create)
        self.url = url
        self.account = account
        kwargs: dict[str, Any] = {}
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
        self.engine: Engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        try:
            with self.engine.begin() as conn:
                if not create and not s.has_schema(conn):
                    raise s.StateMissing(missing_message(target))
                self.schema_version = s.migrate(conn) if migrate else s.readable_version(conn)
        except BaseException:
            self.engine.dispose()
            raise
        self.log = RunLog(self.engine, account)

    def close(self) -> None:
        self.engine.dispose()

    # -- links -------------------------------------------------------------------------

    def _link(self, row: Any) -> Link:
        hs_values = s.load_values(row.hs_values, f"link {row.id} ({row.object} {row.hubspot_id})")
        sf_values = s.load_values(row.sf_values, f"link {row.id} ({row.object} {row.sf_id})")
        flags = s.load_flags(row.flags, f"link {row.id} ({row.object} {row.hubspot_id})")
        link = Link(
            object=row.object,
            hubspot_id=row.hubspot_id,
            sf_object=row.sf_object,
            sf_id=row.sf_id,
            origin=row.origin,
            hs_values=hs_values,
            sf_values=sf_values,
            hs_parent=row.hs_parent,
            sf_parent=row.sf_parent,
            id=row.id,
            flags=split_legacy(hs_values, sf_values, flags),
        )
        link.stored = _stored(row)
        return link

    def _links_where(self, obj: str, column: Any, ids: Iterable[str]) -> dict[str, Link]:
        found: dict[str, Link] = {}
        wanted = sorted(set(ids))
        with self.engine.connect() as conn:
            for chunk in chunked(wanted, s.IN_CHUNK):
                rows = conn.execute(
                    select(s.links).where(
                        s.links.c.account == self.account,
                        s.links.c.object == obj,
                        column.in_(chunk),
                    )
                )
                for row in rows:
                    link = self._link(row)
                    found[getattr(row, column.name)] = link
        return found

    def links_by_hubspot(self, obj: str, ids: Iterable[str]) -> dict[str, Link]:
        return self._links_where(obj, s.links.c.hubspot_id, ids)

    def links_by_salesforce(self, obj: str, ids: Iterable[str]) -> dict[str, Link]:
        return self._links_where(obj, s.links.c.sf_id, ids)

    def iter_links(self, obj: str, batch: int = 500) -> Iterator[list[Link]]:
        last = 0
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    select(s.links)
                    .where(
                        s.links.c.account == self.account,
                        s.links.c.object == obj,
                        s.links.c.id > last,
                    )
                    .order_by(s.links.c.id)
                    .limit(batch)
                ).all()
            if not rows:
                return
            last = rows[-1].id
            yield [self._link(r) for r in rows]

    def drop_links(self, ids: Iterable[int]) -> None:
        """Forget pairs whose record left one side (deleted, or merged into another)."""
        wanted = sorted(set(ids))
        with self.engine.begin() as conn:
            for chunk in chunked(wanted, s.IN_CHUNK):
                conn.execute(
                    delete(s.links).where(
                        s.links.c.account == self.account, s.links.c.id.in_(chunk)
                    )
                )

    def keep_unlinked(self, obj: str, side: str, records: Mapping[str, Unlinked]) -> None:
        """Remember records whose counterpart was deleted, with their values then."""
        if not records:
            return
        stamp = now_iso()
        rows = [
            {
                "account": self.account,
                "object": obj,
                "side": side,
                "record_id": rid,
                "record_values": encode(kept.values),
                "sf_object": kept.sf_object,
                "flags": dump_flags(kept.flags),
                "at": stamp,
            }
            for rid, kept in records.items()
        ]
        with self.engine.begin() as conn:
            conn.execute(
                delete(s.unlinked).where(
                    s.unlinked.c.account == self.account,
                    s.unlinked.c.object == obj,
                    s.unlinked.c.side == side,
                    s.unlinked.c.record_id.in_(sorted(records)),
                )
            )
            conn.execute(insert(s.unlinked), rows)

    def unlinked(self, obj: str, side: str, ids: Iterable[str]) -> dict[str, Unlinked]:
        """Record id -> what was kept of it when its counterpart was deleted."""
        found: dict[str, Unlinked] = {}
        with self.engine.connect() as conn:
            for chunk in chunked(sorted(set(ids)), s.IN_CHUNK):
                rows = conn.execute(
                    select(s.unlinked).where(
                        s.unlinked.c.account == self.account,
                        s.unlinked.c.object == obj,
                        s.unlinked.c.side == side,
                        s.unlinked.c.record_id.in_(chunk),
                    )
                )
                for row in rows:
                    found[row.record_id] = _unlinked(row, obj, side)
        return found

    def count_links(self, obj: str | None = None) -> int:
        query = select(func.count()).select_from(s.links).where(s.links.c.account == self.account)
        if obj is not None:
            query = query.where(s.links.c.object == obj)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def save_links(
        self,
        items: Iterable[Link],
        *,
        owe: Iterable[Owed] = (),
        paid: Iterable[tuple[str, str]] = (),
    ) -> None:
        """Insert new links (setting their ids) and update known ones, record the
        unsubscribes they owe and forget those HubSpot confirmed, in one transaction."""
        stamp = now_iso()
        fresh: dict[tuple[str, str], Link] = {}
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        written: list[tuple[Link, tuple[Any, ...]]] = []
        for link in items:
            row = {
                "account": self.account,
                "object": link.object,
                "hubspot_id": link.hubspot_id,
                "sf_object": link.sf_object,
                "sf_id": link.sf_id,
                "origin": link.origin,
                "hs_values": encode(link.hs_values),
                "sf_values": encode(link.sf_values),
                "hs_parent": link.hs_parent,
                "sf_parent": link.sf_parent,
                "flags": dump_flags(link.flags),
                "synced_at": stamp,
            }
            stored = _stored_row(row)
            if link.id is None:
                fresh[(link.object, link.hubspot_id)] = link
                inserts.append(row)
            elif stored != link.stored:
                updates.append({**row, "_id": link.id})
            else:
                continue  # as it is in the database: writing it again would change nothing
            written.append((link, stored))
        owed_rows = {
            (o.object, o.hubspot_id): {
                "account": self.account,
                "object": o.object,
                "hubspot_id": o.hubspot_id,
                "sf_id": o.sf_id,
                "email": o.email,
                "since": stamp,
            }
            for o in owe
        }
        done = sorted(set(paid))
        for key in done:
            owed_rows.pop(key, None)
        with self.engine.begin() as conn:
            for obj, hs_id in [*done, *owed_rows]:
                conn.execute(
                    delete(s.owed).where(
                        s.owed.c.account == self.account,
                        s.owed.c.object == obj,
                        s.owed.c.hubspot_id == hs_id,
                    )
                )
            if owed_rows:
                conn.execute(insert(s.owed), list(owed_rows.values()))
            if inserts:
                # Unordered RETURNING is batched (an ordered one is one INSERT a row on
                # SQLite); each id finds its link by the row's unique key instead.
                result = conn.execute(
                    insert(s.links).returning(s.links.c.id, s.links.c.object, s.links.c.hubspot_id),
                    inserts,
                )
                for new_id, obj, hs_id in result.all():
                    fresh[(obj, hs_id)].id = int(new_id)
            if updates:
                columns: dict[str, Any] = {k: bindparam(k) for k in updates[0] if k != "_id"}
                conn.execute(
                    update(s.links).where(s.links.c.id == bindparam("_id")).values(columns),
                    updates,
                )
        for link, stored in written:
            link.stored = stored

    def owed_unsubscribes(self) -> list[Owed]:
        """Unsubscribes HubSpot has not confirmed yet, oldest first (R1)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(s.owed)
                .where(s.owed.c.account == self.account)
                .order_by(s.owed.c.since, s.owed.c.object, s.owed.c.hubspot_id)
            )
            return [Owed(r.object, r.hubspot_id, r.sf_id, r.email) for r in rows]

    def parents_of(
        self, obj: str, *, hs_parent: str | None = None, sf_parent: str | None = None
    ) -> list[Link]:
        """Contact links whose HubSpot company / Salesforce account is the one given."""
        cond = s.links.c.hs_parent == hs_parent if hs_parent else s.links.c.sf_parent == sf_parent
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(s.links).where(
                    s.links.c.account == self.account, s.links.c.object == obj, cond
                )
            )
            return [self._link(r) for r in rows]

    # -- match keys --------------------------------------------------------------------

    def put_keys(self, side: str, obj: str, pairs: Iterable[tuple[str, str | None]]) -> None:
        rows = [
            {"account": self.account, "side": side, "object": obj, "record_id": rid, "key": key}
            for rid, key in pairs
        ]
        if not rows:
            return
        # Most records read again keep their key: those rows are left as they are.
        gone = sorted({str(r["record_id"]) for r in rows if not r["key"]})
        with self.engine.begin() as conn:
            for chunk in chunked(gone, s.IN_CHUNK):
                conn.execute(
                    delete(s.keys).where(
                        s.keys.c.account == self.account,
                        s.keys.c.side == side,
                        s.keys.c.object == obj,
                        s.keys.c.record_id.in_(chunk),
                    )
                )
            kept = [r for r in rows if r["key"]]
            if kept:
                upsert(conn, s.keys, kept, ("account", "side", "object", "record_id"), ("key",))

    def find_keys(
        self, side: str, values: Iterable[str], objects: Iterable[str]
    ) -> dict[str, list[tuple[str, str]]]:
        """Match key -> [(object, record id)] of `objects` seen on `side`, oldest id first."""
        return find_by_keys(
            self.engine, s.keys, s.keys.c.account == self.account, side, values, objects
        )

    # -- cursors -----------------------------------------------------------------------

    def cursor(self, side: str, obj: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(
                select(s.cursors.c.value).where(
                    s.cursors.c.account == self.account,
                    s.cursors.c.side == side,
                    s.cursors.c.object == obj,
                )
            ).scalar_one_or_none()

    def set_cursor(self, side: str, obj: str, value: str) -> None:
        """A cursor that did not move (a run that read nothing new) is not written again."""
        row = {"account": self.account, "side": side, "object": obj, "value": value}
        with self.engine.begin() as conn:
            upsert(conn, s.cursors, [row], ("account", "side", "object"), ("value",))

    def cursors(self) -> dict[tuple[str, str], str]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(s.cursors).where(s.cursors.c.account == self.account))
            return {(r.side, r.object): r.value for r in rows}

    # -- pending creates (crash safety) --------------------------------------------------

    def add_pending(
        self,
        obj: str,
        target: str,
        target_object: str,
        items: Iterable[tuple[str, Mapping[str, Any]]],
    ) -> list[int]:
        stamp = now_iso()
        rows = [
            {
                "account": self.account,
                "object": obj,
                "target": target,
                "target_object": target_object,
                "source_id": source_id,
                "fingerprint": encode(dict(fingerprint)),
                "started_at": stamp,
            }
            for source_id, fingerprint in items
        ]
        if not rows:
            return []
        with self.engine.begin() as conn:
            # Unordered RETURNING is batched; rows alike in everything may take either id.
            result = conn.execute(
                insert(s.pending).returning(
                    s.pending.c.id, s.pending.c.source_id, s.pending.c.fingerprint
                ),
                rows,
            )
            ids: dict[tuple[str, str], list[int]] = {}
            for new_id, source_id, fingerprint in result.all():
                ids.setdefault((source_id, fingerprint), []).append(int(new_id))
        return [ids[(r["source_id"], r["fingerprint"])].pop() for r in rows]

    def clear_pending(self, ids: Iterable[int]) -> None:
        wanted = list(ids)
        if not wanted:
            return
        with self.engine.begin() as conn:
            conn.execute(delete(s.pending).where(s.pending.c.id.in_(wanted)))

    def pending_creates(self, obj: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(s.pending)
                .where(s.pending.c.account == self.account, s.pending.c.object == obj)
                .order_by(s.pending.c.id)
            )
            return [
                {**r._asdict(), "fingerprint": s.loads(r.fingerprint, f"pending create {r.id}")}
                for r in rows
            ]


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def find_by_keys(
    engine: Engine,
    table: Table,
    scope: ColumnElement[bool],
    side: str,
    values: Iterable[str],
    objects: Iterable[str],
) -> dict[str, list[tuple[str, str]]]:
    """Match key -> [(object, record id)] in `table` (the stored keys, or this run's staged
    records) within `scope`, on `side`, as one of `objects`, by record id."""
    found: dict[str, list[tuple[str, str]]] = {}
    kinds = sorted(set(objects))
    with engine.connect() as conn:
        for chunk in chunked(sorted(set(values)), s.IN_CHUNK):
            # No ORDER BY: it would lead the planner to walk the record-id index over every
            # row in scope instead of looking the keys up (the sort is done below, in
            # code-point order on every database, whatever its collation).
            rows = conn.execute(
                select(table.c.key, table.c.object, table.c.record_id).where(
                    scope,
                    table.c.side == side,
                    table.c.object.in_(kinds),
                    table.c.key.in_(chunk),
                )
            )
            for key, obj, rid in rows:
                found.setdefault(key, []).append((obj, rid))
    for matches in found.values():
        matches.sort(key=lambda m: (m[1], m[0]))
    return found


_ROW = (
    "object",
    "hubspot_id",
    "sf_object",
    "sf_id",
    "origin",
    "hs_values",
    "sf_values",
    "hs_parent",
    "sf_parent",
    "flags",
)


def _unlinked(row: Any, obj: str, side: str) -> Unlinked:
    where = f"unlinked {obj} {row.record_id}"
    values = s.load_values(row.record_values, where)
    # A state written before flags had their column kept them (and the object) among the
    # values: the side's own ones are moved out as a link's are.
    legacy_object = values.pop("@sf_object", None)
    flags = s.load_flags(row.flags, where)
    if side == "hubspot":
        flags = split_legacy(values, {}, flags)
    else:
        flags = split_legacy({}, values, flags)
    return Unlinked(values, str(row.sf_object or legacy_object or ""), flags)


def _stored(row: Any) -> tuple[Any, ...]:
    return tuple(getattr(row, name) for name in _ROW)


def _stored_row(row: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(row[name] for name in _ROW)
