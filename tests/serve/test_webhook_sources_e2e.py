"""`mapc serve --sync` and the emulator's webhooks as HubSpot sends them: a sync's own
writes come back as events of mapc's app (changeSource INTEGRATION, sourceId the app's
id) and trigger no run, while a person's edit (CRM_UI) does; a delivery that failed is
sent again until it is taken, and one refused with a 4xx is not."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from mapc.emulator import Emulator
from mapc.runtime.salesforce.client import SalesforceConnector
from tests.runtime.sync.conftest import base_seed
from tests.serve.triggered import SECRET, Triggered, contact, finish, lead, start

EMAIL = "grace@sources.example"
RETRY_DELAY = 0.2
"""The emulator's first retry after a failed delivery (then 0.4 s, 0.8 s, ...)."""


class Gate(ThreadingHTTPServer):
    """A reverse proxy in front of `mapc serve`, as in production: it passes deliveries
    on as they came, except that it answers the statuses in `refuse` in turn first (a
    server that fails, or refuses, a delivery)."""

    daemon_threads = True

    def __init__(self) -> None:
        self.refuse: list[int] = []
        self.target = 0
        gate = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, answer = (
                    (gate.refuse.pop(0), b"")
                    if gate.refuse
                    else gate.forward(self.path, dict(self.headers.items()), body)
                )
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                return

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def forward(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.target, timeout=10)
        try:
            kept = {k: v for k, v in headers.items() if k.lower() not in ("host", "connection")}
            connection.request("POST", path, body=body, headers=kept)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()


@pytest.fixture(scope="module")
def served(
    emulator_session: Emulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Triggered, Emulator, Gate]]:
    """Served behind the gate with no Salesforce poll, and told the emulator's app id is
    mapc's own: only webhooks start runs."""
    seed = base_seed()
    seed["hubspot"]["records"] = {
        "contacts": [
            {"email": EMAIL, "firstname": "Grace", "lastname": "Hopper", "lifecyclestage": "lead"}
        ]
    }
    gate = Gate()
    app_id = str(emulator_session.info()["hubspot_app_id"])
    state = tmp_path_factory.mktemp("sources") / "state.db"
    served, _ = start(
        emulator_session,
        state,
        seed,
        "--poll-salesforce",
        "off",
        "--public-url",
        gate.url,
        "--hubspot-source",
        app_id,
    )
    gate.target = int(served.url.rsplit(":", 1)[1])
    emulator_session.subscribe_webhooks(
        {
            "targetUrl": f"{gate.url}/hooks/hubspot",
            "clientSecret": SECRET,
            "retryDelay": RETRY_DELAY,
        }
    )
    try:
        yield served, emulator_session, gate
    finally:
        gate.shutdown()
        gate.server_close()
        print(finish(served)[-3000:])


def _edit_as_a_person(emulator: Emulator, properties: dict[str, str]) -> None:
    answer = requests.post(
        f"{emulator.hubspot_url}/_emulator/hubspot/edit",
        json={
            "objectType": "contacts",
            "id": contact(emulator, EMAIL)["id"],
            "properties": properties,
        },
        timeout=10,
    )
    assert answer.status_code == 200, answer.text


def _within(seconds: float, done: Callable[[], bool]) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, f"not done within {seconds} s"
        time.sleep(0.02)


def _attempts(emulator: Emulator, property_name: str, value: str) -> list[tuple[int, int]]:
    """(attemptNumber, status) of each delivery of the event setting the property."""
    return [
        (event["attemptNumber"], delivery["status"])
        for delivery in emulator.flush_webhooks()
        for event in delivery["events"]
        if event.get("propertyName") == property_name and event.get("propertyValue") == value
    ]


def test_a_person_s_edit_triggers_a_run_and_the_run_s_own_writes_do_not(
    served: tuple[Triggered, Emulator, Gate],
) -> None:
    triggered, emulator, _ = served
    runs = triggered.settle()
    # A Salesforce change nothing looks for (no poll): the next run carries it to HubSpot,
    # whose webhooks then report mapc's own write.
    salesforce = SalesforceConnector.from_env(triggered.env)
    [result] = salesforce.update(
        "Lead", [{"Id": lead(emulator, EMAIL)["Id"], "FirstName": "Amazing"}]
    )
    assert result.ok
    _edit_as_a_person(emulator, {"lifecyclestage": "marketingqualifiedlead"})
    _within(10, lambda: lead(emulator, EMAIL)["Lifecycle_Stage__c"] == "Marketing Qualified Lead")
    _within(10, lambda: contact(emulator, EMAIL)["firstname"] == "Amazing")
    # Every event has reached the server (it triggers before it answers), mapc's write too:
    # one run, the person's; the echo of its write to HubSpot started none.
    sent = [(e, d["status"]) for d in emulator.flush_webhooks() for e in d["events"]]
    assert triggered.settle() == runs + 1
    [person] = [e for e, _ in sent if e.get("propertyValue") == "marketingqualifiedlead"]
    assert person["changeSource"] == "CRM_UI"
    [(echo, status)] = [(e, s) for e, s in sent if e.get("propertyValue") == "Amazing"]
    app_id = str(emulator.info()["hubspot_app_id"])
    assert (echo["changeSource"], echo.get("sourceId"), status) == ("INTEGRATION", app_id, 200)


def test_a_delivery_the_server_failed_arrives_on_a_later_attempt(
    served: tuple[Triggered, Emulator, Gate],
) -> None:
    triggered, emulator, gate = served
    runs = triggered.settle()
    gate.refuse = [503, 503]
    _edit_as_a_person(emulator, {"lifecyclestage": "salesqualifiedlead"})
    _within(10, lambda: lead(emulator, EMAIL)["Lifecycle_Stage__c"] == "Sales Qualified Lead")
    # HubSpot numbers attempts from 0: the third is attemptNumber 2, signed anew.
    assert _attempts(emulator, "lifecyclestage", "salesqualifiedlead") == [
        (0, 503),
        (1, 503),
        (2, 200),
    ]
    assert triggered.settle() == runs + 1


def test_a_delivery_refused_with_a_400_is_not_sent_again(
    served: tuple[Triggered, Emulator, Gate],
) -> None:
    triggered, emulator, gate = served
    runs = triggered.settle()
    gate.refuse = [400]
    _edit_as_a_person(emulator, {"lifecyclestage": "opportunity"})
    _within(5, lambda: bool(_attempts(emulator, "lifecyclestage", "opportunity")))
    # Past the first three retries' times (0.2 + 0.4 + 0.8 s): none was sent.
    time.sleep(8 * RETRY_DELAY)
    assert _attempts(emulator, "lifecyclestage", "opportunity") == [(0, 400)]
    assert triggered.settle() == runs
    assert lead(emulator, EMAIL)["Lifecycle_Stage__c"] == "Sales Qualified Lead"
