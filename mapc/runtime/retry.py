"""Retries with exponential backoff and jitter, honouring Retry-After and an API's own
rate-limit signals (HubSpot's headers plug in from runtime/hubspot/limits.py), and
repeating only what is safe to repeat.

A call is *safe* when doing it twice has the same effect as once: reads, searches,
batch/read, upserts, updates, archives, association writes. Creates are not (a repeat
could create a duplicate), so they are retried only when the server certainly did not
process them: a 429 (refused before any work) or a connection that was never made.
"""

from __future__ import annotations

import logging
import random
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TypeVar

import requests
import urllib3.exceptions

log = logging.getLogger(__name__)

T = TypeVar("T")

RETRYABLE_5XX = frozenset({500, 502, 503, 504})


@dataclass(frozen=True)
class Failure:
    """One failed attempt: its HTTP status (None when no response came back), the
    response headers (lower-cased names), and whether the request reached the server."""

    status: int | None
    headers: Mapping[str, str] = field(default_factory=dict)
    sent: bool = True

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def lower_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in (headers or {}).items()}


def parse_retry_after(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, moment.timestamp() - now())


@dataclass(frozen=True)
class RetryPolicy:
    """When to retry and how long to wait. `sleep` and `jitter` are injectable so tests
    neither really sleep nor depend on chance (`jitter` returns a number in [0, 1))."""

    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 300.0
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random
    window_wait: Callable[[Failure], float | None] = lambda _failure: None
    """An API's own word on when its rate-limit window resets (HubSpot's headers: see
    runtime/hubspot/limits.py); None when it says nothing."""
    exhausted: Callable[[Failure], bool] = lambda _failure: False
    """A limit no wait within the run can fix (HubSpot's daily limit)."""

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter: half fixed, half random ("equal jitter")."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        return ceiling / 2 + self.jitter() * ceiling / 2

    def decide(self, failure: Failure, attempt: int, *, safe: bool) -> float | None:
        """Seconds to wait before attempt `attempt + 1`, or None to stop retrying."""
        if attempt >= self.max_attempts or self.exhausted(failure):
            return None
        if failure.status is None:
            retry = safe or not failure.sent
        elif failure.status == 429:
            retry = True
        else:
            retry = safe and failure.status in RETRYABLE_5XX
        if not retry:
            return None
        told = parse_retry_after(failure.header("retry-after"))
        if told is not None:
            return min(told, self.max_retry_after)
        if failure.status == 429:
            window = self.window_wait(failure)
            if window is not None:
                return window + self.jitter() * 0.1
        return self.backoff(attempt)


def failure_from_response(response: requests.Response) -> Failure | None:
    """A requests response that may deserve a retry (429 or 5xx), else None."""
    status = response.status_code
    if status == 429 or status >= 500:
        return Failure(status, lower_headers(response.headers))
    return None


def _never_sent(exc: BaseException) -> bool:
    if isinstance(exc, requests.exceptions.ConnectTimeout | urllib3.exceptions.ConnectTimeoutError):
        return True
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return True
    if isinstance(exc, urllib3.exceptions.MaxRetryError) and exc.reason is not None:
        return _never_sent(exc.reason)
    if isinstance(exc, requests.exceptions.ConnectionError) and exc.args:
        inner = exc.args[0]
        if isinstance(inner, BaseException):
            return _never_sent(inner)
    return False


def is_certificate_error(exc: BaseException, depth: int = 0) -> bool:
    """Whether a transport error is a TLS failure (an untrusted or wrong certificate):
    retrying does not mend it, and it is a setting to fix, not an outage."""
    if depth > 8:
        return False
    if isinstance(exc, requests.exceptions.SSLError | urllib3.exceptions.SSLError | ssl.SSLError):
        return True
    inner: list[BaseException] = []
    if isinstance(exc, urllib3.exceptions.MaxRetryError) and exc.reason is not None:
        inner.append(exc.reason)
    inner += [a for a in exc.args if isinstance(a, BaseException)]
    inner += [e for e in (exc.__cause__, exc.__context__) if e is not None]
    return any(is_certificate_error(e, depth + 1) for e in inner)


def failure_from_exception(exc: BaseException) -> Failure | None:
    """A transport error (no HTTP response) as a Failure, or None if it is something else
    (a certificate that cannot be verified is something else: retrying will not help)."""
    if is_certificate_error(exc):
        return None
    transport = (
        requests.exceptions.ConnectionError,
        requests.exceptions.Timeout,
        requests.exceptions.ChunkedEncodingError,
        urllib3.exceptions.HTTPError,
    )
    if isinstance(exc, transport):
        return Failure(None, {}, sent=not _never_sent(exc))
    return None


def call_with_retry(
    attempt_call: Callable[[], T],
    *,
    policy: RetryPolicy,
    safe: bool,
    failure_of_result: Callable[[T], Failure | None],
    failure_of_exception: Callable[[BaseException], Failure | None],
    what: str = "call",
) -> T:
    """Run `attempt_call` until it succeeds or the policy gives up.

    A result judged a failure is returned as is once retries stop (the caller turns it
    into an error); an exception judged a failure is re-raised once retries stop.
    """
    attempt = 1
    while True:
        try:
            result = attempt_call()
        except Exception as exc:
            failure = failure_of_exception(exc)
            if failure is None:
                raise
            delay = policy.decide(failure, attempt, safe=safe)
            if delay is None:
                raise
        else:
            failure = failure_of_result(result)
            if failure is None:
                return result
            delay = policy.decide(failure, attempt, safe=safe)
            if delay is None:
                return result
        log.info(
            "%s failed (%s); retrying in %.2fs (attempt %d)",
            what,
            failure.status if failure.status is not None else "connection error",
            delay,
            attempt + 1,
        )
        policy.sleep(delay)
        attempt += 1
