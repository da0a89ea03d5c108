"""Incremental reads through HubSpot's CRM search: a keyset on (last-modified, id).

HubSpot's search takes ONE sort and caps every query at 10,000 results, and its `after`
token is an offset, which shifts when a record already read is modified during the
read (the record moves to the end and the next one slides back over the page boundary,
unseen). So no query here reads past its first page: every page is a fresh query
anchored just after what has been read, sorted by the timestamp alone.

The id order inside one timestamp is supplied on our side: a page's last timestamp may
continue on the next page, so the records at it are held back ("pending") and the next
query asks for that timestamp minus the pending ids, or anything later. Once a later
timestamp shows up, the held-back group is complete and is released in id order. A group
too big to exclude id by id (a bulk update stamping many records with one millisecond)
is read on its own, sorted by `hs_object_id`, with an id keyset. Either way the cursor
after each page marks a point before which everything has been read, so resuming from it
neither skips a record nor reads one forever.

The search is not exact about the present: HubSpot's index lags writes by seconds and
can return later records while an earlier one is not visible yet. A record can only be
missing from a read if it was modified after the read began (R, the server's time at its
first search) less the look-back (`lookback_ms`, the most the index is taken to lag). So
each cursor carries R (`Cursor.read_at`), and a read from a stored cursor starts at the
earlier of the cursor and R less the look-back: right after a burst of writes it reads
the burst's last `lookback_ms` again, and long after the last change it re-reads nothing.
For the same reason the LAST page's cursor is `(its last timestamp, "")` while that
millisecond is within the look-back of R (a record written after the read in it may sort
before the last id read), and exact once it is older. Without R (a search that gives no
time, a cursor stored by an earlier version) R is taken to be the cursor's timestamp: the
read starts `lookback_ms` before the cursor and the last page's cursor is `(.., "")`.
Records read again are unchanged ones, which the sync engine is to treat as unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from mapc.runtime.records import (
    Cursor,
    Page,
    Record,
    epoch_millis,
    format_timestamp,
    from_epoch_millis,
    parse_timestamp,
)

Filter = dict[str, Any]
FilterGroup = dict[str, list[Filter]]
Sort = dict[str, str]


class Found(NamedTuple):
    """One search's answer: the flattened records of its first page, whether more match,
    and the server's time no later than the search ran (None: unknown)."""

    records: list[Record]
    more: bool
    asked_at: datetime | None = None


Search = Callable[[list[FilterGroup], list[Sort]], Found]

ID_PROPERTY = "hs_object_id"
MAX_EXCLUDED = 100  # ids in one NOT_IN filter (HubSpot's limit for IN/NOT_IN values)


def millis_of(record: Record, ts_property: str) -> int:
    value = record.get(ts_property)
    if value in (None, ""):
        return 0
    text = str(value)
    if text.isdigit():
        return int(text)
    return epoch_millis(parse_timestamp(text))


def id_of(record: Record) -> int:
    return int(str(record.get("id") or record.get(ID_PROPERTY) or 0))


@dataclass(frozen=True)
class Anchor:
    """Read records at `millis` with id > `after_id` (0: any) not in `excluded`, then later."""

    millis: int
    after_id: int = 0
    excluded: tuple[int, ...] = ()


def _filter(prop: str, op: str, value: int) -> Filter:
    return {"propertyName": prop, "operator": op, "value": str(value)}


def _bounded(groups: list[FilterGroup], ts_property: str, until: int | None) -> list[FilterGroup]:
    """Each group (every group alone can match) also stops at `until`, when there is one."""
    if until is None:
        return groups
    last = _filter(ts_property, "LTE", until)
    return [{"filters": [*g["filters"], last]} for g in groups] or [{"filters": [last]}]


def forward_query(
    ts_property: str, anchor: Anchor | None, until: int | None = None
) -> tuple[list[FilterGroup], list[Sort]]:
    sorts = [{"propertyName": ts_property, "direction": "ASCENDING"}]
    if anchor is None:
        return _bounded([], ts_property, until), sorts
    same = [_filter(ts_property, "EQ", anchor.millis)]
    if anchor.after_id:
        same.append(_filter(ID_PROPERTY, "GT", anchor.after_id))
    if anchor.excluded:
        same.append(
            {
                "propertyName": ID_PROPERTY,
                "operator": "NOT_IN",
                "values": [str(i) for i in anchor.excluded],
            }
        )
    later = [_filter(ts_property, "GT", anchor.millis)]
    return _bounded([{"filters": same}, {"filters": later}], ts_property, until), sorts


def tie_query(ts_property: str, millis: int, after_id: int) -> tuple[list[FilterGroup], list[Sort]]:
    # One timestamp: at or before any bound the group was found under, so it needs none.
    filters = [_filter(ts_property, "EQ", millis)]
    if after_id:
        filters.append(_filter(ID_PROPERTY, "GT", after_id))
    return [{"filters": filters}], [{"propertyName": ID_PROPERTY, "direction": "ASCENDING"}]


def anchor_of(cursor: Cursor | None) -> Anchor | None:
    if cursor is None:
        return None
    millis = epoch_millis(parse_timestamp(cursor.timestamp))
    return Anchor(millis, int(cursor.record_id) if cursor.record_id else 0)


def cursor_at(millis: int, record_id: int) -> Cursor:
    return Cursor(format_timestamp(from_epoch_millis(millis)), str(record_id))


