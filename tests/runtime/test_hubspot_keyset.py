"""The HubSpot keyset reader against an in-memory search: nothing skipped, nothing twice."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mapc.runtime.hubspot.keyset import FilterGroup, Sort, keyset_pages
from mapc.runtime.records import Cursor, Page, epoch_millis, from_epoch_millis

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
    if k == len(pages) - 1:  # the last page's cursor: that millisecond is read again
        last = pages[-1].records[-1][TS]
        done -= sum(1 for r in records if r[TS] == last)
        assert cursor.record_id == ""
    rest = list(
        keyset_pages(FakeSearch(records, shuffle_seed=k), TS, Cursor.decode(cursor.encode()))
    )
    assert ids(rest) == expected[done:]


@settings(max_examples=60, deadline=None)
@given(
    stamps=st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=900),
    resume_at=st.integers(min_value=0, max_value=20),
    lookback=st.integers(min_value=1, max_value=45),
)
def test_the_look_back_reads_again_from_that_much_before_the_cursor(
    stamps: list[int], resume_at: int, lookback: int
) -> None:
    records = make(stamps)
    pages = list(keyset_pages(FakeSearch(records), TS, None))
    cursor = pages[min(resume_at, len(pages) - 1)].cursor
    assert cursor is not None
    since = Cursor.decode(cursor.encode())
    start = epoch_millis(since.moment) - lookback
    rest = list(keyset_pages(FakeSearch(records, shuffle_seed=3), TS, since, lookback_ms=lookback))
    assert ids(rest) == ordered([r for r in records if int(r[TS]) >= start])
    # No cursor goes back before the stored one (the look-back is not stored).
    for page in rest:
        assert page.cursor is not None
        assert (page.cursor.moment, page.cursor.record_id) >= (since.moment, "")


def test_a_write_in_the_last_millisecond_with_a_smaller_id_is_read_next_time() -> None:
    records = make([1, 2, 3, 3])
    search = FakeSearch(records)
    pages = list(keyset_pages(search, TS, None))
    assert ids(pages) == ["1", "2", "3", "4"]
    cursor = pages[-1].cursor
    assert cursor is not None
    for r in search.records:  # record 1 is modified within the millisecond of 3 and 4
        if r["id"] == "1":
            r[TS] = str(1_700_000_000_003)
    again = list(keyset_pages(search, TS, Cursor.decode(cursor.encode())))
    assert ids(again) == ["1", "3", "4"]


class LaggingSearch(FakeSearch):
    """A search whose index does not show the records in `hidden` yet."""

    def __init__(self, records: list[dict[str, str]], hidden: set[str]) -> None:
        super().__init__(records)
        self.hidden = hidden

    def __call__(
        self, groups: list[FilterGroup], sorts: list[Sort]
    ) -> tuple[list[dict[str, Any]], bool]:
        shown = self.records
        self.records = [r for r in shown if r["id"] not in self.hidden]
        try:
            return super().__call__(groups, sorts)
        finally:
            self.records = shown


def test_a_record_the_index_showed_late_is_read_by_the_look_back() -> None:
    records = make([0, 1_000, 5_000])  # record 2 (at +1 s) is not indexed yet
    search = LaggingSearch(records, hidden={"2"})
    pages = list(keyset_pages(search, TS, None, lookback_ms=30_000))
    assert ids(pages) == ["1", "3"]
    cursor = pages[-1].cursor
    assert cursor is not None
    search.hidden = set()
    again = list(keyset_pages(search, TS, cursor, lookback_ms=30_000))
    assert "2" in ids(again)
    without = list(keyset_pages(search, TS, cursor))
    assert "2" not in ids(without)


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


@settings(max_examples=60, deadline=None)
@given(
    stamps=st.lists(st.integers(min_value=0, max_value=40), min_size=0, max_size=900),
    bound=st.integers(min_value=-1, max_value=41),
    resume=st.booleans(),
)
def test_a_bounded_read_reads_exactly_what_changed_up_to_its_bound(
    stamps: list[int], bound: int, resume: bool
) -> None:
    records = make(stamps)
    until = from_epoch_millis(1_700_000_000_000 + bound)
    wanted = [r for r in records if int(r[TS]) <= 1_700_000_000_000 + bound]
    pages = list(keyset_pages(FakeSearch(records), TS, None, until=until))
    assert ids(pages) == ordered(wanted)
    if resume and pages:
        # The next read goes on from the bounded read's cursor: what came after the bound
        # is read then, and nothing the first read took is lost on the way.
        later = list(keyset_pages(FakeSearch(records, shuffle_seed=3), TS, pages[-1].cursor))
        assert set(ids(pages)) | set(ids(later)) == {r["id"] for r in records}


def test_a_bounded_read_does_not_see_this_runs_own_writes() -> None:
    records = make(list(range(450)))
    search = FakeSearch(records)
    until = from_epoch_millis(1_700_000_000_000 + 449)
    seen: list[str] = []
    for n, page in enumerate(keyset_pages(search, TS, None, until=until)):
        seen += [r["id"] for r in page.records]
        if n == 0:  # the run writes to a record it read, and creates one, mid-read
            search.records[0][TS] = str(1_700_000_000_000 + 5_000)
            search.records.append({"id": "999", "hs_object_id": "999", TS: search.records[0][TS]})
    assert len(seen) == len(set(seen)) and "999" not in seen
