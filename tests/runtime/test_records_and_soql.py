"""Cursors, timestamps and the SOQL the Salesforce connector sends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mapc.runtime import soql
from mapc.runtime.records import Cursor, chunked, format_timestamp, parse_timestamp


def test_timestamps_in_every_spelling_normalise() -> None:
    for text in (
        "2026-01-02T03:04:05.000+0000",
        "2026-01-02T03:04:05Z",
        "2026-01-02T03:04:05.000+00:00",
    ):
        assert format_timestamp(parse_timestamp(text)) == "2026-01-02T03:04:05.000Z"
    assert format_timestamp(datetime(2026, 1, 2, 3, 4, 5, 123456)) == "2026-01-02T03:04:05.123Z"


def test_cursor_round_trips_through_its_encoding() -> None:
    cursor = Cursor.at(datetime(2026, 1, 2, tzinfo=UTC), "00Q000000000001AAA")
    assert Cursor.decode(cursor.encode()) == cursor
    assert Cursor.decode("2026-01-02T00:00:00Z|") == Cursor("2026-01-02T00:00:00.000Z", "")


def test_a_cursor_keeps_when_its_read_began_and_older_cursors_still_decode() -> None:
    cursor = Cursor("2026-01-02T00:00:00.000Z", "42", "2026-01-02T00:05:00.000Z")
    assert cursor.encode() == "2026-01-02T00:00:00.000Z|42|2026-01-02T00:05:00.000Z"
    assert Cursor.decode(cursor.encode()) == cursor
    stored = Cursor.decode("2026-01-02T00:00:00Z|42|2026-01-02T00:05:00+00:00")
    assert stored == cursor
    # Written by an earlier version, or by the Salesforce side (which never sets it):
    # the stored form is what it always was.
    assert Cursor.decode("2026-01-02T00:00:00.000Z|42").read_at == ""
    assert Cursor("2026-01-02T00:00:00.000Z", "00Q1").encode() == "2026-01-02T00:00:00.000Z|00Q1"


def test_keyset_query_resumes_inside_a_timestamp() -> None:
    query = soql.changed_since(
        "Lead", ["Email", "LastName"], Cursor("2026-01-02T03:04:05.000Z", "00Q1")
    )
    assert query == (
        "SELECT Id, SystemModstamp, Email, LastName FROM Lead WHERE "
        "(SystemModstamp > 2026-01-02T03:04:05Z OR (SystemModstamp = 2026-01-02T03:04:05Z "
        "AND Id > '00Q1')) ORDER BY SystemModstamp ASC, Id ASC"
    )


def test_first_read_and_extra_conditions_and_limit() -> None:
    query = soql.changed_since(
        "Contact", ["Id", "Email"], None, where="IsDeleted = false", limit=10
    )
    assert query == (
        "SELECT Id, SystemModstamp, Email FROM Contact WHERE (IsDeleted = false) "
        "ORDER BY SystemModstamp ASC, Id ASC LIMIT 10"
    )
    with_ms = soql.changed_since("Lead", [], Cursor("2026-01-02T03:04:05.120Z"))
    assert "SystemModstamp >= 2026-01-02T03:04:05.120Z" in with_ms


def test_names_are_checked_and_strings_quoted() -> None:
    with pytest.raises(ValueError):
        soql.name("Lead WHERE 1=1")
    assert soql.quote("O'Brien\\") == "'O\\'Brien\\\\'"
    assert (
        soql.by_ids("Lead", ["Email"], ["a", "b"])
        == "SELECT Id, Email FROM Lead WHERE Id IN ('a', 'b')"
    )


def test_chunked() -> None:
    assert [list(c) for c in chunked(list(range(5)), 2)] == [[0, 1], [2, 3], [4]]
