"""Which pairs are the seed's own, asked of the behaviours the compiler switched on (never
of object names): contacts with leads and contacts (R5, R6) and their companies (R6)."""

from __future__ import annotations

from mapc.runtime.adapter import Behaviour, ObjectSync
from mapc.runtime.sync.behaviours.names import CONTACT


def leads_and_contacts(obj: ObjectSync | None) -> bool:
    """R5, R6: HubSpot contacts with Salesforce leads and contacts."""
    return obj is not None and Behaviour.LEADS_AND_CONTACTS in obj.behaviours


def matches_by_contacts(obj: ObjectSync | None) -> bool:
    """R6: companies with accounts, matched through their contacts, sticky."""
    return obj is not None and Behaviour.COMPANY_BY_CONTACTS in obj.behaviours


def company_link_candidate(obj: ObjectSync | None, sobject: str) -> bool:
    """A contact linked with a Salesforce Contact (a lead has no account) may have a
    company <-> account association to sync (R2, R6)."""
    return leads_and_contacts(obj) and sobject == CONTACT


def contact_first(item: tuple[str, str]) -> tuple[int, str]:
    """A Contact is the converted, longer-lived record: prefer it to a lead with the same
    email (R6). `item` is (Salesforce object, id)."""
    sobject, rid = item
    return (0 if sobject == CONTACT else 1, rid)
