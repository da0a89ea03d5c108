"""The IR: frozen records of what a mapping file says, every node with its source span.

This is syntax, as written; the checker turns it into a `plan.Plan` (what will run).
msgspec Structs, not validating models: the builder is their only producer, a large file
makes hundreds of thousands of them, and Structs are made (class and instance) in a
fraction of a dataclass's time. A tree has no cycles, so they stay out of the collector.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal as Lit
from typing import TypeVar

from msgspec import Struct

from mapc.compiler.source import Span


class Node(Struct, frozen=True, gc=False):
    span: Span


class Name(Node, frozen=True):
    value: str


class Direction(StrEnum):
    BOTH = "<->"
    TO_SALESFORCE = "->"
    TO_HUBSPOT = "<-"


class FieldRef(Node, frozen=True):
    """`email`, or `Lead.Company` when the field belongs to one object of the pair."""

    object: Name | None
    field: Name

    def __str__(self) -> str:
        return f"{self.object.value}.{self.field.value}" if self.object else self.field.value


Scalar = str | int | float | bool


class Literal(Node, frozen=True):
    value: Scalar

    @property
    def kind(self) -> Lit["text", "number", "bool"]:
        if isinstance(self.value, bool):
            return "bool"
        return "text" if isinstance(self.value, str) else "number"


class RuleKind(StrEnum):
    TWO_WAY = "two way"
    PREFER_SALESFORCE = "prefer salesforce unless blank"
    ALWAYS_SALESFORCE = "always salesforce"
    ALWAYS_HUBSPOT = "always hubspot"
    ONE_WAY = "one way"
    DO_NOT_SYNC = "do not sync"


class Rule(Node, frozen=True):
    kind: RuleKind


class Standard(Node, frozen=True):
    """`standard opt_out`: a mapping fixed by the connector, not the integrator."""

    name: Name


class ValuesRef(Node, frozen=True):
    name: Name


class OwnerFlag(Node, frozen=True):
    pass


Clause = Rule | Standard | ValuesRef | OwnerFlag


class FieldMap(Node, frozen=True):
    hubspot: FieldRef
    direction: Direction
    direction_span: Span
    salesforce: FieldRef
    clauses: tuple[Clause, ...]


class MatchField(Node, frozen=True):
    field: FieldRef
    ignore_case: bool


class MatchAssociated(Node, frozen=True):
    via: Name
    sticky: bool


class MatchNone(Node, frozen=True):
    pass


Match = MatchField | MatchAssociated | MatchNone


# -- inclusion filter expressions ------------------------------------------------------

Comparator = Lit["==", "!=", "<", "<=", ">", ">="]


class Compare(Node, frozen=True):
    field: FieldRef
    op: Comparator
    value: Literal


class InList(Node, frozen=True):
    field: FieldRef
    values: tuple[Literal, ...]
    negated: bool


class IsBlank(Node, frozen=True):
    field: FieldRef
    negated: bool


class Not(Node, frozen=True):
    operand: Expr


class And(Node, frozen=True):
    operands: tuple[Expr, ...]


class Or(Node, frozen=True):
    operands: tuple[Expr, ...]


Expr = Compare | InList | IsBlank | Not | And | Or


class Include(Node, frozen=True):
    where: Expr


class Default(Node, frozen=True):
    target: FieldRef
    value: Literal


class OnEvent(Node, frozen=True):
    """`on closed_won: contacts.lifecyclestage = "customer" via contact_roles`."""

    event: Name
    target: FieldRef
    value: Literal
    via: Name


class OnDelete(Node, frozen=True):
    """`on delete in salesforce: delete`: what a record deleted on one side (`side`) does
    to its counterpart (`action`: delete it too, or unlink)."""

    side: Name
    action: Name


class Associate(Node, frozen=True):
    """`associate contacts <-> ContactId`: a HubSpot association of the block's records with
    records of another synced object, as a Salesforce reference (lookup) field."""

    hubspot_object: Name
    direction: Direction
    direction_span: Span
    salesforce: FieldRef


class IdempotencyKey(Node, frozen=True):
    """`idempotency key Lead.HubSpot_Id__c`: a field of one side that holds the other
    side's record id, unique there, so a create is an upsert by it (exactly once)."""

    field: FieldRef


SyncItem = (
    FieldMap
    | MatchField
    | MatchAssociated
    | MatchNone
    | Include
    | Default
    | OnEvent
    | Associate
    | IdempotencyKey
    | OnDelete
)


class SyncBlock(Node, frozen=True):
    hubspot_object: Name
    direction: Direction
    direction_span: Span
    salesforce_objects: tuple[Name, ...]
    items: tuple[SyncItem, ...]

    @property
    def field_maps(self) -> tuple[FieldMap, ...]:
        return tuple(i for i in self.items if isinstance(i, FieldMap))


class ValueEntry(Node, frozen=True):
    hubspot: Literal
    salesforce: Literal


class ValuesBlock(Node, frozen=True):
    name: Name
    entries: tuple[ValueEntry, ...]


class Dedupe(Node, frozen=True):
    mode: Name


class LookBack(Node, frozen=True):
    """`look back 7 days`: how far back email events of a contact that starts syncing
    later still become tasks."""

    amount: Literal
    unit: Name


class EventsBlock(Node, frozen=True):
    kinds: tuple[Name, ...]
    target: Name
    dedupe: tuple[Dedupe, ...]
    look_back: tuple[LookBack, ...] = ()


SettingValue = Literal | Name


class Setting(Node, frozen=True):
    key: Name
    value: SettingValue


class SettingsBlock(Node, frozen=True):
    settings: tuple[Setting, ...]


class MappingDecl(Node, frozen=True):
    name: Name


Statement = MappingDecl | SettingsBlock | SyncBlock | ValuesBlock | EventsBlock
_S = TypeVar("_S", MappingDecl, SettingsBlock, SyncBlock, ValuesBlock, EventsBlock)


class Comment(Node, frozen=True):
    text: str
    own_line: bool


class MappingFile(Node, frozen=True):
    """One parsed file. `statements` keeps the written order (the formatter needs it)."""

    statements: tuple[Statement, ...]
    comments: tuple[Comment, ...]

    def of_type(self, kind: type[_S]) -> tuple[_S, ...]:
        return tuple(s for s in self.statements if isinstance(s, kind))
