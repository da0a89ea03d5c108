"""The Salesforce connector driving simple-salesforce against the emulator."""

from __future__ import annotations

import math

import pytest

from mapc.emulator import Emulator
from mapc.runtime.errors import ApiAccessError, AuthenticationError
from mapc.runtime.records import TRANSIENT, Cursor, parse_timestamp
from mapc.runtime.salesforce.client import COMMIT_LAG, SalesforceConnector

COLLECTIONS = "* /services/data/vXX.X/composite/sobjects"
QUERIES = "GET /services/data/vXX.X/query*"


def leads(n: int, start: int = 0) -> list[dict[str, str]]:
    return [
        {"LastName": f"Lee{i}", "Company": "Acme", "Email": f"lee{i}@example.com"}
        for i in range(start, start + n)
    ]


@pytest.mark.parametrize("n", [1, 200, 201, 450])
def test_writes_go_in_collections_of_200(
    sf: SalesforceConnector, emulator: Emulator, n: int
) -> None:
    created = sf.create("Lead", leads(n))
    assert [r.index for r in created] == list(range(n))
    assert all(r.ok and r.created and r.id and r.id.startswith("00Q") for r in created)
    assert emulator.call_count("POST " + COLLECTIONS[2:]) == math.ceil(n / 200)
    ids = [r.id for r in created if r.id]
    updated = sf.update("Lead", [{"Id": i, "Title": "CTO"} for i in ids])
    assert all(r.ok for r in updated)
    assert emulator.call_count("PATCH " + COLLECTIONS[2:]) == math.ceil(n / 200)
    deleted = sf.delete(ids)
    assert all(r.ok for r in deleted)
    assert emulator.call_count("DELETE " + COLLECTIONS[2:]) == math.ceil(n / 200)
    assert all(r.ok for r in sf.delete(ids[:1]))  # already deleted: still deleted


def test_per_record_failures_come_back_as_results(sf: SalesforceConnector) -> None:
    batch = [
        *leads(2),
        {"Company": "No Last Name"},
        *leads(1, start=5),
        {"LastName": "X", "Company": "Y", "Bogus__c": 1},
    ]
    results = sf.create("Lead", batch)
    assert [r.ok for r in results] == [True, True, False, True, False]
    assert results[2].errors[0].code == "REQUIRED_FIELD_MISSING"
    assert "LastName" in results[2].errors[0].fields
    assert results[4].errors[0].code
    bad_update = sf.update(
        "Lead", [{"Id": results[0].id, "Title": "ok"}, {"Id": "00Q000000000000AAA", "Title": "x"}]
    )
    assert bad_update[0].ok and not bad_update[1].ok


def test_upsert_by_external_id(sf: SalesforceConnector, emulator: Emulator) -> None:
    emulator.seed(
        {
            "salesforce": {
                "custom_fields": {
                    "Lead": [{"name": "Ext_Id__c", "externalId": True, "unique": True}]
                }
            }
        }
    )
    first = sf.upsert("Lead", "Ext_Id__c", [{"Ext_Id__c": "a1", "LastName": "A", "Company": "C"}])
    again = sf.upsert(
        "Lead",
        "Ext_Id__c",
        [
            {"Ext_Id__c": "a1", "LastName": "B"},
            {"Ext_Id__c": "a2", "LastName": "N", "Company": "C"},
        ],
    )
    assert first[0].ok and first[0].created
    assert again[0].ok and not again[0].created and again[0].id == first[0].id
    assert again[1].ok and again[1].created


def test_read_changed_pages_through_next_records_url(
    sf: SalesforceConnector, emulator: Emulator
) -> None:
    sf.create("Lead", leads(4500))
    emulator.reset_calls()
    pages = list(sf.read_changed("Lead", ["Email", "LastName"]))
    assert [len(p.records) for p in pages] == [2000, 2000, 500]
    assert emulator.call_count(QUERIES) == 3
    assert "attributes" not in pages[0].records[0]
    stamps = [(r["SystemModstamp"], r["Id"]) for p in pages for r in p.records]
    assert stamps == sorted(stamps) and len(set(stamps)) == 4500
    final = pages[-1].cursor
    last_stamp = pages[-1].records[-1]["SystemModstamp"]
    assert final is not None and final.record_id == ""
    assert final.moment == parse_timestamp(last_stamp)
    # Read again from the final cursor: only the records of the last second come back.
    again = [r["Id"] for p in sf.read_changed("Lead", ["Email"], since=final) for r in p.records]
    assert again == [i for s, i in stamps if s == last_stamp]


