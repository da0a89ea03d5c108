"""Structured logs and the alert hook, through `mapc run` against the emulator: JSON log
lines carry run_id, pair, side, record, field and code; a one-line summary shows at the
default level; a webhook on 127.0.0.1 is called when open errors reach a threshold and
when a run fails, and a webhook that is down neither fails the run nor leaks its URL."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from mapc.cli import main
from mapc.runtime.health.alerts import AlertHook
from tests.runtime.health.test_operator_cli import ADAPTER, _seed

SECRET = "hook-secret-0123456789"


class Receiver:
    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.got = threading.Event()
        received = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.posts.append(
                    {"path": self.path, "type": self.headers["Content-Type"], **json.loads(body)}
                )
                received.got.set()
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/{SECRET}?key={SECRET}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


@pytest.fixture
def env(emulator_env: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    emulator_env.reset(person_accounts=True)
    for name, value in emulator_env.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HUBSPOT_REQUESTS_PER_10S", "100000")
    monkeypatch.setenv("HUBSPOT_SEARCHES_PER_SECOND", "1000")
    monkeypatch.setenv("MAPC_STATE", str(tmp_path / "state.db"))
    emulator_env.seed(_seed())  # three records Salesforce rejects, in three categories
    assert main(["state", "init"]) == 0
    return emulator_env


def test_json_logs_carry_fields_and_the_summary_shows_at_the_default_level(
    env: Any, capsys: Any
) -> None:
    capsys.readouterr()
    assert main(["run", ADAPTER, "--no-progress", "--log-format", "json"]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
    [long] = [x for x in lines if x.get("code") == "STRING_TOO_LONG"]
    assert long["level"] == "warning" and long["pair"] == "contacts"
    assert long["side"] == "salesforce" and long["field"] == "LastName"
    assert long["record"].isdigit() and isinstance(long["run_id"], int)
    [summary] = [x for x in lines if x["logger"] == "mapc.summary"]
    assert summary["level"] == "info"  # shown although the level is warning
    assert (summary["run_id"], summary["outcome"], summary["errors"]) == (
        long["run_id"],
        "completed_with_errors",
        3,
    )
    assert summary["msg"].startswith(f"run #{long['run_id']} completed_with_errors")


def test_the_webhook_is_called_on_open_errors_and_on_a_failed_run(
    env: Any, receiver: Receiver, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = ["run", ADAPTER, "--no-progress", "--alert-url", receiver.url]
    assert main([*argv, "--alert-open-errors", "3"]) == 1
    assert receiver.got.wait(5)
    [alert] = receiver.posts
    assert alert["type"] == "application/json" and alert["path"].startswith("/hooks/")
    assert (alert["event"], alert["open_errors"], alert["threshold"]) == ("open_errors", 3, 3)
    assert alert["outcome"] == "completed_with_errors" and alert["errors"] == 3
    assert alert["account"] == "default" and isinstance(alert["run_id"], int)

    # A run that fails: Salesforce refuses the token. The alert says so.
    receiver.got.clear()
    monkeypatch.setenv("SALESFORCE_ACCESS_TOKEN", "00Dexpired!token")
    assert main(argv) == 2
    assert receiver.got.wait(5)
    failed = receiver.posts[-1]
    assert failed["event"] == "run_failed" and "INVALID_SESSION_ID" in failed["message"]
    assert "00Dexpired" not in json.dumps(failed)
    capsys.readouterr()


def test_a_webhook_that_is_down_never_fails_the_run_nor_logs_its_url(env: Any, capsys: Any) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/hooks/{SECRET}"
    capsys.readouterr()
    code = main(["run", ADAPTER, "--no-progress", "--alert-url", url, "--alert-open-errors", "1"])
    assert code == 1  # the run's own outcome: some records failed
    err = capsys.readouterr().err
    assert f"alert webhook at http://127.0.0.1:{port} could not be called" in err
    assert SECRET not in err


def test_open_errors_alert_when_they_cross_the_threshold_not_on_every_run() -> None:
    sent: list[str] = []
    hook = AlertHook("http://127.0.0.1:9/x", open_threshold=2)
    hook._send = lambda event, body: sent.append(event)  # type: ignore[method-assign]
    run = {"run_id": 1, "outcome": "completed_with_errors"}
    for open_errors in (1, 2, 3, 1, 2):
        hook.after_run(run, open_errors)
    assert sent == ["open_errors", "open_errors"]  # at 2 (crossing), again after falling
    hook.after_run({"run_id": 2, "outcome": "stopped_budget"}, 0)
    assert sent[-1] == "budget_stopped"
    with pytest.raises(Exception, match="http"):
        AlertHook("file:///etc/passwd")


def test_every_run_of_a_schedule_is_told_apart_by_its_id_and_time(
    env: Any, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from functools import partial

    from mapc.runtime.sync import runner

    two_runs = partial(runner.run_loop, max_runs=2, sleep=lambda _s: None)
    monkeypatch.setattr(runner, "run_loop", two_runs)
    capsys.readouterr()
    assert main(["run", ADAPTER, "--no-progress", "--every", "1m"]) == 0
    out = capsys.readouterr().out
    headers = [line for line in out.splitlines() if line.startswith("── run #")]
    assert len(headers) == 2 and headers[0] != headers[1]
    assert "completed with errors, finished 20" in headers[0]
    assert headers[1].startswith("── run #") and headers[1].endswith("Z")


def test_runs_started_one_by_one_alert_when_errors_cross_the_threshold_not_each_time(
    env: Any, receiver: Receiver, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAPC_RETRY_BACKOFF", "0")  # the failing records are tried each run
    argv = ["run", ADAPTER, "--no-progress", "--alert-url", receiver.url]
    argv += ["--alert-open-errors", "3"]
    assert main(argv) == 1
    assert main(argv) == 1  # a new process, still 3 open: the state remembers it alerted
    assert [p["event"] for p in receiver.posts] == ["open_errors"]
    assert main(["errors", "ignore"]) == 0  # all three: nothing open
    assert main(argv) == 0
    assert main(["errors", "retry", "--status", "ignored"]) == 0
    assert main(argv) == 1  # open again: the errors crossed the threshold again
    assert [p["event"] for p in receiver.posts] == ["open_errors", "open_errors"]
    capsys.readouterr()
