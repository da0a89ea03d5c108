"""R9: a Closed/Won opportunity makes the HubSpot contacts linked to it through opportunity
contact roles (and only those) customers; one with no contact roles changes nothing."""

from __future__ import annotations

from typing import Any

from mapc.runtime.adapter import ClosedWonRule
from mapc.runtime.records import WriteResult
from mapc.runtime.sync.context import HUBSPOT, SALESFORCE, Context
from mapc.runtime.sync.decide import offered
from mapc.runtime.sync.state import Link
from mapc.runtime.sync.values import canon_text, same, truthy
from mapc.runtime.sync.writes import HUBSPOT_BATCH, SALESFORCE_BATCH

WON_STAGE = "Closed Won"
WON_FROM = "Opportunity"
DEALS = "deals"
WAITING = "CONTACT_NOT_SYNCED"


def is_won(opportunity: dict[str, Any]) -> bool:
    if "IsWon" in opportunity and opportunity["IsWon"] is not None:
        return truthy(opportunity["IsWon"])
    return str(opportunity.get("StageName") or "") == WON_STAGE


def reads_won_from(sobject: str) -> bool:
    """Closed/Won walks every staged record of this Salesforce object."""
    return sobject == WON_FROM


def apply_closed_won(ctx: Context, rule: ClosedWonRule) -> None:
    contacts = ctx.adapter.object_for(rule.hubspot_object)
    if contacts is None:
        return
    won: list[str] = []
    for chunk in ctx.staging.chunks(SALESFORCE, WON_FROM, 500):
        won.extend(str(o["Id"]) for o in chunk if is_won(o))
    if not won:
        return
    opportunity_of: dict[str, str] = {}
    for start in range(0, len(won), 200):
        for role in ctx.salesforce.opportunity_contact_roles(won[start : start + 200]):
            if role.get("ContactId"):
                opportunity_of[str(role["ContactId"])] = str(role["OpportunityId"])
    links = ctx.state.links_by_salesforce(rule.hubspot_object, opportunity_of)
    # A contact whose own sync failed is not linked yet: keep its opportunity in the
    # error log, so the next run reads it again and finishes the job.
    failing = set(ctx.state.log.open_error_ids(rule.hubspot_object, HUBSPOT))
    waiting = {c: o for c, o in opportunity_of.items() if c not in links and c in failing}
    for contact, opportunity in sorted(waiting.items()):
        ctx.error(
            DEALS,
            HUBSPOT,
            opportunity,
            WAITING,
            f"contact role {contact} has not synced yet; Closed/Won waits for it (R9)",
        )
    if not ctx.dry_run:
        ctx.state.log.resolve_errors(
            DEALS,
            HUBSPOT,
            sorted({o for o in opportunity_of.values() if o not in waiting.values()}),
            WAITING,
        )
    hs = ctx.hubspot
    ctx.writes.queue(
        f"hs:update:{rule.hubspot_object}",
        HUBSPOT_BATCH,
        lambda r: hs.update(rule.hubspot_object, r),
        after=lambda _i: ctx.save(),
    )
    for link in sorted(links.values(), key=lambda x: x.sf_id):
        if same(link.hs_values.get(rule.hubspot_property), rule.value):
            continue
        if link.flags.excluded:  # linked, but not syncing (R4, R5)
            ctx.report.add(
                rule.hubspot_object,
                HUBSPOT,
                "skip",
                f"{rule.hubspot_object} {link.hubspot_id}",
                reason="contact role outside the inclusion list: not syncing (R5, R9)",
            )
            continue
        _promote(ctx, rule, link, opportunity_of[link.sf_id])
    ctx.writes.flush_all()
    ctx.save()


def _promote(ctx: Context, rule: ClosedWonRule, link: Link, opportunity: str) -> None:
    """Failures are recorded against the opportunity, so the next run re-reads it."""
    name = rule.hubspot_object
    obj = ctx.adapter.object_for(name)
    assert obj is not None
    hs_counted = ctx.will(
        name,
        HUBSPOT,
        "update",
        f"{name} {link.hubspot_id}",
        (rule.hubspot_property,),
        "contact role on a Closed/Won opportunity (R9)",
    )
    # The property may itself map to Salesforce (lifecycle stage -> Lifecycle_Stage__c):
    # send it along now, so the next run has nothing left to do.
    after = {**link.hs_values, rule.hubspot_property: rule.value}
    proposed = offered(obj, link.sf_object, after, link.sf_values, to_salesforce=True)
    onward = {
        f.salesforce: proposed[f.salesforce]
        for f in obj.fields
        if f.hubspot == rule.hubspot_property
        and f.to_salesforce
        and link.sf_object in f.salesforce_objects
        and f.salesforce in proposed
        and not same(proposed[f.salesforce], link.sf_values.get(f.salesforce))
    }
    sf_counted = (
        ctx.will(
            name,
            SALESFORCE,
            "update",
            f"{link.sf_object} {link.sf_id}",
            tuple(sorted(onward)),
            "lifecycle stage from a Closed/Won opportunity (R9)",
        )
        if onward
        else (lambda: None)
    )
    if ctx.dry_run:
        return

    def hs_done(result: WriteResult) -> None:
        if result.ok:
            hs_counted()
            if not onward:
                link.hs_values[rule.hubspot_property] = canon_text(rule.value)
                ctx.touch(link)
                ctx.state.log.resolve_errors(DEALS, HUBSPOT, [opportunity])
            else:
                # Recorded only once Salesforce has it too: if the run dies in between,
                # the next run sees HubSpot's change and sends it on.
                ctx.touch(link)
                ctx.writes.queue(
                    f"sf:update:{link.sf_object}",
                    SALESFORCE_BATCH,
                    lambda r: ctx.salesforce.update(link.sf_object, r),
                    after=lambda _i: ctx.save(),
                )
                ctx.writes.add(f"sf:update:{link.sf_object}", {"Id": link.sf_id, **onward}, sf_done)
        else:
            for err in result.errors:
                ctx.error(
                    DEALS, HUBSPOT, opportunity, err.code, err.message, (rule.hubspot_property,)
                )

    def sf_done(result: WriteResult) -> None:
        if result.ok:
            sf_counted()
            for key, value in onward.items():
                link.sf_values[key] = canon_text(value)
            link.hs_values[rule.hubspot_property] = canon_text(rule.value)
            ctx.touch(link)
            ctx.state.log.resolve_errors(DEALS, HUBSPOT, [opportunity])
        else:
            for err in result.errors:
                ctx.error(DEALS, HUBSPOT, opportunity, err.code, err.message, err.fields)

    ctx.writes.add(
        f"hs:update:{name}", {"id": link.hubspot_id, rule.hubspot_property: rule.value}, hs_done
    )