def _read_tie_group(search: Search, ts_property: str, millis: int, after_id: int) -> Iterator[Page]:
    """All records at one timestamp with id > after_id, in id order."""
    while True:
        groups, sorts = tie_query(ts_property, millis, after_id)
        records, more, _ = search(groups, sorts)
        records.sort(key=id_of)
        if records:
            after_id = id_of(records[-1])
            yield Page(tuple(records), cursor_at(millis, after_id))
        if not more or not records:
            return


def keyset_pages(
    search: Search,
    ts_property: str,
    since: Cursor | None,
    *,
    lookback_ms: int = 0,
    until: Callable[[], datetime | None] = lambda: None,
) -> Iterator[Page]:
    """Pages of records changed after `since`, in (timestamp, id) order.

    With `until`, only records last modified at or before it: a record changed later
    (by a person, or by this run's own writes) is the next read's, never read twice by
    this one. It is asked before each query: the bound may be known only once the first
    answer came.

    With `lookback_ms`, a read from a stored cursor starts at the earlier of the cursor
    and its `read_at` less the look-back (records the search index showed late are read
    then; the others are read again). Every cursor carries this read's `read_at` (the
    first search's time), except one not past `since`, which is `since` itself: no
    cursor is earlier than `since`, so a read interrupted inside the window looks back
    again as far, and a read that only read the window again stores nothing new. The
    last page's cursor is `(its last timestamp, "")` unless that millisecond is older
    than `read_at` less the look-back.
    """
    start = since
    if since is not None and lookback_ms > 0:
        settled = _settled_before(since, lookback_ms)
        if _key_of(since) >= (settled, 0):
            start = Cursor.at(from_epoch_millis(settled))
    first: list[datetime | None] = []

    def timed(groups: list[FilterGroup], sorts: list[Sort]) -> Found:
        found = search(groups, sorts)
        if not first:
            first.append(found.asked_at)
        return found

    held: Page | None = None

    def bound() -> int | None:
        moment = until()
        return epoch_millis(moment) if moment is not None else None

    for page in _exact_pages(timed, ts_property, anchor_of(start), bound):
        if held is not None:
            yield _stamped(held, held.cursor, since, first[0])
        held = page
    if held is None:
        return
    assert held.cursor is not None
    last = Cursor(held.cursor.timestamp, held.cursor.record_id, _text(first[0]))
    if _key_of(last) >= (_settled_before(last, lookback_ms), 0):
        last = Cursor(last.timestamp)  # a later write may still share this millisecond
    yield _stamped(held, last, since, first[0])


def _text(moment: datetime | None) -> str:
    return format_timestamp(moment) if moment is not None else ""


def _settled_before(cursor: Cursor, lookback_ms: int) -> int:
    """The millisecond before which the read that stored `cursor` saw every record: its
    `read_at` less the look-back, or (unknown) the cursor's timestamp less it."""
    read_at = parse_timestamp(cursor.read_at) if cursor.read_at else cursor.moment
    return epoch_millis(read_at) - lookback_ms


def _key_of(cursor: Cursor) -> tuple[int, int]:
    """Where `cursor` stands in (millis, id) order; "" (everything before the
    millisecond) stands before every id."""
    anchor = anchor_of(cursor)
    assert anchor is not None
    return anchor.millis, anchor.after_id


def _stamped(
    page: Page, cursor: Cursor | None, since: Cursor | None, read_at: datetime | None
) -> Page:
    """`page` with `cursor` carrying `read_at`, or with `since` (and what the read that
    stored it knew) where `cursor` is not past it: keeping the older `read_at` looks back
    further, never less far."""
    assert cursor is not None
    if since is not None and _key_of(cursor) <= _key_of(since):
        return Page(page.records, since)
    return Page(page.records, Cursor(cursor.timestamp, cursor.record_id, _text(read_at)))


def _exact_pages(
    search: Search,
    ts_property: str,
    anchor: Anchor | None,
    until: Callable[[], int | None] = lambda: None,
) -> Iterator[Page]:
    """Pages after `anchor` (and at or before `until`) in (timestamp, id) order, each with
    its exact cursor."""
    pending: list[Record] = []

    def key(record: Record) -> tuple[int, int]:
        return millis_of(record, ts_property), id_of(record)

    while True:
        groups, sorts = forward_query(ts_property, anchor, until())
        results, more, _ = search(groups, sorts)
        by_id = {id_of(r): r for r in (*pending, *results)}  # a repeat keeps its newest version
        combined = sorted(by_id.values(), key=key)
        if not more or not results:
            if combined:
                last = key(combined[-1])
                yield Page(tuple(combined), cursor_at(*last))
            return
        last_millis = max(millis_of(r, ts_property) for r in results)
        complete = [r for r in combined if millis_of(r, ts_property) < last_millis]
        pending = [r for r in combined if millis_of(r, ts_property) == last_millis]
        if complete:
            yield Page(tuple(complete), cursor_at(*key(complete[-1])))
        floor = anchor.after_id if anchor is not None and anchor.millis == last_millis else 0
        if len(pending) <= MAX_EXCLUDED:
            anchor = Anchor(last_millis, floor, tuple(id_of(r) for r in pending))
            continue
        # A big group at one timestamp: read it by id, then carry on after it.
        pending = []
        last_id = floor
        for page in _read_tie_group(search, ts_property, last_millis, floor):
            assert page.cursor is not None
            last_id = int(page.cursor.record_id)
            yield page
        anchor = Anchor(last_millis, last_id)