def test_a_record_changed_later_in_the_last_second_read_is_not_skipped(
    sf: SalesforceConnector, emulator: Emulator
) -> None:
    # Salesforce keeps SystemModstamp to the second: an update made after a read, in the
    # same second, stamps the record with the last timestamp read, and its id may sort
    # before the last id read.
    emulator.clock.freeze("2026-03-01T12:00:00.250Z")
    first, second = (r.id for r in sf.create("Lead", leads(2)))
    pages = list(sf.read_changed("Lead", ["Email", "LastName"]))
    assert [r["Id"] for p in pages for r in p.records] == [first, second]
    emulator.clock.advance(0.5)  # still 12:00:00
    assert sf.update("Lead", [{"Id": first, "LastName": "Changed"}])[0].ok
    after = [
        r for p in sf.read_changed("Lead", ["LastName"], since=pages[-1].cursor) for r in p.records
    ]
    assert {r["Id"]: r["LastName"] for r in after}[first] == "Changed"


def test_a_read_begun_long_after_its_last_second_does_not_read_it_again(
    sf: SalesforceConnector, emulator: Emulator
) -> None:
    emulator.clock.freeze("2026-03-01T12:00:00.250Z")
    created = [r.id for r in sf.create("Lead", leads(2500))]  # one second, two pages
    emulator.clock.advance(COMMIT_LAG.total_seconds() - 1)  # the lag not yet over
    recent = list(sf.read_changed("Lead", ["Email"]))
    assert recent[-1].cursor == Cursor("2026-03-01T12:00:00.000Z", "")
    emulator.clock.advance(3)  # the Date is in whole seconds, less the call's own time
    # The read begins (its answers' Date) a commit lag after the second ended: no record
    # can still be saved in it, so the cursor is exact and the second is not read again.
    pages = list(sf.read_changed("Lead", ["Email"], since=recent[-1].cursor))
    assert [r["Id"] for p in pages for r in p.records] == sorted(created)
    assert pages[-1].cursor == Cursor("2026-03-01T12:00:00.000Z", max(created))
    emulator.reset_calls()
    assert list(sf.read_changed("Lead", ["Email"], since=pages[-1].cursor)) == []
    assert emulator.call_count(QUERIES) == 1
    # A later change is read from that cursor, at any id.
    assert sf.update("Lead", [{"Id": created[0], "LastName": "Changed"}])[0].ok
    later = [
        r["Id"]
        for p in sf.read_changed("Lead", ["Email"], since=pages[-1].cursor)
        for r in p.records
    ]
    assert later == [created[0]]


def test_one_timestamp_across_pages_and_windows_is_read_exactly_once(
    sf: SalesforceConnector, emulator: Emulator
) -> None:
    emulator.clock.freeze("2026-03-01T12:00:00.000Z")
    created = [r.id for r in sf.create("Lead", leads(700))]
    seen = [r["Id"] for p in sf.read_changed("Lead", ["Email"], window=250) for r in p.records]
    assert seen == sorted(created)
    # Resume from a cursor in the middle of the shared timestamp: exactly the rest.
    middle = Cursor("2026-03-01T12:00:00.000Z", seen[333])
    rest = [
        r["Id"]
        for p in sf.read_changed("Lead", ["Email"], since=middle, window=100)
        for r in p.records
    ]
    assert rest == seen[334:]


def test_every_call_says_it_is_mapc(sf: SalesforceConnector, emulator: Emulator) -> None:
    sf.create("Lead", leads(3))
    list(sf.read_changed("Lead", ["Email"]))
    sf.describe("Lead")
    for pattern in (COLLECTIONS, QUERIES, "GET */describe"):
        headers = emulator.last_request_headers(pattern)
        assert headers is not None and headers.get("Sforce-Call-Options") == "client=mapc"


