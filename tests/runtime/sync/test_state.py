"""The state store: schema versioning and migration, links, cursors, errors (no network)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from mapc.runtime.adapter import PersonAccounts
from mapc.runtime.sync import schema
from mapc.runtime.sync.state import Link, StateStore, Unlinked, database_url


def test_database_url_accepts_paths_and_urls(tmp_path: Path) -> None:
    assert database_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url(str(tmp_path / "s.db")) == f"sqlite:///{tmp_path / 's.db'}"


def test_schema_is_versioned_and_reopened(tmp_path: Path) -> None:
    path = str(tmp_path / "s.db")
    store = StateStore(path)
    assert store.schema_version == schema.SCHEMA_VERSION
    store.save_links(
        [Link("contacts", "1", "Lead", "00Q000000000001AAA", hs_values={"email": "a@b.c"})]
    )
    store.close()
    again = StateStore(path)
    assert again.links_by_hubspot("contacts", ["1"])["1"].hs_values == {"email": "a@b.c"}


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = str(tmp_path / "s.db")
    store = StateStore(path)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE mapc_meta SET value = '999' WHERE key = 'schema_version'"))
    store.close()
    with pytest.raises(schema.SchemaTooNew):
        StateStore(path)


def test_migrations_run_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = str(tmp_path / "s.db")
    StateStore(path).close()
    ran: list[int] = []
    current = schema.SCHEMA_VERSION
    monkeypatch.setattr(schema, "SCHEMA_VERSION", current + 1)
    monkeypatch.setitem(schema.MIGRATIONS, current, lambda conn: ran.append(current))
    assert StateStore(path).schema_version == current + 1
    assert ran == [current]


def test_a_version_1_state_gains_the_owed_unsubscribes(tmp_path: Path) -> None:
    path = str(tmp_path / "s.db")
    StateStore(path).close()
    store = StateStore(path)
    with store.engine.begin() as conn:
        conn.execute(text("DROP TABLE mapc_owed"))
        conn.execute(text("UPDATE mapc_meta SET value = '1' WHERE key = 'schema_version'"))
    store.close()
    again = StateStore(path)
    assert again.schema_version == schema.SCHEMA_VERSION and again.owed_unsubscribes() == []


def test_a_version_3_state_gains_the_unlinked_records(tmp_path: Path) -> None:
    path = str(tmp_path / "s.db")
    StateStore(path).close()
    store = StateStore(path)
    with store.engine.begin() as conn:
        conn.execute(text("DROP TABLE mapc_unlinked"))
        conn.execute(text("UPDATE mapc_meta SET value = '3' WHERE key = 'schema_version'"))
    store.close()
    again = StateStore(path)
    assert again.schema_version == schema.SCHEMA_VERSION
    kept = Unlinked({"Email": "a@x.example"}, "Lead")
    again.keep_unlinked("contacts", "salesforce", {"00Q1": kept})
    assert again.unlinked("contacts", "salesforce", ["00Q1", "00Q2"]) == {"00Q1": kept}


def test_a_version_2_state_gains_retries_and_its_run_outcomes_are_renamed(tmp_path: Path) -> None:
    """Version 2 stored "failed" for a run that completed with record errors, "ok" and
    "crashed": version 3 says "failed" only for a run that failed."""
    path = str(tmp_path / "s.db")
    store = StateStore(path)
    for status in ("ok", "failed", "crashed"):
        store.log.finish_run(store.log.start_run("a"), status, {})
    with store.engine.begin() as conn:
        conn.execute(text("DROP TABLE mapc_retries"))
        conn.execute(text("UPDATE mapc_meta SET value = '2' WHERE key = 'schema_version'"))
    store.close()
    again = StateStore(path)
    assert again.schema_version == schema.SCHEMA_VERSION
    assert [r["status"] for r in again.log.recent_runs()] == [
        "failed",
        "completed_with_errors",
        "completed",
    ]
    with again.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM mapc_retries")).scalar_one() == 0


def test_accounts_are_separate_and_links_update_in_place() -> None:
    one = StateStore("sqlite://", account="a")
    link = Link("contacts", "1", "Lead", "00Q000000000001AAA")
    one.save_links([link])
    assert link.id is not None
    link.sf_values = {"LastName": "X"}
    one.save_links([link])
    assert one.count_links() == 1
    assert one.links_by_salesforce("contacts", [link.sf_id])[link.sf_id].sf_values == {
        "LastName": "X"
    }
    two = StateStore.__new__(StateStore)
    two.__dict__.update(one.__dict__)
    two.account = "b"
    assert two.count_links() == 0


def test_cursors_keys_and_errors() -> None:
    store = StateStore("sqlite://")
    store.set_cursor("hubspot", "contacts", "2026-01-01T00:00:00.000Z|5")
    store.set_cursor("hubspot", "contacts", "2026-01-02T00:00:00.000Z|6")
    assert store.cursor("hubspot", "contacts") == "2026-01-02T00:00:00.000Z|6"
    store.put_keys("salesforce", "Lead", [("00Q1", "a@b.c"), ("00Q2", None)])
    assert store.find_keys("salesforce", ["a@b.c"], ("Lead", "Contact")) == {
        "a@b.c": [("Lead", "00Q1")]
    }
    assert store.find_keys("salesforce", ["a@b.c"], ("Account",)) == {}
    store.log.record_error(
        1, "contacts", "salesforce", "7", "STRING_TOO_LONG", "too long", "LastName"
    )
    store.log.record_error(
        2, "contacts", "salesforce", "7", "STRING_TOO_LONG", "too long", "LastName"
    )
    [row] = store.log.errors()
    assert row.occurrences == 2 and row.run_id == 2
    assert store.log.open_error_ids("contacts", "salesforce") == ["7"]
    store.log.resolve_errors("contacts", "salesforce", ["7"])
    assert store.log.errors() == []
    assert len(store.log.errors(include_resolved=True)) == 1


def test_one_run_at_a_time_and_a_dead_holder_is_taken_over(tmp_path: Path) -> None:
    import json
    import socket

    from mapc.runtime.sync import schema as s
    from mapc.runtime.sync.lock import RunLock, StateLocked

    store = StateStore(str(tmp_path / "s.db"))
    first = RunLock(store)
    first.acquire()
    with pytest.raises(StateLocked):
        RunLock(store).acquire()
    first.release()
    # A holder on this host whose process is gone (killed) does not block the next run.
    with store.engine.begin() as conn:
        conn.execute(
            s.meta.insert().values(
                key="lock:default",
                value=json.dumps({"host": socket.gethostname(), "pid": 2**22 + 12345, "beat": 0}),
            )
        )
    second = RunLock(store)
    second.acquire()
    second.release()


def test_the_run_lock_is_kept_fresh_while_pages_are_read(tmp_path: Path, monkeypatch: Any) -> None:
    """A long read with nothing saved must still beat, or another host would find the lock
    stale (ten minutes) and run at the same time."""
    from mapc.runtime.records import Page
    from mapc.runtime.sync import lock as lock_module
    from mapc.runtime.sync.engine import SyncEngine
    from tests.runtime.sync.compiled import fixture, only, with_settings

    monkeypatch.setattr(lock_module, "BEAT_EVERY", 0.0)
    beats: list[int] = []
    original = lock_module.RunLock.beat

    def counting(self: Any) -> None:
        beats.append(1)
        original(self)

    monkeypatch.setattr(lock_module.RunLock, "beat", counting)
    seen: list[int] = []

    class Pages:
        def __getattr__(self, name: str) -> Any:
            return lambda *_a, **_k: []

        def read_changed(self, *_a: Any, **_k: Any) -> Any:
            for i in range(5):
                seen.append(len(beats))
                yield Page(({"id": str(i), "email": f"p{i}@x.example"},), None)

    class Quiet:
        def read_changed(self, *_a: Any, **_k: Any) -> Any:
            return iter(())

        def __getattr__(self, name: str) -> Any:
            return lambda *_a, **_k: []

    store = StateStore(str(tmp_path / "s.db"))
    # Quiet has no describe: tell the engine the org's shape rather than have it read it.
    adapter = with_settings(only(fixture("seed"), "contacts"), person_accounts=PersonAccounts.OFF)
    engine = SyncEngine(adapter, Quiet(), Pages(), store, dry_run=True)  # type: ignore[arg-type]
    engine.run()
    assert seen == sorted(seen) and seen[-1] > seen[0], (seen, len(beats))


def test_a_version_4_state_gets_the_seekable_key_indexes(tmp_path: Path) -> None:
    path = str(tmp_path / "s.db")
    StateStore(path).close()
    store = StateStore(path)
    with store.engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_keys_object_key"))
        conn.execute(text("DROP INDEX ix_staging_object_key"))
        conn.execute(text("CREATE INDEX ix_keys_key ON mapc_keys (account, side, key)"))
        conn.execute(text("CREATE INDEX ix_staging_id ON mapc_staging (run, side, record_id)"))
        conn.execute(text("UPDATE mapc_meta SET value = '4' WHERE key = 'schema_version'"))
    store.close()
    again = StateStore(path)
    with again.engine.connect() as conn:
        names = set(
            conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'")).scalars()
        )
    assert again.schema_version == schema.SCHEMA_VERSION
    assert {"ix_keys_object_key", "ix_staging_object_key"} <= names
    assert not names & {"ix_keys_key", "ix_staging_id", "ix_staging_key"}
