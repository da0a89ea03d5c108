"""A state is never silently new, never silently damaged, and numbers JSON cannot carry
are per-record errors (issue 9, items 4, 5 and 6)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from mapc.cli import main
from mapc.runtime.sync.schema import StateCorrupt, StateMissing, StateOpenTargetError
from mapc.runtime.sync.state import StateStore
from tests.runtime.sync.conftest import SyncEnv, base_seed
from tests.runtime.sync.test_cli import ADAPTER


def test_a_missing_state_is_not_created_unless_asked(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with pytest.raises(StateMissing, match="mapc state init"):
        StateStore(str(path), create=False)
    assert not path.exists()  # SQLite did not quietly make an empty file either
    StateStore(str(path), create=True).close()
    StateStore(str(path), create=False).close()  # now it holds a state


def test_an_empty_database_is_missing_not_a_first_run(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE unrelated (x)")
    with pytest.raises(StateMissing):
        StateStore(str(path), create=False)


def test_a_zero_byte_file_is_corrupt_even_when_creating(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.write_bytes(b"")
    for create in (False, True):
        with pytest.raises(StateCorrupt, match="0 bytes"):
            StateStore(str(path), create=create)


@pytest.mark.parametrize("target", ["sync:hunter22@db.internal/mapc", "postgres@db.internal"])
def test_a_database_url_without_its_scheme_is_an_error(tmp_path: Path, target: str) -> None:
    with pytest.raises(StateOpenTargetError, match="without its scheme") as info:
        StateStore(target)
    assert "hunter22" not in str(info.value)
    assert not Path(target).exists()


def test_corrupt_json_in_the_state_is_a_clear_error(tmp_path: Path) -> None:
    from mapc.runtime.sync.state import Link

    path = tmp_path / "state.db"
    state = StateStore(str(path))
    state.save_links([Link("contacts", "101", "Lead", "00Q000000000001")])
    state.close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE mapc_links SET hs_values = '{not json'")
    state = StateStore(str(path), create=False)
    with pytest.raises(StateCorrupt, match=r"link 1 .* does not hold valid JSON"):
        state.links_by_hubspot("contacts", ["101"])


# -- through the CLI --------------------------------------------------------------------


@pytest.fixture
def env(emulator_env: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    monkeypatch.setenv("HUBSPOT_REQUESTS_PER_10S", "100000")
    monkeypatch.setenv("HUBSPOT_SEARCHES_PER_SECOND", "1000")
    monkeypatch.setenv("MAPC_STATE", str(tmp_path / "state.db"))
    emulator_env.reset(person_accounts=True)
    emulator_env.seed(base_seed())
    emulator_env.seed(
        {"hubspot": {"records": {"contacts": [{"email": "a@x.example", "lastname": "A"}]}}}
    )
    return emulator_env


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    # Earlier runs' one-line summaries (logger mapc.summary) are not part of the error.
    lines = capsys.readouterr().err.strip().splitlines()
    err = "\n".join(line for line in lines if "logger=mapc.summary" not in line)
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    return err


def test_run_refuses_a_missing_state_and_init_creates_it(
    env: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", ADAPTER, "--no-progress"]) == 2
    assert "no mapc state" in one_line_error(capsys)
    assert env.call_count("POST /services/data/*/composite/sobjects") == 0
    assert not (tmp_path / "state.db").exists()
    # A plan needs no state: it plans a first run and creates nothing.
    assert main(["plan", ADAPTER, "--no-progress"]) == 0
    assert "create Lead" in capsys.readouterr().out
    assert not (tmp_path / "state.db").exists()
    assert main(["state", "init"]) == 0
    assert main(["state", "init"]) == 2  # never over an existing state
    assert "already holds" in one_line_error(capsys)
    assert main(["run", ADAPTER, "--no-progress"]) == 0
    assert env.call_count("POST /services/data/*/composite/sobjects") == 1


def test_run_init_state_starts_a_first_run(env: Any, tmp_path: Path) -> None:
    assert main(["run", ADAPTER, "--no-progress", "--init-state"]) == 0
    assert (tmp_path / "state.db").stat().st_size > 0


def test_run_with_a_zero_byte_state_or_schemeless_url_exits_2(
    env: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "state.db").write_bytes(b"")
    assert main(["run", ADAPTER, "--no-progress", "--init-state"]) == 2
    assert "0 bytes" in one_line_error(capsys)
    url = "mapc:pw-Secret9@db.internal/mapc"
    assert main(["run", ADAPTER, "--no-progress", "--state", url, "--init-state"]) == 2
    err = one_line_error(capsys)
    assert "without its scheme" in err and "pw-Secret9" not in err
    assert env.call_count("POST /services/data/*/composite/sobjects") == 0


def test_run_with_corrupt_json_in_the_state_exits_2(
    env: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", ADAPTER, "--no-progress", "--init-state"]) == 0
    with sqlite3.connect(tmp_path / "state.db") as conn:
        conn.execute("UPDATE mapc_links SET sf_values = '[[['")
    # The linked contact changes, so the next run reads its link.
    from mapc.runtime.hubspot.client import HubSpotConnector

    hs = HubSpotConnector.from_env(env.env())
    [linked] = [r for page in hs.read_changed("contacts", ["email"]) for r in page.records]
    hs.update("contacts", [{"id": linked["id"], "lastname": "Changed"}])
    assert main(["run", ADAPTER, "--no-progress"]) == 2
    assert "does not hold valid JSON" in one_line_error(capsys)


# -- item 5: numbers JSON cannot carry ----------------------------------------------------


def test_a_non_finite_number_is_a_per_record_error_never_sent(sync: SyncEnv) -> None:
    deal = {"dealstage": "qualifiedtobuy", "closedate": "2026-12-31T00:00:00.000Z"}
    sync.seed(
        {
            "hubspot": {
                "records": {
                    "deals": [
                        {**deal, "dealname": "Huge", "amount": "1e400"},
                        {**deal, "dealname": "Fine", "amount": "12"},
                    ]
                }
            }
        }
    )
    report = sync.run()
    assert [o["Name"] for o in sync.sf("Opportunity")] == ["Fine"]
    [error] = [e for e in sync.state.log.errors() if e.object == "deals"]
    assert error.code == "NON_FINITE_NUMBER" and error.field == "Amount"
    assert report.failed == 1
