"""Which pair a webhook is for: the one pair of `--sync` (its portal only, when known),
or a fleet's pair by its `portal:`, queued once per burst; echoes trigger nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from mapc.runtime.fleet.config import FleetFileError, load_fleet
from mapc.runtime.triggers import hub
from mapc.runtime.triggers.events import Event, latest_by_object, parse_events

FLEET = """
state: postgresql+psycopg://mapc@db/mapc
adapter: generated/hubspot_salesforce.py
pairs:
  - {account: eu, org: acme, portal: 111, env: {}}
  - {account: us, org: acme, portal: 222, env: {}}
  - {account: old, org: acme, env: {}}
"""


def _event(portal: str, n: int = 1, **extra: str) -> Event:
    return Event(str(n), portal, "contact.propertyChange", str(n), 1000 + n, **extra)


def test_a_fleets_webhooks_queue_their_pair_once_per_burst(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "fleet.yaml").write_text(FLEET, "utf-8")
    fleet = load_fleet(tmp_path / "fleet.yaml")
    queued: list[list[str]] = []
    monkeypatch.setattr("mapc.runtime.fleet.queue.enqueue", lambda _f, pairs: queued.append(pairs))
    triggers = hub.fleet(fleet, window=0.2, own_sources={"777"})
    triggers.start()
    try:
        out = triggers.hubspot([_event("111", n) for n in range(5)] + [_event("222")])
        assert sorted(out.triggered) == ["eu@acme", "us@acme"]
        out = triggers.hubspot([_event("333"), _event("222", source_id="777")])
        assert out.triggered == [] and out.unknown_portals == ["333"] and out.echoes == 1
        for debouncer in triggers.pairs.values():
            assert debouncer.idle(10)
    finally:
        triggers.stop()
    assert sorted(queued) == [["eu@acme"], ["us@acme"]]


def test_a_portal_names_one_pair(tmp_path: Path) -> None:
    (tmp_path / "fleet.yaml").write_text(FLEET.replace("portal: 222", "portal: 111"), "utf-8")
    with pytest.raises(FleetFileError, match="`portal` for two pairs"):
        load_fleet(tmp_path / "fleet.yaml")


def test_events_carry_ids_and_kinds_only() -> None:
    body = (
        b'[{"eventId": 9, "portalId": 62515, "occurredAt": 1700000000123,'
        b' "subscriptionType": "object.propertyChange", "objectTypeId": "0-3",'
        b' "objectId": 55, "propertyName": "amount", "propertyValue": "secret-ish",'
        b' "changeSource": "INTEGRATION", "sourceId": "4242"},'
        b' {"eventId": 10, "portalId": 62515, "occurredAt": 1700000000999,'
        b' "subscriptionType": "contact.deletion", "objectId": 56},'
        b' "not an event", {"subscriptionType": "contact.creation"}]'
    )
    first, second = parse_events(body)
    assert first.hubspot_object == "deals" and first.source_id == "4242"
    assert "secret-ish" not in first.describe() and "amount" not in repr(first)
    assert second.hubspot_object == "contacts" and not second.moves_cursor
    # A deletion need not move a read's cursor: only the deal's change is awaited.
    assert latest_by_object([first, second]) == {"deals": 1700000000123}
