"""`mapc emulate` as a separate process: one JSON line, served until interrupted."""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from mapc import cli
from mapc.cli.commands import emulate

# Runs the command module itself, so this test does not depend on every other subcommand
# of the shared CLI importing cleanly while they are being written.
_RUNNER = (
    "import argparse, sys\n"
    "from mapc.cli.commands import emulate\n"
    "parser = argparse.ArgumentParser(prog='mapc')\n"
    "emulate.register(parser.add_subparsers())\n"
    "args = parser.parse_args(sys.argv[1:])\n"
    "sys.exit(args.func(args))\n"
)


def test_emulate_is_a_mapc_command() -> None:
    assert "emulate" in cli.COMMANDS


def test_emulate_prints_connection_details_and_stops_cleanly(tmp_path: Path) -> None:
    seed = tmp_path / "demo.json"
    seed.write_text(json.dumps({"hubspot": {"records": {"contacts": [{"email": "d@x.io"}]}}}))
    process = subprocess.Popen(
        [sys.executable, "-c", _RUNNER, "emulate", "--seed", str(seed), "--person-accounts"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        assert set(info) >= {
            "salesforce_instance_url",
            "hubspot_base_url",
            "ca_path",
            "salesforce_access_token",
            "hubspot_access_token",
        }
        assert info["salesforce_instance_url"].startswith("https://127.0.0.1:")
        headers = {"Authorization": f"Bearer {info['hubspot_access_token']}"}
        contacts = requests.get(
            f"{info['hubspot_base_url']}/crm/v3/objects/contacts", headers=headers, timeout=5
        ).json()
        assert [c["properties"]["email"] for c in contacts["results"]] == ["d@x.io"]
        describe = requests.get(
            f"{info['salesforce_instance_url']}/services/data/v59.0/sobjects/Account/describe",
            headers={"Authorization": f"Bearer {info['salesforce_access_token']}"},
            verify=info["ca_path"],
            timeout=5,
        )
        assert "IsPersonAccount" in {f["name"] for f in describe.json()["fields"]}
        refused = requests.get(
            f"{info['hubspot_base_url']}/crm/v3/objects/contacts",
            headers={"Authorization": "Bearer other"},
            timeout=5,
        )
        assert refused.status_code == 401
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "Traceback" not in stderr


@pytest.mark.parametrize(
    ("seed", "says"),
    [
        (
            '{"salesforce": {"records": {"Contact": "x"}}}',
            "salesforce.records.Contact must be a list of JSON objects",
        ),
        ('{"salesforce": {"Contact": [{"LastName": "Ng"}]}}', "unknown key salesforce.Contact"),
        ('{"sf": {}}', "unknown seed section 'sf'"),
        ('{"salesforce": []}', "seed section 'salesforce' must be a JSON object"),
        (
            '{"hubspot": {"associations": [{"from": {}}]}}',
            "hubspot.associations[0]: 'to' is required",
        ),
        ('{"hubspot": {"owners": [{}]}}', "hubspot.owners[0]: 'email' is required"),
        ('{"hubspot": {"rate_limit": {"bogus": 1}}}', "hubspot.rate_limit"),
        (
            '{"salesforce": {"records": {"Lead": [{"LastName": "F", "Company": "C"},'
            ' {"CreatedDate": "yesterday"}]}}}',
            "salesforce.records.Lead[1]",
        ),
        (
            '{"hubspot": {"records": {"contacts": [{"email": "bad"}]}}}',
            "hubspot.records.contacts[0]: VALIDATION_ERROR",
        ),
        ("{bad", "is not valid JSON"),
    ],
)
def test_a_bad_seed_gets_one_clear_line_not_a_traceback(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    seed: str,
    says: str,
) -> None:
    class _Stopped:  # a seed wrongly accepted must not serve forever
        def wait(self, timeout: float) -> bool:
            return True

        def set(self) -> None:
            pass

    monkeypatch.setattr(emulate, "threading", argparse.Namespace(Event=_Stopped))
    monkeypatch.setattr(emulate.signal, "signal", lambda *_: None)
    path = tmp_path / "seed.json"
    path.write_text(seed)
    args = argparse.Namespace(
        person_accounts=False,
        edition="Enterprise",
        port_sf=0,
        port_hs=0,
        salesforce_token=None,
        hubspot_token=None,
        seed=path,
    )
    assert emulate.run(args) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("mapc emulate: ") and says in err and err.count("\n") == 1


def test_env_prints_the_exports_the_runner_reads(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import shlex

    from mapc.runtime.config import HubSpotSettings, SalesforceSettings

    seen: dict[str, str] = {}

    class _Once:  # check while the emulator serves, then stop
        def wait(self, timeout: float) -> bool:
            out = capsys.readouterr().out
            for line in out.splitlines():
                word, _, assignment = line.partition(" ")
                assert word == "export", out
                [pair] = shlex.split(assignment)
                name, _, value = pair.partition("=")
                seen[name] = value
            describe = requests.get(
                f"{seen['SALESFORCE_INSTANCE_URL']}/services/data/v59.0/sobjects/Account/describe",
                headers={"Authorization": f"Bearer {seen['SALESFORCE_ACCESS_TOKEN']}"},
                verify=seen["SALESFORCE_CA_BUNDLE"],
                timeout=5,
            )
            assert describe.status_code == 200
            return True

        def set(self) -> None:
            pass

    monkeypatch.setattr(emulate, "threading", argparse.Namespace(Event=_Once))
    monkeypatch.setattr(emulate.signal, "signal", lambda *_: None)
    parser = argparse.ArgumentParser(prog="mapc")
    emulate.register(parser.add_subparsers())
    args = parser.parse_args(["emulate", "--env"])
    assert emulate.run(args) == 0
    assert set(seen) == {
        "SALESFORCE_INSTANCE_URL",
        "SALESFORCE_ACCESS_TOKEN",
        "SALESFORCE_CA_BUNDLE",
        "HUBSPOT_ACCESS_TOKEN",
        "HUBSPOT_BASE_URL",
    }
    salesforce = SalesforceSettings.from_env(seen)
    hubspot = HubSpotSettings.from_env(seen)
    assert salesforce.ca_bundle == seen["SALESFORCE_CA_BUNDLE"]
    assert hubspot.base_url == seen["HUBSPOT_BASE_URL"]


ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("org", ["standard", "person-accounts"])
def test_the_default_mapping_runs_unchanged_on_either_org_shape(
    org: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`mapc emulate --mappings mappings/` is an org the default mapping can run on as it
    is: its custom fields deployed, person accounts or not (issue: a standard org)."""
    process = subprocess.Popen(
        [sys.executable, "-c", _RUNNER, "emulate", "--env", "--org", org,
         "--mappings", str(ROOT / "mappings")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        env = {}
        for _ in range(5):
            name, _, value = process.stdout.readline().removeprefix("export ").partition("=")
            env[name] = value.strip().strip("'")
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        seeded = requests.post(
            f"{env['HUBSPOT_BASE_URL']}/_emulator/seed",
            json={
                "hubspot": {"records": {"contacts": [
                    {"email": "ann@x.example", "lastname": "Ann", "lifecyclestage": "lead"}
                ]}},
                "salesforce": {"records": {"Lead": [
                    {"LastName": "Bob", "Company": "Bob Co", "Email": "bob@x.example"}
                ]}},
            },
            timeout=10,
        )  # fmt: skip
        assert seeded.status_code == 200, seeded.text
        adapter = str(ROOT / "generated" / "hubspot_salesforce.py")
        state = str(tmp_path / "state.db")
        first = cli.main(["run", adapter, "--state", state, "--init-state", "--no-progress"])
        assert first == 0, capsys.readouterr().err
        capsys.readouterr()
        leads = requests.get(
            f"{env['SALESFORCE_INSTANCE_URL']}/services/data/v59.0/query",
            params={"q": "SELECT Email, Company, Lifecycle_Stage__c FROM Lead ORDER BY Email"},
            headers={"Authorization": f"Bearer {env['SALESFORCE_ACCESS_TOKEN']}"},
            verify=env["SALESFORCE_CA_BUNDLE"],
            timeout=10,
        ).json()["records"]
        by_email = {r["Email"]: r for r in leads}
        assert set(by_email) == {"ann@x.example", "bob@x.example"}
        assert by_email["ann@x.example"]["Lifecycle_Stage__c"] == "Lead"
        again = cli.main(["run", adapter, "--state", state, "--no-progress", "--format", "json"])
        assert again == 0, capsys.readouterr().err
        assert json.loads(capsys.readouterr().out)["writes"] == 0
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=10)
    assert "Traceback" not in stderr


def test_mappings_that_are_not_there_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    process = subprocess.run(
        [sys.executable, "-c", _RUNNER, "emulate", "--mappings", str(tmp_path / "nowhere")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert process.returncode == 2
    assert process.stderr.startswith("mapc emulate: no such mapping file or folder")
    assert process.stderr.count("\n") == 1
