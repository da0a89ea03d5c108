"""R1 to HubSpot converges: an unsubscribe is owed (in the state) from the moment it is
decided until HubSpot confirms it, and every run sends what is still owed.

The owed row is saved with the link that owes it and before the call goes out, so a call
that fails, times out or dies with the runner is sent again by the next run; unsubscribing
twice changes nothing. Nothing here ever resubscribes anyone.
"""

from __future__ import annotations

from collections.abc import Callable

from mapc.runtime.records import Record, WriteResult
from mapc.runtime.sync.behaviours.names import EMAIL, HUBSPOT_ID, OPT_OUT_HUBSPOT
from mapc.runtime.sync.context import HUBSPOT, Context
from mapc.runtime.sync.state import Link, Owed
from mapc.runtime.sync.values import blank, truthy
from mapc.runtime.sync.writes import HUBSPOT_BATCH

QUEUE = "hs:unsubscribe"


def unsubscribe_queue(ctx: Context) -> str:
    """The run's one unsubscribe queue: after the contact creates it may follow, with the
    owed rows saved before each batch is sent and the confirmations after."""
    ctx.writes.queue(
        QUEUE,
        HUBSPOT_BATCH,
        ctx.hubspot.unsubscribe_all_batch,
        depends=("hs:create:contacts",),
        before=lambda _items: ctx.save(),
        after=lambda _items: ctx.save(),
    )
    return QUEUE


def owe_unsubscribe(
    ctx: Context,
    owed: Owed,
    on_confirmed: Callable[[], None],
    on_failed: Callable[[WriteResult], None],
    *,
    record: bool = True,
) -> None:
    """Record the unsubscribe as owed (unless it already is) and queue it once per run;
    `on_confirmed` runs when HubSpot confirms it (the owed row is dropped in the same
    save), `on_failed` when it did not (the row stays: the next run sends it again)."""
    key = (owed.object, owed.hubspot_id)
    if record:
        ctx.owe[key] = owed
    if key in ctx.unsubscribing:
        return
    ctx.unsubscribing.add(key)

    def done(result: WriteResult) -> None:
        if result.ok:
            ctx.paid.add(key)
            on_confirmed()
        else:
            on_failed(result)

    ctx.writes.add(unsubscribe_queue(ctx), owed.email, done)


def retry_owed(ctx: Context) -> int:
    """Queue every unsubscribe an earlier run decided but HubSpot has not confirmed.

    The contact is read again first: the owed row holds the address it was decided for,
    and an unsubscribe is per address, so a contact whose email changed since must be
    unsubscribed at its current one (the old one would leave it subscribed). A contact
    HubSpot already shows unsubscribed is paid without a call."""
    owed = ctx.state.owed_unsubscribes()
    current = _contacts_now(ctx, owed)
    for item in owed:
        contact = current.get((item.object, item.hubspot_id))
        if contact is None or blank(contact.get(EMAIL)):
            # Archived, merged away or without an email: nothing to send to now. It stays
            # owed (a restored contact is unsubscribed) and shows in the report.
            ctx.report.add(
                item.object,
                HUBSPOT,
                "skip",
                f"{item.object} {item.hubspot_id}",
                reason="unsubscribe owed (R1), but the contact is gone or has no email",
            )
            continue
        if truthy(contact.get(OPT_OUT_HUBSPOT)):
            if not ctx.dry_run:
                links = ctx.state.links_by_hubspot(item.object, [item.hubspot_id])
                ctx.paid.add((item.object, item.hubspot_id))
                _confirmed(ctx, links.get(item.hubspot_id), lambda: None)()
            continue
        email = str(contact[EMAIL])
        moved = email.strip().lower() != item.email.strip().lower()
        item = Owed(item.object, item.hubspot_id, item.sf_id, email)
        counted = ctx.will(
            item.object,
            HUBSPOT,
            "unsubscribe",
            f"{item.object} {item.hubspot_id}",
            (OPT_OUT_HUBSPOT,),
            "owed since an earlier run: Email Opt Out set in Salesforce (R1)",
        )
        if ctx.dry_run:
            continue
        link = ctx.state.links_by_hubspot(item.object, [item.hubspot_id]).get(item.hubspot_id)
        owe_unsubscribe(
            ctx,
            item,
            _confirmed(ctx, link, counted),
            _failed(ctx, item),
            record=moved,  # the row follows the address it is sent to
        )
    return len(owed)


def _contacts_now(ctx: Context, owed: list[Owed]) -> dict[tuple[str, str], Record]:
    """Each owing contact as HubSpot has it now: its email and opt-out."""
    by_object: dict[str, list[str]] = {}
    for item in owed:
        by_object.setdefault(item.object, []).append(item.hubspot_id)
    found: dict[tuple[str, str], Record] = {}
    for obj, ids in sorted(by_object.items()):
        ctx.report.reads += 1
        for record in ctx.hubspot.read_by_ids(obj, ids, [EMAIL, OPT_OUT_HUBSPOT]):
            found[(obj, str(record[HUBSPOT_ID]))] = record
    return found


def _confirmed(ctx: Context, link: Link | None, counted: Callable[[], None]) -> Callable[[], None]:
    def confirmed() -> None:
        counted()
        if link is not None:
            link.hs_values[OPT_OUT_HUBSPOT] = "true"
            ctx.touch(link)

    return confirmed


def _failed(ctx: Context, item: Owed) -> Callable[[WriteResult], None]:
    def failed(result: WriteResult) -> None:
        for err in result.errors:
            ctx.error(item.object, HUBSPOT, item.sf_id, err.code, err.message, (OPT_OUT_HUBSPOT,))

    return failed
