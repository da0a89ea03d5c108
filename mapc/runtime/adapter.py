"""What a generated adapter hands the runner: compiled rules as data and plain functions.

A generated module (generated/<mapping>.py) builds one `Adapter` from these classes and
nothing else, so the sync engine interprets nothing per record: transforms, predicates,
match keys and value maps are ordinary Python functions and constants in that module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

Record = Mapping[str, Any]
"""A record as read from one side: field or property name -> value (None when blank)."""

Values = dict[str, Any]
"""Values to write to one side: field or property name -> value."""


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


@dataclass(frozen=True)
class AssociationSync:
    """`associate contacts <-> ContactId` in a `sync` block: the records' HubSpot
    association with another synced object, as a Salesforce reference field, through the
    links of that object's pair."""

    hubspot_object: str
    """The associated HubSpot object (it has its own `sync` block)."""
    salesforce_field: str
    """The reference field on this pair's Salesforce object(s)."""
    salesforce_objects: tuple[str, ...]
    """This pair's Salesforce objects that have the field."""
    targets: tuple[str, ...]
    """The Salesforce objects the field may point at that the associated pair syncs."""
    to_salesforce: bool
    to_hubspot: bool


@dataclass(frozen=True)
class FieldSync:
    """One field mapping as it will run."""

    hubspot: str
    salesforce: str
    salesforce_objects: tuple[str, ...]
    """The Salesforce objects of the pair that have this field (e.g. only Lead for Company)."""
    rule: Rule
    to_salesforce: bool
    to_hubspot: bool
    owner: bool = False
    """R10: an owner field; HubSpot owners are translated to Salesforce users by name and
    email, and an owner with no active Salesforce user is reset to Salesforce's value."""


@dataclass(frozen=True)
class MatchSpec:
    kind: MatchKind
    hubspot_field: str | None = None
    salesforce_field: str | None = None
    ignore_case: bool = False


@dataclass(frozen=True)
class ObjectSync:
    """One `sync` block: a HubSpot object and the Salesforce objects it pairs with."""

    hubspot_object: str
    """The HubSpot object type as its API addresses it: `contacts`, or `p_widgets` for the
    custom object a mapping calls `widgets`."""
    salesforce_objects: tuple[str, ...]
    match: MatchSpec
    fields: tuple[FieldSync, ...]
    hubspot_properties: tuple[str, ...]
    """Properties to read from HubSpot (mapped ones, plus what matching and filters need)."""
    salesforce_fields: Mapping[str, tuple[str, ...]]
    """Per Salesforce object, the SOQL select list (mapped fields plus Id and timestamps)."""
    to_salesforce: Callable[[str, Record, Record | None], Values]
    """(salesforce object, HubSpot record, current Salesforce record or None) -> values the
    rules allow to flow to Salesforce. Value maps and rule logic that depends only on the
    values (prefer-unless-blank, opt-out) are compiled in; deciding which changed since
    the last sync is the engine's job."""
    to_hubspot: Callable[[str, Record, Record | None], Values]
    """(salesforce object, Salesforce record, current HubSpot record or None) -> values."""
    match_key: Callable[[Record], str | None] | None = None
    """HubSpot record -> dedup key (e.g. the lower-cased, stripped email)."""
    salesforce_match_key: Callable[[Record], str | None] | None = None
    """Salesforce record -> dedup key, the same normalisation."""
    include: Callable[[Record], bool] | None = None
    """R4: whether a HubSpot record syncs to Salesforce; None means all do."""
    include_search_filter: tuple[Mapping[str, Any], ...] | None = None
    """The same filter as HubSpot search filterGroups, when it can be expressed there."""
    create_defaults: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Per Salesforce object, values for fields required on create that no mapping fed."""
    hubspot_create_defaults: Mapping[str, Any] = field(default_factory=dict)
    """Values for HubSpot properties the records mapc creates there need and no mapping
    fed (`default tickets.hs_pipeline_stage = "1"`)."""
    associations: tuple[AssociationSync, ...] = ()
    hubspot_to_salesforce: bool = True
    """The block's arrow lets records travel HubSpot -> Salesforce (`<->` or `->`)."""
    salesforce_to_hubspot: bool = True
    """The block's arrow lets records travel Salesforce -> HubSpot (`<->` or `<-`)."""
    behaviours: tuple[Behaviour, ...] = ()
    """The connector's behaviours this pair has (the compiler decides from the mapping)."""
    create_object: str | None = None
    """The Salesforce object a new HubSpot record creates (`create_salesforce_as` for
    contacts); None: the first of `salesforce_objects`."""
    on_salesforce_delete: OnDelete = OnDelete.DELETE
    """`on delete in salesforce`: HubSpot's connector removes the HubSpot record that was
    syncing with a deleted Salesforce record (a merged-away one whose survivor syncs with
    another HubSpot record too)."""
    on_hubspot_delete: OnDelete = OnDelete.UNLINK
    """`on delete in hubspot`: HubSpot's connector never deletes in Salesforce."""
    salesforce_keys: Mapping[str, str] = field(default_factory=dict)
    """Per Salesforce object, its idempotency key (`idempotency key Lead.HubSpot_Id__c`):
    an external id, unique, that holds the HubSpot record's id. Records mapc creates there
    are upserted by it, so a create retried after a lost answer finds the first one."""
    hubspot_key: str | None = None
    """The HubSpot idempotency key (`idempotency key contacts.salesforce_id`): a unique
    property that holds the Salesforce record's id; creates are batch upserts by it."""


@dataclass(frozen=True)
class ClosedWonRule:
    """R9: a Closed/Won opportunity sets a HubSpot contact property on the contacts linked
    through its opportunity contact roles (and only those)."""

    hubspot_object: str
    hubspot_property: str
    value: Any
    via: str = "contact_roles"


@dataclass(frozen=True)
class EmailEventsRule:
    """R8: marketing email events -> one Salesforce Task each, never deduplicated."""

    event_types: tuple[str, ...]
    """HubSpot Email Events API types, e.g. ("OPEN", "CLICK")."""
    salesforce_object: str
    task_values: Callable[[Record], Values]
    """An email event -> the Task's field values (Subject, Status, ActivityDate...)."""
    look_back_seconds: int = 0
    """`look back`: each run reads this window's events again, so the events of a contact
    that starts syncing later still become tasks; 0 reads only what is new."""


@dataclass(frozen=True)
class Settings:
    create_hubspot_contacts: CreateContacts = CreateContacts.LEADS_AND_CONTACTS
    shared_org: bool = False
    """R11: several HubSpot accounts share this Salesforce org (one mapping/state each)."""
    person_accounts: PersonAccounts = PersonAccounts.AUTO
    """R7: whether the org has person accounts (`auto`: as its describe says)."""


@dataclass(frozen=True)
class Adapter:
    """Everything the runner needs to sync one mapping."""

    name: str
    source_path: str
    source_sha256: str
    mapc_version: str
    settings: Settings
    objects: tuple[ObjectSync, ...]
    closed_won: ClosedWonRule | None = None
    email_events: EmailEventsRule | None = None

    def object_for(self, hubspot_object: str) -> ObjectSync | None:
        """The pair of a HubSpot object, by the name its API knows (`p_widgets`) or, for a
        custom object, by the name the mapping gave it (`widgets`)."""
        for name in (hubspot_object, f"p_{hubspot_object}"):
            found = next((o for o in self.objects if o.hubspot_object == name), None)
            if found is not None:
                return found
        return None
