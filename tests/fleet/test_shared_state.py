"""One PostgreSQL state opened by many workers at once: created once, never raced."""

from __future__ import annotations

import threading
from pathlib import Path

from mapc.runtime.sync.state import StateStore
from tests.databases import StateTargets


def open_at_once(target: str, count: int, *, create: bool) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def open_one() -> None:
        start.wait()
        try:
            StateStore(target, account=f"w{threading.get_ident()}", create=create).close()
        except BaseException as exc:  # collected: the assertion names them all
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_workers_create_and_open_one_state_at_the_same_moment(
    pg_database: str, tmp_path: Path
) -> None:
    target = StateTargets(tmp_path, pg_database)("shared")
    assert open_at_once(target, 6, create=True) == []  # a new database, created once
    assert open_at_once(target, 12, create=False) == []  # an existing one: nothing written
    with StateStore(target, create=False).engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT count(*) FROM mapc_meta WHERE key = 'schema_version'"
        ).scalar_one()
    assert rows == 1
