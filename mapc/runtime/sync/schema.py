"""The state store's tables and the migrations that bring an older database up to date."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    inspect,
    select,
    text,
)

from mapc.errors import MapcError
from mapc.runtime.errors import ConfigurationError
from mapc.runtime.sync.codec import DecodeError, decode
from mapc.runtime.sync.flags import LinkFlags
from mapc.runtime.sync.flags import loads as decode_flags

SCHEMA_VERSION = 6
# Ids and keys go to `IN (...)` in slices this long: under SQLite's and PostgreSQL's
# parameter limits, large enough that a page of 200 records is one query.
IN_CHUNK = 500
# pg_advisory_xact_lock key held while a PostgreSQL state is created or migrated.
MIGRATION_LOCK = 0x6D617063  # "mapc"

metadata = MetaData()

meta = Table(
    "mapc_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# One row per synced pair. `account` is the HubSpot account (portal), so several HubSpot
# accounts can share one Salesforce org with one state each or one state for all (R11).
# hs_values / sf_values hold the last synced value of every mapped field on each side
# (JSON), which is how the engine tells which side changed and suppresses echoes.
# hs_parent / sf_parent: the contact's company (HubSpot) and account (Salesforce), which
# companies<->accounts matching (R6) and the association sync read. flags: the engine's
# own state of the pair (LinkFlags, JSON of what is set; NULL, most links, when none is).
links = Table(
    "mapc_links",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account", String(64), nullable=False),
    Column("object", String(64), nullable=False),
    Column("hubspot_id", String(64), nullable=False),
    Column("sf_object", String(64), nullable=False),
    Column("sf_id", String(18), nullable=False),
    Column("origin", String(16), nullable=False),
    Column("hs_values", Text, nullable=False, default="{}"),
    Column("sf_values", Text, nullable=False, default="{}"),
    Column("hs_parent", String(64)),
    Column("sf_parent", String(18)),
    Column("synced_at", String(32), nullable=False),
    Column("flags", Text),
    UniqueConstraint("account", "object", "hubspot_id", name="uq_links_hubspot"),
    UniqueConstraint("account", "object", "sf_id", name="uq_links_salesforce"),
)
Index("ix_links_hs_parent", links.c.account, links.c.hs_parent)
Index("ix_links_sf_parent", links.c.account, links.c.sf_parent)

# The match key (e.g. lower-cased email) of every record read, linked or not, so a record
# that did not change this run can still be found by key without an API call.
keys = Table(
    "mapc_keys",
    metadata,
    Column("account", String(64), primary_key=True),
    Column("side", String(16), primary_key=True),
    Column("object", String(64), primary_key=True),
    Column("record_id", String(64), primary_key=True),
    Column("key", String(320), nullable=False),
)
# Look-ups name the objects and the keys: an index on both lets the database seek each key
# rather than walk every key of the object (what an index on the key alone led SQLite to).
Index("ix_keys_object_key", keys.c.account, keys.c.side, keys.c.object, keys.c.key)

cursors = Table(
    "mapc_cursors",
    metadata,
    Column("account", String(64), primary_key=True),
    Column("side", String(16), primary_key=True),
    Column("object", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# Creates sent but not yet recorded as links: if a run dies between the two, the next run
# finds the created record by its fingerprint instead of creating it again.
pending = Table(
    "mapc_pending",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account", String(64), nullable=False),
    Column("object", String(64), nullable=False),
    Column("target", String(16), nullable=False),
    Column("target_object", String(64), nullable=False),
    Column("source_id", String(64), nullable=False),
    Column("fingerprint", Text, nullable=False),
    Column("started_at", String(32), nullable=False),
)

# R1: unsubscribes owed to HubSpot. Written in the transaction that records the link (or
# the decision) that owes it, before the call is made, and deleted only once HubSpot
# confirms it: a failed or interrupted call stays owed and every run retries it.
owed = Table(
    "mapc_owed",
    metadata,
    Column("account", String(64), primary_key=True),
    Column("object", String(64), primary_key=True),
    Column("hubspot_id", String(64), primary_key=True),
    Column("sf_id", String(18), nullable=False),
    Column("email", String(320), nullable=False),
    Column("since", String(32), nullable=False),
)

# R8: every email event turned into a task, exactly once (pending until the task exists).
email_events = Table(
    "mapc_email_events",
    metadata,
    Column("account", String(64), primary_key=True),
    Column("event_id", String(128), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("who_id", String(18)),
    Column("subject", Text),
    Column("task_id", String(18)),
    Column("started_at", String(32), nullable=False),
)

# Records kept when their counterpart was deleted (the pair's policy said `unlink`), with
# their values at that moment: read again unchanged (an echo, a re-read second) they are
# not new records to create elsewhere; changed, or matched by key, they sync again.
unlinked = Table(
    "mapc_unlinked",
    metadata,
    Column("account", String(64), primary_key=True),
    Column("object", String(64), primary_key=True),
    Column("side", String(16), primary_key=True),
    Column("record_id", String(64), primary_key=True),
    Column("record_values", Text, nullable=False),
    Column("at", String(32), nullable=False),
    Column("sf_object", String(64)),
    Column("flags", Text),
)

runs = Table(
    "mapc_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account", String(64), nullable=False),
    Column("adapter", String(128), nullable=False),
    Column("started_at", String(32), nullable=False),
    Column("ended_at", String(32)),
    Column("status", String(32), nullable=False),
    Column("dry_run", Boolean, nullable=False, default=False),
    Column("counts", Text, nullable=False, default="{}"),
)

record_errors = Table(
    "mapc_record_errors",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account", String(64), nullable=False),
    Column("object", String(64), nullable=False),
    Column("side", String(16), nullable=False),
    Column("record_id", String(64), nullable=False),
    Column("field", String(128), nullable=False, default=""),
    Column("code", String(64), nullable=False),
    Column("message", Text, nullable=False),
    Column("first_seen", String(32), nullable=False),
    Column("last_seen", String(32), nullable=False),
    Column("resolved_at", String(32)),
    Column("occurrences", Integer, nullable=False, default=1),
    Column("run_id", Integer),
    UniqueConstraint(
        "account", "object", "side", "record_id", "code", "field", name="uq_record_errors"
    ),
)

# A record that keeps failing (one row per record and rejecting side, whatever its error
# codes): how often in a row, when the next automatic retry is due, and whether it is
# parked (no more automatic retries) or ignored by hand. `stamp` is the record's own
# modification time when it last failed: a different one later means it changed, which
# un-parks it. A record that syncs loses its row.
retries = Table(
    "mapc_retries",
    metadata,
    Column("account", String(64), primary_key=True),
    Column("object", String(64), primary_key=True),
    Column("side", String(16), primary_key=True),
    Column("record_id", String(64), primary_key=True),
    Column("failures", Integer, nullable=False, default=0),
    Column("next_at", String(32)),
    Column("parked_at", String(32)),
    Column("ignored_at", String(32)),
    Column("stamp", String(32)),
    Column("updated_at", String(32), nullable=False),
)

conflicts = Table(
    "mapc_conflicts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer),
    Column("account", String(64), nullable=False),
    Column("object", String(64), nullable=False),
    Column("hubspot_id", String(64), nullable=False),
    Column("sf_id", String(18), nullable=False),
    Column("field", String(128), nullable=False),
    Column("hubspot_value", Text),
    Column("salesforce_value", Text),
    Column("winner", String(16), nullable=False),
    Column("at", String(32), nullable=False),
)

# Records read in this run, spilled to the database so memory stays flat in N.
staging = Table(
    "mapc_staging",
    metadata,
    Column("run", Integer, primary_key=True),
    Column("side", String(16), primary_key=True),
    Column("object", String(64), primary_key=True),
    Column("record_id", String(64), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("key", String(320)),
    Column("payload", Text, nullable=False),
)
# By id, the primary key serves; by key, this index (see ix_keys_object_key); in read order,
# the seq index.
Index("ix_staging_object_key", staging.c.run, staging.c.side, staging.c.object, staging.c.key)
Index("ix_staging_seq", staging.c.run, staging.c.side, staging.c.object, staging.c.seq)

Migration = Callable[[Connection], None]


# MIGRATIONS[n] upgrades a database at version n to n + 1. Version 0 is an empty database.
def _v3(conn: Connection) -> None:
    """Retries and parking; run outcomes renamed so "failed" means the run failed (it
    meant "completed with record errors" before)."""
    retries.create(conn, checkfirst=True)
    if conn.dialect.name == "postgresql":  # SQLite keeps any length; PostgreSQL enforces it
        conn.execute(text("ALTER TABLE mapc_runs ALTER COLUMN status TYPE VARCHAR(32)"))
    for old, new in (
        ("failed", "completed_with_errors"),
        ("ok", "completed"),
        ("crashed", "failed"),
    ):
        conn.execute(runs.update().where(runs.c.status == old).values(status=new))


def _seekable_keys(conn: Connection) -> None:
    """Version 5: key look-ups seek (object, key); the id index the primary key covers goes."""
    for name in ("ix_keys_key", "ix_staging_key", "ix_staging_id"):
        conn.execute(text(f"DROP INDEX IF EXISTS {name}"))
    for index in (*keys.indexes, *staging.indexes):
        index.create(conn, checkfirst=True)


def _flag_columns(conn: Connection) -> None:
    """Version 6: a link's flags leave its values for a column of their own (rows written
    before keep them among the values, moved out when read); a kept record's object too.
    The columns exist already when this database was created at this version."""
    inspector = inspect(conn)
    for table, columns in ((links, ("flags",)), (unlinked, ("sf_object", "flags"))):
        have = {c["name"] for c in inspector.get_columns(table.name)}
        for name in columns:
            if name not in have:
                kind = table.c[name].type.compile(dialect=conn.dialect)
                conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {name} {kind}"))


MIGRATIONS: dict[int, Migration] = {
    0: lambda conn: metadata.create_all(conn),
    1: lambda conn: owed.create(conn, checkfirst=True),
    2: _v3,
    3: lambda conn: unlinked.create(conn, checkfirst=True),
    4: _seekable_keys,
    5: _flag_columns,
}


class SchemaTooNew(MapcError):
    """The state database was written by a newer mapc."""


class SchemaTooOld(MapcError):
    """The state database has an older schema and was opened without upgrading it."""


class StateCorrupt(ConfigurationError):
    """The state database holds something mapc did not write (a damaged row or file)."""


class StateOpenTargetError(ConfigurationError):
    """A --state value that cannot be what was meant."""


class StateMissing(ConfigurationError):
    """No state where one was expected: a new one is made only when asked for."""


def loads(text: str | None, where: str) -> Any:
    """A JSON column's value, or StateCorrupt naming the row it came from."""
    try:
        return decode(text or "")
    except (DecodeError, ValueError, TypeError, RecursionError):
        raise StateCorrupt(
            f"The state database is corrupt: {where} does not hold valid JSON; restore it "
            "from a backup (or, knowing what it costs, start a new state)."
        ) from None


