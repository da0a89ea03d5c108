"""Where the tests keep mapc state: SQLite files by default, or PostgreSQL schemas when
MAPC_TEST_STATE=postgresql (one database per test session, one schema per state)."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def pg_admin_url() -> str:
    return os.environ.get("MAPC_TEST_PG_URL", DEFAULT_PG)


def on_postgresql() -> bool:
    return os.environ.get("MAPC_TEST_STATE", "sqlite").lower() in ("postgresql", "postgres", "pg")


def unavailable(service: str, why: object) -> None:
    """Skip with one line, or fail under CI, where every service must be there."""
    message = f"{service} is not available: {str(why).strip().splitlines()[0] if str(why) else why}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message} (CI=true: a missing service fails the run)", pytrace=False)
    pytest.skip(message)


def fresh_database(admin_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for this test session, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"mapc_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # driver missing, server down, no rights: all the same here
        unavailable(f"PostgreSQL at {make_url(admin_url).render_as_string()}", exc)
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class StateTargets:
    """New state targets, each empty: a file in the test's directory, or a new schema."""

    _numbers = itertools.count(1)

    def __init__(self, tmp_path: Path, database: str | None) -> None:
        self.tmp_path = tmp_path
        self.database = database

    def __call__(self, name: str = "state") -> str:
        if self.database is None:
            path = self.tmp_path / f"{name}.db"
            number = 1
            while path.exists():  # a name given twice still means a new state
                number += 1
                path = self.tmp_path / f"{name}-{number}.db"
            return str(path)
        from sqlalchemy import create_engine, text

        schema = f"s{next(self._numbers)}_{uuid.uuid4().hex[:8]}"
        engine = create_engine(self.database, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
        return f"{self.database}?options={quote(f'-csearch_path={schema}')}"
