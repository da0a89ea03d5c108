"""HubSpot endpoints the generated clients do not cover, reached with the client's
`api_request`: Communication Preferences v4 unsubscribe-all (the only way to set
`hs_email_optout`) and the Email Events API (opens and clicks, R8)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

import requests

from mapc.runtime.errors import TransientError
from mapc.runtime.hubspot.http import HubSpotHttpError, HubSpotTransport
from mapc.runtime.records import (
    TRANSIENT,
    Record,
    RecordError,
    WriteResult,
    chunked,
    epoch_millis,
)

PREFERENCES = "/communication-preferences/v4/statuses"
EVENTS = "/email/public/v1/events"
CAMPAIGNS = "/email/public/v1/campaigns"
UNSUBSCRIBE_BATCH = 100
EVENTS_PAGE = 1000  # the Email Events API's largest page


def _problem(exc: HubSpotHttpError) -> RecordError:
    return RecordError(exc.category or f"HTTP_{exc.status}", exc.message)


class HubSpotMarketing:
    """Communication Preferences and Email Events through `Client.api_request`, which
    builds its URL from the `base_url` option and applies no retry of its own."""

    def __init__(
        self,
        client: Any,
        http: HubSpotTransport,
        ca_bundle: str | None = None,
        timeout: float = 120.0,
    ) -> None:
        self._client = client
        self._http = http
        # `api_request` sends with requests' defaults: no timeout and the system CAs, not
        # HUBSPOT_CA_BUNDLE. Its request builder still makes the URL, auth and body.
        self._verify: str | bool = ca_bundle or True
        self._timeout = timeout
        self._session = requests.Session()

    def _send(self, endpoint: str, options: dict[str, Any], *, safe: bool, what: str) -> Any:
        from hubspot.utils.requests.http_request_builder import Request

        def send() -> requests.Response:
            built = Request(self._client.config, dict(options))
            return self._session.request(
                built.get_method(),
                built.get_url(),
                verify=self._verify,
                timeout=self._timeout,
                **built.get_options_for_sending(),
            )

        return self._http.raw(endpoint, send, safe=safe, what=what).body

    def unsubscribe_all(self, email: str) -> WriteResult:
        """Unsubscribe one contact from all email; repeating it changes nothing."""
        options = {
            "method": "POST",
            "path": f"{PREFERENCES}/{quote(email, safe='@')}/unsubscribe-all",
            "qs": {"channel": "EMAIL"},
        }
        try:
            self._send("POST unsubscribe-all", options, safe=True, what="unsubscribe a contact")
        except HubSpotHttpError as exc:
            if exc.status in (400, 404, 409):
                return WriteResult(0, False, errors=(_problem(exc),))
            raise self._http.translate(exc, "unsubscribe a contact") from None
        return WriteResult(0, True, email)

    def unsubscribe_all_batch(self, emails: Sequence[str]) -> list[WriteResult]:
        out: list[WriteResult] = []
        for n, chunk in enumerate(chunked(list(emails), UNSUBSCRIBE_BATCH)):
            offset = n * UNSUBSCRIBE_BATCH
            options = {
                "method": "POST",
                "path": f"{PREFERENCES}/batch/unsubscribe-all",
                "qs": {"channel": "EMAIL"},
                "body": {"inputs": list(chunk)},
            }
            try:
                body = self._send(
                    "POST batch/unsubscribe-all", options, safe=True, what="unsubscribe contacts"
                )
            except (TransientError, HubSpotHttpError) as exc:
                error = self._http.translate(exc, "unsubscribe contacts")
                if isinstance(error, TransientError):
                    # Still failing after every retry: per record, so the run goes on and
                    # the engine keeps these unsubscribes owed for the next run (R1).
                    out += [
                        WriteResult.failure(offset + i, TRANSIENT, str(error))
                        for i in range(len(chunk))
                    ]
                    continue
                if not isinstance(exc, HubSpotHttpError):
                    raise error from None
                if exc.status != 400 or len(chunk) == 1:
                    if exc.status in (400, 404, 409):
                        out += [
                            WriteResult(offset + i, False, errors=(_problem(exc),))
                            for i in range(len(chunk))
                        ]
                        continue
                    raise self._http.translate(exc, "unsubscribe contacts") from None
                # One bad address rejects the batch: fall back to one call per address.
                for i, email in enumerate(chunk):
                    single = self.unsubscribe_all(email)
                    out.append(WriteResult(offset + i, single.ok, single.id, errors=single.errors))
                continue
            out += _batch_results(chunk, offset, body)
        return out

    def is_unsubscribed_from_all(self, email: str) -> bool:
        options = {
            "method": "GET",
            "path": f"{PREFERENCES}/{quote(email, safe='@')}/unsubscribe-all",
            "qs": {"channel": "EMAIL"},
        }
        try:
            body = self._send(
                "GET unsubscribe-all", options, safe=True, what="read a contact's status"
            )
        except HubSpotHttpError as exc:
            if exc.status == 404:
                return False
            raise self._http.translate(exc, "read a contact's unsubscribe status") from None
        results = (body or {}).get("results") or []
        return any(str(r.get("status", "UNSUBSCRIBED")) == "UNSUBSCRIBED" for r in results)

    def email_events(
        self, start: datetime, end: datetime, event_types: Sequence[str] = ("OPEN", "CLICK")
    ) -> Iterator[list[Record]]:
        """Pages of email events created in [start, end), one event type at a time."""
        for event_type in event_types:
            offset: str | None = None
            while True:
                qs: dict[str, Any] = {
                    "startTimestamp": epoch_millis(start),
                    "endTimestamp": epoch_millis(end),
                    "eventType": event_type,
                    "limit": EVENTS_PAGE,
                }
                if offset:
                    qs["offset"] = offset
                options = {"method": "GET", "path": EVENTS, "qs": qs}
                try:
                    body = self._send(
                        "GET email/events", options, safe=True, what="read email events"
                    )
                except HubSpotHttpError as exc:
                    raise self._http.translate(exc, "read email events") from None
                body = body or {}
                events = [dict(e) for e in body.get("events") or []]
                if events:
                    yield events
                offset = body.get("offset")
                if not body.get("hasMore") or not offset:
                    break

    def email_campaign(self, campaign_id: str) -> Record | None:
        """One email campaign (its `name`, `subject`, `appId`...), None when HubSpot has none."""
        options = {"method": "GET", "path": f"{CAMPAIGNS}/{quote(campaign_id, safe='')}"}
        try:
            body = self._send(
                "GET email/campaign", options, safe=True, what="read an email campaign"
            )
        except HubSpotHttpError as exc:
            if exc.status == 404:
                return None
            raise self._http.translate(exc, "read an email campaign") from None
        return dict(body) if isinstance(body, Mapping) else None


def _batch_results(chunk: Sequence[str], offset: int, body: Any) -> list[WriteResult]:
    body = body if isinstance(body, Mapping) else {}
    done = {str(r.get("subscriberIdString", "")).lower() for r in body.get("results") or []}
    failed: dict[str, RecordError] = {}
    for error in body.get("errors") or []:
        context = error.get("context") or {}
        problem = RecordError(
            str(error.get("category") or "ERROR"), str(error.get("message") or "")
        )
        for key in ("subscriberIdString", "subscriberIdStrings", "emails", "ids"):
            for value in context.get(key) or []:
                failed[str(value).lower()] = problem
    out: list[WriteResult] = []
    for i, email in enumerate(chunk):
        key = email.lower()
        if key in failed:
            out.append(WriteResult(offset + i, False, errors=(failed[key],)))
        elif key in done or not failed:
            out.append(WriteResult(offset + i, True, email))
        else:
            out.append(WriteResult.failure(offset + i, "NO_RESULT", "HubSpot returned no result"))
    return out
