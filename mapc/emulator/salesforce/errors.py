"""Salesforce's REST error bodies: a list of {message, errorCode, fields}."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SfError:
    code: str
    message: str
    fields: tuple[str, ...] = ()

    def rest(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "errorCode": self.code}
        if self.fields or self.code not in _NO_FIELDS:
            body["fields"] = list(self.fields)
        return body

    def collection(self) -> dict[str, Any]:
        # Inside sObject Collections results Salesforce names the code "statusCode".
        return {"statusCode": self.code, "message": self.message, "fields": list(self.fields)}


# Errors about the request rather than about a record carry no "fields" key.
_NO_FIELDS = frozenset(
    {
        "INVALID_SESSION_ID",
        "NOT_FOUND",
        "MALFORMED_QUERY",
        "INVALID_TYPE",
        "API_DISABLED_FOR_ORG",
        "INVALID_QUERY_LOCATOR",
        "JSON_PARSER_ERROR",
        "METHOD_NOT_ALLOWED",
        "SERVER_UNAVAILABLE",
        "REQUEST_LIMIT_EXCEEDED",
        "UNKNOWN_EXCEPTION",
        "INVALID_FIELD",
        "EXCEEDED_ID_LIMIT",
    }
)


@dataclass
class SfApiError(Exception):
    """Raised inside the org; the HTTP layer turns it into a status and a body."""

    status: int
    errors: list[SfError] = field(default_factory=list)

    @classmethod
    def one(cls, status: int, code: str, message: str, *fields: str) -> SfApiError:
        return cls(status, [SfError(code, message, tuple(fields))])

    def body(self) -> list[dict[str, Any]]:
        return [e.rest() for e in self.errors]


NOT_FOUND = ("NOT_FOUND", "The requested resource does not exist")
