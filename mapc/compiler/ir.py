"""The IR: frozen records of what a mapping file says, every node with its source span.

This is syntax, as written; the checker turns it into a `plan.Plan` (what will run).
Plain slotted dataclasses, not validating models: the builder is their only producer, and
a large file makes hundreds of thousands of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal as Lit
from typing import TypeVar

from mapc.compiler.source import Span


@dataclass(frozen=True, slots=True)
class Node:
    span: Span


@dataclass(frozen=True, slots=True)
class Name(Node):
    value: str


class Direction(StrEnum):
    BOTH = "<->"
    TO_SALESFORCE = "->"
    TO_HUBSPOT = "<-"


@dataclass(frozen=True, slots=True)
class FieldRef(Node):
    """`email`, or `Lead.Company` when the field belongs to one object of the pair."""

    object: Name | None
    field: Name

    def __str__(self) -> str:
        return f"{self.object.value}.{self.field.value}" if self.object else self.field.value


Scalar = str | int | float | bool


@dataclass(frozen=True, slots=True)
class Literal(Node):
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


@dataclass(frozen=True, slots=True)
class Rule(Node):
    kind: RuleKind


@dataclass(frozen=True, slots=True)
class Standard(Node):
    """`standard opt_out`: a mapping fixed by the connector, not the integrator."""

    name: Name


@dataclass(frozen=True, slots=True)
class ValuesRef(Node):
    name: Name


@dataclass(frozen=True, slots=True)
class OwnerFlag(Node):
    pass


Clause = Rule | Standard | ValuesRef | OwnerFlag


@dataclass(frozen=True, slots=True)
class FieldMap(Node):
    hubspot: FieldRef
    direction: Direction
    direction_span: Span
    salesforce: FieldRef
    clauses: tuple[Clause, ...]


@dataclass(frozen=True, slots=True)
class MatchField(Node):
    field: FieldRef
    ignore_case: bool


@dataclass(frozen=True, slots=True)
class MatchAssociated(Node):
    via: Name
    sticky: bool


@dataclass(frozen=True, slots=True)
class MatchNone(Node):
    pass


Match = MatchField | MatchAssociated | MatchNone


# -- inclusion filter expressions ------------------------------------------------------

Comparator = Lit["==", "!=", "<", "<=", ">", ">="]


@dataclass(frozen=True, slots=True)
class Compare(Node):
    field: FieldRef
    op: Comparator
    value: Literal


@dataclass(frozen=True, slots=True)
class InList(Node):
    field: FieldRef
    values: tuple[Literal, ...]
    negated: bool


@dataclass(frozen=True, slots=True)
class IsBlank(Node):
    field: FieldRef
    negated: bool


@dataclass(frozen=True, slots=True)
class Not(Node):
    operand: Expr


@dataclass(frozen=True, slots=True)
class And(Node):
    operands: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Or(Node):
    operands: tuple[Expr, ...]


Expr = Compare | InList | IsBlank | Not | And | Or


@dataclass(frozen=True, slots=True)
class Include(Node):
    where: Expr


@dataclass(frozen=True, slots=True)
class Default(Node):
    target: FieldRef
    value: Literal


@dataclass(frozen=True, slots=True)
class OnEvent(Node):
    """`on closed_won: contacts.lifecyclestage = "customer" via contact_roles`."""

    event: Name
    target: FieldRef
    value: Literal
    via: Name


@dataclass(frozen=True, slots=True)
class Associate(Node):
    """`associate contacts <-> ContactId`: a HubSpot association of the block's records with
    records of another synced object, as a Salesforce reference (lookup) field."""

    hubspot_object: Name
    direction: Direction
    direction_span: Span
    salesforce: FieldRef


SyncItem = (
    FieldMap | MatchField | MatchAssociated | MatchNone | Include | Default | OnEvent | Associate
)


@dataclass(frozen=True, slots=True)
class SyncBlock(Node):
    hubspot_object: Name
    direction: Direction
    direction_span: Span
    salesforce_objects: tuple[Name, ...]
    items: tuple[SyncItem, ...]

    @property
    def field_maps(self) -> tuple[FieldMap, ...]:
        return tuple(i for i in self.items if isinstance(i, FieldMap))


@dataclass(frozen=True, slots=True)
class ValueEntry(Node):
    hubspot: Literal
    salesforce: Literal


@dataclass(frozen=True, slots=True)
class ValuesBlock(Node):
    name: Name
    entries: tuple[ValueEntry, ...]


@dataclass(frozen=True, slots=True)
class Dedupe(Node):
    mode: Name


@dataclass(frozen=True, slots=True)
class EventsBlock(Node):
    kinds: tuple[Name, ...]
    target: Name
    dedupe: tuple[Dedupe, ...]


SettingValue = Literal | Name


@dataclass(frozen=True, slots=True)
class Setting(Node):
    key: Name
    value: SettingValue


@dataclass(frozen=True, slots=True)
class SettingsBlock(Node):
    settings: tuple[Setting, ...]


@dataclass(frozen=True, slots=True)
class MappingDecl(Node):
    name: Name


Statement = MappingDecl | SettingsBlock | SyncBlock | ValuesBlock | EventsBlock
_S = TypeVar("_S", MappingDecl, SettingsBlock, SyncBlock, ValuesBlock, EventsBlock)


@dataclass(frozen=True, slots=True)
class Comment(Node):
    text: str
    own_line: bool


@dataclass(frozen=True, slots=True)
class MappingFile(Node):
    """One parsed file. `statements` keeps the written order (the formatter needs it)."""

    statements: tuple[Statement, ...]
    comments: tuple[Comment, ...]

    def of_type(self, kind: type[_S]) -> tuple[_S, ...]:
        return tuple(s for s in self.statements if isinstance(s, kind))
