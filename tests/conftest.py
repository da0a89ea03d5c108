"""Suite-wide fixtures: one CRM emulator per test session, reset before each test using it."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from mapc.emulator import Emulator, start_emulator
from tests.databases import StateTargets, fresh_database, on_postgresql, pg_admin_url

# In CI, property tests draw the same examples every run: a red build is then always a
# real regression, reproducible locally with HYPOTHESIS_PROFILE=ci, never a rare draw.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default")
)


@pytest.fixture(scope="session", autouse=True)
def _check_cache_apart(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """`mapc check` caches results in .mapc_cache/ of the working directory: not the tests'."""
    saved = os.environ.get("MAPC_CACHE_DIR")
    os.environ["MAPC_CACHE_DIR"] = str(tmp_path_factory.mktemp("mapc_cache"))
    yield
    if saved is None:
        os.environ.pop("MAPC_CACHE_DIR", None)
    else:
        os.environ["MAPC_CACHE_DIR"] = saved


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A PostgreSQL database of this test session's own (skipped, or failed under CI,
    when PostgreSQL is not there)."""
    yield from fresh_database(pg_admin_url())


@pytest.fixture
def new_state(request: pytest.FixtureRequest, tmp_path: Path) -> StateTargets:
    """new_state(name) -> a target for a new, empty state: a SQLite file, or under
    MAPC_TEST_STATE=postgresql a schema of its own in the session's PostgreSQL database."""
    database = request.getfixturevalue("pg_database") if on_postgresql() else None
    return StateTargets(tmp_path, database)


@pytest.fixture(scope="session")
def emulator_session() -> Iterator[Emulator]:
    """The emulator itself, started once; prefer `emulator`, which also resets it."""
    emu = start_emulator()
    # requests lets REQUESTS_CA_BUNDLE override even a session's own `verify`, so trust the
    # emulator's CA through it; the bundle still holds the system CAs.
    saved = os.environ.get("REQUESTS_CA_BUNDLE")
    os.environ["REQUESTS_CA_BUNDLE"] = str(emu.ca_bundle_path)
    try:
        yield emu
    finally:
        if saved is None:
            os.environ.pop("REQUESTS_CA_BUNDLE", None)
        else:
            os.environ["REQUESTS_CA_BUNDLE"] = saved
        emu.stop()


@pytest.fixture
def emulator(emulator_session: Emulator) -> Emulator:
    """The session's emulator, emptied: no records, calls, faults, rate limits or clock moves."""
    emulator_session.reset()
    return emulator_session


@pytest.fixture
def emulator_env(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """`emulator`, with SALESFORCE_*/HUBSPOT_* variables pointing the connectors at it."""
    for name, value in emulator.env().items():
        monkeypatch.setenv(name, value)
    return emulator


_PRISTINE_MAPC_LOGGER = (
    list(logging.getLogger("mapc").handlers),
    logging.getLogger("mapc").level,
    logging.getLogger("mapc").propagate,
)
"""The "mapc" logger before any test: a module-scoped fixture that runs a command (a server
for a module's tests) sets it up before a test's own snapshot would be taken."""


@pytest.fixture(autouse=True)
def _restore_mapc_logger() -> Iterator[None]:
    """`mapc run`, `plan`, `demo` and `serve` set up their own log handler (and stop
    propagation) on the "mapc" logger; put it back as it was before any test, so later
    tests' caplog still sees the connectors' logs."""
    yield
    logger = logging.getLogger("mapc")
    handlers, level, propagate = _PRISTINE_MAPC_LOGGER
    logger.handlers[:] = handlers
    logger.setLevel(level)
    logger.propagate = propagate
