"""The HubSpot keyset reader against an in-memory search: nothing skipped, nothing twice."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mapc.runtime.hubspot.keyset import FilterGroup, Found, Sort, keyset_pages
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

    def __call__(self, groups: list[FilterGroup], sorts: list[Sort]) -> Found:
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
    pages = list(keyset_pages(FakeSearch(records), TS, None, until=lambda: until))
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
    for n, page in enumerate(keyset_pages(search, TS, None, until=lambda: until)):
        seen += [r["id"] for r in page.records]
        if n == 0:  # the run writes to a record it read, and creates one, mid-read
            search.records[0][TS] = str(1_700_000_000_000 + 5_000)
            search.records.append({"id": "999", "hs_object_id": "999", TS: search.records[0][TS]})
    assert len(seen) == len(set(seen)) and "999" not in seen


# -- how far back a read from a stored cursor looks: the time the last read began --------

BASE = 1_700_000_000_000  # `make`'s millisecond 0
LOOKBACK = 30_000


def test_a_no_change_read_long_after_the_last_change_re_reads_nothing() -> None:
    records = make(list(range(0, 20_000, 20)))  # 1,000 written in 20 s, an import
    search = FakeSearch(records, now=BASE + 20_000 + 120_000)  # read two minutes later
    pages = list(keyset_pages(search, TS, None, lookback_ms=LOOKBACK))
    assert ids(pages) == ordered(records)
    stored = Cursor.decode(pages[-1].cursor.encode())  # type: ignore[union-attr]
    # Nothing written then was hidden from a read that began 2 minutes later: the next
    # read resumes exactly where this one stopped (even the last millisecond is done).
    assert stored.record_id == "1000"
    search.calls = search.found = 0
    search.now = BASE + 20_000 + 900_000
    assert list(keyset_pages(search, TS, stored, lookback_ms=LOOKBACK)) == []
    assert (search.calls, search.found) == (1, 0)


def test_a_read_soon_after_a_burst_leaves_only_its_window_to_read_again() -> None:
    records = make(list(range(0, 60_000, 60)))  # 1,000 written in 60 s
    search = FakeSearch(records, now=BASE + 80_000)  # began 20 s after the last one
    pages = list(keyset_pages(search, TS, None, lookback_ms=LOOKBACK))
    first = Cursor.decode(pages[-1].cursor.encode())  # type: ignore[union-attr]
    assert first.record_id == ""  # its last millisecond may yet get a smaller id
    # A scheduled run 5 minutes later re-reads what was written in the 30 s before the
    # first read began (the index may not have shown it), not the 30 s before the cursor.
    search.now = BASE + 380_000
    again = list(keyset_pages(search, TS, first, lookback_ms=LOOKBACK))
    assert ids(again) == ordered([r for r in records if int(r[TS]) >= BASE + 50_000])
    unknown = Cursor(first.timestamp)  # stored by an earlier version: no time
    old = list(keyset_pages(search, TS, unknown, lookback_ms=LOOKBACK))
    assert ids(old) == ordered([r for r in records if int(r[TS]) >= BASE + 29_940])
    # The read 5 minutes later began long after the burst: the one after it reads nothing.
    settled = Cursor.decode(again[-1].cursor.encode())  # type: ignore[union-attr]
    assert settled.read_at == "2023-11-14T22:19:40.000Z"  # BASE + 380 s
    search.calls = search.found = 0
    search.now = BASE + 680_000
    assert list(keyset_pages(search, TS, settled, lookback_ms=LOOKBACK)) == []
    assert (search.calls, search.found) == (1, 0)


def test_a_read_that_only_reads_the_window_again_keeps_the_cursor_as_it_was() -> None:
    records = make(list(range(0, 20_000, 20)))
    search = FakeSearch(records, now=BASE + 25_000)
    stored = list(keyset_pages(search, TS, None, lookback_ms=LOOKBACK))[-1].cursor
    search.now = BASE + 40_000  # 20 s after the last record: its window is still open
    again = list(keyset_pages(search, TS, stored, lookback_ms=LOOKBACK))
    # Nothing new, and the window is still to be read by the next read: the state store
    # is not written (a cursor that did not move is not written again).
    assert len(ids(again)) == len(records)
    assert all(page.cursor == stored for page in again)


def test_a_record_the_index_showed_late_is_read_though_the_read_began_much_later() -> None:
    # Records 1 and 3 are visible; 2, written between them, is not yet indexed.
    records = make([0, 10_000, 20_000])
    search = LaggingSearch(records, hidden={"2"})
    search.now = BASE + 35_000  # 15 s after record 3: within the look-back of 2 and 3
    pages = list(keyset_pages(search, TS, None, lookback_ms=LOOKBACK))
    assert ids(pages) == ["1", "3"]
    stored = Cursor.decode(pages[-1].cursor.encode())  # type: ignore[union-attr]
    search.hidden = set()
    search.now = BASE + 3_600_000  # an hour later: 2 is indexed
    again = list(keyset_pages(search, TS, stored, lookback_ms=LOOKBACK))
    assert ids(again) == ["2", "3"]  # from 30 s before the first read began, not before
    search.calls = 0
    after = Cursor.decode(again[-1].cursor.encode())  # type: ignore[union-attr]
    assert list(keyset_pages(search, TS, after, lookback_ms=LOOKBACK)) == []


def test_a_read_stopped_inside_the_window_leaves_the_window_as_it_was() -> None:
    records = make([*range(0, 30_000, 50), 29_000])  # 601 (at 29 s) is not indexed yet
    search = LaggingSearch(records, hidden={"601"})
    search.now = BASE + 30_000
    pages = list(keyset_pages(search, TS, None, lookback_ms=LOOKBACK))
    assert "601" not in ids(pages)
    stored = Cursor.decode(pages[-1].cursor.encode())  # type: ignore[union-attr]
    # Much later (601 is indexed) a run reads the window's first page, then dies.
    search.hidden = set()
    search.now = BASE + 100_000
    page = next(keyset_pages(search, TS, stored, lookback_ms=LOOKBACK))
    assert page.records[0]["id"] == "1" and "601" not in ids([page])
    assert page.cursor == stored  # still what the first read knew, not this read's time
    search.now = BASE + 200_000
    rest = list(keyset_pages(search, TS, page.cursor, lookback_ms=LOOKBACK))
    assert "601" in ids(rest)


class IndexedSearch(FakeSearch):
    """A search whose index shows a record `lag` ms after its timestamp, and none from
    after `now` (not written yet)."""

    def __init__(self, records: list[dict[str, str]], lag: int) -> None:
        super().__init__(records, now=BASE)
        self.lag = lag

    def __call__(self, groups: list[FilterGroup], sorts: list[Sort]) -> Found:
        assert self.now is not None
        everything = self.records
        self.records = [r for r in everything if int(r[TS]) + self.lag <= self.now]
        try:
            return super().__call__(groups, sorts)
        finally:
            self.records = everything


@settings(max_examples=80, deadline=None)
@given(
    stamps=st.lists(st.integers(min_value=0, max_value=60_000), max_size=700),
    reads=st.lists(
        st.tuples(st.integers(min_value=0, max_value=70_000), st.integers(0, 4)),
        min_size=1,
        max_size=6,
    ),
    lag=st.integers(min_value=0, max_value=LOOKBACK),
)
def test_reads_at_any_times_miss_nothing_an_index_within_the_look_back_hides(
    stamps: list[int], reads: list[tuple[int, int]], lag: int
) -> None:
    """Reads at any times, each stopped after any page (a run that died): whatever the
    index hid from one read, a later read reads it."""
    records = make(stamps)
    search = IndexedSearch(records, lag)
    cursor: Cursor | None = None
    seen: set[str] = set()
    for gap, pages_read in reads:
        search.now = (search.now or BASE) + gap
        for n, page in enumerate(keyset_pages(search, TS, cursor, lookback_ms=LOOKBACK)):
            seen |= {r["id"] for r in page.records}
            assert page.cursor is not None
            cursor = Cursor.decode(page.cursor.encode())
            if n == pages_read:
                break
    search.now = BASE + 60_000 + LOOKBACK  # every record is indexed now
    seen |= set(ids(list(keyset_pages(search, TS, cursor, lookback_ms=LOOKBACK))))
    assert seen == {r["id"] for r in records}


def test_the_time_a_read_began_is_the_first_answers_date_less_the_call() -> None:
    from datetime import UTC, datetime

    from mapc.runtime.servertime import asked_at

    date = {"date": "Sun, 06 Dec 2026 17:39:26 GMT"}
    assert asked_at(date, 0.25) == datetime(2026, 12, 6, 17, 39, 25, 750_000, tzinfo=UTC)
    assert asked_at({}, 0.1) is None and asked_at({"date": "yesterday"}, 0.1) is None
