"""The HubSpot API surface: routes, private-app token auth, rate limits, error rendering."""

from __future__ import annotations

from collections.abc import Callable

from mapc.emulator.hubspot.association_api import AssociationResources
from mapc.emulator.hubspot.errors import HsApiError, correlation_id
from mapc.emulator.hubspot.limits import RateLimiter, retry_after
from mapc.emulator.hubspot.marketing import EmailEventResources, PreferenceResources
from mapc.emulator.hubspot.meta import OwnerResources, PropertyResources
from mapc.emulator.hubspot.objects import ObjectResources
from mapc.emulator.hubspot.portal import Portal
from mapc.emulator.hubspot.schemas import SchemaResources
from mapc.emulator.hubspot.webhooks import Source
from mapc.emulator.routing import Router
from mapc.emulator.wire import Request, Response

_O = "/crm/v3/objects/{object_type}"
_A4 = "/crm/v4/associations/{from_type}/{to_type}/batch"
_OA4 = "/crm/v4/objects/{from_type}/{from_id}/associations"
_CP3 = "/communication-preferences/v3"
_CP4 = "/communication-preferences/v4/statuses"


class HubSpotApi:
    service = "hubspot"

    def __init__(self, portal: Portal, token: str, limiter: RateLimiter) -> None:
        self.token = token
        self.limiter = limiter
        self.reset(portal)

    def reset(self, portal: Portal) -> None:
        self.portal = portal
        self.objects = ObjectResources(portal)
        self.router = self._routes()

    def _routes(self) -> Router:
        r, o = Router(), self.objects
        props, owners = PropertyResources(self.portal), OwnerResources(self.portal)
        assoc, events = AssociationResources(self.portal), EmailEventResources(self.portal)
        prefs = PreferenceResources(self.portal)
        schemas = SchemaResources(self.portal)
        r.add("GET", _O, o.page)
        r.add("POST", _O, o.create)
        r.add("POST", f"{_O}/search", o.search)
        r.add("POST", f"{_O}/batch/read", o.batch_read)
        r.add("POST", f"{_O}/batch/create", o.batch_create)
        r.add("POST", f"{_O}/batch/update", o.batch_update)
        r.add("POST", f"{_O}/batch/upsert", o.batch_upsert)
        r.add("POST", f"{_O}/batch/archive", o.batch_archive)
        r.add("POST", f"{_O}/merge", o.merge)
        r.add("GET", f"{_O}/{{object_id}}", o.get)
        r.add("PATCH", f"{_O}/{{object_id}}", o.update)
        r.add("DELETE", f"{_O}/{{object_id}}", o.archive)
        r.add("GET", "/crm/v3/properties/{object_type}", props.all)
        r.add("POST", "/crm/v3/properties/{object_type}", props.create)
        r.add("POST", "/crm/v3/properties/{object_type}/batch/read", props.batch_read)
        r.add("POST", "/crm/v3/properties/{object_type}/batch/create", props.batch_create)
        r.add("GET", "/crm/v3/properties/{object_type}/{name}", props.get)
        # The schemas API answers on both paths; hubspot-api-client uses the second.
        for base in ("/crm/v3/schemas", "/crm-object-schemas/v3/schemas"):
            r.add("GET", base, schemas.all)
            r.add("POST", base, schemas.create)
            r.add("GET", f"{base}/{{object_type}}", schemas.get)
        r.add("GET", "/crm/v3/owners", owners.page)
        r.add("GET", "/crm/v3/owners/{owner_id}", owners.get)
        r.add("POST", f"{_A4}/read", assoc.batch_read)
        r.add("POST", f"{_A4}/create", assoc.batch_create)
        r.add("POST", f"{_A4}/associate/default", assoc.batch_default)
        r.add("POST", f"{_A4}/archive", assoc.batch_archive)
        r.add("PUT", f"{_OA4}/default/{{to_type}}/{{to_id}}", assoc.put_default)
        r.add("GET", f"{_OA4}/{{to_type}}", assoc.of_record)
        r.add("PUT", f"{_OA4}/{{to_type}}/{{to_id}}", assoc.put_labelled)
        r.add("DELETE", f"{_OA4}/{{to_type}}/{{to_id}}", assoc.delete)
        r.add("GET", "/email/public/v1/events", events.page)
        r.add("GET", "/email/public/v1/campaigns/{campaign_id}", events.campaign)
        r.add("GET", f"{_CP3}/definitions", prefs.definitions)
        r.add("GET", f"{_CP3}/status/email/{{email}}", prefs.status)
        r.add("POST", f"{_CP3}/subscribe", prefs.subscribe)
        r.add("POST", f"{_CP3}/unsubscribe", prefs.unsubscribe)
        r.add("POST", f"{_CP4}/batch/unsubscribe-all", prefs.batch_unsubscribe_all)
        r.add("POST", f"{_CP4}/batch/unsubscribe-all/read", prefs.batch_unsubscribe_all_read)
        r.add("POST", f"{_CP4}/{{subscriber}}/unsubscribe-all", prefs.unsubscribe_all)
        r.add("GET", f"{_CP4}/{{subscriber}}/unsubscribe-all", prefs.unsubscribe_all_status)
        return r

    # ------------------------------------------------------------------ the Site protocol

    def rate_limit(self, request: Request) -> Response | None:
        is_search = request.route_key.endswith("/search")
        headers, refusal, wait = self.limiter.admit(is_search)
        request.reply_headers.update(headers)
        if refusal is None:
            return None
        return Response(429, refusal, {**headers, "Retry-After": retry_after(wait)})

    def authorize(self, request: Request) -> Response | None:
        header = request.header("Authorization") or ""
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer" and token.strip() == self.token:
            return None
        return Response(
            401,
            {
                "status": "error",
                "message": "Authentication credentials not found. This API supports OAuth 2.0 "
                "authentication and you can find more details at "
                "https://developers.hubspot.com/docs/methods/auth/oauth-overview",
                "correlationId": correlation_id(),
                "category": "INVALID_AUTHENTICATION",
            },
        )

    def handle(self, request: Request, route_handler: Callable[[Request], Response]) -> Response:
        # A request that got here carried the token: its changes are the app's.
        try:
            with self.portal.acting(Source.app()):
                response = route_handler(request)
        except HsApiError as exc:
            response = Response(exc.status, exc.body())
        return response

    def not_found(self, request: Request) -> Response:
        if request.params.get("__method_not_allowed__"):
            return Response(
                405,
                {
                    "status": "error",
                    "message": "HTTP 405 Method Not Allowed",
                    "correlationId": correlation_id(),
                    "category": "UNKNOWN",
                },
            )
        return Response(
            404,
            {
                "status": "error",
                "message": f"Resource not found: {request.path}",
                "correlationId": correlation_id(),
                "category": "OBJECT_NOT_FOUND",
            },
        )

    def fault(self, status: int) -> Response:
        if status == 429:
            body = {
                "status": "error",
                "message": "You have reached your ten_secondly_rolling limit.",
                "errorType": "RATE_LIMIT",
                "correlationId": correlation_id(),
                "policyName": "TEN_SECONDLY_ROLLING",
                "groupName": "publicapi:emulator",
            }
            limit = self.limiter.limit
            return Response(
                429,
                body,
                {
                    "X-HubSpot-RateLimit-Daily": str(limit.daily),
                    "X-HubSpot-RateLimit-Daily-Remaining": str(limit.daily),
                    "X-HubSpot-RateLimit-Interval-Milliseconds": str(limit.interval_ms),
                    "X-HubSpot-RateLimit-Max": str(limit.max_per_interval),
                    "X-HubSpot-RateLimit-Remaining": "0",
                    "X-HubSpot-RateLimit-Secondly": str(limit.per_second or 19),
                    "X-HubSpot-RateLimit-Secondly-Remaining": "0",
                },
            )
        category = "INTERNAL_ERROR" if status >= 500 else "VALIDATION_ERROR"
        return Response(
            status,
            {
                "status": "error",
                "message": f"Injected failure ({status})",
                "correlationId": correlation_id(),
                "category": category,
            },
        )
