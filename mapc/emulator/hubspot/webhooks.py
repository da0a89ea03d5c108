"""Webhooks: CRM object events sent, signed as HubSpot signs them, to a target on 127.0.0.1,
saying who made each change."""

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


@dataclass
class Subscription:
    target_url: str
    client_secret: str
    app_id: int = APP_ID
    events: frozenset[str] = frozenset()  # empty: every event

    def wants(self, subscription_type: str) -> bool:
        return not self.events or subscription_type in self.events


@dataclass
class Webhooks:
    """The portal's webhook subscription and the events waiting to go out."""

    subscription: Subscription | None = None
    pending: list[dict[str, Any]] = field(default_factory=list)
    delivered: list[dict[str, Any]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Condition = field(default_factory=threading.Condition)
    _sending: int = 0

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
        )
        return {"targetUrl": target, "subscriptions": sorted(self.subscription.events)}

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
        """Wait until every queued event went out; returns the delivery log."""
        with self._lock:
            self._lock.wait_for(lambda: not self.pending and not self._sending, timeout)
            return list(self.delivered)

    def _send(self) -> None:
        with self._lock:
            if not self.pending or self.subscription is None:
                return
            batch, self.pending = self.pending[:BATCH], self.pending[BATCH:]
            subscription = self.subscription
            self._sending += 1
        try:
            status = _post(subscription, batch)
        finally:
            with self._lock:
                self._sending -= 1
                self.delivered.append({"events": batch, "status": status})
                self._lock.notify_all()


def _post(subscription: Subscription, events: list[dict[str, Any]]) -> int:
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
    connection = connection_type(target.hostname or "127.0.0.1", target.port, timeout=5)
    try:
        connection.request("POST", path, body=body, headers=headers)
        return int(connection.getresponse().status)
    except OSError:
        return 0
    finally:
        connection.close()
