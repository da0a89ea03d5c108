"""The kinds of things a mapping says, shared by the compiler and the engine: field rules,
the contact-creation and person-account settings, match kinds and named behaviours.

Apart from `adapter.py` so that checking a mapping does not build the adapter's classes.
"""

from __future__ import annotations

from enum import StrEnum


class Rule(StrEnum):
    """How one field syncs (HubSpot's connector's per-field rules)."""

    TWO_WAY = "two_way"
    """Both directions; when both sides changed since the last sync, the newer change wins."""
    PREFER_SALESFORCE = "prefer_salesforce"
    """Salesforce's value wins; HubSpot's value is written only while Salesforce's is blank."""
    ALWAYS_SALESFORCE = "always_salesforce"
    """Salesforce -> HubSpot only."""
    ALWAYS_HUBSPOT = "always_hubspot"
    """HubSpot -> Salesforce only."""
    DO_NOT_SYNC = "do_not_sync"
    """Mapped for documentation and matching, never written."""
    OPT_OUT = "opt_out"
    """The standard email opt-out mapping (R1): unsubscribes travel both ways, a cleared
    Salesforce Email Opt Out never resubscribes HubSpot, and HubSpot's side is written
    through the Communication Preferences API, not the property."""


class CreateContacts(StrEnum):
    """R5: which new Salesforce records create HubSpot contacts."""

    LEADS_AND_CONTACTS = "leads_and_contacts"
    CONTACTS_ONLY = "contacts_only"
    NEVER = "never"


class PersonAccounts(StrEnum):
    """R7: whether the org has person accounts, a fact of the org."""

    AUTO = "auto"
    """Read it from the org's describe at the start of each run."""
    ON = "true"
    """The org has them; a run against an org without them stops with one sentence."""
    OFF = "false"
    """Never look for them."""


class OnDelete(StrEnum):
    """What a record deleted on one side does to its counterpart on the other."""

    DELETE = "delete"
    """The counterpart is deleted too (HubSpot archives it; Salesforce moves it to the
    recycle bin), when the pair was syncing."""
    UNLINK = "unlink"
    """The counterpart stays; only the link goes, so a later change to it is a new record
    to the sync (matched again by key, or created)."""


class MatchKind(StrEnum):
    FIELD = "field"
    """Deduplicate by one field's value (contacts: email, case-insensitive)."""
    ASSOCIATED_CONTACTS = "associated_contacts"
    """Companies <-> accounts by their associated contacts; sticky once linked."""
    NONE = "none"
    """Never deduplicate (deals <-> opportunities)."""


class Behaviour(StrEnum):
    """A behaviour of HubSpot's connector that no field rule expresses, switched on per
    object pair by the compiler from the mapping; the engine implements each one in one
    module (mapc/runtime/sync/behaviours.py) and nowhere else."""

    LEADS_AND_CONTACTS = "leads_and_contacts"
    """R5, R6: HubSpot contacts pair with Salesforce leads and contacts; a Contact is
    preferred to a Lead with the same email; `create_hubspot_contacts` says which new
    Salesforce records create HubSpot contacts."""
    COMMUNICATION_PREFERENCES = "communication_preferences"
    """R1: the opt-out reaches HubSpot through the Communication Preferences API."""
    CONTACT_COMPANY = "contact_company"
    """R6: a contact's company is its Contact's account, through the company <-> account
    links (contacts, when companies sync too)."""
    COMPANY_BY_CONTACTS = "company_by_contacts"
    """R6: companies match accounts by their associated contacts, sticky once linked."""
    PERSON_ACCOUNTS = "person_accounts"
    """R7: person accounts become a HubSpot company and contact, written through
    Salesforce only."""
    CLOSED_WON = "closed_won"
    """R9: Closed/Won opportunities set a property of their contact-role contacts."""
    DEAL_CONTACT_ROLES = "deal_contact_roles"
    """A deal's associated contacts are its opportunity's contact roles, both ways
    (deals, when contacts sync with Salesforce Contacts)."""
