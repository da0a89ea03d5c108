"""HubSpot's error bodies: {"status": "error", "message", "correlationId", "category", ...}."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any


def correlation_id() -> str:
    return str(uuid.uuid4())


@dataclass
class HsApiError(Exception):
    status: int
    category: str
    message: str
    extra: dict[str, Any] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        return {
            "status": "error",
            "message": self.message,
            "correlationId": correlation_id(),
            "category": self.category,
            **self.extra,
        }


def not_found(kind: str, object_id: str) -> HsApiError:
    return HsApiError(
        404,
        "OBJECT_NOT_FOUND",
        "Object not found.  objectId are usually numeric.",
        {"context": {"id": [object_id]}},
    )


def validation(message: str, **extra: Any) -> HsApiError:
    return HsApiError(400, "VALIDATION_ERROR", message, dict(extra))


def invalid_properties(problems: list[dict[str, Any]]) -> HsApiError:
    """Property-level failures, listed the way the CRM objects API lists them."""
    return HsApiError(
        400,
        "VALIDATION_ERROR",
        f"Property values were not valid: {json.dumps(problems)}",
        {
            "errors": [
                {
                    "message": p["message"],
                    "code": p["error"],
                    "context": {"propertyName": [p["name"]]},
                }
                for p in problems
            ]
        },
    )


def too_many_inputs(limit: int = 100) -> HsApiError:
    return validation(
        f"The maximum number of inputs supported in a batch request is {limit}. "
        "Please reduce the number of items and try again"
    )
