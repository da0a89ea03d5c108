"""The one Diagnostic type and the catalogue of stable diagnostic codes.

Codes are grouped by stage: E0xx syntax, E1xx structure, E2xx names, E3xx types,
E4xx rules, E5xx values; warnings are Wxxx. docs/diagnostics.md has a page per code with
a failing and a fixed example, and a test keeps the two in step.
"""

from __future__ import annotations

from enum import StrEnum

from msgspec import Struct

from mapc.compiler.source import Span


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Code(Struct, frozen=True):
    code: str
    title: str

    @property
    def severity(self) -> Severity:
        return Severity.WARNING if self.code.startswith("W") else Severity.ERROR


_CODES = (
    # syntax
    Code("E001", "unexpected token"),
    Code("E002", "unexpected character"),
    Code("E003", "unterminated string"),
    Code("E004", "invalid string escape"),
    Code("E005", "unexpected end of file"),
    Code("E006", "missing `:` before a field rule"),
    Code("E007", "unknown arrow"),
    Code("E008", "statement does not end at the end of the line"),
    Code("E009", "file is not valid UTF-8 text"),
    Code("E010", "filter nested too deeply"),
    # structure
    Code("E101", "missing mapping declaration"),
    Code("E102", "duplicate block"),
    Code("E103", "unknown setting"),
    Code("E104", "invalid setting value"),
    Code("E105", "duplicate setting"),
    Code("E106", "new contacts would create an object `sync contacts` does not sync"),
    # names
    Code("E201", "unknown HubSpot object"),
    Code("E202", "unknown Salesforce object"),
    Code("E203", "unknown HubSpot property"),
    Code("E204", "unknown Salesforce field"),
    Code("E205", "unknown value map"),
    Code("E206", "object outside the pair"),
    Code("E207", "unsupported object pair"),
    Code("E208", "project catalog cannot be loaded"),
    # types
    Code("E301", "incompatible field types"),
    Code("E302", "enumeration needs a value map"),
    Code("E303", "value map on a field that is not an enumeration"),
    Code("E304", "literal of the wrong type"),
    # rules
    Code("E401", "standard opt-out mapping missing"),
    Code("E402", "standard opt-out mapping altered"),
    Code("E403", "unknown or misplaced standard mapping"),
    Code("E404", "wrong match key for this pair"),
    Code("E405", "missing match clause"),
    Code("E406", "inclusion filter outside contacts"),
    Code("E407", "invalid Closed/Won rule"),
    Code("E408", "invalid email events rule"),
    Code("E409", "owner rule misused"),
    Code("E410", "required field not set on create"),
    Code("E411", "write to a read-only field"),
    Code("E412", "two rules write the same field"),
    Code("E413", "direction and rule disagree"),
    Code("E414", "conflicting clauses on one field mapping"),
    Code("E415", "invalid association"),
    Code("E416", "idempotency key is not a text field"),
    Code("E417", "idempotency key is not unique"),
    Code("E418", "two idempotency keys for one object"),
    Code("E419", "invalid deletion policy"),
    # values
    Code("E501", "value map incomplete"),
    Code("E502", "value map names an unknown option"),
    Code("E503", "two-way value map is not one-to-one"),
    Code("E504", "text longer than the field allows"),
    Code("E505", "value outside the field's options"),
    Code("E506", "duplicate value map entry"),
    # warnings
    Code("W101", "contacts created automatically while several HubSpot accounts share the org"),
    Code("W102", "value map never used"),
    Code("W103", "a longer text flows into a shorter field"),
)

CODES: dict[str, Code] = {c.code: c for c in _CODES}


class Diagnostic(Struct, frozen=True):
    code: str
    message: str
    span: Span
    hint: str | None = None

    @property
    def severity(self) -> Severity:
        return CODES[self.code].severity

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.span.file, self.span.line, self.span.column, self.code)


def has_errors(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]) -> bool:
    return any(d.is_error for d in diagnostics)
