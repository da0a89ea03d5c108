"""Webhooks: CRM object events sent, signed as HubSpot signs them, to a target on 127.0.0.1,
saying who made each change, and sent again as HubSpot does when a delivery fails."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

# HubSpot sends at most 100 events a request.
BATCH = 100
APP_ID = 3_100_051
"""The app the emulator's access token is for: events of its writes say changeSource
INTEGRATION and sourceId "3100051", as HubSpot's do for an app's writes; the default
appId of a subscription (mapc's app both writes and gets the webhooks)."""
USER_ID = 9_800_117
"""The person whose edits the control API makes: changeSource CRM_UI, sourceId
"userId:9800117"."""
RETRIES = 10
"""HubSpot sends a failed delivery again up to 10 times (over 24 hours)."""
RETRY_DELAY = 0.1
"""The emulator's schedule, compressed for tests: the first retry after 0.1 s, each next
one after twice as long (102 s for all ten); a subscription's `retryDelay` changes it."""
TIMEOUT = 5.0
"""Seconds HubSpot waits for an answer; a slower one is a failure, and retried."""
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# Object types whose events have their own subscription names; others are "object.*".
_NAMED = {"contacts": "contact", "companies": "company", "deals": "deal", "tickets": "ticket"}


def signature_v3(secret: str, method: str, uri: str, body: bytes, timestamp: str) -> str:
    """X-HubSpot-Signature-v3: base64 HMAC-SHA256 of method + URI + body + timestamp."""
    source = method.encode() + unquote(uri).encode() + body + timestamp.encode()
    digest = hmac.new(secret.encode(), source, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signature_v1(secret: str, body: bytes) -> str:
    """X-HubSpot-Signature (version v1, what CRM object webhooks carry): SHA-256 hex of
    the secret followed by the body."""
    return hashlib.sha256(secret.encode() + body).hexdigest()


@dataclass(frozen=True)
class Source:
    """Who made a change, as its events say: changeSource and sourceId."""

    change_source: str
    source_id: str

    @classmethod
    def app(cls, app_id: int = APP_ID) -> Source:
        """A write made with an app's token (a private app's, or OAuth)."""
        return cls("INTEGRATION", str(app_id))

    @classmethod
    def person(cls, user_id: int = USER_ID) -> Source:
        """An edit made by a user in HubSpot's CRM pages."""
        return cls("CRM_UI", f"userId:{user_id}")


def retried(status: int) -> bool:
    """Whether HubSpot sends a delivery again after this answer (0: none, the connection
    failed or timed out): all but a 2xx, and a 4xx other than 429."""
    if 200 <= status < 300:
        return False
    return status == 429 or not 400 <= status < 500


@dataclass
class Subscription:
    target_url: str
    client_secret: str
    app_id: int = APP_ID
    events: frozenset[str] = frozenset()  # empty: every event
    retries: int = RETRIES
    retry_delay: float = RETRY_DELAY

    def wants(self, subscription_type: str) -> bool:
        return not self.events or subscription_type in self.events

    def delay(self, attempt: int, retry_after: float) -> float:
        """Seconds before the retry after attempt `attempt` (0 the first): doubling, or
        longer when a 429 asked for it."""
        return max(self.retry_delay * 2.0**attempt, retry_after)


@dataclass
class Webhooks:
    """The portal's webhook subscription and the events waiting to go out."""

    subscription: Subscription | None = None
    pending: list[dict[str, Any]] = field(default_factory=list)
    delivered: list[dict[str, Any]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Condition = field(default_factory=threading.Condition)
    _sending: int = 0
    """Deliveries being sent or waiting for their next attempt."""
    _closed: bool = False

    def __deepcopy__(self, memo: dict[int, Any]) -> Webhooks:
        # A seed's rollback copies the portal; the subscription and queue stay as they are.
        return self

    def subscribe(self, data: dict[str, Any]) -> dict[str, Any]:
        target = str(data.get("targetUrl") or "")
        host = urlsplit(target).hostname or ""
        if urlsplit(target).scheme not in ("http", "https") or host not in _LOCAL_HOSTS:
            raise ValueError(f"webhook targets must be http(s) URLs on 127.0.0.1: {target!r}")
        secret = str(data.get("clientSecret") or "")
        if not secret:
            raise ValueError("clientSecret is required to sign webhook requests")
        self.subscription = Subscription(
            target,
            secret,
            int(data.get("appId") or APP_ID),
            frozenset(str(e) for e in data.get("subscriptions") or ()),
            _retries(data.get("retries", RETRIES)),
            _retry_delay(data.get("retryDelay", RETRY_DELAY)),
        )
        return {
            "targetUrl": target,
            "subscriptions": sorted(self.subscription.events),
            "appId": self.subscription.app_id,
            "retries": self.subscription.retries,
            "retryDelay": self.subscription.retry_delay,
        }

    def close(self) -> None:
        """Forget the subscription and what was queued; a delivery waiting to be sent
        again is given up (a reset: it must not reach whatever listens there next)."""
        with self._lock:
            self._closed = True
            self.subscription = None
            self.pending = []
            self._lock.notify_all()

    def emit(
        self,
        portal_id: int,
        kind: str,
        type_id: str,
        action: str,
        object_id: str,
        occurred_ms: int,
        source: Source,
        **extra: Any,
    ) -> None:
        """Queue one event: action is creation, deletion, propertyChange, merge, restore;
        `source` made the change."""
        subscription = self.subscription
        if subscription is None:
            return
        named = _NAMED.get(kind)
        subscription_type = f"{named or 'object'}.{action}"
        if not subscription.wants(subscription_type):
            return
        event: dict[str, Any] = {
            "eventId": next(self._ids),
            "subscriptionId": 1,
            "portalId": portal_id,
            "appId": subscription.app_id,
            "occurredAt": occurred_ms,
            "subscriptionType": subscription_type,
            "attemptNumber": 0,
            "objectId": int(object_id) if object_id.isdigit() else object_id,
            "changeSource": source.change_source,
            "sourceId": source.source_id,
            **extra,
        }
        if named is None:
            event["objectTypeId"] = type_id
        with self._lock:
            self.pending.append(event)
            self._lock.notify_all()
        threading.Thread(target=self._send, name="emulator:webhooks", daemon=True).start()

    def flush(self, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Wait until every queued event went out, retries included; returns the log of
        attempts (each {"events" as sent, "status"}: 0 when nothing answered)."""
        with self._lock:
            self._lock.wait_for(lambda: not self.pending and not self._sending, timeout)
            return list(self.delivered)

    def _send(self) -> None:
        with self._lock:
            if not self.pending or self.subscription is None:
                return
            batch, self.pending = self.pending[:BATCH], self.pending[BATCH:]
            self._sending += 1
        try:
            self._deliver(batch)
        finally:
            with self._lock:
                self._sending -= 1
                self._lock.notify_all()

    def _deliver(self, batch: list[dict[str, Any]]) -> None:
        """Send a batch until it is taken or refused for good: each attempt numbered
        (attemptNumber, 0 the first) and signed anew, as its time is part of the
        signature."""
        attempt = 0
        while True:
            with self._lock:
                subscription = self.subscription
            if subscription is None:
                return
            sent = [{**event, "attemptNumber": attempt} for event in batch]
            status, retry_after = _post(subscription, sent)
            with self._lock:
                self.delivered.append({"events": sent, "status": status})
                self._lock.notify_all()
                if not retried(status) or attempt >= subscription.retries:
                    return
                delay = subscription.delay(attempt, retry_after)
                if self._lock.wait_for(lambda: self._closed, delay):
                    return
            attempt += 1


def _retries(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= RETRIES:
        raise ValueError(f"retries must be a whole number from 0 to {RETRIES} (HubSpot's)")
    return value


def _retry_delay(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 3600:
        raise ValueError("retryDelay must be seconds, more than 0 and at most 3600")
    return float(value)


def _post(subscription: Subscription, events: list[dict[str, Any]]) -> tuple[int, float]:
    """One attempt: the status (0 when the connection failed or timed out) and the
    seconds a Retry-After asked to wait (0 without one)."""
    body = json.dumps(events, separators=(",", ":")).encode()
    # The time of sending, by the wall clock: receivers refuse calls older than 5 minutes.
    timestamp = str(int(time.time() * 1000))
    headers = {
        "Content-Type": "application/json",
        "X-HubSpot-Request-Timestamp": timestamp,
        "X-HubSpot-Signature-v3": signature_v3(
            subscription.client_secret, "POST", subscription.target_url, body, timestamp
        ),
        "X-HubSpot-Signature-Version": "v1",
        "X-HubSpot-Signature": signature_v1(subscription.client_secret, body),
    }
    target = urlsplit(subscription.target_url)
    path = target.path or "/"
    if target.query:
        path += f"?{target.query}"
    # http.client keeps the header names as HubSpot spells them.
    connection_type = (
        http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_type(target.hostname or "127.0.0.1", target.port, timeout=TIMEOUT)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return int(response.status), _seconds(response.getheader("Retry-After"))
    except (OSError, http.client.HTTPException):
        return 0, 0.0
    finally:
        connection.close()


def _seconds(value: str | None) -> float:
    """A Retry-After in seconds (an HTTP date, or anything else, counts as none)."""
    try:
        return max(0.0, float(value or 0))
    except ValueError:
        return 0.0
