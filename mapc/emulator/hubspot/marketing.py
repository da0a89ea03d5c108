"""Email Events API (v1) and the Communication Preferences APIs (v3 and v4)."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

from mapc.emulator.hubspot.common import body_of, int_arg
from mapc.emulator.hubspot.errors import HsApiError, validation
from mapc.emulator.hubspot.portal import PORTAL_ID, Portal
from mapc.emulator.hubspot.values import iso_ms
from mapc.emulator.wire import Request, Response

EVENT_TYPES = (
    "SENT",
    "DROPPED",
    "PROCESSED",
    "DELIVERED",
    "DEFERRED",
    "BOUNCE",
    "OPEN",
    "CLICK",
    "PRINT",
    "FORWARD",
    "STATUSCHANGE",
    "SPAMREPORT",
    "SUPPRESSED",
)
MAX_EVENTS_PAGE = 1000
_LEGAL_BASIS = (
    "LEGITIMATE_INTEREST_PQL",
    "LEGITIMATE_INTEREST_CLIENT",
    "PERFORMANCE_OF_CONTRACT",
    "CONSENT_WITH_NOTICE",
    "NON_GDPR",
    "PROCESS_AND_STORE",
    "LEGITIMATE_INTEREST_OTHER",
)
_sequence = itertools.count(1)


def make_event(data: dict[str, Any], now_ms: int) -> dict[str, Any]:
    """Fill in an event the way the Email Events API prints one."""
    kind = str(data.get("type", "OPEN")).upper()
    if kind not in EVENT_TYPES:
        raise ValueError(f"unknown email event type {kind!r}")
    created = int(data.get("created", now_ms))
    event: dict[str, Any] = {
        "id": str(data.get("id") or uuid.uuid4()),
        "type": kind,
        "recipient": str(data["recipient"]).lower(),
        "created": created,
        "emailCampaignId": int(data.get("emailCampaignId", DEFAULT_CAMPAIGN_ID)),
        "emailCampaignGroupId": int(data.get("emailCampaignGroupId", 2_000_001)),
        "appId": int(data.get("appId", 113)),
        "appName": str(data.get("appName", "BatchTest")),
        "portalId": PORTAL_ID,
        "sentBy": {"id": str(data.get("sentById") or uuid.uuid4()), "created": created - 1000},
        "_seq": next(_sequence),
    }
    if kind == "CLICK":
        event["url"] = data.get("url", "https://example.com/")
    if kind in ("OPEN", "CLICK"):
        event |= {
            "browser": {"name": "Chrome", "family": "Chrome"},
            "location": {"country": "United States", "state": "MA", "city": "Boston"},
            "userAgent": "Mozilla/5.0",
            "duration": data.get("duration", 0),
        }
    if kind == "BOUNCE":
        event |= {"category": "HARD_BOUNCE", "status": "5.1.1", "response": "User unknown"}
    for key, value in data.items():
        event.setdefault(key, value)
    return event


# The campaign the emulator's events come from unless they name another.
DEFAULT_CAMPAIGN_ID = 1_000_001
DEFAULT_CAMPAIGN_NAME = "Monthly newsletter"


def make_campaign(data: dict[str, Any], now_ms: int) -> dict[str, Any]:
    """An email campaign as `GET /email/public/v1/campaigns/{id}` prints one."""
    campaign_id = int(data["id"])
    name = str(data.get("name") or f"Email campaign {campaign_id}")
    campaign: dict[str, Any] = {
        "id": campaign_id,
        "appId": int(data.get("appId", 113)),
        "appName": str(data.get("appName", "BatchTest")),
        "contentId": int(data.get("contentId", campaign_id + 5_000_000)),
        "name": name,
        "subject": str(data.get("subject") or name),
        "type": str(data.get("type", "BATCH_EMAIL")),
        "processingState": "DONE",
        "numIncluded": int(data.get("numIncluded", 0)),
        "numQueued": 0,
        "lastProcessingStartedAt": now_ms,
        "lastProcessingFinishedAt": now_ms,
        "lastProcessingStateChangeAt": now_ms,
        "counters": dict(data.get("counters") or {}),
    }
    return campaign


def ensure_campaigns(portal: Portal, events: list[dict[str, Any]], now_ms: int) -> None:
    """Every event comes from a campaign HubSpot can name: make the ones not declared."""
    for event in events:
        campaign_id = int(event["emailCampaignId"])
        if campaign_id not in portal.email_campaigns:
            name = DEFAULT_CAMPAIGN_NAME if campaign_id == DEFAULT_CAMPAIGN_ID else None
            portal.email_campaigns[campaign_id] = make_campaign(
                {"id": campaign_id, "name": name, "appId": event.get("appId")}, now_ms
            )


class EmailEventResources:
    def __init__(self, portal: Portal) -> None:
        self.portal = portal

    def campaign(self, request: Request) -> Response:
        """GET /email/public/v1/campaigns/{campaignId}: one campaign's data."""
        raw = request.params["campaign_id"]
        campaign = self.portal.email_campaigns.get(int(raw)) if raw.isdigit() else None
        if campaign is None:
            raise HsApiError(404, "OBJECT_NOT_FOUND", f"No campaign with id {raw}")
        return Response(200, dict(campaign))

    def page(self, request: Request) -> Response:
        start = int_arg(request.arg("startTimestamp"), 0, "startTimestamp")
        end = int_arg(request.arg("endTimestamp"), 2**62, "endTimestamp")
        kind = (request.arg("eventType") or "").upper()
        recipient = (request.arg("recipient") or "").lower()
        campaign = request.arg("campaignId")
        limit = min(int_arg(request.arg("limit"), 100, "limit"), MAX_EVENTS_PAGE)
        offset = request.arg("offset") or ""
        try:
            skip = int(offset, 16) if offset else 0
        except ValueError:
            raise validation(f"Invalid offset: {offset}") from None
        events = [
            e
            for e in self.portal.email_events
            if start <= e["created"] <= end
            and (not kind or e["type"] == kind)
            and (not recipient or e["recipient"] == recipient)
            and (campaign is None or str(e["emailCampaignId"]) == campaign)
        ]
        # Newest first, as the API pages them.
        events.sort(key=lambda e: (-e["created"], -e["_seq"]))
        page = events[skip : skip + limit]
        has_more = skip + limit < len(events)
        body: dict[str, Any] = {
            "hasMore": has_more,
            "offset": format(skip + len(page), "x") if has_more else "",
            "events": [{k: v for k, v in e.items() if k != "_seq"} for e in page],
        }
        return Response(200, body)


