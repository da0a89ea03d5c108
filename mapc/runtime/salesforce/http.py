"""The HTTP session simple-salesforce uses: mapc's call-options header, timeouts,
retries with backoff, a per-endpoint call counter, the server's time of each thread's
last answer, and logs without credentials."""

from __future__ import annotations

import logging
import re
import threading
import time
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from mapc.runtime.beforecall import BeforeCall
from mapc.runtime.callcount import CallCounter
from mapc.runtime.retry import (
    RetryPolicy,
    call_with_retry,
    failure_from_exception,
    failure_from_response,
)
from mapc.runtime.servertime import asked_at

log = logging.getLogger(__name__)

CALL_OPTIONS = "client=mapc"
QUERY_OPTIONS = "batchSize=2000"
_VERSIONED = re.compile(r"^/services/data/v[0-9.]+/")
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})
_LIMIT_INFO = re.compile(r"api-usage=(\d+)/(\d+)")


def org_usage(header: str | None) -> tuple[int, int] | None:
    """(calls used, daily limit) of the whole org from a `Sforce-Limit-Info` header."""
    match = _LIMIT_INFO.search(header or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def endpoint_of(url: str) -> str:
    """A short, id-free name for the endpoint of a Salesforce REST URL, for counting."""
    path = urlsplit(url).path
    rest = _VERSIONED.sub("", path)
    if rest == path:
        return path.strip("/").split("/")[1] if path.count("/") > 1 else path
    parts = rest.strip("/").split("/")
    if parts[0] in ("query", "queryAll"):
        return parts[0]
    if parts[0] == "composite":
        return "/".join(parts[:2])
    if parts[0] == "sobjects" and len(parts) >= 3 and parts[2] == "describe":
        return "sobjects/describe"
    return parts[0]


def is_safe(method: str, url: str) -> bool:
    """Whether repeating the request cannot duplicate anything: everything but POST
    (which creates records) is idempotent here; logins are POSTs with no side effect."""
    if method.upper() in _SAFE_METHODS:
        return True
    path = urlsplit(url).path
    return path.endswith("/oauth2/token") or "/services/Soap/u/" in path


class SalesforceSession(requests.Session):
    """A requests session that every simple-salesforce call goes through."""

    def __init__(
        self,
        *,
        policy: RetryPolicy,
        timeout: float = 120.0,
        ca_bundle: str | None = None,
    ) -> None:
        super().__init__()
        self.policy = policy
        self.timeout = timeout
        self.calls = CallCounter()  # write batches may be sent from several threads
        self.org_usage: tuple[int, int] | None = None
        """The org's (used, limit) of daily API requests, as the last answer said."""
        self.before_call = BeforeCall()
        """Run before every attempt: the run's API budget raises here to stop it; a fleet's
        shared org limit waits here."""
        self.headers["Sforce-Call-Options"] = CALL_OPTIONS
        # Passed with each request: requests would let a REQUESTS_CA_BUNDLE in the process
        # environment override a session-level `verify`.
        self.ca_bundle = ca_bundle
        # Per thread: reads and write batches go on several threads at once, and a read
        # must see its own answer's time, not that of a write answered meanwhile.
        self._answered = threading.local()

    @property
    def asked_at(self) -> datetime | None:
        """The server's time no later than this thread's last call began (its answer's
        `Date` less the time the call took, retries included); None when that answer had
        no `Date`, or this thread made no call yet."""
        return getattr(self._answered, "asked_at", None)

    def request(  # type: ignore[override]
        self, method: str, url: str, *args: Any, **kwargs: Any
    ) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout)
        if self.ca_bundle:
            kwargs.setdefault("verify", self.ca_bundle)
        endpoint = endpoint_of(url)
        self._answered.asked_at = None
        sent = time.monotonic()

        def attempt() -> requests.Response:
            self.calls.count(f"{method.upper()} {endpoint}", guard=self.before_call)
            response = super(SalesforceSession, self).request(method, url, *args, **kwargs)
            self.org_usage = org_usage(response.headers.get("Sforce-Limit-Info")) or self.org_usage
            log.debug("%s %s -> %s", method.upper(), endpoint, response.status_code)
            return response

        response = call_with_retry(
            attempt,
            policy=self.policy,
            safe=is_safe(method, url),
            failure_of_result=failure_from_response,
            failure_of_exception=failure_from_exception,
            what=f"Salesforce {method.upper()} {endpoint}",
        )
        self._answered.asked_at = asked_at(response.headers, time.monotonic() - sent)
        return response
