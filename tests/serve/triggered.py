"""`mapc serve --sync` started as a user would, on a state that has synced the
emulator once, and signed webhook deliveries sent to it over HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mapc.cli import main
from mapc.emulator import Emulator
from mapc.emulator.hubspot.webhooks import signature_v3
from tests.serve.conftest import ADAPTER, run_sync, start_server, stop

SECRET = "hubspot-client-secret-for-tests"
PORTAL = "62515"
"""The emulated portal's id: its webhooks carry it."""


@dataclass
class Triggered:
    url: str
    state: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes]

    def health(self) -> dict[str, Any]:
        with urllib.request.urlopen(self.url + "/healthz", timeout=10) as response:
            return dict(json.loads(response.read()))

    def runs(self) -> int:
        [pair] = self.health()["triggers"].values()
        return int(pair["runs"])

    def settle(self, timeout: float = 30) -> int:
        """Wait until no triggered run is going on or due; the runs started so far."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            [pair] = self.health()["triggers"].values()
            if not pair["busy"]:
                return int(pair["runs"])
            time.sleep(0.05)
        raise AssertionError(f"triggered runs still going after {timeout} s")

    def deliver(
        self,
        events: list[dict[str, Any]],
        *,
        signed_for: str | None = None,
        age_ms: int = 0,
        body: bytes | None = None,
        secret: str = SECRET,
    ) -> tuple[int, bytes]:
        """POST a delivery signed as HubSpot signs it (for `signed_for`, by default the
        URL it is posted to)."""
        url = self.url + "/hooks/hubspot"
        sent = json.dumps(events).encode()
        signed = sent if body is None else body
        stamp = str(int(time.time() * 1000) - age_ms)
        headers = {
            "Content-Type": "application/json",
            "X-HubSpot-Request-Timestamp": stamp,
            "X-HubSpot-Signature-v3": signature_v3(
                secret, "POST", signed_for or url, signed, stamp
            ),
        }
        request = urllib.request.Request(url, data=sent, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


def event(object_id: int = 1, portal: str = PORTAL, **extra: Any) -> dict[str, Any]:
    return {
        "eventId": object_id,
        "subscriptionId": 1,
        "portalId": int(portal),
        "appId": 1,
        "occurredAt": int(time.time() * 1000),
        "subscriptionType": "contact.propertyChange",
        "attemptNumber": 0,
        "objectId": object_id,
        "propertyName": "firstname",
        "propertyValue": "Value-Not-To-Be-Logged",
        "changeSource": "CRM_UI",
        **extra,
    }


def start(
    emulator: Emulator, state: Path, seed: dict[str, Any], *args: str
) -> tuple[Triggered, dict[str, str]]:
    """A state synced once with the seeded emulator, served with `args`."""
    emulator.reset(person_accounts=True)
    emulator.seed(seed)
    env = {
        **emulator.env(),
        "HUBSPOT_REQUESTS_PER_10S": "100000",
        "HUBSPOT_SEARCHES_PER_SECOND": "1000",
        "MAPC_STATE": str(state),
    }
    assert main(["state", "init", "--state", str(state)]) == 0
    assert run_sync(env) == 0
    server_env = {
        **os.environ,
        **env,
        "HUBSPOT_PORTAL_ID": PORTAL,
        "HUBSPOT_CLIENT_SECRET": SECRET,
    }
    process, url = start_server(server_env, "--sync", ADAPTER, "--log-level", "info", *args)
    served = Triggered(url, state, env, process)
    served.settle()
    return served, server_env


def finish(served: Triggered) -> str:
    """Stop the server; its log, which must not hold the secret or a payload's value."""
    log = stop(served.process)
    assert SECRET not in log
    assert "Value-Not-To-Be-Logged" not in log
    return log


def lead(emulator: Emulator, email: str) -> dict[str, Any]:
    """The emulated org's one Lead with `email`, as it stands."""
    with emulator.lock:
        [found] = [r for r in emulator.org.records["Lead"].values() if r.get("Email") == email]
        return dict(found)


def contact(emulator: Emulator, email: str) -> dict[str, Any]:
    """The emulated portal's contact with `email`: its id and properties, as they stand."""
    with emulator.lock:
        record = emulator.portal.get("contacts", email, "email")
        return {"id": record.id, **record.properties}
