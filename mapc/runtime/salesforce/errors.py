"""Turn simple-salesforce and requests exceptions into one-sentence ConnectorErrors."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import requests
from simple_salesforce.exceptions import SalesforceAuthenticationFailed, SalesforceError

from mapc.runtime.errors import (
    ApiAccessError,
    AuthenticationError,
    ConfigurationError,
    ConnectorError,
    RateLimitError,
    TransientError,
    redact,
)

SYSTEM = "salesforce"

NO_API_ACCESS = (
    "This Salesforce org does not allow API access (API_DISABLED_FOR_ORG): the connector "
    "needs a Salesforce edition with API access (Enterprise, Unlimited, Performance or "
    "Developer Edition, or Professional Edition with API access), not Group Edition."
)


def first_error(content: Any) -> tuple[str, str]:
    """(errorCode, message) from a Salesforce error body (a list of error objects)."""
    if isinstance(content, list) and content and isinstance(content[0], dict):
        item = content[0]
        code = str(item.get("errorCode") or item.get("statusCode") or "")
        return code, str(item.get("message") or "")
    if isinstance(content, dict):
        code = str(content.get("errorCode") or content.get("error") or "")
        return code, str(content.get("message") or content.get("error_description") or "")
    if isinstance(content, bytes):
        content = content.decode("utf-8", "replace")
    return "", str(content or "")[:200]


NO_SUCH_COLUMN = re.compile(r"No such column '([^']+)'(?: on (?:entity|sobject of type) '?(\w+))?")


def _missing_field(status: int, code: str, message: str) -> ConfigurationError | None:
    """A query or write naming a field the org does not have: the project's mapping or
    catalog and the org disagree, which no retry fixes."""
    found = NO_SUCH_COLUMN.search(message) if code == "INVALID_FIELD" else None
    if found is None:
        return None
    field, sobject = found.group(1), found.group(2)
    where = f"{sobject}.{field}" if sobject else field
    return ConfigurationError(
        f"Salesforce has no field {where} (INVALID_FIELD): it is in the mapping/catalog but "
        "not in the org: create the field in the org (a `mapc emulate` org gets the project "
        "catalogs' custom fields with `--mappings DIR`), or run `mapc schema pull` to "
        "refresh the catalog and let `mapc check` show what uses it.",
        system=SYSTEM,
        status=status,
        code=code,
    )


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith(".") else text + "."


def translate(exc: BaseException, secrets: Sequence[str], what: str) -> ConnectorError | None:
    """The ConnectorError for an exception raised while doing `what`, or None."""
    if isinstance(exc, SalesforceAuthenticationFailed):
        return AuthenticationError(
            "Salesforce login failed: check SALESFORCE_USERNAME, SALESFORCE_PASSWORD, "
            "SALESFORCE_SECURITY_TOKEN and SALESFORCE_DOMAIN.",
            system=SYSTEM,
            status=401,
            code=str(exc.code or ""),
        )
    if isinstance(exc, SalesforceError):
        return _from_status(exc.status, exc.content, secrets, what)
    if isinstance(exc, requests.exceptions.SSLError):
        host = _host(exc)
        return ConfigurationError(
            f"The TLS certificate of {host} could not be verified: set SALESFORCE_CA_BUNDLE "
            "(or REQUESTS_CA_BUNDLE) to the CA file when using a local emulator or a proxy.",
            system=SYSTEM,
        )
    if isinstance(exc, requests.exceptions.RequestException):
        host = _host(exc)
        return TransientError(
            f"Could not reach Salesforce at {host} while trying to {what} "
            f"({type(exc).__name__}), even after retrying.",
            system=SYSTEM,
        )
    return None


def _host(exc: requests.exceptions.RequestException) -> str:
    """The host a failed request went to, without any user or password in its URL."""
    if exc.request is None:
        return "Salesforce"
    parts = urlsplit(str(exc.request.url))
    host = parts.hostname or "Salesforce"
    return f"{host}:{parts.port}" if parts.port else host


def _from_status(status: int, content: Any, secrets: Sequence[str], what: str) -> ConnectorError:
    code, message = first_error(content)
    detail = redact(message, secrets)
    if code == "API_DISABLED_FOR_ORG":
        return ApiAccessError(NO_API_ACCESS, system=SYSTEM, status=status, code=code)
    missing = _missing_field(status, code, detail)
    if missing is not None:
        return missing
    if status == 401 or code == "INVALID_SESSION_ID":
        return AuthenticationError(
            "Salesforce refused the access token (INVALID_SESSION_ID): it has expired or "
            "been revoked, so set a fresh SALESFORCE_ACCESS_TOKEN.",
            system=SYSTEM,
            status=status,
            code=code or "INVALID_SESSION_ID",
        )
    if code == "REQUEST_LIMIT_EXCEEDED":
        return RateLimitError(
            "Salesforce's API request limit for this org is used up (REQUEST_LIMIT_EXCEEDED): "
            "wait until calls free up in the 24-hour window, or raise the org's limit.",
            system=SYSTEM,
            status=status,
            code=code,
        )
    if status == 403:
        return ApiAccessError(
            _sentence(f"Salesforce refused to {what} ({code or 'HTTP 403'}): {detail}"),
            system=SYSTEM,
            status=status,
            code=code,
        )
    if status == 429 or status >= 500:
        return TransientError(
            f"Salesforce answered HTTP {status} while trying to {what} (retried where "
            "repeating it was safe); try again later.",
            system=SYSTEM,
            status=status,
            code=code,
        )
    return ConnectorError(
        _sentence(f"Salesforce could not {what} ({code or f'HTTP {status}'}): {detail}"),
        system=SYSTEM,
        status=status,
        code=code,
    )


@contextmanager
def translated(secrets: Sequence[str], what: str) -> Iterator[None]:
    """Re-raise client exceptions as ConnectorErrors (without chaining the original,
    whose text could carry a request's details)."""
    try:
        yield
    except ConnectorError:
        raise
    except Exception as exc:
        error = translate(exc, secrets, what)
        if error is None:
            raise
        raise error from None
