"""POST /hooks/hubspot over real HTTP: HubSpot's signature v3 checked against the public
URL, forgeries and replays refused, a burst of deliveries coalescing into one run, and
echoes of mapc's own writes or other portals' events triggering none."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from mapc.emulator import Emulator
from mapc.runtime.health.status import run_history
from mapc.runtime.sync.state import StateStore
from tests.runtime.sync.conftest import base_seed
from tests.serve.triggered import Triggered, event, finish, start

PUBLIC = "https://sync.example.com/mapc"
HOOK = PUBLIC + "/hooks/hubspot"
OWN_SOURCE = "424242"


@pytest.fixture(scope="module")
def quiet(
    emulator_session: Emulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Triggered]:
    """Served with no Salesforce poll and no emulator subscription: runs start only from
    the deliveries a test sends."""
    state = tmp_path_factory.mktemp("hooks") / "state.db"
    served, _ = start(
        emulator_session,
        state,
        base_seed(),
        "--poll-salesforce",
        "off",
        "--public-url",
        PUBLIC,
        "--hubspot-source",
        OWN_SOURCE,
        # Every event is logged at debug: by its ids and kinds, never a value.
        "--log-level",
        "debug",
    )
    try:
        yield served
    finally:
        log = finish(served)
    # The events were logged (and `finish` found no value of theirs in the log).
    assert "webhook event contact.propertyChange" in log


def _runs_in_state(state: Path) -> int:
    return len(run_history(StateStore(str(state), create=False), 1000))


def test_a_signed_delivery_is_accepted_and_every_forgery_refused(quiet: Triggered) -> None:
    status, body = quiet.deliver([event()], signed_for=HOOK)
    assert status == 200
    assert json.loads(body)["triggered"] == ["default"]
    # Signed for the URL this server sees rather than the public one HubSpot calls.
    assert quiet.deliver([event()])[0] == 401
    assert (
        quiet.deliver([event()], signed_for="https://evil.example.com/mapc/hooks/hubspot")[0] == 401
    )
    assert quiet.deliver([event()], signed_for=HOOK, secret="not-the-secret")[0] == 401
    assert quiet.deliver([event()], signed_for=HOOK, age_ms=5 * 60 * 1000 + 5000)[0] == 401
    tampered = json.dumps([event(object_id=2)]).encode()
    assert quiet.deliver([event(object_id=3)], signed_for=HOOK, body=tampered)[0] == 401
    quiet.settle()


def test_a_burst_of_deliveries_is_one_run(quiet: Triggered) -> None:
    runs, in_state = quiet.settle(), _runs_in_state(quiet.state)
    for n in range(6):
        status, _ = quiet.deliver([event(object_id=n), event(object_id=n + 100)], signed_for=HOOK)
        assert status == 200
    assert quiet.settle() == runs + 1
    assert _runs_in_state(quiet.state) == in_state + 1


def test_echoes_and_other_portals_trigger_nothing(quiet: Triggered) -> None:
    runs = quiet.settle()
    status, body = quiet.deliver(
        [
            event(changeSource="INTEGRATION", sourceId=OWN_SOURCE),
            event(object_id=2, portal="999"),
        ],
        signed_for=HOOK,
    )
    assert status == 200
    answer = json.loads(body)
    assert answer == {"events": 2, "triggered": [], "echoes": 1, "unknown_portals": ["999"]}
    assert quiet.settle() == runs
    # The same event from someone else's edit does trigger a run.
    status, body = quiet.deliver(
        [event(changeSource="CRM_UI", sourceId="userId:7")], signed_for=HOOK
    )
    assert json.loads(body)["triggered"] == ["default"]
    assert quiet.settle() == runs + 1


def test_what_is_not_a_list_of_events_is_refused(quiet: Triggered) -> None:
    runs = quiet.settle()
    status, _ = quiet.deliver([], signed_for=HOOK, body=b"{}")
    assert status == 401  # the signature covers the body sent, not this one
    url = quiet.url + "/hooks/hubspot"
    import time
    import urllib.error
    import urllib.request

    from mapc.emulator.hubspot.webhooks import signature_v3

    stamp = str(int(time.time() * 1000))
    for body in (b"not json", b'{"portalId": 62515}'):
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={
                "X-HubSpot-Request-Timestamp": stamp,
                "X-HubSpot-Signature-v3": signature_v3(
                    "hubspot-client-secret-for-tests", "POST", HOOK, body, stamp
                ),
            },
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 400
    assert quiet.settle() == runs


def test_without_triggers_the_hook_is_off(tmp_path: Path) -> None:
    from mapc.runtime.health.records import Where
    from mapc.serve.app import ServeConfig, create_app
    from mapc.serve.auth import Token
    from tests.serve.asgi import post

    state = tmp_path / "state.db"
    StateStore(str(state)).close()
    app = create_app(ServeConfig(str(state), "default", Where(), Token(None)))
    answer = post(app, "/hooks/hubspot", "[]")
    assert answer.status == 404 and "HUBSPOT_CLIENT_SECRET" in answer.text


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--debounce", "1"], "--debounce goes with --sync ADAPTER or --fleet FILE"),
        (["--public-url", "https://x.example"], "--public-url goes with --sync"),
        (["--sync", "generated/hubspot_salesforce.py", "--debounce", "0.5"], "1 to 60"),
        (["--sync", "generated/hubspot_salesforce.py", "--public-url", "x.example"], "http(s)"),
        (["--sync", "generated/hubspot_salesforce.py", "--poll-salesforce", "soon"], "30s, 5m"),
        (["--sync", "no/such/adapter.py"], "No adapter module"),
    ],
)
def test_trigger_options_say_what_is_wrong(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    from mapc.cli import main

    state = tmp_path / "state.db"
    StateStore(str(state)).close()
    assert main(["serve", "--state", str(state), *args]) == 2
    err = capsys.readouterr().err
    assert says in err and len(err.strip().splitlines()) == 1
