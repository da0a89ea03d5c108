"""When a Salesforce read's last cursor stops re-reading its last second: the real
connector and session over a scripted org (each answer's records and `Date`)."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from requests.adapters import BaseAdapter

from mapc.runtime.config import SalesforceSettings, Secret
from mapc.runtime.records import Cursor
from mapc.runtime.retry import RetryPolicy
from mapc.runtime.salesforce.client import COMMIT_LAG, SalesforceConnector, last_cursor

INSTANCE = "https://fake.my.salesforce.com"
STAMP = "2026-03-01T12:00:00.000+0000"  # the second every scripted record was saved in
SAVED = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
LAST_SAVE_OVER = SAVED + timedelta(seconds=1)


def http_date(moment: datetime) -> str:
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")


class ScriptedOrg(BaseAdapter):
    """Answers each call with the next scripted (body, Date or None), and keeps the SOQL
    of every query."""

    def __init__(self, answers: list[tuple[dict[str, Any], datetime | None]]) -> None:
        super().__init__()
        self.answers = list(answers)
        self.queries: list[str] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        query = parse_qs(urlsplit(request.url or "").query).get("q")
        self.queries += query or []
        body, date = self.answers.pop(0)
        response = requests.Response()
        response.status_code = 200
        response._content = json.dumps(body).encode()
        response.headers["Content-Type"] = "application/json"
        if date is not None:
            response.headers["Date"] = http_date(date)
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        pass


def leads(*ids: str) -> list[dict[str, Any]]:
    return [{"attributes": {"type": "Lead"}, "Id": i, "SystemModstamp": STAMP} for i in ids]


def answer(records: list[dict[str, Any]], more: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"totalSize": len(records), "done": more is None, "records": records}
    if more:
        body["nextRecordsUrl"] = more
    return body


def connector(org: ScriptedOrg) -> SalesforceConnector:
    settings = SalesforceSettings(instance_url=INSTANCE, access_token=Secret("token"))
    sf = SalesforceConnector(settings, retry=RetryPolicy(max_attempts=1))
    sf.meter.mount("https://", org)
    return sf


def read_all(sf: SalesforceConnector, since: Cursor | None = None) -> list[Any]:
    return list(sf.read_changed("Lead", ["LastName"], since))


def test_a_read_begun_long_after_its_last_second_stores_an_exact_cursor() -> None:
    read_at = LAST_SAVE_OVER + COMMIT_LAG + timedelta(seconds=1)  # less the call: still late
    org = ScriptedOrg([(answer(leads("00Q1", "00Q2")), read_at), (answer([]), read_at)])
    sf = connector(org)
    pages = read_all(sf)
    assert pages[-1].cursor == Cursor("2026-03-01T12:00:00.000Z", "00Q2")
    # The next read starts after the last record read, not at its second again.
    assert read_all(sf, pages[-1].cursor) == []
    assert "Id > '00Q2'" in org.queries[-1] and "SystemModstamp >= " not in org.queries[-1]


def test_a_read_begun_within_the_commit_lag_reads_its_last_second_again() -> None:
    # A transaction still open when the read began may commit a record saved in that
    # second with a smaller id: the next read must start at the second again.
    read_at = LAST_SAVE_OVER + COMMIT_LAG - timedelta(seconds=1)
    org = ScriptedOrg([(answer(leads("00Q1", "00Q2")), read_at)])
    pages = read_all(connector(org))
    assert pages[-1].cursor == Cursor("2026-03-01T12:00:00.000Z", "")


def test_without_a_date_the_last_second_is_read_again() -> None:
    org = ScriptedOrg([(answer(leads("00Q1")), None)])
    pages = read_all(connector(org))
    assert pages[-1].cursor == Cursor("2026-03-01T12:00:00.000Z", "")


def test_the_time_a_read_began_is_its_first_answers_not_a_later_pages() -> None:
    early = LAST_SAVE_OVER + timedelta(seconds=5)
    late = LAST_SAVE_OVER + COMMIT_LAG + timedelta(minutes=5)
    org = ScriptedOrg(
        [
            (answer(leads("00Q1"), more="/services/data/v59.0/query/01g-2000"), early),
            (answer(leads("00Q2")), late),
        ]
    )
    pages = read_all(connector(org))
    assert [p.cursor for p in pages] == [
        Cursor("2026-03-01T12:00:00.000Z", "00Q1"),  # earlier pages are always exact
        Cursor("2026-03-01T12:00:00.000Z", ""),
    ]


def test_each_thread_sees_the_time_of_its_own_last_answer() -> None:
    # Write batches are answered on other threads while a read goes on: their answers'
    # Date must not stand for the read's.
    first, other = SAVED, SAVED + timedelta(hours=1)
    org = ScriptedOrg([(answer([]), first), (answer([]), other)])
    sf = connector(org)
    list(sf.query("SELECT Id FROM Lead"))
    thread = threading.Thread(target=lambda: list(sf.query("SELECT Id FROM Lead")))
    thread.start()
    thread.join()
    assert sf.meter.asked_at is not None and sf.meter.asked_at <= first
    assert sf.meter.asked_at > first - timedelta(seconds=5)


def test_the_last_cursor_rule_at_its_edge() -> None:
    exact = Cursor("2026-03-01T12:00:00.000Z", "00Q9")
    edge = LAST_SAVE_OVER + COMMIT_LAG
    assert last_cursor(exact, edge) == exact
    assert last_cursor(exact, edge - timedelta(milliseconds=1)) == Cursor(exact.timestamp)
    assert last_cursor(exact, None) == Cursor(exact.timestamp)
