"""Connector errors: one clear sentence each, never a credential, never a traceback for the CLI."""

from __future__ import annotations

from collections.abc import Iterable

from mapc.errors import MapcError


class ConnectorError(MapcError):
    """A connector could not do what was asked. `str(error)` is one sentence for a person.

    `system` is "salesforce" or "hubspot", `status` the HTTP status when there was one and
    `code` the API's error code (e.g. INVALID_SESSION_ID). Messages are built by the
    connectors from the API's answer with every known secret redacted.
    """

    def __init__(
        self,
        message: str,
        *,
        system: str = "",
        status: int | None = None,
        code: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.system = system
        self.status = status
        self.code = code

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class ConfigurationError(ConnectorError):
    """The environment does not say how to reach or log in to a system."""


class AuthenticationError(ConnectorError):
    """The token or password was refused (expired, revoked or wrong)."""


class ApiAccessError(ConnectorError):
    """The account exists but may not use the API (e.g. Salesforce Group Edition)."""


class RateLimitError(ConnectorError):
    """A rate limit that waiting within this run cannot fix (e.g. a daily limit)."""


class TransientError(ConnectorError):
    """The API kept failing (429, 5xx or connection errors) after every retry."""


REDACTED = "***"


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """Replace every occurrence of each (non-trivial) secret in `text`."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    return text
