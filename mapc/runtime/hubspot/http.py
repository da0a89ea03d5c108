"""How every HubSpot call is made: the client-side limiter, retries, a call counter, JSON
bodies without model (de)serialisation, and errors turned into one sentence."""

from __future__ import annotations

import contextlib
import io
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from mapc.runtime.beforecall import BeforeCall
from mapc.runtime.callcount import CallCounter
from mapc.runtime.errors import (
    ApiAccessError,
    AuthenticationError,
    ConfigurationError,
    ConnectorError,
    RateLimitError,
    TransientError,
    redact,
)
from mapc.runtime.hubspot.limits import HubSpotLimiter, daily_limit_exhausted, hubspot_policy
from mapc.runtime.retry import (
    Failure,
    RetryPolicy,
    call_with_retry,
    failure_from_exception,
    failure_from_response,
    is_certificate_error,
    lower_headers,
)

log = logging.getLogger(__name__)
SYSTEM = "hubspot"


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: Any  # parsed JSON, or None for an empty body


class HubSpotHttpError(Exception):
    """A non-2xx answer, kept as data so batch writes can look inside it."""

    def __init__(self, status: int, headers: dict[str, str], body: Any) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def category(self) -> str:
        if isinstance(self.body, dict):
            return str(self.body.get("category") or self.body.get("status") or "")
        return ""

    @property
    def message(self) -> str:
        if isinstance(self.body, dict):
            return str(self.body.get("message") or "")
        return str(self.body or "")[:200]


def _json(raw: bytes | str | None) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw


def _api_exception(exc: BaseException) -> HubSpotHttpError | None:
    """The generated clients raise one ApiException class per package; recognise any."""
    if not type(exc).__module__.startswith("hubspot."):
        return None
    status = getattr(exc, "status", None)
    if not isinstance(status, int) or status == 0:
        return None
    headers = lower_headers(getattr(exc, "headers", None))
    return HubSpotHttpError(status, headers, _json(getattr(exc, "body", None)))


