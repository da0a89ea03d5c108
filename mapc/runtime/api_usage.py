"""The API calls one run makes on each side, and the daily usage the APIs report back."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any, Protocol

from mapc.runtime.beforecall import BeforeCall


class Meter(Protocol):
    """What a connector exposes as `meter` (SalesforceSession, HubSpotTransport)."""

    calls: Counter[str]
    org_usage: tuple[int, int] | None
    before_call: BeforeCall


def meter_of(port: object) -> Meter | None:
    """A connector's meter; None for a port that keeps none (a test double)."""
    meter = getattr(port, "meter", None)
    return meter if meter is not None and hasattr(meter, "calls") else None


class RunUsage:
    """Calls made on each side since the run began (a scheduled loop reuses connectors,
    so each run counts from its own start), with the org's reported daily usage."""

    def __init__(self, meters: Mapping[str, Meter | None]) -> None:
        self.meters = {side: m for side, m in meters.items() if m is not None}
        self._start = {side: sum(m.calls.values()) for side, m in self.meters.items()}

    def calls(self, side: str) -> int:
        meter = self.meters.get(side)
        if meter is None:
            return 0
        return sum(meter.calls.values()) - self._start[side]

    def as_dict(
        self, allocations: Mapping[str, int | None] | None = None
    ) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for side, meter in sorted(self.meters.items()):
            used, limit = meter.org_usage or (None, None)
            out[side] = {
                "calls": self.calls(side),
                "org_used": used,
                "org_limit": limit,
                "allocation": (allocations or {}).get(side),
            }
        return out

    def summary(self) -> str:
        """ "hubspot 14, salesforce 16" for a log line; "unknown" without meters."""
        return ", ".join(f"{side} {self.calls(side)}" for side in sorted(self.meters)) or "unknown"
