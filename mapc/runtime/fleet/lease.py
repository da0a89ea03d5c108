"""A lease per pair in PostgreSQL: one worker syncs a pair at a time, and a worker that dies
holding one loses it when it expires (times are the database's, not the workers' clocks)."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    text,
)

from mapc.runtime.errors import ConfigurationError

log = logging.getLogger("mapc.fleet")

metadata = MetaData()

# The fleet's own tables, beside the state's (created when a worker starts, not versioned
# with the state: they hold nothing a run needs).
leases = Table(
    "mapc_leases",
    metadata,
    Column("pair", String(200), primary_key=True),
    Column("holder", String(200), nullable=False),
    Column("token", String(64), nullable=False),
    Column("acquired_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

# Every lease ever granted, with how long it was good for: what "no pair ever ran twice at
# once" is checked against.
lease_log = Table(
    "mapc_lease_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("pair", String(200), nullable=False),
    Column("holder", String(200), nullable=False),
    Column("token", String(64), nullable=False, unique=True),
    Column("acquired_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("released_at", DateTime(timezone=True)),
)

_ACQUIRE = text(
    """
    INSERT INTO mapc_leases AS l (pair, holder, token, acquired_at, expires_at)
    VALUES (:pair, :holder, :token, clock_timestamp(),
            clock_timestamp() + make_interval(secs => :ttl))
    ON CONFLICT (pair) DO UPDATE
        SET holder = excluded.holder, token = excluded.token,
            acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
        WHERE l.expires_at < clock_timestamp()
    RETURNING acquired_at, expires_at
    """
)
_RENEW = text(
    """
    UPDATE mapc_leases SET expires_at = clock_timestamp() + make_interval(secs => :ttl)
    WHERE pair = :pair AND token = :token AND expires_at >= clock_timestamp()
    RETURNING expires_at
    """
)
_HELD_FOR = text(
    """
    SELECT greatest(0, extract(epoch FROM expires_at - clock_timestamp()))
    FROM mapc_leases WHERE pair = :pair
    """
)


class LeaseError(ConfigurationError):
    """The lease store cannot be used (not PostgreSQL, or unreachable)."""


def me() -> str:
    """Who holds a lease: host, process and thread, for people reading the table."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


@dataclass
class Lease:
    pair: str
    token: str
    holder: str


class Leases:
    """Leases on pairs, in the PostgreSQL database at `url` (the fleet's state)."""

    def __init__(self, url: str, *, ttl: float = 60.0) -> None:
        if not url.startswith("postgresql"):
            raise LeaseError(
                "the fleet keeps its leases in PostgreSQL: give a postgresql+psycopg:// "
                "state URL (SQLite cannot be shared by workers on several machines)"
            )
        self.ttl = ttl
        self.engine: Engine = create_engine(url, pool_pre_ping=True)
        metadata.create_all(self.engine, checkfirst=True)

    def close(self) -> None:
        self.engine.dispose()

    def acquire(self, pair: str, holder: str | None = None) -> Lease | None:
        """The pair's lease, or None while another holder's lease is good."""
        lease = Lease(pair, uuid.uuid4().hex, holder or me())
        with self.engine.begin() as conn:
            row = conn.execute(
                _ACQUIRE,
                {"pair": pair, "holder": lease.holder, "token": lease.token, "ttl": self.ttl},
            ).first()
            if row is None:
                return None
            conn.execute(
                lease_log.insert().values(
                    pair=pair,
                    holder=lease.holder,
                    token=lease.token,
                    acquired_at=row.acquired_at,
                    expires_at=row.expires_at,
                )
            )
        return lease

    def renew(self, lease: Lease) -> bool:
        """Extend a lease still held; False once it expired (someone may hold it now)."""
        with self.engine.begin() as conn:
            row = conn.execute(
                _RENEW, {"pair": lease.pair, "token": lease.token, "ttl": self.ttl}
            ).first()
            if row is None:
                return False
            conn.execute(
                lease_log.update()
                .where(lease_log.c.token == lease.token)
                .values(expires_at=row.expires_at)
            )
        return True

    def release(self, lease: Lease) -> None:
        with self.engine.begin() as conn:
            gone = conn.execute(
                leases.delete().where(leases.c.pair == lease.pair, leases.c.token == lease.token)
            ).rowcount
            if gone:
                conn.execute(
                    lease_log.update()
                    .where(lease_log.c.token == lease.token)
                    .values(released_at=text("clock_timestamp()"))
                )

    def held_for(self, pair: str) -> float:
        """Seconds until the pair's current lease expires (0 when none is held)."""
        with self.engine.connect() as conn:
            value = conn.execute(_HELD_FOR, {"pair": pair}).scalar_one_or_none()
        return float(value or 0.0)

    def history(self, pair: str | None = None) -> list[dict[str, Any]]:
        query = lease_log.select().order_by(lease_log.c.pair, lease_log.c.acquired_at)
        if pair is not None:
            query = query.where(lease_log.c.pair == pair)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]


def overlaps(history: list[dict[str, Any]]) -> list[str]:
    """Leases of one pair whose times overlap (each good until released, else until it
    expired): what must never be."""
    found: list[str] = []
    last: dict[str, dict[str, Any]] = {}
    for row in sorted(history, key=lambda r: (r["pair"], r["acquired_at"])):
        before = last.get(row["pair"])
        if before is not None:
            end = before["released_at"] or before["expires_at"]
            if row["acquired_at"] < end:
                found.append(
                    f"{row['pair']}: {row['holder']} took it at {row['acquired_at']} while "
                    f"{before['holder']} held it until {end}"
                )
        last[row["pair"]] = row
    return found


class Keeper:
    """Renews a lease in the background while its pair syncs. A worker that cannot renew
    stops itself (`on_lost`, by default the process exits) before the lease can lapse and
    another worker take the pair: two workers must never sync one pair."""

    def __init__(
        self,
        leases: Leases,
        lease: Lease,
        *,
        on_lost: Callable[[], None] | None = None,
    ) -> None:
        self.leases = leases
        self.lease = lease
        self.on_lost = on_lost or _exit_now
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease {lease.pair}", daemon=True)

    def __enter__(self) -> Keeper:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        every = self.leases.ttl / 4
        renewed = time.monotonic()
        while not self._stop.wait(every):
            try:
                held = self.leases.renew(self.lease)
            except Exception as exc:  # the database unreachable: the next beat may reach it
                log.warning("could not renew the lease on %s: %s", self.lease.pair, exc)
                held = time.monotonic() - renewed < self.leases.ttl * 0.6
            else:
                renewed = time.monotonic() if held else renewed
            if not held:
                log.error("lost the lease on %s: stopping this worker", self.lease.pair)
                self.on_lost()
                return


def _exit_now() -> None:
    os._exit(75)  # EX_TEMPFAIL: the queue gives the job to another worker
