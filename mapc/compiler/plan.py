"""The checked plan: what a valid mapping will run, resolved against the catalogs.

The checker builds it from the IR (syntax, as written); code generation reads only this.
Everything here is sorted or in written order and frozen, so generation is deterministic.
"""

from __future__ import annotations

from msgspec import Struct

from mapc.compiler import ir
from mapc.compiler.source import Span
from mapc.runtime.kinds import (
    Behaviour,
    CreateContacts,
    MatchKind,
    OnDelete,
    PersonAccounts,
    Rule,
)


class PlannedField(Struct, frozen=True, gc=False):
    hubspot: str
    hubspot_kind: str
    """mapc type kind of the HubSpot property (text, enumeration, bool, ...)."""
    salesforce: str
    salesforce_kind: str
    salesforce_objects: tuple[str, ...]
    rule: Rule
    to_salesforce: bool
    to_hubspot: bool
    owner: bool
    value_map: str | None
    span: Span


class PlannedValueMap(Struct, frozen=True, gc=False):
    name: str
    pairs: tuple[tuple[str, str], ...]
    """(HubSpot option, Salesforce value) in written order."""
    two_way: bool
    """Used by a mapping that flows Salesforce -> HubSpot too (so it is one-to-one)."""


class PlannedMatch(Struct, frozen=True, gc=False):
    kind: MatchKind
    hubspot_field: str | None = None
    salesforce_field: str | None = None
    ignore_case: bool = False


class PlannedDefault(Struct, frozen=True, gc=False):
    salesforce_object: str
    field: str
    value: ir.Scalar


class PlannedAssociation(Struct, frozen=True, gc=False):
    """`associate contacts <-> ContactId`: see `adapter.AssociationSync`."""

    hubspot_object: str
    salesforce_field: str
    salesforce_objects: tuple[str, ...]
    targets: tuple[str, ...]
    to_salesforce: bool
    to_hubspot: bool


class PlannedObject(Struct, frozen=True, gc=False):
    hubspot_object: str
    salesforce_objects: tuple[str, ...]
    match: PlannedMatch
    fields: tuple[PlannedField, ...]
    include: ir.Expr | None
    """The inclusion filter (R4), over HubSpot properties, checked."""
    include_kinds: tuple[tuple[str, str], ...]
    """(HubSpot property, kind) for every property the filter reads, sorted."""
    defaults: tuple[PlannedDefault, ...]
    hubspot_properties: tuple[str, ...]
    salesforce_fields: tuple[tuple[str, tuple[str, ...]], ...]
    """(Salesforce object, select list), in the pair's order."""
    associations: tuple[PlannedAssociation, ...] = ()
    """In written order."""
    hubspot_defaults: tuple[tuple[str, ir.Scalar], ...] = ()
    """(HubSpot property, value) set on the HubSpot records mapc creates, written order."""
    hubspot_to_salesforce: bool = True
    salesforce_to_hubspot: bool = True
    """The block's arrow: which ways records travel (and are created)."""
    behaviours: tuple[Behaviour, ...] = ()
    """The connector's named behaviours this pair has, in `Behaviour`'s order."""
    salesforce_keys: tuple[tuple[str, str], ...] = ()
    """(Salesforce object, its idempotency key field), in the pair's order."""
    hubspot_key: str | None = None
    """The HubSpot property that is the pair's idempotency key, if declared."""
    create_object: str | None = None
    """The Salesforce object a new HubSpot record creates, when the pair has several."""
    on_salesforce_delete: OnDelete = OnDelete.DELETE
    """`on delete in salesforce`: what a Salesforce deletion does to the HubSpot record."""
    on_hubspot_delete: OnDelete = OnDelete.UNLINK
    """`on delete in hubspot`: what a HubSpot deletion does to the Salesforce record."""


class PlannedClosedWon(Struct, frozen=True, gc=False):
    hubspot_object: str
    hubspot_property: str
    value: ir.Scalar
    via: str


class PlannedEmailEvents(Struct, frozen=True, gc=False):
    event_types: tuple[str, ...]
    """Email Events API types, e.g. ("OPEN", "CLICK")."""
    salesforce_object: str
    look_back_seconds: int = 0
    """`look back`: events this old still become tasks once their contact syncs."""


class Plan(Struct, frozen=True, gc=False):
    name: str
    source_path: str
    source_sha256: str
    create_hubspot_contacts: CreateContacts
    shared_org: bool
    person_accounts: PersonAccounts
    objects: tuple[PlannedObject, ...]
    value_maps: tuple[PlannedValueMap, ...]
    closed_won: PlannedClosedWon | None
    email_events: PlannedEmailEvents | None
