"""Fault injection, rate limits, the call counter, the clock and the /_emulator/ control API."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests
from hubspot.crm.contacts import ApiException as ContactsError
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceGeneralError, SalesforceRefusedRequest

from mapc.emulator import Emulator

SF_QUERY = "GET /services/data/vXX.X/query"


def test_first_n_503_then_success(sf: Salesforce, emulator: Emulator) -> None:
    emulator.add_fault(SF_QUERY, status=503, first_n=2)
    for _ in range(2):
        with pytest.raises(SalesforceGeneralError) as caught:
            sf.query("SELECT Id FROM Lead")
        assert caught.value.status == 503
        assert caught.value.content[0]["errorCode"] == "SERVER_UNAVAILABLE"
    assert sf.query("SELECT Id FROM Lead")["done"] is True
    assert emulator.calls()[SF_QUERY] == 3


def test_429_with_retry_after_and_rate_headers(
    hs: Any, hs_http: requests.Session, emulator: Emulator
) -> None:
    emulator.add_fault("POST /crm/v3/objects/*/batch/*", status=429, retry_after=2, first_n=1)
    url = f"{emulator.hubspot_url}/crm/v3/objects/contacts/batch/read"
    refused = hs_http.post(url, json={"inputs": []})
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "2"
    assert refused.json()["errorType"] == "RATE_LIMIT"
    assert refused.headers["X-HubSpot-RateLimit-Remaining"] == "0"
    accepted = hs_http.post(url, json={"inputs": []})
    assert accepted.status_code == 200
    for name in (
        "Daily",
        "Daily-Remaining",
        "Interval-Milliseconds",
        "Max",
        "Remaining",
        "Secondly",
        "Secondly-Remaining",
    ):
        assert f"X-HubSpot-RateLimit-{name}" in accepted.headers


def test_every_nth_and_latency(hs_http: requests.Session, emulator: Emulator) -> None:
    emulator.add_fault("GET /crm/v3/objects/*", status=502, every_nth=3)
    emulator.add_fault("GET /crm/v3/owners", latency=0.2)
    url = f"{emulator.hubspot_url}/crm/v3/objects/deals"
    statuses = [hs_http.get(url).status_code for _ in range(6)]
    assert statuses == [200, 200, 502, 200, 200, 502]
    started = time.monotonic()
    assert hs_http.get(f"{emulator.hubspot_url}/crm/v3/owners/").status_code == 200
    assert time.monotonic() - started >= 0.2


def test_enforced_rate_limit(hs_http: requests.Session, emulator: Emulator) -> None:
    emulator.configure(rate_limit={"max_per_interval": 3, "interval_ms": 10_000})
    url = f"{emulator.hubspot_url}/crm/v3/objects/contacts"
    answers = [hs_http.get(url) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["X-HubSpot-RateLimit-Remaining"] for a in answers[:3]] == ["2", "1", "0"]
    assert int(answers[3].headers["Retry-After"]) >= 1
    assert answers[3].json()["policyName"] == "TEN_SECONDLY_ROLLING"


def test_a_bad_token_gets_401_and_does_not_use_up_the_rate_limit(
    hs_http: requests.Session, emulator: Emulator
) -> None:
    emulator.configure(rate_limit={"max_per_interval": 1, "interval_ms": 10_000})
    url = f"{emulator.hubspot_url}/crm/v3/objects/contacts"
    strangers = [
        requests.get(url, headers={"Authorization": "Bearer other"}, timeout=5) for _ in range(2)
    ]
    assert [a.status_code for a in strangers] == [401, 401]
    assert hs_http.get(url).status_code == 200


def test_hubspot_401_body(emulator: Emulator) -> None:
    answer = requests.get(f"{emulator.hubspot_url}/crm/v3/objects/contacts", timeout=5)
    body = answer.json()
    assert answer.status_code == 401
    assert body["status"] == "error" and body["category"] == "INVALID_AUTHENTICATION"
    assert body["message"] and body["correlationId"]


def test_hubspot_client_sees_401(emulator: Emulator) -> None:
    import hubspot

    client = hubspot.Client.create(access_token="wrong", host=emulator.hubspot_url)
    with pytest.raises(ContactsError) as caught:
        client.crm.contacts.basic_api.get_page()
    assert caught.value.status == 401


def test_frozen_clock_gives_shared_timestamps(sf: Salesforce, emulator: Emulator) -> None:
    emulator.clock.freeze("2026-11-29T08:00:00Z")
    ids = [sf.Lead.create({"LastName": f"L{i}", "Company": "A"})["id"] for i in range(3)]
    stamps = {sf.Lead.get(i)["SystemModstamp"] for i in ids}
    assert stamps == {"2026-11-29T08:00:00.000+0000"}
    emulator.clock.advance(2.5)
    assert emulator.clock.now().isoformat().startswith("2026-11-29T08:00:02.500")


def test_control_api_over_http(emulator: Emulator) -> None:
    control = f"{emulator.hubspot_url}/_emulator"
    assert (
        requests.get(f"{control}/info", timeout=5).json()["hubspot_base_url"]
        == emulator.hubspot_url
    )
    refs = requests.post(
        f"{control}/seed",
        timeout=5,
        json={"salesforce": {"records": {"Account": [{"_ref": "a", "Name": "Acme"}]}}},
    ).json()["refs"]
    assert refs["a"].startswith("001")
    dump = requests.get(f"{control}/dump", timeout=5).json()
    assert [a["Name"] for a in dump["salesforce"]["records"]["Account"]] == ["Acme"]
    rule = requests.post(
        f"{control}/faults", timeout=5, json={"pattern": "GET /crm/*", "status": 500, "first_n": 1}
    ).json()
    assert rule["id"] >= 1
    headers = {"Authorization": f"Bearer {emulator.hubspot_token}"}
    assert (
        requests.get(
            f"{emulator.hubspot_url}/crm/v3/objects/contacts", headers=headers, timeout=5
        ).status_code
        == 500
    )
    calls = requests.get(f"{control}/calls", timeout=5).json()
    assert calls == {"GET /crm/v3/objects/contacts": 1}
    clock = requests.post(
        f"{control}/clock", timeout=5, json={"freeze": "2030-01-01T00:00:00Z", "advance": 60}
    ).json()
    assert clock["frozen"] and clock["now"].startswith("2030-01-01T00:01:00")
    requests.post(f"{control}/reset", timeout=5, json={})
    assert emulator.org.records["Account"] == {} and emulator.calls() == {}
    assert not emulator.clock.frozen


def test_dump_then_seed_round_trips(emulator: Emulator) -> None:
    emulator.seed(
        {
            "salesforce": {
                "records": {
                    "Account": [{"_ref": "a", "Name": "Acme"}],
                    "Contact": [{"LastName": "Ng", "AccountId": "@a"}],
                }
            },
            "hubspot": {
                "records": {
                    "contacts": [{"_ref": "c", "email": "c@x.io"}],
                    "companies": [{"_ref": "co", "name": "Acme"}],
                },
                "associations": [
                    {
                        "from": {"type": "contacts", "id": "@c"},
                        "to": {"type": "companies", "id": "@co"},
                    }
                ],
                "owners": [{"email": "o@x.io", "firstName": "O"}],
            },
        }
    )
    before = emulator.dump()
    emulator.reset()
    emulator.seed(before)
    after = emulator.dump()
    assert after["salesforce"]["records"] == before["salesforce"]["records"]
    assert after["hubspot"]["records"] == before["hubspot"]["records"]
    assert after["hubspot"]["associations"] == before["hubspot"]["associations"]


def test_seed_from_json_file(tmp_path: Any, sf: Salesforce, emulator: Emulator) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text('{"salesforce": {"records": {"Lead": [{"LastName": "F", "Company": "C"}]}}}')
    emulator.seed(seed)
    assert sf.query("SELECT LastName FROM Lead")["records"][0]["LastName"] == "F"


def test_write_calls_are_countable_by_pattern(sf: Salesforce, emulator: Emulator) -> None:
    sf.restful(
        "composite/sobjects",
        method="POST",
        json={"records": [{"attributes": {"type": "Account"}, "Name": f"A{i}"} for i in range(5)]},
    )
    sf.query("SELECT Id FROM Account")
    assert emulator.call_count("POST *") == 1 and emulator.call_count("GET *") == 1


def test_custom_fields_and_properties_from_python(
    sf: Salesforce, hs: Any, emulator: Emulator
) -> None:
    emulator.add_salesforce_field(
        "Lead",
        {"name": "Lifecycle_Stage__c", "type": "picklist", "picklistValues": ["lead", "customer"]},
    )
    emulator.add_hubspot_property("contacts", {"name": "sf_lead_id", "type": "string"})
    lead = sf.Lead.create({"LastName": "L", "Company": "C", "Lifecycle_Stage__c": "lead"})
    assert sf.Lead.get(lead["id"])["Lifecycle_Stage__c"] == "lead"
    created = hs.crm.contacts.basic_api.create({"properties": {"sf_lead_id": lead["id"]}})
    assert created.properties["sf_lead_id"] == lead["id"]


def test_a_second_emulator_is_independent() -> None:
    from mapc.emulator import start_emulator

    with start_emulator(hubspot_token="fixed-token") as other:
        answer = requests.get(
            f"{other.hubspot_url}/crm/v3/objects/contacts",
            timeout=5,
            headers={"Authorization": "Bearer fixed-token"},
        )
        assert answer.status_code == 200 and answer.json() == {"results": []}


def test_a_seed_loads_all_or_nothing(emulator: Emulator) -> None:
    control = f"{emulator.hubspot_url}/_emulator"
    kept = requests.post(
        f"{control}/seed",
        timeout=5,
        json={"hubspot": {"records": {"contacts": [{"email": "before@x.io"}]}}},
    )
    assert kept.status_code == 200
    half_bad = {
        "salesforce": {
            "custom_fields": {"Lead": [{"name": "Seeded__c", "type": "string"}]},
            "records": {"Account": [{"Name": "Acme"}]},
        },
        "hubspot": {
            "records": {"contacts": [{"email": "good@x.io"}, {"email": "bad"}]},
        },
    }
    refused = requests.post(f"{control}/seed", timeout=5, json=half_bad)
    assert refused.status_code >= 400
    assert "hubspot.records.contacts[1]" in refused.text
    dump = requests.get(f"{control}/dump", timeout=5).json()
    emails = [c["properties"]["email"] for c in dump["hubspot"]["records"]["contacts"]]
    assert emails == ["before@x.io"]
    assert "Account" not in dump["salesforce"]["records"]
    assert "Lead" not in dump["salesforce"]["custom_fields"]
    # Nothing half loaded: the good records load once the bad one is fixed.
    half_bad["hubspot"]["records"]["contacts"][1]["email"] = "fixed@x.io"
    assert requests.post(f"{control}/seed", timeout=5, json=half_bad).status_code == 200
    dump = requests.get(f"{control}/dump", timeout=5).json()
    emails = [c["properties"]["email"] for c in dump["hubspot"]["records"]["contacts"]]
    assert sorted(emails) == ["before@x.io", "fixed@x.io", "good@x.io"]


def test_the_org_daily_api_limit_is_reported_and_enforced(
    sf: Salesforce, emulator: Emulator
) -> None:
    emulator.configure(salesforce_daily_limit=3)
    limits = sf.restful("limits")  # call 1
    assert limits["DailyApiRequests"] == {"Max": 3, "Remaining": 2}
    sf.query("SELECT Id FROM Lead")  # call 2
    sf.query("SELECT Id FROM Lead")  # call 3: the last one allowed
    with pytest.raises(SalesforceRefusedRequest) as refused:  # call 4: past the limit
        sf.query("SELECT Id FROM Lead")
    assert refused.value.status == 403
    assert refused.value.content[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
