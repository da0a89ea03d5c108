"""Lead conversion (R5, R6): a converted lead's HubSpot contact moves to the Contact the
conversion made (or merged it into), before anything is reconciled.

Salesforce keeps a converted lead, read-only (`CANNOT_UPDATE_CONVERTED_LEAD`), with
`IsConverted` and the ids of what it became. The link moves from the lead to
`ConvertedContactId`, keeping its last synced values, so the Contact (which carries the
same email) is not taken for a duplicate, and the contact's later changes sync with it.
The converted account and opportunity are ordinary new records of their pairs: the
account links to the company of the contact's associated contacts (R6), the opportunity
becomes a deal with that company and the contact (its contact role). A lead converted
into a person account moves to the person account's contact (R7).
"""

from __future__ import annotations

import logging

from mapc.runtime.adapter import ObjectSync
from mapc.runtime.records import Record
from mapc.runtime.sync.behaviours.names import (
    CONTACT,
    CONVERTED_ACCOUNT,
    CONVERTED_CONTACT,
    IS_CONVERTED,
    LEAD,
    SALESFORCE_ID,
)
from mapc.runtime.sync.behaviours.seed import leads_and_contacts
from mapc.runtime.sync.context import HUBSPOT, SALESFORCE, Context
from mapc.runtime.sync.decide import fields_for
from mapc.runtime.sync.state import Link
from mapc.runtime.sync.values import truthy

log = logging.getLogger("mapc.sync")


def retired(link: Link) -> str | None:
    """The Contact a link's lead was merged into, when the link no longer syncs (the link
    stays: the HubSpot contact is not new)."""
    return link.flags.converted_into


def converted(record: Record) -> bool:
    return truthy(record.get(IS_CONVERTED))


def follow_conversions(ctx: Context, obj: ObjectSync) -> None:
    """Move the links of the leads read this run that have been converted, and keep every
    converted lead out of the rest of the run (it can be neither written nor copied)."""
    if not leads_and_contacts(obj) or LEAD not in obj.salesforce_objects:
        return
    for chunk in ctx.staging.chunks(SALESFORCE, LEAD, 500):
        leads = [r for r in chunk if converted(r)]
        if not leads:
            continue
        ids = [str(r[SALESFORCE_ID]) for r in leads]
        ctx.retired.update(ids)
        if not ctx.dry_run:  # no HubSpot contact is ever matched with it again
            ctx.state.put_keys(SALESFORCE, LEAD, [(i, None) for i in ids])
        links = ctx.state.links_by_salesforce(obj.hubspot_object, ids)
        targets = {str(r.get(CONVERTED_CONTACT) or "") for r in leads} - {""}
        taken = ctx.state.links_by_salesforce(obj.hubspot_object, targets)
        for lead in leads:
            _one(ctx, obj, lead, links.get(str(lead[SALESFORCE_ID])), taken)
        ctx.save()  # the next chunk's `taken` sees this one's relinks


def _one(
    ctx: Context, obj: ObjectSync, lead: Record, link: Link | None, taken: dict[str, Link]
) -> None:
    name, lead_id = obj.hubspot_object, str(lead[SALESFORCE_ID])
    contact = str(lead.get(CONVERTED_CONTACT) or "") or None
    record = f"{LEAD} {lead_id}"
    if link is None:
        ctx.report.add(name, HUBSPOT, "skip", record, reason=f"converted into {CONTACT} {contact}")
        return
    other = taken.get(contact or "")
    if (
        contact is None
        or CONTACT not in obj.salesforce_objects
        or (other is not None and other.hubspot_id != link.hubspot_id)
    ):
        # Merged into a Contact that syncs with another HubSpot contact (a different
        # email): that pair stands; this contact keeps no Salesforce record to sync with.
        if contact is None:
            why = "converted without a contact"
        elif other is not None:
            why = f"converted into {CONTACT} {contact}, which syncs with {name} {other.hubspot_id}"
        else:
            why = f"converted into {CONTACT} {contact}, which this pair does not sync"
        if not ctx.dry_run:
            link.flags.converted_into = contact or lead_id
            ctx.touch(link)
        ctx.report.add(name, SALESFORCE, "skip", f"{name} {link.hubspot_id}", reason=why)
        return
    if ctx.dry_run:
        ctx.report.add(
            name, SALESFORCE, "relink", record, reason=f"converted into {CONTACT} {contact}"
        )
        return
    keep = {f.salesforce for f in fields_for(obj, CONTACT)}
    log.info(
        "%s %s: lead %s converted, now syncs with contact %s",
        name,
        link.hubspot_id,
        lead_id,
        contact,
    )
    link.sf_object, link.sf_id = CONTACT, contact
    link.sf_values = {k: v for k, v in link.sf_values.items() if k in keep}
    link.sf_parent = str(lead.get(CONVERTED_ACCOUNT) or "") or None
    ctx.report.add(name, SALESFORCE, "relink", record, reason=f"converted into {CONTACT} {contact}")
    ctx.touch(link)
    # Duplicate leads merged into one Contact: the first takes it, the rest are retired
    # (two links on one Contact would break every later save).
    taken[contact] = link
