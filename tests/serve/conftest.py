"""A state from a real run against the emulator (errors of several categories), and
`mapc serve` started on it as a user would: a separate process on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mapc.cli import main
from mapc.emulator import Emulator
from tests.runtime.sync.conftest import LIFECYCLE_FIELD, base_seed

ADAPTER = str(Path(__file__).resolve().parents[2] / "generated" / "hubspot_salesforce.py")
PORTAL = "4242"
TOKEN = "s3cret-token-for-tests"


def seed() -> dict[str, Any]:
    """HubSpot contacts Salesforce rejects for three reasons, a deal missing a required
    field, and a Salesforce lead HubSpot rejects."""
    data = base_seed()
    # A restricted picklist without "Evangelist": an evangelist is a picklist error.
    narrow = {
        **LIFECYCLE_FIELD,
        "picklistValues": [v for v in LIFECYCLE_FIELD["picklistValues"] if v != "Evangelist"],
    }
    data["salesforce"]["custom_fields"] = {"Lead": [narrow], "Contact": [narrow]}
    data["hubspot"] = {
        **data.get("hubspot", {}),
        "records": {
            **data.get("hubspot", {}).get("records", {}),
            "contacts": [
                {"email": "ok@example.com", "lastname": "Fine"},
                {"email": "long@example.com", "lastname": "L" * 300},
                {"email": "evan@example.com", "lastname": "Evan", "lifecyclestage": "evangelist"},
            ],
            "deals": [{"dealname": "No date", "amount": "1"}],
        },
    }
    return data


@dataclass
class Served:
    url: str
    state: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    emulator: Emulator | None = None

    def touch_hubspot_contact(self, email: str) -> None:
        """A later change on HubSpot, so the next run's cursor moves past the seed."""
        assert self.emulator is not None
        self.emulator.clock.advance(2)
        with self.emulator.lock:
            portal = self.emulator.portal
            portal.update("contacts", portal.get("contacts", email, "email"), {"jobtitle": "x"})

    def get(self, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(self.url + path, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, _lower(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, _lower(error.headers), error.read()

    def post(self, path: str, body: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(
            self.url + path,
            data=body.encode(),
            method="POST",
            headers={"content-type": "application/x-www-form-urlencoded", **headers},
        )
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=10) as response:
                return response.status, _lower(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, _lower(error.headers), error.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(env: dict[str, str], *args: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mapc", "serve", "--port", str(port), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            _, err = process.communicate()
            raise AssertionError(f"mapc serve exited {process.returncode}: {err.decode()}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1):
                return process, url
        except urllib.error.HTTPError:
            return process, url  # up, answering (503 is an answer)
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("mapc serve did not start within 20 s")


def stop(process: subprocess.Popen[bytes]) -> str:
    process.terminate()
    try:
        _, err = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
    return err.decode()


def run_sync(env: dict[str, str]) -> int:
    """`mapc run` in this process, with the served state's environment."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        # Runs here follow each other at once: a failed record is due again at the next.
        return main(["run", ADAPTER, "--no-progress", "--retry-backoff", "0"])
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="module")
def served(
    request: pytest.FixtureRequest,
    emulator_session: Emulator,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Served]:
    """One real run with record errors, served with actions on (token set). A test module
    may set RUN_ENV: more variables for its runs (budgets, retry limits)."""
    emulator_session.reset(person_accounts=True)
    emulator_session.seed(seed())
    state = tmp_path_factory.mktemp("serve") / "state.db"
    env = {
        **emulator_session.env(),
        "HUBSPOT_REQUESTS_PER_10S": "100000",
        "HUBSPOT_SEARCHES_PER_SECOND": "1000",
        # A later run reads from the cursor exactly (no look-back re-reading the seed),
        # so a record is tried again only because it changed or its error is open.
        "HUBSPOT_SEARCH_LOOKBACK_SECONDS": "0",
        # Every run retries a failing record (no backoff): the tests count the tries.
        "MAPC_RETRY_BACKOFF": "0",
        "MAPC_STATE": str(state),
        **getattr(request.module, "RUN_ENV", {}),
    }
    assert main(["state", "init", "--state", str(state)]) == 0
    assert run_sync(env) == 1  # some records failed
    server_env = {
        **os.environ,
        "MAPC_STATE": str(state),
        "HUBSPOT_PORTAL_ID": PORTAL,
        "SALESFORCE_INSTANCE_URL": emulator_session.env()["SALESFORCE_INSTANCE_URL"],
        "MAPC_SERVE_TOKEN": TOKEN,
    }
    process, url = start_server(server_env)
    try:
        yield Served(url, state, env, process, emulator_session)
    finally:
        err = stop(process)
        assert TOKEN not in err


def _lower(headers: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}
