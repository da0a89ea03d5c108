"""Contact <-> company associations travel as Contact.AccountId through the company <->
account links (R2: a contact's Account Name is a reference, so it never syncs as text)."""

from __future__ import annotations

from mapc.runtime.adapter import ObjectSync
from mapc.runtime.records import Record, WriteResult
from mapc.runtime.sync.apply import PARENT_KEY
from mapc.runtime.sync.behaviours.names import ACCOUNT_ID, COMPANY_OF_CONTACT, CONTACT
from mapc.runtime.sync.behaviours.seed import leads_and_contacts
from mapc.runtime.sync.context import HUBSPOT, SALESFORCE, Context
from mapc.runtime.sync.state import Link
from mapc.runtime.sync.writes import HUBSPOT_BATCH, SALESFORCE_BATCH

CONTACTS = "contacts"
COMPANIES = "companies"


def read_companies(
    ctx: Context,
    obj: ObjectSync,
    by_id: dict[str, Record],
    links: dict[str, Link],
    matches: dict[str, tuple[str, str]],
) -> None:
    """The company of each HubSpot contact read that syncs with a Salesforce Contact (a
    lead has no account), as its parent key: the primary company when HubSpot names one,
    else the first associated one."""
    if not (leads_and_contacts(obj) and ctx.syncs_companies):
        return
    ids = [
        hs_id
        for hs_id in by_id
        if (links[hs_id].sf_object if hs_id in links else matches.get(hs_id, ("",))[0]) == CONTACT
    ]
    if not ids:
        return
    need = [i for i in ids if not by_id[i].get(COMPANY_OF_CONTACT)]
    companies = ctx.hubspot.associations(CONTACTS, COMPANIES, need) if need else {}
    ctx.report.reads += 1 if need else 0
    for hs_id in ids:
        hs = by_id[hs_id]
        if not hs.get(COMPANY_OF_CONTACT) and hs_id not in companies:
            continue  # unreadable: no parent key, so the account is left as it is
        found = sorted(companies.get(hs_id, []), key=lambda x: (len(x), x))
        hs[PARENT_KEY] = hs.get(COMPANY_OF_CONTACT) or (found[0] if found else None)


def parent_unmoved_at_read(ctx: Context, obj: ObjectSync, link: Link, record: Record) -> bool:
    """Before the survey reads any association: whether a HubSpot contact read is still
    with the company its link last synced (`parent_moved` once `read_companies` ran).
    False when the record names no primary company: only an associations read could tell."""
    if not (leads_and_contacts(obj) and ctx.syncs_companies) or link.sf_object != CONTACT:
        return True  # `read_companies` gives it no parent key
    company = record.get(COMPANY_OF_CONTACT)
    return bool(company) and company == link.hs_parent


def parent_moved(obj: ObjectSync, link: Link, record: Record, side: str) -> bool:
    """A contact read on `side` is with another company (HubSpot) or account (Salesforce)
    than when it last synced."""
    if side == HUBSPOT:
        return PARENT_KEY in record and record[PARENT_KEY] != link.hs_parent
    return (
        ACCOUNT_ID in record
        and leads_and_contacts(obj)
        and (record.get(ACCOUNT_ID) or None) != link.sf_parent
    )


def sync_associations(ctx: Context) -> None:
    hs, sf = ctx.hubspot, ctx.salesforce
    ctx.writes.queue(
        "sf:update:Contact",
        SALESFORCE_BATCH,
        lambda r: sf.update("Contact", r),
        after=lambda _items: ctx.save(),
    )
    ctx.writes.queue(
        "hs:associate:contacts:companies",
        HUBSPOT_BATCH,
        lambda pairs: hs.associate(CONTACTS, COMPANIES, pairs),
        after=lambda _items: ctx.save(),
    )
    # Only contacts read or linked this run, and those of companies linked this run, can
    # have an association to sync: the cost follows the changes, not the org's size.
    wanted = set(ctx.association_candidates)
    for company, account in ctx.new_companies:
        wanted.update(link.hubspot_id for link in ctx.state.parents_of(CONTACTS, hs_parent=company))
        wanted.update(link.hubspot_id for link in ctx.state.parents_of(CONTACTS, sf_parent=account))
    ids = sorted(wanted)
    for start in range(0, len(ids), 500):
        batch = ctx.state.links_by_hubspot(CONTACTS, ids[start : start + 500]).values()
        contacts = [link for link in batch if link.sf_object == "Contact"]
        by_company = ctx.state.links_by_hubspot(
            COMPANIES, [c.hs_parent for c in contacts if c.hs_parent]
        )
        by_account = ctx.state.links_by_salesforce(
            COMPANIES, [c.sf_parent for c in contacts if c.sf_parent]
        )
        for link in contacts:
            _one(ctx, link, by_company, by_account)
    ctx.association_candidates.clear()
    ctx.new_companies.clear()
    ctx.writes.flush_all()
    ctx.save()


def _one(
    ctx: Context, link: Link, by_company: dict[str, Link], by_account: dict[str, Link]
) -> None:
    hp, sp = link.hs_parent, link.sf_parent
    hs_last, sf_last = link.flags.parents
    hs_changed = hp != hs_last
    sf_changed = sp != sf_last
    account = by_company[hp].sf_id if hp and hp in by_company else None
    company = by_account[sp].hubspot_id if sp and sp in by_account else None
    person = link.flags.person
    if account and account != sp and (hs_changed or not sp) and not person:
        sf_counted = ctx.will(
            CONTACTS,
            SALESFORCE,
            "associate",
            f"Contact {link.sf_id}",
            ("AccountId",),
            f"company {hp} is account {account}",
        )
        if ctx.dry_run:
            return

        def sf_done(result: WriteResult, account: str = account) -> None:
            if result.ok:
                sf_counted()
                link.sf_parent = account
                link.flags.parents = (hp, account)
                ctx.touch(link)
            else:
                for err in result.errors:
                    ctx.error(
                        CONTACTS, SALESFORCE, link.hubspot_id, err.code, err.message, ("AccountId",)
                    )

        ctx.writes.add("sf:update:Contact", {"Id": link.sf_id, "AccountId": account}, sf_done)
        return
    if company and company != hp and (sf_changed or not hp):
        hs_counted = ctx.will(
            CONTACTS,
            HUBSPOT,
            "associate",
            f"contacts {link.hubspot_id}",
            ("company",),
            f"account {sp} is company {company}",
        )
        if ctx.dry_run:
            return

        def hs_done(result: WriteResult, company: str = company) -> None:
            if result.ok:
                hs_counted()
                # The association is added; which company HubSpot then reports as the
                # contact's (its primary, associatedcompanyid) is HubSpot's choice, often
                # still the old one. Remember what HubSpot showed, not what we added: the
                # next read of this contact must not look like a move made in HubSpot and
                # send Salesforce back to the old account. A contact with no company
                # before gets this one as its primary.
                if not hp:
                    link.hs_parent = company
                link.flags.parents = (link.hs_parent, sp)
                ctx.touch(link)
            else:
                for err in result.errors:
                    ctx.error(CONTACTS, HUBSPOT, link.sf_id, err.code, err.message, ("company",))

        ctx.writes.add("hs:associate:contacts:companies", (link.hubspot_id, company), hs_done)
        return
    if link.flags.parents != (hp, sp):
        link.flags.parents = (hp, sp)
        ctx.touch(link)
