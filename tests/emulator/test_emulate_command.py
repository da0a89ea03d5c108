"""`mapc emulate` as a separate process: one JSON line, served until interrupted."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import requests

from mapc import cli

# Runs the command module itself, so this test does not depend on every other subcommand
# of the shared CLI importing cleanly while they are being written.
_RUNNER = (
    "import argparse, sys\n"
    "from mapc.commands import emulate\n"
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
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        assert set(info) >= {"salesforce_instance_url", "hubspot_base_url", "ca_path",
                             "salesforce_access_token", "hubspot_access_token"}
        assert info["salesforce_instance_url"].startswith("https://127.0.0.1:")
        headers = {"Authorization": f"Bearer {info['hubspot_access_token']}"}
        contacts = requests.get(f"{info['hubspot_base_url']}/crm/v3/objects/contacts",
                                headers=headers, timeout=5).json()
        assert [c["properties"]["email"] for c in contacts["results"]] == ["d@x.io"]
        describe = requests.get(
            f"{info['salesforce_instance_url']}/services/data/v59.0/sobjects/Account/describe",
            headers={"Authorization": f"Bearer {info['salesforce_access_token']}"},
            verify=info["ca_path"], timeout=5)
        assert "IsPersonAccount" in {f["name"] for f in describe.json()["fields"]}
        refused = requests.get(f"{info['hubspot_base_url']}/crm/v3/objects/contacts",
                               headers={"Authorization": "Bearer other"}, timeout=5)
        assert refused.status_code == 401
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "Traceback" not in stderr
