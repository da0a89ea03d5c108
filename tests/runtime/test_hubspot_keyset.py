"""The HubSpot keyset reader against an in-memory search: nothing skipped, nothing twice."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mapc.runtime.hubspot_keyset import keyset_pages
from mapc.runtime.records import Cursor, Page

from .fake_search import FakeSearch

TS = "lastmodifieddate"


def make(stamps: list[int]) -> list[dict[str, str]]:
    return [
        {"id": str(i + 1), "hs_object_id": str(i + 1), TS: str(1_700_000_000_000 + s)}
        for i, s in enumerate(stamps)
    ]


def ids(pages: list[Page]) -> list[str]:
    return [r["id"] for p in pages for r in p.records]


def ordered(records: list[dict[str, str]]) -> list[str]:
    return [r["id"] for r in sorted(records, key=lambda r: (int(r[TS]), int(r["id"])))]


def test_distinct_timestamps_cost_one_call_per_200() -> None:
    records = make(list(range(1000)))
    search = FakeSearch(records)
    pages = list(keyset_pages(search, TS, None))
    assert ids(pages) == ordered(records)
    assert search.calls == 5


def test_every_page_is_a_fresh_query_so_no_cap_is_ever_reached() -> None:
    records = make(list(range(2_001)))
    search = FakeSearch(records)
    pages = list(keyset_pages(search, TS, None))
    assert ids(pages) == ordered(records)
    assert search.calls == 11  # ceil(2001 / 200); the 10,001 case runs against the emulator


def test_one_timestamp_shared_by_thousands_across_pages() -> None:
    records = make([5] * 1500 + [9] * 3)
    search = FakeSearch(records)
    pages = list(keyset_pages(search, TS, None))
    assert ids(pages) == ordered(records)
    assert search.calls <= 12


@settings(max_examples=60, deadline=None)
@given(
    stamps=st.lists(st.integers(min_value=0, max_value=40), min_size=0, max_size=900),
    resume_at=st.integers(min_value=0, max_value=20),
)
def test_resuming_from_any_page_cursor_reads_the_rest_exactly(
    stamps: list[int], resume_at: int
) -> None:
    records = make(stamps)
    expected = ordered(records)
    pages = list(keyset_pages(FakeSearch(records), TS, None))
    assert ids(pages) == expected
    if not pages:
        return
    k = min(resume_at, len(pages) - 1)
    cursor = pages[k].cursor
    assert cursor is not None
    done = sum(len(p.records) for p in pages[: k + 1])
    rest = list(
        keyset_pages(FakeSearch(records, shuffle_seed=k), TS, Cursor.decode(cursor.encode()))
    )
    assert ids(rest) == expected[done:]


def test_a_record_modified_during_the_read_is_read_again_later_and_nothing_is_lost() -> None:
    records = make(list(range(600)))
    search = FakeSearch(records)
    seen: list[str] = []
    for n, page in enumerate(keyset_pages(search, TS, None)):
        seen += [r["id"] for r in page.records]
        if n == 0:  # someone edits the first record after we read it
            for r in search.records:
                if r["id"] == "1":
                    r[TS] = str(1_700_000_000_000 + 10_000)
    assert sorted(set(seen), key=int) == [str(i) for i in range(1, 601)]
    assert seen.count("1") == 2
