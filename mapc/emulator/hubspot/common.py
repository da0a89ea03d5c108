"""Request and response shapes every HubSpot endpoint shares."""

from __future__ import annotations

from typing import Any

from mapc.emulator.hubspot.errors import correlation_id, validation
from mapc.emulator.hubspot.portal import Portal
from mapc.emulator.hubspot.values import iso_ms
from mapc.emulator.wire import BadJson, Request, Response


def body_of(request: Request) -> dict[str, Any]:
    try:
        data = request.json()
    except BadJson as exc:
        raise validation(f"Invalid input JSON on line 1: {exc}") from exc
    if not isinstance(data, dict):
        raise validation("Invalid input JSON: expected an object")
    return data


def batch_response(
    results: list[dict[str, Any]], errors: list[dict[str, Any]], portal: Portal, status: int = 200
) -> Response:
    now = iso_ms(portal.clock.now())
    # HubSpot promises no order for batch results (creates come back shuffled): answer in
    # reverse input order, so a client that matches results to inputs by position fails
    # here as it would in production.
    results = results[::-1]
    body: dict[str, Any] = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": now,
        "completedAt": now,
    }
    if errors:
        body |= {"numErrors": len(errors), "errors": errors}
        for error in errors:
            error.setdefault("id", correlation_id())
        return Response(207, body)
    return Response(status, body)


def int_arg(value: Any, default: int, name: str) -> int:
    if value in (None, ""):
        return default
    try:
        return int(str(value))
    except ValueError as exc:
        raise validation(f"{name} must be a number, got {value}") from exc
