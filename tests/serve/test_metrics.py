"""/metrics' run totals: each finished run counted once across scrapes, a running one
only once it ends, plans never; and `mapc serve`'s refusals before it starts."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from mapc.cli import main
from mapc.runtime.sync.lock import RunLock
from mapc.runtime.sync.state import StateStore
from mapc.serve.metrics import StateCollector
from tests.serve.test_http import _metric


def _counts(written: int, errors: int, read: int) -> dict[str, object]:
    return {
        "writes": written,
        "errors": errors,
        "conflicts": 0,
        "by_object": [
            {"object": "contacts", "side": "salesforce", "create": written, "error": errors}
        ],
        "read": [{"object": "contacts", "side": "hubspot", "records": read}],
    }


def test_runs_are_summed_once_and_only_when_finished(tmp_path: Path) -> None:
    state = StateStore(str(tmp_path / "state.db"))
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StateCollector(lambda: state))

    def scrape() -> str:
        return generate_latest(registry).decode()

    first = state.log.start_run("adapter")
    state.log.finish_run(first, "completed", _counts(2, 0, 5))
    lock = RunLock(state)  # a live run holds the lock (one without it was killed)
    lock.acquire()
    running = state.log.start_run("adapter")
    plan = state.log.start_run("adapter", dry_run=True)
    state.log.finish_run(plan, "completed", _counts(50, 0, 50))
    third = state.log.start_run("adapter")
    state.log.finish_run(third, "completed_with_errors", _counts(1, 1, 3))

    for _ in range(2):  # a second scrape adds nothing
        text = scrape()
        assert _metric(text, "mapc_runs_total", outcome="completed") == 1
        assert _metric(text, "mapc_runs_total", outcome="completed_with_record_errors") == 1
        assert _metric(text, "mapc_records_written_total", pair="contacts", side="salesforce") == 3
        assert _metric(text, "mapc_records_errored_total", pair="contacts", side="salesforce") == 1
        assert _metric(text, "mapc_records_read_total", pair="contacts", side="hubspot") == 8
        assert _metric(text, "mapc_runs_total", outcome="failed") is None

    state.log.finish_run(running, "failed", {})
    lock.release()
    stopped = state.log.start_run("adapter")
    state.log.finish_run(stopped, "stopped_budget", _counts(0, 0, 1))
    text = scrape()
    assert _metric(text, "mapc_runs_total", outcome="failed") == 1
    assert _metric(text, "mapc_runs_total", outcome="stopped_api_budget") == 1
    assert _metric(text, "mapc_runs_total", outcome="completed") == 1
    assert _metric(text, "mapc_records_read_total", pair="contacts", side="hubspot") == 9
    # The last finished run is the newest one, whatever order they ended in.
    assert _metric(text, "mapc_last_run_duration_seconds") is not None


def test_serve_refuses_a_missing_state_and_a_bad_port(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--state", str(tmp_path / "none.db")]) == 2
    assert "nothing has run yet" in capsys.readouterr().err
    StateStore(str(tmp_path / "state.db"))
    assert main(["serve", "--state", str(tmp_path / "state.db"), "--port", "70000"]) == 2
    assert "--port" in capsys.readouterr().err
