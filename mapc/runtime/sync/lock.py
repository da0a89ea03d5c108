"""One run at a time per state: a lock row with a heartbeat, taken over when its holder
is gone (same host, dead process) or silent for longer than `STALE`."""

from __future__ import annotations

import json
import os
import socket
import time

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from mapc.errors import MapcError
from mapc.runtime.sync import schema as s
from mapc.runtime.sync.state import StateStore

STALE = 600.0
"""Seconds without a heartbeat after which a lock is considered abandoned."""
BEAT_EVERY = 30.0
"""Heartbeats are written at most this often (the engine offers one per page and chunk)."""


class StateLocked(MapcError):
    """Another run holds this state."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunLock:
    def __init__(self, state: StateStore) -> None:
        self.state = state
        self.key = f"lock:{state.account}"
        self.me = {"host": socket.gethostname(), "pid": os.getpid()}
        self.held = False
        self.last_beat = 0.0

    def _stale(self, raw: str) -> bool:
        try:
            holder = json.loads(raw)
            if not isinstance(holder, dict):
                raise ValueError(raw)
        except ValueError:
            return True  # a damaged lock names no holder to wait for

        if holder.get("host") == self.me["host"] and not _alive(int(holder.get("pid", 0))):
            return True
        return time.time() - float(holder.get("beat", 0)) > STALE

    def acquire(self) -> None:
        value = json.dumps({**self.me, "beat": time.time()})
        try:
            with self.state.engine.begin() as conn:
                found = conn.execute(
                    select(s.meta.c.value).where(s.meta.c.key == self.key)
                ).scalar_one_or_none()
                if found is not None:
                    if not self._stale(found):
                        holder = json.loads(found)  # _stale read it
                        raise StateLocked(
                            f"another run (pid {holder.get('pid')} on {holder.get('host')}) is "
                            f"using this state for account {self.state.account!r}; wait for it "
                            "to finish"
                        )
                    conn.execute(delete(s.meta).where(s.meta.c.key == self.key))
                conn.execute(insert(s.meta).values(key=self.key, value=value))
                # Runs happen only under this lock: one still `running` now was killed.
                self.state.log.fail_abandoned_runs(conn)
        except IntegrityError:
            raise StateLocked("another run took this state at the same moment") from None
        self.held = True

    def beat(self) -> None:
        now = time.monotonic()
        if self.held and now - self.last_beat >= BEAT_EVERY:
            self.last_beat = now
            with self.state.engine.begin() as conn:
                conn.execute(
                    update(s.meta)
                    .where(s.meta.c.key == self.key)
                    .values(value=json.dumps({**self.me, "beat": time.time()}))
                )

    def release(self) -> None:
        if self.held:
            with self.state.engine.begin() as conn:
                conn.execute(delete(s.meta).where(s.meta.c.key == self.key))
            self.held = False


def run_in_progress(state: StateStore) -> bool:
    """Whether a run holds this state now (its lock is there and not stale): a run row
    still `running` without one was killed, whatever it says."""
    with state.engine.connect() as conn:
        found = conn.execute(
            select(s.meta.c.value).where(s.meta.c.key == f"lock:{state.account}")
        ).scalar_one_or_none()
    return found is not None and not RunLock(state)._stale(found)
