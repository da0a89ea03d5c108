"""hs_email_optout, the Communication Preferences APIs and the Email Events API."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from hubspot.communication_preferences import ApiException as PreferencesError
from hubspot.communication_preferences import PublicUpdateSubscriptionStatusRequest
from hubspot.crm.contacts import ApiException as ContactsError
from hubspot.crm.contacts import SimplePublicObjectInput

from mapc.emulator import Emulator


def test_hs_email_optout_is_read_only(hs: Any, emulator: Emulator) -> None:
    refs = emulator.seed({"hubspot": {"records": {"contacts": [{"_ref": "c", "email": "c@x.io"}]}}})
    with pytest.raises(ContactsError) as caught:
        hs.crm.contacts.basic_api.update(
            refs["c"], SimplePublicObjectInput(properties={"hs_email_optout": "true"})
        )
    body = json.loads(caught.value.body)
    assert caught.value.status == 400 and body["category"] == "VALIDATION_ERROR"
    assert body["errors"][0]["code"] == "READ_ONLY_VALUE"
    assert "read only" in body["message"] and "hs_email_optout" in body["message"]


def test_unsubscribe_all_flips_optout_and_bumps_modified(hs: Any, emulator: Emulator) -> None:
    emulator.clock.freeze("2026-11-29T08:00:00Z")
    refs = emulator.seed({"hubspot": {"records": {"contacts": [{"_ref": "c", "email": "c@x.io"}]}}})
    base = "/communication-preferences/v4/statuses"
    status = hs.api_request({"path": f"{base}/c@x.io/unsubscribe-all", "qs": {"channel": "EMAIL"}})
    assert status.status_code == 200 and status.json()["results"] == []
    emulator.clock.advance(1)
    done = hs.api_request(
        {"method": "POST", "path": f"{base}/c@x.io/unsubscribe-all", "qs": {"channel": "EMAIL"}}
    )
    assert done.status_code == 200 and done.json()["status"] == "COMPLETE"
    contact = hs.crm.contacts.basic_api.get_by_id(refs["c"], properties=["hs_email_optout"])
    assert contact.properties["hs_email_optout"] == "true"
    assert contact.properties["lastmodifieddate"] == "2026-11-29T08:00:01.000Z"
    status = hs.api_request({"path": f"{base}/c@x.io/unsubscribe-all", "qs": {"channel": "EMAIL"}})
    [wide] = status.json()["results"]
    assert (wide["status"], wide["wideStatusType"]) == ("UNSUBSCRIBED", "PORTAL_WIDE")
    batch = hs.api_request(
        {
            "method": "POST",
            "path": f"{base}/batch/unsubscribe-all",
            "qs": {"channel": "EMAIL"},
            "body": {"inputs": ["d@x.io"]},
        }
    )
    assert batch.status_code == 200 and batch.json()["results"][0]["subscriberIdString"] == "d@x.io"
    missing_channel = hs.api_request({"method": "POST", "path": f"{base}/e@x.io/unsubscribe-all"})
    assert missing_channel.status_code == 400


def test_v3_status_and_no_resubscribe_after_unsubscribe_all(hs: Any, emulator: Emulator) -> None:
    prefs = hs.communication_preferences
    definition = prefs.definition_api.get_page().subscription_definitions[0].id
    prefs.status_api.subscribe(
        PublicUpdateSubscriptionStatusRequest(email_address="v@x.io", subscription_id=definition)
    )
    statuses = prefs.status_api.get_email_status("v@x.io").subscription_statuses
    assert {s.id: s.status for s in statuses}[definition] == "SUBSCRIBED"
    emulator.portal.unsubscribe_all("v@x.io")
    statuses = prefs.status_api.get_email_status("v@x.io").subscription_statuses
    assert {(s.status, s.source_of_status) for s in statuses} == {
        ("NOT_SUBSCRIBED", "PORTAL_WIDE_STATUS")
    }
    with pytest.raises(PreferencesError) as caught:
        prefs.status_api.subscribe(
            PublicUpdateSubscriptionStatusRequest(
                email_address="v@x.io", subscription_id=definition
            )
        )
    assert caught.value.status == 400
    # A contact created later with that address reads as opted out too.
    created = hs.crm.contacts.basic_api.create({"properties": {"email": "v@x.io"}})
    assert created.properties["hs_email_optout"] == "true"


def test_email_events_page_with_offset(hs: Any, emulator: Emulator) -> None:
    start = 1_795_939_200_000
    emulator.add_email_events(
        [
            {"type": "OPEN" if i % 2 else "CLICK", "recipient": f"r{i}@x.io", "created": start + i}
            for i in range(25)
        ]
        + [{"type": "DELIVERED", "recipient": "d@x.io", "created": start}]
    )
    seen: list[dict[str, Any]] = []
    offset = None
    while True:
        qs: dict[str, Any] = {
            "startTimestamp": start,
            "endTimestamp": start + 100,
            "eventType": "OPEN",
            "limit": 5,
        }
        if offset:
            qs["offset"] = offset
        page = hs.api_request({"path": "/email/public/v1/events", "qs": qs}).json()
        seen.extend(page["events"])
        if not page["hasMore"]:
            break
        offset = page["offset"]
    assert len(seen) == 12 and {e["type"] for e in seen} == {"OPEN"}
    assert all(
        {"id", "type", "recipient", "created", "emailCampaignId", "appId"} <= set(e) for e in seen
    )
    assert len({e["id"] for e in seen}) == 12


def test_events_need_the_token(emulator: Emulator) -> None:
    answer = requests.get(
        f"{emulator.hubspot_url}/email/public/v1/events",
        headers={"Authorization": "Bearer wrong"},
        timeout=5,
    )
    assert answer.status_code == 401
    assert answer.json()["category"] == "INVALID_AUTHENTICATION"


def test_a_bad_events_offset_is_a_400_not_a_server_error(hs_http: Any, emulator: Emulator) -> None:
    answer = hs_http.get(
        f"{emulator.hubspot_url}/email/public/v1/events", params={"offset": "not-hex"}, timeout=5
    )
    assert answer.status_code == 400 and answer.json()["category"] == "VALIDATION_ERROR"
