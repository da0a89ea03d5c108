"""R8: marketing email opens and clicks -> one Salesforce Task each, on the linked lead or
contact, never deduplicated, and each event exactly once, even across restarts.

Before a batch of tasks is created its events are journalled as pending (with the WhoId
and Subject); once Salesforce answers they are marked done. A run killed in between
finds, on restart, the tasks created since and claims them instead of creating more.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from mapc.errors import MapcError
from mapc.runtime.adapter import EmailEventsRule
from mapc.runtime.records import (
    WriteResult,
    format_timestamp,
    from_epoch_millis,
    maybe_done,
    parse_timestamp,
)
from mapc.runtime.sync.context import HUBSPOT, SALESFORCE, Context
from mapc.runtime.sync.writes import SALESFORCE_BATCH, Item

log = logging.getLogger("mapc.sync")

CURSOR = "email_events"
EVENT_TASKS = "sf:create:events"
"""The events' own create queue, apart from any pair creating the same object (a `calls ->
Task` pair): each queue journals its creates its own way."""
FIRST_LOOKBACK = timedelta(days=30)
OVERLAP = timedelta(minutes=10)
CONTACTS = "contacts"


def soql_text(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def recover_events(ctx: Context) -> None:
    pending = ctx.state.log.pending_events()
    if not pending or ctx.dry_run:
        return
    found: list[list[str]] = []
    for event in pending:
        since = parse_timestamp(event["started_at"]) - timedelta(seconds=5)
        soql = (
            "SELECT Id FROM Task WHERE WhoId = "
            + soql_text(event["who_id"] or "")
            + " AND Subject = "
            + soql_text(event["subject"] or "")
            + " AND CreatedDate >= "
            + format_timestamp(since)
            + " ORDER BY Id"
        )
        found.append([str(t["Id"]) for t in ctx.salesforce.query(soql)])
    claimed = ctx.state.log.tasks_claimed(t for ids in found for t in ids)
    done: list[tuple[str, str | None]] = []
    lost: list[str] = []
    for event, tasks in zip(pending, found, strict=True):
        task = next((t for t in tasks if t not in claimed), None)
        if task is None:
            lost.append(event["event_id"])
        else:
            claimed.add(task)
            done.append((event["event_id"], task))
    ctx.state.log.mark_events_done(done)
    ctx.state.log.forget_events(lost)


def sync_email_events(ctx: Context, rule: EmailEventsRule) -> str | None:
    """Turn new events into tasks; returns the cursor to store when the run commits.

    With a look-back window (`look back 7 days`) every run also reads the window's older
    events again: those of a contact that started syncing since become tasks (the ones
    already turned into tasks are skipped by id)."""
    recover_events(ctx)
    raw = ctx.state.cursor(HUBSPOT, CURSOR)
    now = datetime.now(UTC)
    look_back = timedelta(seconds=rule.look_back_seconds)
    new_from = parse_timestamp(raw) if raw else now - max(FIRST_LOOKBACK, look_back)
    start = min(new_from, now - look_back) if look_back else new_from
    end = now + timedelta(days=1)
    latest = new_from
    campaigns = CampaignNames(ctx)
    failed: list[datetime] = []
    sf = ctx.salesforce
    ctx.writes.queue(
        EVENT_TASKS,
        SALESFORCE_BATCH,
        lambda recs: sf.create(rule.salesforce_object, recs),
        before=lambda items: _journal(ctx, items),
    )
    wanted = {t.upper() for t in rule.event_types}
    for page in ctx.hubspot.email_events(start, end, tuple(sorted(wanted))):
        ctx.report.reads += 1
        events = [e for e in page if str(e.get("type", "")).upper() in wanted]
        seen = ctx.state.log.email_event_status(str(e["id"]) for e in events)
        events = [e for e in events if str(e["id"]) not in seen]
        who = _recipients(ctx, {str(e.get("recipient") or "").strip().lower() for e in events})
        # Events read again from the look-back window whose recipient still does not sync
        # were reported when they were new: they pass without a word.
        events = [e for e in events if _recipient(e) in who or _created(e) >= new_from]
        if not ctx.dry_run:
            campaigns.name_events([e for e in events if _recipient(e) in who])
        for event in events:
            _task(ctx, rule, event, who, failed)
        for event in page:
            if isinstance(event.get("created"), int | float):
                latest = max(latest, from_epoch_millis(int(event["created"])))
    ctx.writes.flush_all()
    # Events can be indexed a little late: the next run looks back over an overlap, and
    # event ids already turned into tasks are skipped.
    cursor = max(new_from, latest - OVERLAP)
    if failed:  # a task Salesforce refused: read its event again next run
        cursor = min(cursor, min(failed) - timedelta(milliseconds=1))
    return format_timestamp(cursor)


def _recipients(ctx: Context, emails: set[str]) -> dict[str, str]:
    """Recipient email -> the Salesforce lead/contact its HubSpot contact syncs with."""
    keys = ctx.state.find_keys(HUBSPOT, [e for e in emails if e], (CONTACTS,))
    staged = ctx.staging.by_keys(HUBSPOT, [e for e in emails if e], (CONTACTS,))
    hs_ids = {email: (staged.get(email) or keys.get(email) or [("", "")])[0][1] for email in emails}
    links = ctx.state.links_by_hubspot(CONTACTS, [i for i in hs_ids.values() if i])
    # A contact linked but outside the inclusion list is not syncing (R4, R5): no tasks.
    return {
        email: links[i].sf_id
        for email, i in hs_ids.items()
        if i in links and not links[i].flags.excluded
    }


def _task(
    ctx: Context,
    rule: EmailEventsRule,
    event: dict[str, Any],
    who: dict[str, str],
    failed: list[datetime],
) -> None:
    event_id = str(event["id"])
    who_id = who.get(_recipient(event))
    if who_id is None:
        ctx.report.add(
            "email_events",
            SALESFORCE,
            "skip",
            event_id,
            reason="recipient does not sync with Salesforce",
        )
        return
    values = {**rule.task_values(event), "WhoId": who_id}
    counted = ctx.will(
        "email_events",
        SALESFORCE,
        "task",
        event_id,
        tuple(sorted(values)),
        f"{event.get('type')} at {_when(event)} (R8)",
    )
    if ctx.dry_run:
        return

    def done(result: WriteResult) -> None:
        if result.ok:
            counted()
            ctx.state.log.mark_events_done([(event_id, result.id)])
        else:
            # A task that may have been created stays pending: the next run claims it (or,
            # finding none, forgets the event and reads it again).
            if not maybe_done(result):
                ctx.state.log.forget_events([event_id])
            if isinstance(event.get("created"), int | float):
                failed.append(from_epoch_millis(int(event["created"])))
            for err in result.errors:
                ctx.error("email_events", SALESFORCE, event_id, err.code, err.message, err.fields)

    ctx.writes.add(EVENT_TASKS, values, done, source=event_id)


class CampaignNames:
    """Email campaign ids -> names, read once per run through the Email Events API's
    campaigns endpoint: a task's subject names the campaign, not its number."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.names: dict[str, str | None] = {}

    def name_events(self, events: list[dict[str, Any]]) -> None:
        """Set `emailCampaignName` on each event whose campaign HubSpot names."""
        for event in events:
            campaign = str(event.get("emailCampaignId") or "")
            if not campaign or event.get("emailCampaignName"):
                continue
            if campaign not in self.names:
                self.names[campaign] = self._read(campaign)
            if self.names[campaign]:
                event["emailCampaignName"] = self.names[campaign]

    def _read(self, campaign: str) -> str | None:
        try:
            found = self.ctx.hubspot.email_campaign(campaign)
        except MapcError as error:
            # The task still gets made, under the campaign's number: better than none.
            log.warning("email campaign %s: name not read (%s)", campaign, error)
            return None
        self.ctx.report.reads += 1
        name = (found or {}).get("name")
        return str(name) if name else None


def _recipient(event: dict[str, Any]) -> str:
    return str(event.get("recipient") or "").strip().lower()


def _created(event: dict[str, Any]) -> datetime:
    created = event.get("created")
    if isinstance(created, int | float):
        return from_epoch_millis(int(created))
    return datetime.max.replace(tzinfo=UTC)  # undated: treat as new


def _journal(ctx: Context, items: list[Item]) -> None:
    rows = []
    for item in items:
        event_id = str(item.source)
        rows.append((event_id, str(item.payload["WhoId"]), str(item.payload.get("Subject", ""))))
    ctx.state.log.mark_events_pending(rows)


def _when(event: dict[str, Any]) -> str:
    created = event.get("created")
    if isinstance(created, int | float):
        return format_timestamp(from_epoch_millis(int(created)))
    return str(created or "")
