"""POST /hooks/hubspot: HubSpot's webhooks, checked against the signature v3 and answered
at once; the runs they trigger happen on the triggers' own threads."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from mapc.runtime.triggers.events import BadDelivery, parse_events
from mapc.runtime.triggers.hub import Triggers
from mapc.runtime.triggers.signature import InvalidSignature, verify_v3

log = logging.getLogger("mapc.serve")

PATH = "/hooks/hubspot"
MAX_BODY = 1024 * 1024
"""HubSpot sends at most 100 events a request, a few hundred bytes each."""


@dataclass(frozen=True)
class HookConfig:
    triggers: Triggers
    secret: str | None
    """The app's client secret (HUBSPOT_CLIENT_SECRET); None: webhooks are off."""
    public_url: str | None = None
    """The base URL HubSpot calls (behind a proxy the URI it signed is not the one this
    server sees); None: the request's own URL."""

    def __repr__(self) -> str:  # never show the secret in a log or traceback
        return f"HookConfig(secret={'set' if self.secret else 'unset'}, public_url={self.public_url!r})"


def signed_uri(request: Request, public_url: str | None) -> str:
    """The URI HubSpot signed: its base (the public URL, else as this request reached
    us), the path as sent, and the query string."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if isinstance(raw, bytes) and raw else request.url.path
    query = request.scope.get("query_string") or b""
    own = f"{request.url.scheme}://{request.url.netloc}"
    base = public_url.rstrip("/") if public_url else own
    return base + path + (f"?{query.decode('latin-1')}" if query else "")


def hubspot_hook(config: HookConfig | None) -> Callable[[Request], Awaitable[Response]]:
    async def hook(request: Request) -> Response:
        if config is None or not config.secret:
            return PlainTextResponse(
                "webhooks are off: start `mapc serve --sync ADAPTER` (or --fleet) with "
                "HUBSPOT_CLIENT_SECRET set",
                404,
            )
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return PlainTextResponse("a webhook delivery is at most 1 MiB", 413)
        try:
            verify_v3(
                config.secret,
                method=request.method,
                uri=signed_uri(request, config.public_url),
                body=body,
                timestamp=request.headers.get("x-hubspot-request-timestamp"),
                signature=request.headers.get("x-hubspot-signature-v3"),
            )
        except InvalidSignature as refused:
            log.warning("webhook refused: %s", refused)
            return PlainTextResponse("invalid signature", 401)
        try:
            events = parse_events(body)
        except BadDelivery as bad:
            return PlainTextResponse(str(bad), 400)
        delivery = config.triggers.hubspot(events)
        log.info(
            "webhook: %d event(s), %d echo(es) of mapc's writes, run due for %s",
            delivery.events,
            delivery.echoes,
            ", ".join(delivery.triggered) or "nothing",
        )
        return JSONResponse(delivery.as_dict())

    return hook