def load_values(text: str | None, where: str) -> dict[str, Any]:
    """A values column's object, or StateCorrupt naming the row it came from."""
    found = loads(text, where)
    if not isinstance(found, dict):
        raise StateCorrupt(
            f"The state database is corrupt: {where} does not hold an object of values; "
            "restore it from a backup (or, knowing what it costs, start a new state)."
        )
    return found


def load_flags(text: str | None, where: str) -> LinkFlags:
    """A flags column's value, or StateCorrupt naming the row it came from."""
    try:
        return decode_flags(text)
    except ValueError:
        raise StateCorrupt(
            f"The state database is corrupt: {where} does not hold valid flags; restore it "
            "from a backup (or, knowing what it costs, start a new state)."
        ) from None


def has_schema(conn: Connection) -> bool:
    """Whether the database holds a mapc state (any version)."""
    return bool(conn.dialect.has_table(conn, meta.name))


def current_version(conn: Connection) -> int:
    if not conn.dialect.has_table(conn, meta.name):
        return 0
    row = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).first()
    return int(row[0]) if row else 0


def readable_version(conn: Connection) -> int:
    """The schema version, for a reader that must not upgrade it (an older mapc may
    still be the one running the sync): SchemaTooNew or SchemaTooOld unless current."""
    version = current_version(conn)
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"the state database has schema version {version}, newer than this mapc "
            f"understands ({SCHEMA_VERSION}): upgrade mapc"
        )
    if version < SCHEMA_VERSION:
        raise SchemaTooOld(
            f"the state database has schema version {version}, older than this mapc's "
            f"({SCHEMA_VERSION}): the next `mapc run` with this mapc upgrades it; until "
            "then it is left as it is"
        )
    return version


def migrate(conn: Connection) -> int:
    """Bring the schema to SCHEMA_VERSION inside the caller's transaction; returns it."""
    version = current_version(conn)
    if version == SCHEMA_VERSION:
        return version  # nothing to write: many workers may open one state at once
    if conn.dialect.name == "postgresql":
        # One migration at a time across every process; the others then find it done.
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        version = current_version(conn)
        if version == SCHEMA_VERSION:
            return version
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"the state database has schema version {version}, newer than this mapc "
            f"understands ({SCHEMA_VERSION}): upgrade mapc"
        )
    while version < SCHEMA_VERSION:
        MIGRATIONS[version](conn)
        version += 1
    conn.execute(meta.delete().where(meta.c.key == "schema_version"))
    conn.execute(meta.insert().values(key="schema_version", value=str(version)))
    return version
