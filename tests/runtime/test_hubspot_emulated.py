"""The HubSpot connector driving hubspot-api-client against the emulator."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from mapc.emulator import Emulator
from mapc.runtime.errors import AuthenticationError
from mapc.runtime.hubspot.client import HubSpotConnector
from mapc.runtime.records import TRANSIENT, Cursor
from mapc.runtime.retry import RetryPolicy

OBJECTS = "POST /crm/v3/objects/contacts"
SEARCH = "POST /crm/v3/objects/contacts/search"


def contacts(n: int, start: int = 0) -> list[dict[str, str]]:
    return [{"email": f"c{i}@example.com", "firstname": f"C{i}"} for i in range(start, start + n)]


def seed_contacts(
    emulator: Emulator, n: int, modified: str | None = None, *, spread: bool = False
) -> None:
    """n contacts, all modified at `modified`, or one millisecond apart with `spread`."""
    base = datetime(2026, 3, 1, tzinfo=UTC)
    records: list[dict[str, object]] = []
    for i, props in enumerate(contacts(n)):
        record: dict[str, object] = {"properties": props}
        if spread:
            record["updatedAt"] = (
                (base + timedelta(milliseconds=i)).isoformat().replace("+00:00", "Z")
            )
        elif modified:
            record["updatedAt"] = modified
        records.append(record)
    emulator.seed({"hubspot": {"records": {"contacts": records}}})


@pytest.mark.parametrize("n", [1, 100, 101, 250])
def test_writes_go_in_batches_of_100(hs: HubSpotConnector, emulator: Emulator, n: int) -> None:
    created = hs.create("contacts", contacts(n))
    assert [r.index for r in created] == list(range(n)) and all(r.ok and r.created for r in created)
    assert emulator.call_count(f"{OBJECTS}/batch/create") == math.ceil(n / 100)
    ids = [r.id for r in created if r.id]
    assert all(r.ok for r in hs.update("contacts", [{"id": i, "lastname": "Z"} for i in ids]))
    assert emulator.call_count(f"{OBJECTS}/batch/update") == math.ceil(n / 100)
    upserted = hs.upsert(
        "contacts", [{"email": f"C{i}@EXAMPLE.com", "lastname": "U"} for i in range(n)]
    )
    assert all(r.ok and not r.created for r in upserted)
    assert [r.id for r in upserted] == ids
    assert emulator.call_count(f"{OBJECTS}/batch/upsert") == math.ceil(n / 100)
    found = hs.read_by_ids("contacts", ids, ["email", "lastname"])
    assert sorted(r["id"] for r in found) == sorted(ids) and {r["lastname"] for r in found} == {"U"}
    assert emulator.call_count(f"{OBJECTS}/batch/read") == math.ceil(n / 100)
    assert all(r.ok for r in hs.archive("contacts", ids))
    assert emulator.call_count(f"{OBJECTS}/batch/archive") == math.ceil(n / 100)


def test_per_record_errors_in_a_batch(hs: HubSpotConnector, emulator: Emulator) -> None:
    ids = [r.id for r in hs.create("contacts", contacts(3)) if r.id]
    # A duplicate email makes HubSpot reject the whole create batch: isolated, the rest go in.
    created = hs.create(
        "contacts", [*contacts(2, start=10), {"email": "c1@example.com"}, *contacts(2, start=20)]
    )
    assert [r.ok for r in created] == [True, True, False, True, True]
    assert created[2].errors[0].code == "CONFLICT"
    # An id that does not exist fails alone (207 multi-status).
    updated = hs.update(
        "contacts", [{"id": ids[0], "lastname": "A"}, {"id": "987654", "lastname": "B"}]
    )
    assert updated[0].ok and not updated[1].ok and updated[1].errors[0].code == "OBJECT_NOT_FOUND"
    # A read-only property in one input rejects the whole batch: isolated too.
    mixed = hs.update(
        "contacts", [{"id": ids[1], "lastname": "ok"}, {"id": ids[2], "hs_email_optout": True}]
    )
    assert mixed[0].ok and not mixed[1].ok
    assert mixed[1].errors[0].code == "VALIDATION_ERROR"


def test_read_changed_past_the_10000_result_cap(hs: HubSpotConnector, emulator: Emulator) -> None:
    seed_contacts(emulator, 10_050, spread=True)
    emulator.reset_calls()
    pages = list(hs.read_changed("contacts", ["email"]))
    ids = [r["id"] for p in pages for r in p.records]
    assert len(ids) == len(set(ids)) == 10_050
    assert emulator.call_count(SEARCH) == math.ceil(10_050 / 200)
    keys = [(r["lastmodifieddate"], int(r["id"])) for p in pages for r in p.records]
    assert keys == sorted(keys)


def test_one_timestamp_shared_by_many_records_across_pages(
    hs_exact: HubSpotConnector, emulator: Emulator
) -> None:
    hs = hs_exact  # no look-back: resuming is exact (the look-back re-reads on purpose)
    seed_contacts(emulator, 950, modified="2026-03-01T12:00:00.000Z")
    pages = list(hs.read_changed("contacts", ["email"]))
    ids = [int(r["id"]) for p in pages for r in p.records]
    assert ids == sorted(ids) and len(set(ids)) == 950
    # Resume from the cursor after any page but the last: exactly the rest, nothing twice.
    done = 0
    for page in pages[:-1]:
        done += len(page.records)
        assert page.cursor is not None
        rest = [
            int(r["id"])
            for p in hs.read_changed("contacts", ["email"], since=page.cursor)
            for r in p.records
        ]
        assert rest == ids[done:]
    # The last page's cursor is exact: its millisecond was over long before the read
    # began (the answers' Date), so no later write can share it, and nothing is read again.
    last = pages[-1].cursor
    assert last is not None
    assert (last.timestamp, last.record_id) == ("2026-03-01T12:00:00.000Z", str(ids[-1]))
    assert last.read_at > last.timestamp
    assert list(hs.read_changed("contacts", ["email"], since=last)) == []


def test_changes_after_a_cursor_only(hs: HubSpotConnector, emulator: Emulator) -> None:
    emulator.clock.freeze("2026-03-01T12:00:00.000Z")
    hs.create("contacts", contacts(5))
    emulator.clock.advance(60)
    recent = [r.id for r in hs.create("contacts", contacts(1, start=5))]
    cursor = [p for p in hs.read_changed("contacts", ["email"])][-1].cursor
    assert cursor is not None
    assert (cursor.timestamp, cursor.record_id) == ("2026-03-01T12:01:00.000Z", "")
    # The read began at 12:01:00 by the emulator's clock (its answers' Date), less the
    # call's own time: the cursor's millisecond is within the look-back of it.
    assert "2026-03-01T12:00:59" <= cursor.read_at <= "2026-03-01T12:01:00.000Z"
    emulator.clock.advance(5)
    changed = hs.create("contacts", contacts(2, start=50))
    later = [
        r["id"] for p in hs.read_changed("contacts", ["email"], since=cursor) for r in p.records
    ]
    # The 30-second look-back re-reads the contact written at the cursor, not the old five.
    assert later == recent + [r.id for r in changed]


def test_a_write_in_the_last_millisecond_read_with_a_smaller_id_is_read_next_time(
    hs_exact: HubSpotConnector, emulator: Emulator
) -> None:
    hs = hs_exact  # no look-back: the last page's cursor alone must catch it
    emulator.clock.freeze("2026-03-01T12:00:00.000Z")
    first = hs.create("contacts", contacts(1))[0].id
    emulator.clock.advance(1)
    hs.create("contacts", contacts(3, start=1))  # larger ids, all at 12:00:01.000
    pages = list(hs.read_changed("contacts", ["email"]))
    cursor = pages[-1].cursor
    assert cursor is not None
    # Still in that millisecond, the first contact (smallest id) is modified.
    assert hs.update("contacts", [{"id": first, "lastname": "Late"}])[0].ok
    stored = Cursor.decode(cursor.encode())
    again = [r for p in hs.read_changed("contacts", ["email"], since=stored) for r in p.records]
    assert first in [r["id"] for r in again]
    assert all(r["lastmodifieddate"].startswith("2026-03-01T12:00:01.000") for r in again)


def test_a_record_the_search_index_showed_late_is_read_thanks_to_the_look_back(
    hs: HubSpotConnector, emulator: Emulator
) -> None:
    emulator.clock.freeze("2026-03-01T12:00:00.000Z")
    hs.create("contacts", contacts(2))
    cursor = list(hs.read_changed("contacts", ["email"]))[-1].cursor
    assert cursor is not None
    emulator.portal.index_lag = 10  # search hides what was written in the last 10 s
    emulator.clock.freeze("2026-03-01T12:00:02.000Z")
    hs.create("contacts", contacts(1, start=10))
    # At 12:00:15 a contact stamped 12:00:01 is written (a transaction stamped when it
    # began, or an index that is slow for this one): search cannot see it yet.
    emulator.clock.freeze("2026-03-01T12:00:15.000Z")
    refs = emulator.seed({"hubspot": {"records": {"contacts": [
        {"_ref": "late", "email": "late@example.com", "updatedAt": "2026-03-01T12:00:01.000Z"}
    ]}}})  # fmt: skip
    late = refs["late"]
    pages = list(hs.read_changed("contacts", ["email"], since=cursor))
    seen = [r["email"] for p in pages for r in p.records]
    assert "c10@example.com" in seen and "late@example.com" not in seen
    cursor = pages[-1].cursor
    assert cursor is not None and cursor.timestamp == "2026-03-01T12:00:02.000Z"  # past it
    emulator.clock.advance(30)  # indexed now
    again = list(hs.read_changed("contacts", ["email"], since=Cursor.decode(cursor.encode())))
    assert late in [r["id"] for p in again for r in p.records]


def test_429_with_retry_after_waits_and_succeeds(
    hs: HubSpotConnector, emulator: Emulator, sleeps: list[float]
) -> None:
    seed_contacts(emulator, 5)
    emulator.add_fault(SEARCH, status=429, retry_after=1, first_n=1)
    pages = list(hs.read_changed("contacts", ["email"]))
    assert sum(len(p.records) for p in pages) == 5 and sleeps == [1.0]


def test_the_limiter_follows_hubspot_rate_limit_headers(
    emulator: Emulator, sleeps: list[float]
) -> None:
    from mapc.runtime.hubspot.limits import HubSpotLimiter

    emulator.configure(rate_limit={"max_per_interval": 3, "interval_ms": 300})
    limiter = HubSpotLimiter(1000, 1000)  # generous client-side limits: the headers decide
    connector = HubSpotConnector.from_env(
        emulator.env(), retry=RetryPolicy(sleep=sleeps), limiter=limiter
    )
    for _ in range(7):
        assert connector.read_by_ids("contacts", ["1"], ["email"]) == []
    assert sleeps == []  # never a 429 to retry: the limiter waited for the window instead
    assert limiter.waited > 0.0


def test_a_429_without_retry_after_waits_for_the_hubspot_window(
    hs: HubSpotConnector, emulator: Emulator, sleeps: list[float]
) -> None:
    headers = {
        "X-HubSpot-RateLimit-Remaining": "0",
        "X-HubSpot-RateLimit-Interval-Milliseconds": "2000",
    }
    emulator.add_fault(f"{OBJECTS}/batch/read", status=429, headers=headers, first_n=1)
    assert hs.read_by_ids("contacts", ["1"], ["email"]) == []
    assert sleeps == [2.05]  # the window's 2 s plus up to 0.1 s of jitter


def test_503_burst_on_reads_is_retried_but_creates_are_not_repeated(
    hs: HubSpotConnector, emulator: Emulator, sleeps: list[float]
) -> None:
    ids = [r.id for r in hs.create("contacts", contacts(3)) if r.id]
    emulator.add_fault(f"{OBJECTS}/batch/read", status=503, first_n=3)
    assert len(hs.read_by_ids("contacts", ids, ["email"])) == 3
    assert len(sleeps) == 3
    emulator.add_fault(f"{OBJECTS}/batch/create", status=503, first_n=1)
    emulator.reset_calls()
    created = hs.create("contacts", contacts(150, start=100))
    assert emulator.call_count(f"{OBJECTS}/batch/create") == 2
    assert {r.errors[0].code for r in created[:100]} == {TRANSIENT}
    assert all(r.ok for r in created[100:])


def test_bad_token_is_one_sentence_without_the_token(emulator: Emulator) -> None:
    env = {**emulator.env(), "HUBSPOT_ACCESS_TOKEN": "pat-na1-not-a-real-token-value"}
    connector = HubSpotConnector.from_env(env)
    for call in (
        lambda: list(connector.read_changed("contacts", ["email"])),
        lambda: connector.create("contacts", contacts(1)),
        lambda: connector.is_unsubscribed_from_all("a@example.com"),
    ):
        with pytest.raises(AuthenticationError) as info:
            call()
        assert "HUBSPOT_ACCESS_TOKEN" in str(info.value)
        assert "not-a-real-token" not in str(info.value) + repr(info.value)


def test_associations_owners_and_properties(hs: HubSpotConnector, emulator: Emulator) -> None:
    emulator.seed({"hubspot": {
        "owners": [{"email": "ann@acme.test", "firstName": "Ann", "lastName": "Ower"}],
        "properties": {"contacts": [{"name": "favourite_colour", "label": "Favourite colour", "type": "string", "fieldType": "text"}]},
    }})  # fmt: skip
    people = [r.id for r in hs.create("contacts", contacts(3)) if r.id]
    firms = [r.id for r in hs.create("companies", [{"name": "Acme"}, {"name": "Bolt"}]) if r.id]
    linked = hs.associate(
        "contacts",
        "companies",
        [(people[0], firms[0]), (people[1], firms[0]), (people[2], firms[1])],
    )
    assert all(r.ok for r in linked)
    assert hs.associations("contacts", "companies", people) == {
        people[0]: [firms[0]],
        people[1]: [firms[0]],
        people[2]: [firms[1]],
    }
    assert sorted(hs.associations("companies", "contacts", [firms[0]])[firms[0]]) == sorted(
        people[:2]
    )
    deal = [
        r.id
        for r in hs.create(
            "deals",
            [{"dealname": "Big", "pipeline": "default", "dealstage": "appointmentscheduled"}],
        )
        if r.id
    ]
    assert all(
        r.ok
        for r in hs.associate("deals", "contacts", [(deal[0], people[0]), (deal[0], people[2])])
    )
    assert all(r.ok for r in hs.associate("deals", "companies", [(deal[0], firms[1])]))
    assert sorted(hs.associations("deals", "contacts", deal)[deal[0]]) == sorted(
        [people[0], people[2]]
    )
    assert hs.associations("deals", "companies", deal) == {deal[0]: [firms[1]]}
    assert [o["email"] for o in hs.owners()] == ["ann@acme.test"]
    names = {p["name"] for p in hs.properties("contacts")}
    assert {"email", "hs_email_optout", "favourite_colour"} <= names


def test_association_reads_follow_every_page_and_dissociate_removes(
    hs: HubSpotConnector, emulator: Emulator
) -> None:
    people = [r.id for r in hs.create("contacts", contacts(7)) if r.id]
    deals = [
        r.id
        for r in hs.create(
            "deals",
            [{"dealname": n, "pipeline": "default", "dealstage": "qualifiedtobuy"} for n in "ABC"],
        )
        if r.id
    ]
    pairs = [(deals[0], p) for p in people] + [(deals[1], p) for p in people[:3]]
    assert all(r.ok for r in hs.associate("deals", "contacts", pairs))
    emulator.portal.association_page_size = 2  # HubSpot's is 500; pages must be followed
    emulator.reset_calls()
    found = hs.associations("deals", "contacts", deals)
    assert {d: sorted(v) for d, v in found.items()} == {
        deals[0]: sorted(people),
        deals[1]: sorted(people[:3]),
        deals[2]: [],
    }
    # One request per round of pages: 7 associations 2 at a time take 4.
    assert emulator.calls()["POST /crm/v4/associations/deals/contacts/batch/read"] == 4
    removed = hs.dissociate("deals", "contacts", [(deals[0], people[0]), (deals[2], people[1])])
    assert [r.ok for r in removed] == [True, True]  # removing what is not there is no error
    assert sorted(hs.associations("deals", "contacts", [deals[0]])[deals[0]]) == sorted(people[1:])


def test_unsubscribe_all_sets_the_opt_out(hs: HubSpotConnector, emulator: Emulator) -> None:
    ids = [r.id for r in hs.create("contacts", contacts(4)) if r.id]
    assert not hs.is_unsubscribed_from_all("c0@example.com")
    assert hs.unsubscribe_all("c0@example.com").ok
    assert hs.is_unsubscribed_from_all("c0@example.com")
    results = hs.unsubscribe_all_batch(["c1@example.com", "c2@example.com"])
    assert [r.ok for r in results] == [True, True]
    optouts = {
        r["email"]: r["hs_email_optout"]
        for r in hs.read_by_ids("contacts", ids, ["email", "hs_email_optout"])
    }
    assert [optouts[f"c{i}@example.com"] for i in range(3)] == ["true"] * 3
    assert optouts["c3@example.com"] in (None, "false")  # never unsubscribed: unset
    assert emulator.last_request_headers("POST /communication-preferences/*") is not None


def test_email_events_page_by_offset(hs: HubSpotConnector, emulator: Emulator) -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    base = int(start.timestamp() * 1000)
    emulator.add_email_events(
        [
            {"type": "OPEN", "recipient": f"r{i}@example.com", "created": base + i}
            for i in range(1500)
        ]
        + [{"type": "CLICK", "recipient": "r1@example.com", "created": base + 5}]
        + [{"type": "DELIVERED", "recipient": "r1@example.com", "created": base + 6}]
    )
    pages = list(hs.email_events(start, start + timedelta(days=1)))
    events = [e for p in pages for e in p]
    assert len(events) == 1501 and len({e["id"] for e in events}) == 1501
    assert {e["type"] for e in events} == {"OPEN", "CLICK"}
    assert emulator.call_count("GET /email/public/v1/events") == 3


def test_secrets_never_reach_logs_reprs_or_messages(
    emulator: Emulator, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    import logging

    from mapc.runtime.config import HubSpotSettings, SalesforceSettings
    from mapc.runtime.salesforce.client import SalesforceConnector

    caplog.set_level(logging.DEBUG)
    env = emulator.env()
    secrets = (env["SALESFORCE_ACCESS_TOKEN"], env["HUBSPOT_ACCESS_TOKEN"])
    sf = SalesforceConnector.from_env(env, retry=RetryPolicy(sleep=lambda s: None))
    hs = HubSpotConnector.from_env(env, retry=RetryPolicy(sleep=lambda s: None))
    emulator.add_fault("*", status=503, first_n=2)
    sf.create("Lead", [{"LastName": "A", "Company": "B"}])
    list(sf.read_changed("Lead", ["Email"]))
    hs.create("contacts", contacts(2))
    list(hs.read_changed("contacts", ["email"]))
    hs.unsubscribe_all("c0@example.com")
    texts = [
        caplog.text,
        repr(sf),
        repr(hs),
        repr(SalesforceSettings.from_env(env)),
        repr(HubSpotSettings.from_env(env)),
    ]
    bad = {
        **env,
        "SALESFORCE_ACCESS_TOKEN": secrets[0] + "x",
        "HUBSPOT_ACCESS_TOKEN": secrets[1] + "x",
    }
    for attempt in (
        lambda: SalesforceConnector.from_env(bad).describe("Lead"),
        lambda: HubSpotConnector.from_env(bad).properties("contacts"),
    ):
        with pytest.raises(AuthenticationError) as info:
            attempt()
        texts += [str(info.value), repr(info.value)]
    captured = capsys.readouterr()
    texts += [captured.out, captured.err]
    for secret in secrets:
        assert all(secret not in text for text in texts)
    assert "retrying" in caplog.text


def test_resume_cursor_is_stable_through_encoding(hs: HubSpotConnector, emulator: Emulator) -> None:
    seed_contacts(emulator, 3, modified="2026-03-01T12:00:00.000Z")
    page = next(iter(hs.read_changed("contacts", ["email"])))
    assert page.cursor == Cursor.decode(page.cursor.encode()) if page.cursor else False


def test_api_request_calls_get_our_retries(
    hs: HubSpotConnector, emulator: Emulator, sleeps: list[float]
) -> None:
    hs.create("contacts", contacts(1))
    emulator.add_fault("POST /communication-preferences/*", status=503, first_n=2)
    emulator.add_fault("GET /email/public/v1/events", status=429, retry_after=3, first_n=1)
    assert hs.unsubscribe_all("c0@example.com").ok
    assert (
        list(hs.email_events(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)))
        == []
    )
    assert sleeps == [0.375, 0.75, 3.0]


def test_batch_results_are_matched_to_inputs_not_by_position(
    hs: HubSpotConnector, emulator: Emulator
) -> None:
    # HubSpot returns batch results in no particular order (the emulator reverses them).
    inputs = contacts(5)
    created = hs.create("contacts", inputs)
    assert all(r.ok for r in created)
    by_id = {
        r["id"]: r["email"]
        for r in hs.read_by_ids("contacts", [r.id or "" for r in created], ["email"])
    }
    assert [by_id[r.id or ""] for r in created] == [i["email"] for i in inputs]
    updated = hs.update("contacts", [{"id": r.id, "lastname": f"L{r.index}"} for r in created])
    assert [r.id for r in updated] == [r.id for r in created]


def test_email_campaign_names_come_from_the_campaigns_endpoint(
    hs: HubSpotConnector, emulator: Emulator
) -> None:
    emulator.seed({"hubspot": {"email_campaigns": [{"id": 31, "name": "Autumn sale"}]}})
    emulator.add_email_events(
        [{"type": "OPEN", "recipient": "x@example.com", "emailCampaignId": 32}]
    )
    campaign = hs.email_campaign("31")
    assert campaign is not None
    assert campaign["name"] == "Autumn sale" and campaign["id"] == 31
    made = hs.email_campaign("32")  # every event's campaign exists, named or not
    assert made is not None and made["name"] == "Email campaign 32"
    assert hs.email_campaign("999999") is None  # 404: no such campaign
