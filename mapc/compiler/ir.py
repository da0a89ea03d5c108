"""The IR: frozen models of what a mapping file says, every node with its source span.

This is syntax, as written; the checker turns it into a `plan.Plan` (what will run).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal as Lit
from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from mapc.compiler.source import Span


class Node(BaseModel):
    model_config = ConfigDict(frozen=True)

    span: Span


class Name(Node):
    value: str


class Direction(StrEnum):
    BOTH = "<->"
    TO_SALESFORCE = "->"
    TO_HUBSPOT = "<-"


class FieldRef(Node):
    """`email`, or `Lead.Company` when the field belongs to one object of the pair."""

    object: Name | None
    field: Name

    def __str__(self) -> str:
        return f"{self.object.value}.{self.field.value}" if self.object else self.field.value


Scalar = str | int | float | bool


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


class Rule(Node):
    kind: RuleKind


class Standard(Node):
    """`standard opt_out`: a mapping fixed by the connector, not the integrator."""

    name: Name


class ValuesRef(Node):
    name: Name


class OwnerFlag(Node):
    pass


Clause = Rule | Standard | ValuesRef | OwnerFlag


class FieldMap(Node):
    hubspot: FieldRef
    direction: Direction
    direction_span: Span
    salesforce: FieldRef
    clauses: tuple[Clause, ...]


class MatchField(Node):
    field: FieldRef
    ignore_case: bool


class MatchAssociated(Node):
    via: Name
    sticky: bool


class MatchNone(Node):
    pass


Match = MatchField | MatchAssociated | MatchNone


# -- inclusion filter expressions ------------------------------------------------------


class Compare(Node):
    field: FieldRef
    op: Lit["==", "!=", "<", "<=", ">", ">="]
    value: Literal


class InList(Node):
    field: FieldRef
    values: tuple[Literal, ...]
    negated: bool


class IsBlank(Node):
    field: FieldRef
    negated: bool


class Not(Node):
    operand: Expr


class And(Node):
    operands: tuple[Expr, ...]


class Or(Node):
    operands: tuple[Expr, ...]


Expr = Compare | InList | IsBlank | Not | And | Or


for _model in (Not, And, Or):
    _model.model_rebuild()


class Include(Node):
    where: Expr


class Default(Node):
    target: FieldRef
    value: Literal


class OnEvent(Node):
    """`on closed_won: contacts.lifecyclestage = "customer" via contact_roles`."""

    event: Name
    target: FieldRef
    value: Literal
    via: Name


SyncItem = FieldMap | MatchField | MatchAssociated | MatchNone | Include | Default | OnEvent


class SyncBlock(Node):
    hubspot_object: Name
    direction: Direction
    direction_span: Span
    salesforce_objects: tuple[Name, ...]
    items: tuple[SyncItem, ...]

    @property
    def field_maps(self) -> tuple[FieldMap, ...]:
        return tuple(i for i in self.items if isinstance(i, FieldMap))


class ValueEntry(Node):
    hubspot: Literal
    salesforce: Literal


class ValuesBlock(Node):
    name: Name
    entries: tuple[ValueEntry, ...]


class Dedupe(Node):
    mode: Name


class EventsBlock(Node):
    kinds: tuple[Name, ...]
    target: Name
    dedupe: tuple[Dedupe, ...]


SettingValue = Literal | Name


class Setting(Node):
    key: Name
    value: SettingValue


class SettingsBlock(Node):
    settings: tuple[Setting, ...]


class MappingDecl(Node):
    name: Name


Statement = MappingDecl | SettingsBlock | SyncBlock | ValuesBlock | EventsBlock
_S = TypeVar("_S", MappingDecl, SettingsBlock, SyncBlock, ValuesBlock, EventsBlock)


class Comment(Node):
    text: str
    own_line: bool


class MappingFile(Node):
    """One parsed file. `statements` keeps the written order (the formatter needs it)."""

    statements: tuple[Statement, ...]
    comments: tuple[Comment, ...]

    def of_type(self, kind: type[_S]) -> tuple[_S, ...]:
        return tuple(s for s in self.statements if isinstance(s, kind))