def test_read_by_ids_users_queues_and_contact_roles(
    sf: SalesforceConnector, emulator: Emulator
) -> None:
    refs = emulator.seed({
        "salesforce": {"records": {
            "User": [{"_ref": "u1", "FirstName": "Ann", "LastName": "Ower", "Email": "ann@acme.test", "Username": "ann@acme.test", "IsActive": True},
                     {"_ref": "u2", "FirstName": "Old", "LastName": "Timer", "Email": "old@acme.test", "Username": "old@acme.test", "IsActive": False}],
            "Group": [{"Name": "Support Queue", "Type": "Queue"}],
            "Account": [{"_ref": "acc", "Name": "Acme"}],
            "Contact": [{"_ref": "c1", "LastName": "Roe", "AccountId": "@acc"}],
            "Opportunity": [{"_ref": "opp", "Name": "Deal", "StageName": "Prospecting", "CloseDate": "2026-12-01", "AccountId": "@acc"}],
            "OpportunityContactRole": [{"OpportunityId": "@opp", "ContactId": "@c1", "Role": "Decision Maker"}],
        }}
    })  # fmt: skip
    ids = [r.id for r in sf.create("Lead", leads(5)) if r.id]
    found = sf.read_by_ids("Lead", [*ids, ids[0]], ["Email"])
    assert sorted(r["Id"] for r in found) == sorted(ids)
    users = {u["Id"]: u for u in sf.users()}
    assert refs["u1"] in users and refs["u2"] in users
    assert refs["u2"] not in {u["Id"] for u in sf.users(active_only=True)}
    assert [q["Name"] for q in sf.queues()] == ["Support Queue"]
    roles = sf.opportunity_contact_roles([refs["opp"]])
    assert [(r["OpportunityId"], r["ContactId"]) for r in roles] == [(refs["opp"], refs["c1"])]
    describe = sf.describe("Lead")
    assert describe["name"] == "Lead" and any(f["name"] == "Email" for f in describe["fields"])


def test_503_burst_is_retried_with_backoff(
    sf: SalesforceConnector, emulator: Emulator, sleeps: list[float]
) -> None:
    sf.create("Lead", leads(3))
    emulator.add_fault(QUERIES, status=503, first_n=3)
    pages = list(sf.read_changed("Lead", ["Email"]))
    assert sum(len(p.records) for p in pages) == 3
    assert sleeps == [0.375, 0.75, 1.5]  # 0.5 * 2^(n-1), half fixed, half jitter (0.5)


def test_429_waits_for_retry_after_then_succeeds(
    sf: SalesforceConnector, emulator: Emulator, sleeps: list[float]
) -> None:
    emulator.add_fault("POST " + COLLECTIONS[2:], status=429, retry_after=2, first_n=1)
    results = sf.create("Lead", leads(2))
    assert all(r.ok for r in results) and sleeps == [2.0]
    assert emulator.call_count("POST " + COLLECTIONS[2:]) == 2


def test_a_create_is_not_repeated_after_a_5xx(
    sf: SalesforceConnector, emulator: Emulator, sleeps: list[float]
) -> None:
    emulator.add_fault("POST " + COLLECTIONS[2:], status=503, first_n=1)
    results = sf.create("Lead", leads(250))
    assert emulator.call_count("POST " + COLLECTIONS[2:]) == 2 and sleeps == []
    assert {r.errors[0].code for r in results[:200]} == {TRANSIENT}
    assert "HTTP 503" in results[0].errors[0].message
    assert all(r.ok for r in results[200:])


def test_expired_token_is_one_sentence_without_the_token(emulator: Emulator) -> None:
    env = {**emulator.env(), "SALESFORCE_ACCESS_TOKEN": "00D5g000004Emul!expired.token.value"}
    connector = SalesforceConnector.from_env(env)
    with pytest.raises(AuthenticationError) as info:
        list(connector.read_changed("Lead", ["Email"]))
    message = str(info.value)
    assert "SALESFORCE_ACCESS_TOKEN" in message and "expired.token.value" not in message
    assert info.value.__cause__ is None


def test_org_without_api_access_says_which_edition_is_needed(emulator: Emulator) -> None:
    emulator.reset(edition="Group")
    connector = SalesforceConnector.from_env(emulator.env())
    with pytest.raises(ApiAccessError) as info:
        connector.describe("Lead")
    assert "needs a Salesforce edition with API access" in str(info.value)
    assert info.value.code == "API_DISABLED_FOR_ORG"
