"""Webhook calls on CRM changes, signed with X-HubSpot-Signature-v3, to a 127.0.0.1 target:
who made each change (the app's token or a person), and failed calls sent again."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from hubspot.crm.contacts import PublicMergeInput, SimplePublicObjectInput
from hubspot.crm.contacts import SimplePublicObjectInputForCreate as ContactInput

from mapc.emulator import Emulator

SECRET = "app-secret-for-tests"


class _Receiver(ThreadingHTTPServer):
    """Records each call; answers the statuses in `answers` in turn, then 204."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int = 0) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                receiver.received.append((dict(self.headers.items()), self.rfile.read(length)))
                self.send_response(receiver.answers.pop(0) if receiver.answers else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        super().__init__(("127.0.0.1", port), Handler)


def _serve(server: _Receiver) -> None:
    threading.Thread(target=server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver() -> Iterator[_Receiver]:
    server = _Receiver()
    _serve(server)
    yield server
    server.shutdown()
    server.server_close()


def _subscribe(emulator: Emulator, receiver: _Receiver | int, **extra: Any) -> str:
    port = receiver if isinstance(receiver, int) else receiver.server_address[1]
    url = f"http://127.0.0.1:{port}/hooks?source=hubspot"
    answer = requests.post(
        f"{emulator.hubspot_url}/_emulator/hubspot/webhooks",
        json={"targetUrl": url, "clientSecret": SECRET, **extra},
        timeout=5,
    )
    assert answer.status_code == 200, answer.text
    return url


def _events(receiver: _Receiver) -> list[dict[str, Any]]:
    return [event for _, body in receiver.received for event in json.loads(body)]


def test_events_are_sent_signed_with_v3(hs: Any, emulator: Emulator, receiver: _Receiver) -> None:
    url = _subscribe(emulator, receiver)
    created = hs.crm.contacts.basic_api.create(ContactInput(properties={"email": "a@x.io"}))
    hs.crm.contacts.basic_api.update(
        created.id, SimplePublicObjectInput(properties={"firstname": "Ada"})
    )
    other = hs.crm.contacts.basic_api.create(ContactInput(properties={"email": "b@x.io"}))
    merged = hs.crm.contacts.basic_api.merge(
        PublicMergeInput(primary_object_id=created.id, object_id_to_merge=other.id)
    )
    hs.crm.contacts.basic_api.archive(merged.id)
    emulator.flush_webhooks()
    kinds = [(e["subscriptionType"], str(e["objectId"])) for e in _events(receiver)]
    assert ("contact.creation", created.id) in kinds
    assert ("contact.propertyChange", created.id) in kinds
    assert ("contact.deletion", merged.id) in kinds
    [merge] = [e for e in _events(receiver) if e["subscriptionType"] == "contact.merge"]
    assert merge["newObjectId"] == int(merged.id)
    assert sorted(map(str, merge["mergedObjectIds"])) == sorted([created.id, other.id])
    [change] = [
        e
        for e in _events(receiver)
        if e["subscriptionType"] == "contact.propertyChange" and e["propertyName"] == "firstname"
    ]
    assert change["propertyValue"] == "Ada"
    for headers, body in receiver.received:
        timestamp = headers["X-HubSpot-Request-Timestamp"]
        source = b"POST" + url.encode() + body + timestamp.encode()
        expected = base64.b64encode(hmac.new(SECRET.encode(), source, hashlib.sha256).digest())
        assert headers["X-HubSpot-Signature-v3"] == expected.decode()
        assert headers["X-HubSpot-Signature"] == hashlib.sha256(SECRET.encode() + body).hexdigest()


def test_only_subscribed_events_go_out(hs: Any, emulator: Emulator, receiver: _Receiver) -> None:
    _subscribe(emulator, receiver, subscriptions=["contact.deletion"])
    created = hs.crm.contacts.basic_api.create(ContactInput(properties={"email": "a@x.io"}))
    hs.crm.contacts.basic_api.archive(created.id)
    emulator.flush_webhooks()
    assert [e["subscriptionType"] for e in _events(receiver)] == ["contact.deletion"]


def test_targets_off_this_machine_are_refused(emulator: Emulator) -> None:
    answer = requests.post(
        f"{emulator.hubspot_url}/_emulator/hubspot/webhooks",
        json={"targetUrl": "https://example.com/hooks", "clientSecret": SECRET},
        timeout=5,
    )
    assert answer.status_code == 400 and "127.0.0.1" in answer.json()["error"]


def _signed_by_secret(url: str, headers: dict[str, str], body: bytes) -> bool:
    source = b"POST" + url.encode() + body + headers["X-HubSpot-Request-Timestamp"].encode()
    expected = base64.b64encode(hmac.new(SECRET.encode(), source, hashlib.sha256).digest())
    return headers["X-HubSpot-Signature-v3"] == expected.decode()


def _edit(emulator: Emulator, contact_id: str, **extra: Any) -> requests.Response:
    """A person's edit, through the control API."""
    return requests.post(
        f"{emulator.hubspot_url}/_emulator/hubspot/edit",
        json={"objectType": "contacts", "id": contact_id, **extra},
        timeout=5,
    )


def _until(done: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, f"not done within {seconds} s"
        time.sleep(0.01)


def test_events_say_whether_the_app_or_a_person_made_the_change(
    hs: Any, emulator: Emulator, receiver: _Receiver
) -> None:
    _subscribe(emulator, receiver)
    info = requests.get(f"{emulator.hubspot_url}/_emulator/info", timeout=5).json()
    created = hs.crm.contacts.basic_api.create(ContactInput(properties={"email": "a@x.io"}))
    assert _edit(emulator, created.id, properties={"firstname": "Ada"}).status_code == 200
    edited = _edit(emulator, created.id, properties={"lastname": "King"}, userId=4711)
    assert edited.json()["properties"]["lastname"] == "King"
    emulator.flush_webhooks()
    by_kind = {(e["subscriptionType"], e.get("propertyName")): e for e in _events(receiver)}
    creation = by_kind["contact.creation", None]
    # Written with the access token: the app's (HubSpot's INTEGRATION, sourceId its id).
    assert (creation["changeSource"], creation["sourceId"]) == (
        "INTEGRATION",
        str(info["hubspot_app_id"]),
    )
    assert creation["appId"] == info["hubspot_app_id"]
    # Through the control API: a person's edit in HubSpot's pages.
    person = by_kind["contact.propertyChange", "firstname"]
    assert (person["changeSource"], person["sourceId"]) == (
        "CRM_UI",
        f"userId:{info['hubspot_user_id']}",
    )
    other = by_kind["contact.propertyChange", "lastname"]
    assert (other["changeSource"], other["sourceId"]) == ("CRM_UI", "userId:4711")


def test_a_person_s_edit_is_checked_as_the_api_would(emulator: Emulator) -> None:
    created = emulator.portal.create("contacts", {"email": "b@x.io"})
    refused = _edit(emulator, created.id, properties={"no_such_property": "x"})
    assert refused.status_code == 400 and "no_such_property" in refused.text
    assert _edit(emulator, "999999999", properties={"firstname": "x"}).status_code == 400
    assert _edit(emulator, created.id).status_code == 400  # no properties


def test_a_failed_delivery_is_sent_again_numbered_and_signed_anew(
    hs: Any, emulator: Emulator, receiver: _Receiver
) -> None:
    url = _subscribe(emulator, receiver, subscriptions=["contact.creation"], retryDelay=0.05)
    receiver.answers = [503, 500]
    hs.crm.contacts.basic_api.create(ContactInput(properties={"email": "a@x.io"}))
    log = emulator.flush_webhooks()
    assert [d["status"] for d in log] == [503, 500, 204]
    attempts = [json.loads(body) for _, body in receiver.received]
    assert [[e["attemptNumber"] for e in batch] for batch in attempts] == [[0], [1], [2]]
    assert len({batch[0]["eventId"] for batch in attempts}) == 1
    # Each attempt is signed for its own time and body, so each passes the check.
    assert all(_signed_by_secret(url, h, body) for h, body in receiver.received)
    stamps = [h["X-HubSpot-Request-Timestamp"] for h, _ in receiver.received]
    assert stamps == sorted(stamps) and len(set(stamps)) == 3


@pytest.mark.parametrize("status", [400, 401, 404, 405, 410])
def test_a_delivery_refused_with_a_4xx_is_not_sent_again(
    status: int, hs: Any, emulator: Emulator, receiver: _Receiver
) -> None:
    _subscribe(emulator, receiver, subscriptions=["contact.creation"], retryDelay=0.01)
    receiver.answers = [status]
    hs.crm.contacts.basic_api.create(ContactInput(properties={"email": "a@x.io"}))
    assert [d["status"] for d in emulator.flush_webhooks()] == [status]
    time.sleep(0.2)  # twenty times the first retry's delay
    assert len(receiver.received) == 1


def test_a_429_is_sent_again(hs: Any, emulator: Emulator, receiver: _Receiver) -> None:
    _subscribe(emulator, receiver, subscriptions=["contact.creation"], retryDelay=0.01)
    receiver.answers = [429]
    hs.crm.contacts.basic_api.create(ContactInput(properties={"email": "a@x.io"}))
    assert [d["status"] for d in emulator.flush_webhooks()] == [429, 204]


def test_a_target_that_is_down_gets_the_delivery_once_up(hs: Any, emulator: Emulator) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    _subscribe(emulator, port, subscriptions=["contact.creation"], retryDelay=0.2)
    hs.crm.contacts.basic_api.create(ContactInput(properties={"email": "a@x.io"}))
    _until(lambda: bool(emulator.portal.webhooks.delivered))
    server = _Receiver(port)
    _serve(server)
    try:
        log = emulator.flush_webhooks()
        assert [d["status"] for d in log[:1]] == [0]  # nothing listened
        assert log[-1]["status"] == 204
        [(_, body)] = server.received
        assert json.loads(body)[0]["attemptNumber"] == len(log) - 1 >= 1
    finally:
        server.shutdown()
        server.server_close()


def test_retries_stop_after_the_subscription_s_number(
    hs: Any, emulator: Emulator, receiver: _Receiver
) -> None:
    _subscribe(emulator, receiver, subscriptions=["contact.creation"], retries=2, retryDelay=0.01)
    receiver.answers = [503] * 5
    hs.crm.contacts.basic_api.create(ContactInput(properties={"email": "a@x.io"}))
    assert [d["status"] for d in emulator.flush_webhooks()] == [503, 503, 503]
    time.sleep(0.2)
    assert len(receiver.received) == 3


def test_a_reset_gives_up_the_retries_waiting(
    hs: Any, emulator: Emulator, receiver: _Receiver
) -> None:
    _subscribe(emulator, receiver, subscriptions=["contact.creation"], retryDelay=0.3)
    receiver.answers = [503] * 5
    hs.crm.contacts.basic_api.create(ContactInput(properties={"email": "a@x.io"}))
    _until(lambda: len(receiver.received) == 1)
    emulator.reset()
    time.sleep(0.6)  # past the first retry's time
    assert len(receiver.received) == 1


@pytest.mark.parametrize(
    "settings",
    [{"retries": 11}, {"retries": -1}, {"retries": "3"}, {"retryDelay": 0}, {"retryDelay": "x"}],
)
def test_a_bad_retry_schedule_is_refused(
    settings: dict[str, Any], emulator: Emulator, receiver: _Receiver
) -> None:
    answer = requests.post(
        f"{emulator.hubspot_url}/_emulator/hubspot/webhooks",
        json={
            "targetUrl": f"http://127.0.0.1:{receiver.server_address[1]}/",
            "clientSecret": SECRET,
            **settings,
        },
        timeout=5,
    )
    assert answer.status_code == 400
    assert next(iter(settings)) in answer.json()["error"]
