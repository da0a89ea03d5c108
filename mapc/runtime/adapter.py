"""What a generated adapter hands the runner: compiled rules as data and plain functions.

A generated module (generated/<mapping>.py) builds one `Adapter` from these classes and
nothing else, so the sync engine interprets nothing per record: transforms, predicates,
match keys and value maps are ordinary Python functions and constants in that module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mapc.runtime.kinds import Behaviour as Behaviour
from mapc.runtime.kinds import CreateContacts as CreateContacts
from mapc.runtime.kinds import MatchKind as MatchKind
from mapc.runtime.kinds import OnDelete as OnDelete
from mapc.runtime.kinds import PersonAccounts as PersonAccounts
from mapc.runtime.kinds import Rule as Rule

RecordView = Mapping[str, Any]
"""A record as generated code is handed it: field or property name -> value (None when
blank). The engine's records are `records.Record` dicts; generated transforms, match keys
and filters only read them, and take a read-only Mapping so the engine may hand them what
it holds read-only (the last synced snapshots, the records the rules decide on) and so no
generated function can change a record the engine shares."""

Values = dict[str, Any]
"""Values to write to one side: field or property name -> value."""


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
    to_salesforce: Callable[[str, RecordView], Values]
    """(salesforce object, HubSpot record) -> the record's values converted for that object:
    types and value maps, blank as None, a value its map lacks left out. A pure conversion
    of every field whose rule lets values flow to Salesforce (not the opt-out, R1): what a
    field's rule writes, and when, is decided in one place, `runtime/sync/decide.py`."""
    to_hubspot: Callable[[str, RecordView], Values]
    """(salesforce object, Salesforce record) -> its values converted for HubSpot, the same way."""
    match_key: Callable[[RecordView], str | None] | None = None
    """HubSpot record -> dedup key (e.g. the lower-cased, stripped email)."""
    salesforce_match_key: Callable[[RecordView], str | None] | None = None
    """Salesforce record -> dedup key, the same normalisation."""
    include: Callable[[RecordView], bool] | None = None
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
    task_values: Callable[[RecordView], Values]
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
