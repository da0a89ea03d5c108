"""State shared by the checker's passes: the inputs, what they resolved, the diagnostics."""

from __future__ import annotations

from msgspec import Struct, field

from mapc.compiler import ir
from mapc.compiler.catalog import Catalog, FieldDef, ObjectDef
from mapc.compiler.diagnostics import Diagnostic
from mapc.compiler.source import Source, Span
from mapc.runtime.kinds import CreateContacts, OnDelete, PersonAccounts, Rule


class ResolvedField(Struct):
    """A field mapping whose names resolved, with what each side turned out to be."""

    node: ir.FieldMap
    hubspot: FieldDef
    salesforce: dict[str, FieldDef]
    """Salesforce object -> the field on it, for every object the mapping applies to."""
    rule: Rule
    to_salesforce: bool
    to_hubspot: bool
    owner: bool
    value_map: ir.ValuesBlock | None = None


class ResolvedAssociation(Struct):
    """`associate contacts <-> ContactId`, resolved: the reference field on each Salesforce
    object of the pair, and the Salesforce objects it may point at that the associated
    HubSpot object syncs with."""

    node: ir.Associate
    hubspot_object: str
    salesforce: dict[str, FieldDef]
    targets: tuple[str, ...]
    to_salesforce: bool
    to_hubspot: bool


class ResolvedBlock(Struct):
    node: ir.SyncBlock
    hubspot: ObjectDef
    salesforce: dict[str, ObjectDef]
    fields: list[ResolvedField] = field(default_factory=list)
    defaults: list[tuple[str, FieldDef, ir.Default]] = field(default_factory=list)
    associations: list[ResolvedAssociation] = field(default_factory=list)
    hubspot_defaults: list[tuple[FieldDef, ir.Default]] = field(default_factory=list)
    salesforce_keys: dict[str, tuple[FieldDef, ir.IdempotencyKey]] = field(default_factory=dict)
    """Salesforce object -> its idempotency key (an external id holding the HubSpot id)."""
    on_salesforce_delete: OnDelete = OnDelete.DELETE
    """`on delete in salesforce` (HubSpot's connector: the HubSpot record goes too)."""
    on_hubspot_delete: OnDelete = OnDelete.UNLINK
    """`on delete in hubspot` (HubSpot's connector: never deletes in Salesforce)."""
    hubspot_key: tuple[FieldDef, ir.IdempotencyKey] | None = None
    """The HubSpot idempotency key (a unique property holding the Salesforce id)."""


class Settings(Struct):
    create_hubspot_contacts: CreateContacts = CreateContacts.LEADS_AND_CONTACTS
    shared_org: bool = False
    person_accounts: PersonAccounts = PersonAccounts.AUTO
    catalogs: str | None = None
    create_salesforce_as: str | None = None
    """The Salesforce object a new HubSpot contact creates (`create_salesforce_as`); None:
    the first object `sync contacts` lists."""
    create_salesforce_as_span: Span | None = None


class Context(Struct):
    source: Source
    mapping: ir.MappingFile
    catalog: Catalog
    diagnostics: list[Diagnostic] = field(default_factory=list)
    settings: Settings = field(default_factory=Settings)
    blocks: list[ResolvedBlock] = field(default_factory=list)
    value_maps: dict[str, ir.ValuesBlock] = field(default_factory=dict)
    value_map_uses: list[tuple[ir.ValuesBlock, ResolvedField]] = field(default_factory=list)
    referenced_maps: set[str] = field(default_factory=set)
    """Value maps named by any mapping, even one that failed to resolve (for W102)."""
    closed_won: tuple[ir.OnEvent, str] | None = None
    """The Closed/Won rule and the HubSpot object it writes."""
    events: ir.EventsBlock | None = None
    salesforce_owners: dict[str, tuple[str, int]] = field(default_factory=dict)
    """Salesforce object -> (the HubSpot object it syncs with, that block's line)."""

    def error(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, hint))

    warn = error  # the code's letter decides the severity; the name says what is meant
