"""Records that keep failing: retried by later runs with backoff, then parked.

A rejected record is retried by the next runs, each after a longer wait; after `limit`
failures in a row it is parked, and no run retries it until an operator does (`mapc
errors retry`) or the record changes: a new modification time on its own side, or its
linked twin read as changed on the other. `mapc errors ignore` holds a record the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from mapc.runtime.adapter import ObjectSync
from mapc.runtime.errors import ConfigurationError
from mapc.runtime.records import Record, format_timestamp
from mapc.runtime.sync.behaviours.names import HUBSPOT_ID, SALESFORCE_ID
from mapc.runtime.sync.context import HUBSPOT, SALESFORCE, Context, record_time
from mapc.runtime.sync.decide import unchanged
from mapc.runtime.sync.runlog import RetryRow
from mapc.runtime.sync.state import Link

DEFAULT_LIMIT = 5
DEFAULT_BACKOFF = 900.0
"""15 minutes before the first retry, then 30, 60 and 120: the fifth failure parks."""
_EPOCH = datetime.min.replace(tzinfo=UTC)

Held = dict[tuple[str, str], tuple[RetryRow, str]]
"""(rejecting side, record id) -> its retry row and why it waits."""


@dataclass(frozen=True)
class RetryRule:
    limit: int = DEFAULT_LIMIT
    """Failures in a row after which a record is parked."""
    backoff: float = DEFAULT_BACKOFF
    """Seconds before the first retry; each further failure doubles the wait."""

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise ConfigurationError(f"The retry limit must be 1 or more, not {self.limit}.")
        if self.backoff < 0:
            raise ConfigurationError("The retry backoff cannot be negative.")

    def wait(self, failures: int) -> timedelta:
        return timedelta(seconds=self.backoff * 2 ** max(failures - 1, 0))


def other(side: str) -> str:
    return HUBSPOT if side == SALESFORCE else SALESFORCE


def stamp_of(record: Record) -> str | None:
    """The record's own modification time, as text (None when it carries none)."""
    moment = record_time(record)
    return None if moment == _EPOCH else format_timestamp(moment)


def held_reason(row: RetryRow, now: datetime) -> str | None:
    """Why a record is not retried now; None when it is due."""
    if row.ignored_at:
        return "ignored by hand (`mapc errors retry` or a change to the record retries it)"
    if row.parked_at:
        return (
            f"parked after {row.failures} failures in a row (`mapc errors retry` or a "
            "change to the record retries it)"
        )
    if row.next_at and row.next_at > now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"):
        return f"failed {row.failures} time(s) in a row; next retry after {row.next_at[:19]}Z"
    return None


def held_records(ctx: Context, obj: str) -> Held:
    """The records of pair `obj` that are not due for a retry now."""
    now = datetime.now(UTC)
    held: Held = {}
    for row in ctx.state.log.retry_rows(obj):
        reason = held_reason(row, now)
        if reason is not None:
            held[(row.side, row.record_id)] = (row, reason)
    return held


def _twins(ctx: Context, name: str, source: str, ids: list[str]) -> dict[str, Link]:
    if source == HUBSPOT:
        return ctx.state.links_by_hubspot(name, ids)
    return ctx.state.links_by_salesforce(name, ids)


def _twin_id(link: Link, source: str) -> str:
    return link.sf_id if source == HUBSPOT else link.hubspot_id


def _twin_changed(
    obj: ObjectSync, link: Link, side: str, staged: dict[str, tuple[str, Record]]
) -> bool:
    """Whether the linked twin read on `side` this run differs from its last synced values
    (a read can bring back an unchanged record: a cursor's own second, a look-back)."""
    found = staged.get(link.sf_id if side == SALESFORCE else link.hubspot_id)
    if found is None:
        return False
    values = link.sf_values if side == SALESFORCE else link.hs_values
    return not link.synced or not unchanged(obj, link.sf_object, found[1], values, side)


def _stage(ctx: Context, obj: ObjectSync, source: str, links: list[Link]) -> None:
    """Read held records again whose twin changed, so the retry sends their current
    values (not their last synced ones)."""
    name = obj.hubspot_object
    if source == HUBSPOT:
        found = ctx.hubspot_records(obj, [link.hubspot_id for link in links])
        ctx.staging.add(HUBSPOT, name, found.values(), obj.match_key, HUBSPOT_ID)
        return
    by_object: dict[str, list[Record]] = {}
    wanted = [(link.sf_object, link.sf_id) for link in links]
    for sf_id, record in ctx.salesforce_records(obj, wanted).items():
        sobject = next(link.sf_object for link in links if link.sf_id == sf_id)
        by_object.setdefault(sobject, []).append(record)
    for sobject, records in by_object.items():
        ctx.staging.add(SALESFORCE, sobject, records, obj.salesforce_match_key, SALESFORCE_ID)


def hold(ctx: Context, obj: ObjectSync, held: Held) -> None:
    """Take the held records this run read out of its staging, unless they changed since
    they last failed; each held record is reported as a skip with its reason."""
    name = obj.hubspot_object
    for side in (SALESFORCE, HUBSPOT):
        ids = sorted(rid for s, rid in held if s == side)
        if not ids:
            continue
        source = other(side)
        objects = (name,) if source == HUBSPOT else obj.salesforce_objects
        twin_objects = obj.salesforce_objects if source == HUBSPOT else (name,)
        staged = ctx.staging.get(source, ids, objects)
        twins = _twins(ctx, name, source, ids)
        twin_staged = ctx.staging.get(
            side, [_twin_id(link, source) for link in twins.values()], twin_objects
        )
        taken: dict[str, list[str]] = {}
        released: list[Link] = []
        for rid in ids:
            row, reason = held[(side, rid)]
            found = staged.get(rid)
            twin = twins.get(rid)
            if twin is not None and _twin_changed(obj, twin, side, twin_staged):
                if found is None:  # the other side changed: worth another try, as it is now
                    released.append(twin)
                continue
            if found is not None and row.stamp is not None and stamp_of(found[1]) != row.stamp:
                continue  # the record itself changed
            if found is not None:
                taken.setdefault(found[0], []).append(rid)
            label = found[0] if found is not None else (name if source == HUBSPOT else "")
            ctx.report.add(name, side, "skip", f"{label} {rid}".strip(), reason=reason)
        for staged_obj, rids in taken.items():
            ctx.staging.discard(source, staged_obj, rids)
        if released:
            _stage(ctx, obj, source, released)


def record_failures(ctx: Context, failed: Iterable[tuple[str, str, str]], rule: RetryRule) -> None:
    """Count this run's failure of each (object, rejecting side, record id), with the
    record's modification time from this run's staging (how a later change is seen)."""
    items = []
    by_place: dict[tuple[str, str], list[str]] = {}
    for obj, side, rid in failed:
        by_place.setdefault((obj, side), []).append(rid)
    for (obj, side), rids in sorted(by_place.items()):
        pair = ctx.adapter.object_for(obj)
        source = other(side)
        if pair is None:
            objects: tuple[str, ...] = (obj,)
        else:
            objects = (obj,) if source == HUBSPOT else pair.salesforce_objects
        staged = ctx.staging.get(source, rids, objects)
        for rid in sorted(set(rids)):
            found = staged.get(rid)
            items.append((obj, side, rid, stamp_of(found[1]) if found is not None else None))
    ctx.state.log.record_failures(items, limit=rule.limit, wait=rule.wait)
