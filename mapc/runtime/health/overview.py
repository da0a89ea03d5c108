"""Sync health in one read of the state: API usage, error cards, run history and lag per
pair (what HubSpot's Sync health tab shows, for `mapc serve`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select

from mapc.runtime.health.categories import Category, categorize
from mapc.runtime.health.records import HUBSPOT, ErrorView, Where, views
from mapc.runtime.health.status import (
    ApiUsage,
    Lag,
    RunRow,
    api_usage,
    lags,
    open_errors_by_category,
    run_history,
)
from mapc.runtime.records import parse_timestamp
from mapc.runtime.sync import schema as s
from mapc.runtime.sync.runlog import ErrorRow
from mapc.runtime.sync.state import StateStore

READ_LIMIT = 1_000_000
"""Open errors read for the cards and exports: all of them, in practice (only the records
a card shows are looked up for identities and links)."""
CARD_LIMIT = 25
"""Records shown on one card; the card says how many more there are."""


@dataclass(frozen=True)
class ErrorCard:
    category: Category
    total: int
    """Open errors of this category in the state (more than `records` when cut)."""
    records: list[ErrorView]

    @property
    def hidden(self) -> int:
        return max(self.total - len(self.records), 0)


@dataclass(frozen=True)
class PairLag:
    pair: str
    """The HubSpot object of the `sync` block the cursor belongs to."""
    lag: Lag


@dataclass(frozen=True)
class Filters:
    category: Category | None = None
    side: str | None = None
    object: str | None = None

    @property
    def any(self) -> bool:
        return bool(self.category or self.side or self.object)


@dataclass(frozen=True)
class Overview:
    usage: list[ApiUsage]
    cards: list[ErrorCard]
    open_errors: int
    runs: list[RunRow]
    lags: list[PairLag]
    filters: Filters = field(default_factory=Filters)


def ignored_records(state: StateStore) -> set[tuple[str, str, str]]:
    """(object, rejecting side, record id) of the records ignored by hand: not open errors,
    so neither on the cards nor in the exports."""
    r = s.retries.c
    query = select(r.object, r.side, r.record_id).where(
        r.account == state.account, r.ignored_at.is_not(None)
    )
    with state.engine.connect() as conn:
        return {(obj, side, rid) for obj, side, rid in conn.execute(query)}


def open_rows(
    state: StateStore, filters: Filters, limit: int = READ_LIMIT
) -> list[tuple[ErrorRow, Category]]:
    """The open errors the filters name with their category, newest first, ignored records
    left out (categories come from the code and message alone: no look-ups)."""
    ignored = ignored_records(state)
    found = []
    for e in state.log.errors(limit=limit):
        if (
            (filters.side is not None and e.side != filters.side)
            or (filters.object is not None and e.object != filters.object)
            or (e.object, e.side, e.record_id) in ignored
        ):
            continue
        category = categorize(e.code, e.message)
        if filters.category is None or category is filters.category:
            found.append((e, category))
    return found


def open_views(
    state: StateStore, where: Where, filters: Filters, limit: int = READ_LIMIT
) -> list[ErrorView]:
    """`open_rows` with each record's identity and links (two look-ups per error)."""
    return views(state, [e for e, _ in open_rows(state, filters, limit)], where)


def duration(run: RunRow) -> float | None:
    """Seconds from start to end, None while running or when unreadable."""
    if not run.ended_at:
        return None
    try:
        return (parse_timestamp(run.ended_at) - parse_timestamp(run.started_at)).total_seconds()
    except (ValueError, TypeError):
        return None


def pair_of_objects(state: StateStore) -> dict[str, str]:
    """Salesforce object -> the pair (HubSpot object) its links belong to."""
    query = (
        select(s.links.c.object, s.links.c.sf_object)
        .distinct()
        .where(s.links.c.account == state.account)
    )
    with state.engine.connect() as conn:
        return {sf_object: obj for obj, sf_object in conn.execute(query)}


def pair_lags(state: StateStore, now: datetime | None = None) -> list[PairLag]:
    pairs = pair_of_objects(state)
    found = [
        PairLag(lag.object if lag.side == HUBSPOT else pairs.get(lag.object, lag.object), lag)
        for lag in lags(state, now or datetime.now(UTC))
    ]
    return sorted(found, key=lambda p: (p.pair, p.lag.side, p.lag.object))


def _cards(
    state: StateStore, where: Where, totals: dict[Category, int], filters: Filters
) -> list[ErrorCard]:
    """A card per category, largest first, showing its newest CARD_LIMIT records (only
    those are looked up for identities and links)."""
    groups: dict[Category, list[ErrorRow]] = {}
    for e, category in open_rows(state, filters):
        groups.setdefault(category, []).append(e)
    if filters.any:  # the filtered counts are what was read
        totals = {c: len(rows) for c, rows in groups.items()}
        totals = dict(sorted(totals.items(), key=lambda kv: (-kv[1], kv[0].value)))
    return [
        ErrorCard(category, total, views(state, groups.get(category, [])[:CARD_LIMIT], where))
        for category, total in totals.items()
        if total
    ]


def overview(
    state: StateStore,
    where: Where,
    *,
    filters: Filters | None = None,
    runs: int = 20,
    now: datetime | None = None,
) -> Overview:
    wanted = filters or Filters()
    totals = open_errors_by_category(state)
    return Overview(
        usage=list(api_usage(state, now).values()),
        cards=_cards(state, where, totals, wanted),
        open_errors=sum(totals.values()),
        runs=run_history(state, runs),
        lags=pair_lags(state, now),
        filters=wanted,
    )
