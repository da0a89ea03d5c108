"""`mapc serve` over HTTP, on a state from a real run: the page's figures, exports,
/metrics and /healthz, and the token guarding the actions."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

from mapc.runtime.health.status import api_usage
from mapc.runtime.sync.state import StateStore
from tests.serve.conftest import PORTAL, TOKEN, Served, run_sync, start_server, stop


def _metric(text: str, name: str, **labels: str) -> float | None:
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        metric, _, value = line.rpartition(" ")
        base, _, rest = metric.partition("{")
        if base != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', rest))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(value)
    return None


def test_page_shows_what_the_run_recorded(served: Served) -> None:
    status, headers, body = served.get("/")
    assert status == 200
    html = body.decode()
    assert "default-src 'none'" in headers["content-security-policy"]
    assert 'id="open-count">3<' in html
    for category in ("picklist", "property_value", "required_field"):
        assert f'id="card-{category}"' in html
    assert "evan@example.com" in html and "long@example.com" in html
    assert f"https://app.hubspot.com/contacts/{PORTAL}/record/0-1/" in html
    assert "completed with record errors" in html
    # Locked: the form to unlock is there, no action buttons, and never the token.
    assert 'action="/login"' in html and 'action="/errors/retry"' not in html
    assert TOKEN not in html


def test_metrics_and_health_come_from_the_state(served: Served) -> None:
    status, headers, body = served.get("/metrics")
    assert status == 200 and headers["content-type"].startswith("text/plain")
    text = body.decode()
    assert _metric(text, "mapc_up") == 1
    assert _metric(text, "mapc_runs_total", outcome="completed_with_record_errors") == 1
    assert _metric(text, "mapc_records_errored_total", pair="contacts", side="salesforce") == 2
    assert _metric(text, "mapc_records_errored_total", pair="deals", side="salesforce") == 1
    assert _metric(text, "mapc_records_written_total", pair="contacts", side="salesforce") == 1
    assert _metric(text, "mapc_records_read_total", pair="contacts", side="hubspot") == 3
    assert _metric(text, "mapc_open_errors", category="picklist") == 1
    assert (_metric(text, "mapc_last_run_duration_seconds") or -1) >= 0
    assert (
        _metric(text, "mapc_lag_seconds", pair="contacts", side="hubspot", object="contacts") or -1
    ) >= 0

    # API calls as the run recorded them; no allocation set: left out, not a made-up 0.
    usage = api_usage(StateStore(str(served.state), create=False))
    for side in ("hubspot", "salesforce"):
        assert usage[side].calls > 0
        assert _metric(text, "mapc_api_calls_24h", side=side) == usage[side].calls
        assert _metric(text, "mapc_api_allocation", side=side) is None
        assert _metric(text, "mapc_api_budget_remaining", side=side) is None

    status, _, body = served.get("/healthz")
    assert status == 200 and json.loads(body)["status"] == "ok"


def test_exports_filter_like_mapc_errors(served: Served) -> None:
    status, _, body = served.get("/errors.json?category=picklist")
    assert status == 200
    [row] = json.loads(body)
    assert row["identity"] == "evan@example.com" and row["category"] == "picklist"
    status, headers, body = served.get("/errors.csv?object=deals")
    assert status == 200 and headers["content-type"].startswith("text/csv")
    lines = body.decode().splitlines()
    header = lines[0].split(",")
    assert {"category", "side", "object", "identity", "record_url", "code"} <= set(header)
    assert len(lines) == 2
    assert "REQUIRED_FIELD_MISSING" in lines[1]


def test_actions_need_the_token(served: Served) -> None:
    form = "object=contacts&side=salesforce&record_id=1"
    status, _, _ = served.post("/errors/ignore", form)
    assert status == 401
    status, _, _ = served.post("/errors/ignore", form, authorization="Bearer wrong")
    assert status == 401
    status, _, _ = served.post(
        "/errors/ignore",
        form,
        authorization=f"Bearer {TOKEN}",
        origin="https://evil.example",
    )
    assert status == 403
    status, headers, _ = served.post("/login", "token=wrong")
    assert status == 303 and "badtoken" in headers["location"]
    assert "set-cookie" not in {k.lower() for k in headers}
    status, headers, _ = served.post("/login", f"token={TOKEN}")
    assert status == 303 and "unlocked" in headers["location"]
    cookie = headers["set-cookie"]
    assert TOKEN not in cookie and "httponly" in cookie.lower()
    assert "samesite=strict" in cookie.lower()
    # A record that has no error: nothing to act on, nothing changes.
    status, headers, _ = served.post(
        "/errors/ignore", form, cookie=cookie.split(";")[0], origin=served.url
    )
    assert status == 303 and "n=0" in headers["location"]
    state = StateStore(str(served.state), create=False)
    assert len(state.log.errors()) == 3


def test_without_a_token_the_page_is_read_only(served: Served) -> None:
    server_env = {**os.environ, "MAPC_STATE": str(served.state)}
    server_env.pop("MAPC_SERVE_TOKEN", None)
    process, url = start_server(server_env)
    try:
        readonly = Served(url, served.state, {}, process)
        _, _, body = readonly.get("/")
        assert "read-only" in body.decode() and 'action="/login"' not in body.decode()
        status, _, body = readonly.post("/errors/ignore", "category=picklist")
        assert status == 403 and b"MAPC_SERVE_TOKEN" in body
    finally:
        stop(process)


def test_health_is_503_until_the_state_can_be_read(served: Served, tmp_path: Path) -> None:
    later = tmp_path / "later.db"
    process, url = start_server({**os.environ, "MAPC_STATE": f"sqlite:///{later}"})
    try:
        probe = Served(url, later, {}, process)
        status, _, body = probe.get("/healthz")
        assert status == 503 and json.loads(body)["status"] == "unavailable"
        assert "no mapc state" in json.loads(body)["reason"]
        assert probe.get("/")[0] == 503
        assert _metric(probe.get("/metrics")[2].decode(), "mapc_up") == 0
        # The state appears (restored, or the database came back): no restart needed.
        shutil.copy(served.state, later)
        status, _, body = probe.get("/healthz")
        assert status == 200 and json.loads(body)["status"] == "ok"
        assert _metric(probe.get("/metrics")[2].decode(), "mapc_up") == 1
    finally:
        stop(process)


def test_ignore_then_retry_is_what_the_next_runs_do(served: Served) -> None:
    """Ignore closes a record's error so runs leave it alone; retry brings it back."""
    state = StateStore(str(served.state), create=False)
    # Move the cursors past the seed's millisecond (a read re-reads its cursor's).
    served.touch_hubspot_contact("ok@example.com")
    assert run_sync(served.env) == 1
    [long] = [e for e in state.log.errors() if e.code == "STRING_TOO_LONG"]
    assert long.occurrences == 2
    bearer = {"authorization": f"Bearer {TOKEN}"}
    form = f"object={long.object}&side={long.side}&record_id={long.record_id}"
    status, headers, _ = served.post("/errors/ignore", form, **bearer)
    assert status == 303 and "done=ignore&n=1" in headers["location"]
    exported = json.loads(served.get("/errors.json")[2])
    assert "STRING_TOO_LONG" not in {r["code"] for r in exported} and len(exported) == 2
    assert 'id="open-count">2<' in served.get("/")[2].decode()

    assert run_sync(served.env) == 1  # the others fail again; the ignored one is not tried
    [ignored] = [e for e in state.log.errors(include_resolved=True) if e.code == "STRING_TOO_LONG"]
    assert ignored.occurrences == 2

    status, headers, _ = served.post("/errors/retry", form, **bearer)
    assert status == 303 and "done=retry&n=1" in headers["location"]
    assert run_sync(served.env) == 1
    [retried] = [e for e in state.log.errors() if e.code == "STRING_TOO_LONG"]
    assert retried.occurrences == 3 and retried.resolved_at is None