class HubSpotTransport:
    """Runs one HubSpot call at a time under the limiter and the retry policy."""

    def __init__(
        self,
        policy: RetryPolicy,
        limiter: HubSpotLimiter,
        secrets: tuple[str, ...],
        timeout: float = 120.0,
    ) -> None:
        self.timeout = timeout
        self.policy = hubspot_policy(policy)
        self.limiter = limiter
        self.secrets = secrets
        self.calls = CallCounter()  # write batches may be sent from several threads
        self.org_usage: tuple[int, int] | None = None
        """The account's (used, limit) of daily API calls, as the last answer said
        (search answers carry no rate-limit headers)."""
        self.before_call = BeforeCall()
        """Run before every attempt: the run's API budget raises here to stop it."""

    def _observe(self, headers: dict[str, str]) -> None:
        self.limiter.observe(headers)
        daily = headers.get("x-hubspot-ratelimit-daily", "").strip()
        remaining = headers.get("x-hubspot-ratelimit-daily-remaining", "").strip()
        if daily.isdigit() and remaining.isdigit():
            self.org_usage = (max(int(daily) - int(remaining), 0), int(daily))

    def _failure_of_exception(self, exc: BaseException) -> Failure | None:
        http = _api_exception(exc)
        if http is not None:
            if http.status == 429 or http.status >= 500:
                return Failure(http.status, http.headers)
            return None
        return failure_from_exception(exc)

    def generated(
        self,
        endpoint: str,
        call: Callable[..., Any],
        *args: Any,
        safe: bool,
        search: bool = False,
        what: str,
        **kwargs: Any,
    ) -> Reply:
        """Call a generated client method, returning its raw JSON reply."""

        def attempt() -> Reply:
            self.calls.count(endpoint, guard=self.before_call)
            self.limiter.acquire(search=search)
            response = call(*args, _preload_content=False, _request_timeout=self.timeout, **kwargs)
            try:
                body = _json(response.data)
                headers = lower_headers(response.headers)
            finally:
                response.release_conn()
            self._observe(headers)
            return Reply(response.status, headers, body)

        try:
            return call_with_retry(
                attempt,
                policy=self.policy,
                safe=safe,
                failure_of_result=lambda reply: None,
                failure_of_exception=self._failure_of_exception,
                what=f"HubSpot {endpoint}",
            )
        except Exception as exc:
            http = _api_exception(exc)
            if http is not None:
                self._observe(http.headers)
                raise http from None
            raise self.translate(exc, what) from None

    def raw(
        self,
        endpoint: str,
        send: Callable[[], requests.Response],
        *,
        safe: bool,
        what: str,
    ) -> Reply:
        """Send a request built with the client's `api_request` (which retries nothing
        itself); a non-2xx answer raises HubSpotHttpError."""

        def attempt() -> requests.Response:
            self.calls.count(endpoint, guard=self.before_call)
            self.limiter.acquire()
            # api_request prints transport errors to stdout; keep stdout for mapc's output.
            with contextlib.redirect_stdout(io.StringIO()):
                return send()

        try:
            response = call_with_retry(
                attempt,
                policy=self.policy,
                safe=safe,
                failure_of_result=failure_from_response,
                failure_of_exception=failure_from_exception,
                what=f"HubSpot {endpoint}",
            )
        except Exception as exc:
            raise self.translate(exc, what) from None
        headers = lower_headers(response.headers)
        self._observe(headers)
        body = _json(response.content)
        if response.status_code >= 300:
            raise HubSpotHttpError(response.status_code, headers, body)
        return Reply(response.status_code, headers, body)

    def translate(self, exc: BaseException, what: str) -> ConnectorError:
        """The one-sentence error for a failure that is not a per-record problem."""
        if isinstance(exc, ConnectorError):
            return exc
        http = exc if isinstance(exc, HubSpotHttpError) else _api_exception(exc)
        if http is None and is_certificate_error(exc):
            return ConfigurationError(
                "HubSpot's TLS certificate could not be verified (it is not trusted, or not "
                "for this host): set HUBSPOT_CA_BUNDLE to the CA file when using a local "
                "emulator or a TLS-inspecting proxy.",
                system=SYSTEM,
            )
        if http is None:
            return TransientError(
                f"Could not reach HubSpot while trying to {what} ({type(exc).__name__}), "
                "even after retrying.",
                system=SYSTEM,
            )
        detail = redact(" ".join(http.message.split()), self.secrets)
        if http.status == 401:
            return AuthenticationError(
                "HubSpot refused the access token (401): it is expired, revoked or wrong, "
                "so set a valid HUBSPOT_ACCESS_TOKEN.",
                system=SYSTEM,
                status=401,
                code=http.category,
            )
        if http.status == 403:
            return ApiAccessError(
                f"HubSpot refused to {what} (403 {http.category or 'FORBIDDEN'}): the private "
                "app is missing a scope this needs.",
                system=SYSTEM,
                status=403,
                code=http.category,
            )
        if daily_limit_exhausted(Failure(http.status, http.headers)):
            return RateLimitError(
                "HubSpot's daily API limit for this account is used up: the sync can resume "
                "after midnight in the account's time zone.",
                system=SYSTEM,
                status=429,
                code=http.category,
            )
        if http.status == 429 or http.status >= 500:
            return TransientError(
                f"HubSpot answered HTTP {http.status} while trying to {what} (retried where "
                "repeating it was safe); try again later.",
                system=SYSTEM,
                status=http.status,
                code=http.category,
            )
        tail = f": {detail}" if detail else ""
        text = f"HubSpot could not {what} (HTTP {http.status} {http.category})".replace(" )", ")")
        return ConnectorError(
            (text + tail).rstrip(".") + ".", system=SYSTEM, status=http.status, code=http.category
        )
