"""`mapc run`, `mapc plan`, `mapc errors` and `mapc demo` through the CLI, end to end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mapc.cli import main
from tests.runtime.sync.conftest import base_seed
from tests.runtime.sync.worlds import mixed_seed

ADAPTER = str(Path(__file__).resolve().parents[3] / "generated" / "hubspot_salesforce.py")


@pytest.fixture
def cli_env(emulator_env: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    emulator_env.reset(person_accounts=True)
    for name, value in emulator_env.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HUBSPOT_REQUESTS_PER_10S", "100000")
    monkeypatch.setenv("HUBSPOT_SEARCHES_PER_SECOND", "1000")
    monkeypatch.setenv("MAPC_STATE", str(tmp_path / "state.db"))
    emulator_env.seed(base_seed())
    emulator_env.seed(mixed_seed())
    assert main(["state", "init"]) == 0  # a first run is asked for, never assumed
    return emulator_env


def test_plan_run_and_rerun_with_the_generated_adapter(cli_env: Any, capsys: Any) -> None:
    assert main(["plan", ADAPTER, "--detailed-exitcode", "--no-progress"]) == 2
    out = capsys.readouterr().out
    assert "contacts -> salesforce" in out and "create Lead" in out
    assert "outside the inclusion list" in out
    assert cli_env.call_count("POST /services/data/*/composite/sobjects") == 0  # dry
    assert main(["run", ADAPTER, "--once", "--no-progress"]) == 0
    assert "Sync summary" in capsys.readouterr().out
    cli_env.reset_calls()
    assert main(["plan", ADAPTER, "--format", "json", "--detailed-exitcode"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["changes_pending"] == 0
    assert main(["run", ADAPTER, "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["writes"] == 0
    writes = [
        k
        for k in cli_env.calls()
        if k.startswith(("PATCH", "DELETE"))
        or (k.startswith("POST") and not k.endswith(("search", "batch/read")) and "query" not in k)
    ]
    assert writes == []


def test_rejected_record_shows_in_mapc_errors(cli_env: Any, capsys: Any) -> None:
    cli_env.seed(
        {
            "hubspot": {
                "records": {"contacts": [{"email": "long@example.com", "lastname": "L" * 300}]}
            }
        }
    )
    assert main(["run", ADAPTER, "--no-progress"]) == 1  # a record failed
    capsys.readouterr()
    assert main(["errors"]) == 0
    out = capsys.readouterr().out
    assert "STRING_TOO_LONG" in out
    assert "message" in out  # the API's message, under its header
    assert main(["errors", "--format", "json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["message"] and row["message"].split()[0] in out
    assert row["side"] == "salesforce" and row["code"] == "STRING_TOO_LONG"


def test_configuration_errors_exit_2_with_one_sentence(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, tmp_path: Path
) -> None:
    for name in (
        "SALESFORCE_INSTANCE_URL",
        "SALESFORCE_ACCESS_TOKEN",
        "HUBSPOT_ACCESS_TOKEN",
        "SALESFORCE_USERNAME",
    ):
        monkeypatch.delenv(name, raising=False)
    assert main(["run", ADAPTER, "--state", str(tmp_path / "s.db")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "SALESFORCE_" in err
    assert main(["run", str(tmp_path / "missing.py")]) == 2
    assert "mapc compile" in capsys.readouterr().err
    assert main(["run", ADAPTER, "--every", "soon"]) == 2
    assert main(["errors", "--state", str(tmp_path / "none.db")]) == 2


def test_bad_token_exits_2_without_leaking_it(
    cli_env: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "pat-na1-wrong-secret-token")
    assert main(["run", ADAPTER, "--no-progress"]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert "wrong-secret-token" not in captured.err + captured.out


def test_demo_runs_clean(capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(ADAPTER).parents[1])
    assert main(["demo"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    import re

    found = re.search(
        r"API calls on the second run: (\d+) reads, (\d+) writes "
        r"\(the first run made (\d+) write calls\)",
        out,
    )
    assert found, out[-2000:]
    reads, writes, first_writes = (int(g) for g in found.groups())
    assert writes == 0 and reads > 0 and first_writes > 0  # it synced, then had nothing to do
    assert "done in" in out and "something is off" not in out


def test_every_runs_on_a_schedule_and_survives_an_api_failure() -> None:
    from mapc.runtime.errors import TransientError
    from mapc.runtime.sync import runner
    from mapc.runtime.sync.report import Report

    assert runner.parse_interval("5m") == 300 and runner.parse_interval("30") == 30
    calls: list[str] = []

    class FakeEngine:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pass

        def run(self) -> Report:
            calls.append("run")
            if len(calls) == 1:
                raise TransientError("HubSpot answered 503", status=503)
            return Report()

    slept: list[float] = []
    original = runner.SyncEngine
    runner.SyncEngine = FakeEngine  # type: ignore[misc,assignment]
    try:
        code = runner.run_loop(
            None,
            runner.Connections(None, None),
            None,  # type: ignore[arg-type]
            every=60,
            sleep=slept.append,
            max_runs=3,
        )
    finally:
        runner.SyncEngine = original  # type: ignore[misc]
    assert code == 0 and calls == ["run"] * 3 and len(slept) == 2


def test_logs_are_structured(cli_env: Any, capsys: Any) -> None:
    cli_env.seed(
        {
            "hubspot": {
                "records": {"contacts": [{"email": "long2@example.com", "lastname": "L" * 300}]}
            }
        }
    )
    main(["run", ADAPTER, "--no-progress", "--log-level", "info", "--log-format", "json"])
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
    assert lines and {"time", "level", "logger", "msg"} <= set(lines[0])
    assert any("STRING_TOO_LONG" in entry["msg"] for entry in lines)
    assert any(entry["msg"].startswith("run ") for entry in lines)


def test_broken_adapter_module_is_one_sentence_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, tmp_path: Path
) -> None:
    missing_dep = tmp_path / "needs_dep.py"
    missing_dep.write_text("import no_such_package_xyz\n")
    raises = tmp_path / "raises.py"
    raises.write_text("raise RuntimeError('boom')\n")
    for path, said in ((missing_dep, "no_such_package_xyz"), (raises, "boom")):
        assert main(["run", str(path), "--state", str(tmp_path / "s.db")]) == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err and said in err
        assert len(err.strip().splitlines()) == 1, err
        assert "No adapter module named" not in err  # the module exists; its import failed


def test_corrupt_or_unreachable_state_database_is_one_sentence(
    cli_env: Any, capsys: Any, tmp_path: Path
) -> None:
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"this is not a database" * 200)
    for argv in (
        ["run", ADAPTER, "--no-progress", "--state", str(corrupt)],
        ["plan", ADAPTER, "--no-progress", "--state", str(corrupt)],
        ["errors", "--state", str(corrupt)],
    ):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert "Traceback" not in err and "not a database" in err
        assert len(err.strip().splitlines()) == 1, err
    url = "postgresql+psycopg://mapc:pw-very-secret@127.0.0.1:1/state"
    for argv in (["run", ADAPTER, "--no-progress", "--state", url], ["errors", "--state", url]):
        assert main(argv) == 2, argv
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err
        assert "pw-very-secret" not in captured.err + captured.out
        assert len(captured.err.strip().splitlines()) == 1, captured.err


def test_debug_logs_never_show_the_access_tokens(cli_env: Any, capsys: Any) -> None:
    env = cli_env.env()
    tokens = [env["SALESFORCE_ACCESS_TOKEN"], env["HUBSPOT_ACCESS_TOKEN"]]
    assert all(len(t) >= 8 for t in tokens)
    main(["run", ADAPTER, "--no-progress", "--log-level", "debug"])
    captured = capsys.readouterr()
    assert captured.err  # debug logging did produce output
    for token in tokens:
        assert token not in captured.err + captured.out


def test_every_stops_at_once_on_a_bad_token() -> None:
    from mapc.runtime.errors import AuthenticationError
    from mapc.runtime.sync import runner

    calls: list[str] = []

    class FakeEngine:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pass

        def run(self) -> Any:
            calls.append("run")
            raise AuthenticationError("HubSpot rejected the access token")

    original = runner.SyncEngine
    runner.SyncEngine = FakeEngine  # type: ignore[misc,assignment]
    try:
        with pytest.raises(AuthenticationError):
            runner.run_loop(
                None,
                runner.Connections(None, None),
                None,  # type: ignore[arg-type]
                every=60,
                sleep=lambda _s: None,
                max_runs=3,
            )
    finally:
        runner.SyncEngine = original  # type: ignore[misc]
    assert calls == ["run"]


def test_demo_with_an_unusable_state_database_exits_2(
    capsys: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(Path(ADAPTER).parents[1])
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"not a database" * 300)
    assert main(["demo", "--state", str(corrupt)]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert "Cannot open the state database" in " ".join(captured.out.split())


def test_unreachable_endpoint_exits_2_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, tmp_path: Path
) -> None:
    monkeypatch.setenv("SALESFORCE_INSTANCE_URL", "https://127.0.0.1:9")
    monkeypatch.setenv("SALESFORCE_ACCESS_TOKEN", "00Dsecret!token-value")
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "pat-na1-unreachable-secret")
    monkeypatch.setenv("HUBSPOT_BASE_URL", "http://127.0.0.1:9")
    from mapc.runtime.hubspot import client as hubspot
    from mapc.runtime.salesforce import client as salesforce
    from tests.runtime.sync.conftest import fast_retry

    for module in (hubspot, salesforce):  # retried as ever, without the real waits
        monkeypatch.setattr(module, "RetryPolicy", fast_retry)
    assert main(["run", ADAPTER, "--no-progress", "--state", str(tmp_path / "s.db")]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert "Traceback" not in err and "reachable" in err
    assert len(err.splitlines()) == 1, err
    assert "secret" not in captured.err + captured.out


def test_a_rejected_create_is_an_error_not_a_create(cli_env: Any, capsys: Any) -> None:
    cli_env.seed(
        {
            "hubspot": {
                "records": {"contacts": [{"email": "toolong@example.com", "lastname": "L" * 120}]}
            }
        }
    )
    for _attempt in range(2):  # the first run and its retry (due at once: no backoff)
        argv = ["run", ADAPTER, "--format", "json", "--no-progress", "--retry-backoff", "0"]
        assert main(argv) == 1
        result = json.loads(capsys.readouterr().out)
        assert result["errors"] == 1
        [error] = [a for a in result["actions"] if a["op"] == "error"]
        assert "STRING_TOO_LONG" in error["reason"]
        creates = [
            a
            for a in result["actions"]
            if a["op"] == "create" and a["record"].endswith(error["record"])
        ]
        assert creates == []
        if _attempt:  # the retry has nothing else to do: no write is claimed
            assert result["writes"] == 0, result["summary"]


def test_an_untrusted_tls_certificate_is_a_configuration_error(
    cli_env: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    for name in ("SALESFORCE_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.delenv(name, raising=False)
    assert main(["run", ADAPTER, "--no-progress"]) == 2
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    assert "SALESFORCE_CA_BUNDLE" in err


def test_a_catalog_field_missing_in_the_org_is_a_configuration_error(
    emulator_env: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any, tmp_path: Path
) -> None:
    emulator_env.reset(person_accounts=True)  # no Lifecycle_Stage__c in this org
    for name, value in emulator_env.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MAPC_STATE", str(tmp_path / "state.db"))
    emulator_env.seed(mixed_seed())
    assert main(["run", ADAPTER, "--no-progress", "--init-state"]) == 2
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    assert "Lifecycle_Stage__c" in err
    assert "it is in the mapping/catalog but not in the org" in err
    assert "mapc schema pull" in err


@pytest.mark.parametrize("scale", ["0", "-1", "two"])
def test_demo_refuses_a_scale_below_1_without_a_traceback(scale: str, capsys: Any) -> None:
    assert main(["demo", "--scale", scale]) == 2
    err = capsys.readouterr().err
    assert "--scale" in err and "Traceback" not in err


def test_demo_names_the_mappings_directory_it_compiles(
    capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mapc.cli.commands import demo

    root = Path(ADAPTER).parents[1]
    monkeypatch.chdir(root)
    monkeypatch.setattr(demo, "compile_mappings", lambda *_args: None)  # stop after step 1
    assert main(["demo"]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert f"mappings: {(root / 'mappings').resolve()}" in out


def test_run_help_names_the_ca_bundle_variable(capsys: Any) -> None:
    assert main(["run", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "SALESFORCE_CA_BUNDLE" in out and "mapc emulate --env" in out


def test_run_with_batches_in_flight_from_the_command_line(cli_env: Any, capsys: Any) -> None:
    assert main(["run", ADAPTER, "--concurrency", "4", "--format", "json"]) in (0, 1)
    first = json.loads(capsys.readouterr().out)
    assert first["writes"] > 0
    assert main(["run", ADAPTER, "--concurrency", "4", "--format", "json"]) in (0, 1)
    assert json.loads(capsys.readouterr().out)["writes"] == 0


@pytest.mark.parametrize("value", ["0", "33", "four"])
def test_a_bad_concurrency_is_one_line(cli_env: Any, capsys: Any, value: str) -> None:
    assert main(["run", ADAPTER, "--concurrency", value]) == 2
    assert "--concurrency: must be a whole number from 1 to 32" in capsys.readouterr().err