class PreferenceResources:
    def __init__(self, portal: Portal) -> None:
        self.portal = portal

    @property
    def subs(self) -> Any:
        return self.portal.subscriptions

    # --------------------------------------------------------------------- v3

    def definitions(self, request: Request) -> Response:
        return Response(200, {"subscriptionDefinitions": [d.json() for d in self.subs.definitions]})

    def status(self, request: Request) -> Response:
        email = request.params["email"].lower()
        return Response(
            200,
            {
                "recipient": email,
                "subscriptionStatuses": [self._status(email, d.id) for d in self.subs.definitions],
            },
        )

    def subscribe(self, request: Request) -> Response:
        email, definition = self._update_request(request)
        if self.subs.is_unsubscribed_all(email):
            raise validation(
                f"{email} has opted out of all email and cannot be resubscribed "
                "through the API; the contact must resubscribe themselves",
                subCategory="PublicStatusErrorType.CONTACT_OPTED_OUT",
            )
        if self.subs.status(email, definition) == "SUBSCRIBED":
            raise validation(f"{email} is already subscribed to subscription {definition}")
        self.subs.set(email, definition, "SUBSCRIBED")
        return Response(200, self._status(email, definition))

    def unsubscribe(self, request: Request) -> Response:
        email, definition = self._update_request(request)
        if (
            self.subs.status(email, definition) == "NOT_SUBSCRIBED"
            and email in self.subs.statuses
            and definition in self.subs.statuses[email]
        ):
            raise validation(f"{email} is already unsubscribed from subscription {definition}")
        self.subs.set(email, definition, "NOT_SUBSCRIBED")
        return Response(200, self._status(email, definition))

    # --------------------------------------------------------------------- v4

    def unsubscribe_all(self, request: Request) -> Response:
        self._channel(request)
        email = request.params["subscriber"].lower()
        self.portal.unsubscribe_all(email)
        return Response(
            200, self._envelope([self._v4_status(email, d.id) for d in self.subs.definitions])
        )

    def unsubscribe_all_status(self, request: Request) -> Response:
        self._channel(request)
        email = request.params["subscriber"].lower()
        return Response(200, self._envelope(self._wide(email)))

    def batch_unsubscribe_all(self, request: Request) -> Response:
        self._channel(request)
        emails = self._inputs(request)
        results = []
        for email in emails:
            self.portal.unsubscribe_all(email)
            results.append(
                {
                    "subscriberIdString": email,
                    "statuses": [self._v4_status(email, d.id) for d in self.subs.definitions],
                }
            )
        return Response(200, self._envelope(results))

    def batch_unsubscribe_all_read(self, request: Request) -> Response:
        self._channel(request)
        return Response(
            200,
            self._envelope(
                [
                    {"subscriberIdString": e, "wideStatuses": self._wide(e)}
                    for e in self._inputs(request)
                ]
            ),
        )

    # --------------------------------------------------------------------- helpers

    def _channel(self, request: Request) -> None:
        channel = request.arg("channel")
        if channel is None:
            raise validation(
                "Required query parameter 'channel' is missing", context={"channel": ["required"]}
            )
        if channel.upper() != "EMAIL":
            raise validation(f"Unsupported channel {channel}; only EMAIL is available")

    def _inputs(self, request: Request) -> list[str]:
        inputs = body_of(request).get("inputs")
        if not isinstance(inputs, list):
            raise validation("Invalid input JSON: inputs is required")
        if len(inputs) > 100:
            raise validation(
                "The maximum number of inputs supported in a batch request is 100. "
                "Please reduce the number of items and try again"
            )
        return [str(i).lower() for i in inputs]

    def _update_request(self, request: Request) -> tuple[str, str]:
        body = body_of(request)
        email = str(body.get("emailAddress") or "").lower()
        definition = str(body.get("subscriptionId") or "")
        if not email or self.subs.definition(definition) is None:
            raise HsApiError(
                400,
                "VALIDATION_ERROR",
                f"Invalid subscription id {definition!r} or email {email!r}",
            )
        return email, definition

    def _status(self, email: str, definition_id: str) -> dict[str, Any]:
        definition = self.subs.definition(definition_id)
        assert definition is not None
        wide = self.subs.is_unsubscribed_all(email)
        return {
            "id": definition.id,
            "name": definition.name,
            "description": definition.description,
            "status": "NOT_SUBSCRIBED" if wide else self.subs.status(email, definition.id),
            "sourceOfStatus": "PORTAL_WIDE_STATUS" if wide else "SUBSCRIPTION_STATUS",
            "legalBasis": "NON_GDPR",
            "legalBasisExplanation": "",
            "preferenceGroupName": None,
            "brandId": None,
        }

    def _v4_status(self, email: str, definition_id: str) -> dict[str, Any]:
        definition = self.subs.definition(definition_id)
        assert definition is not None
        return {
            "subscriberIdString": email,
            "subscriptionId": int(definition.id),
            "subscriptionName": definition.name,
            "channel": "EMAIL",
            "status": "UNSUBSCRIBED",
            "source": "Public status API",
            "timestamp": self.subs.opted_out.get(email) or iso_ms(self.portal.clock.now()),
            "businessUnitId": 0,
            "legalBasis": None,
            "legalBasisExplanation": None,
            "setStatusSuccessReason": "UNSUBSCRIBED_FROM_ALL",
        }

    def _wide(self, email: str) -> list[dict[str, Any]]:
        stamp = self.subs.opted_out.get(email)
        if stamp is None:
            return []
        return [
            {
                "subscriberIdString": email,
                "wideStatusType": "PORTAL_WIDE",
                "status": "UNSUBSCRIBED",
                "channel": "EMAIL",
                "timestamp": stamp,
                "businessUnitId": 0,
            }
        ]

    def _envelope(self, results: list[dict[str, Any]]) -> dict[str, Any]:
        now = iso_ms(self.portal.clock.now())
        return {
            "status": "COMPLETE",
            "results": results,
            "requestedAt": now,
            "startedAt": now,
            "completedAt": now,
        }
