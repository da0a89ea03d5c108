"""The API budget: how many calls a day mapc may make on each side, and the guard that
stops a run cleanly before it would make one more.

An allocation is a number of calls, or a share of the org's daily limit ("20%": of
Salesforce's DailyApiRequests from the limits resource, of HubSpot's daily limit from its
X-HubSpot-RateLimit-Daily header). It counts every call of the runs and plans started in
the last 24 hours (the run log keeps each run's calls) plus this run's. The guard runs
before each call; the run it stops is ended like a killed one at a clean point: nothing
is half recorded, its cursors do not move, and the next run resumes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from mapc.runtime.api_usage import RunUsage
from mapc.runtime.errors import ConfigurationError, ConnectorError

_SHARE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")


class BudgetExhausted(ConnectorError):
    """The run's next call would exceed mapc's API allocation on one side."""


@dataclass(frozen=True)
class Allocation:
    calls: int | None = None
    share: float | None = None
    """A fraction (0.2 for "20%") of the org's daily limit."""

    @classmethod
    def parse(cls, text: str, option: str) -> Allocation:
        raw = text.strip()
        match = _SHARE.match(raw)
        if match:
            share = float(match.group(1)) / 100
            if not 0 < share <= 1:
                raise ConfigurationError(
                    f"{option} wants a share between 0% and 100%, not {text!r}."
                )
            return cls(share=share)
        if raw.isdigit() and int(raw) > 0:
            return cls(calls=int(raw))
        raise ConfigurationError(
            f"{option} wants a number of calls a day (5000) or a share of the org's daily "
            f"limit (20%), not {text!r}."
        )

    def resolve(self, org_limit: int | None) -> int | None:
        """Calls allowed in 24 hours; None while a share's org limit is unknown."""
        if self.calls is not None:
            return self.calls
        if self.share is not None and org_limit:
            return max(int(org_limit * self.share), 1)
        return None

    def __str__(self) -> str:
        return f"{self.calls}" if self.calls is not None else f"{(self.share or 0) * 100:g}%"


class Budget:
    """The allocations of one run, per side ("salesforce", "hubspot"), and its guards."""

    def __init__(self, allocations: Mapping[str, Allocation]) -> None:
        self.allocations = dict(allocations)

    def guard(
        self,
        usage: RunUsage,
        used_before: Mapping[str, int],
        org_limits: Mapping[str, int | None],
    ) -> Callable[[], None]:
        """Install a check before every call on each metered side; returns the function
        that removes them."""
        removers = []
        for side, meter in usage.meters.items():
            allocation = self.allocations.get(side)

            def check(side: str = side, allocation: Allocation | None = allocation) -> None:
                self.check(side, allocation, usage, used_before.get(side, 0), org_limits)

            # Beside whatever else checks the session's calls, and before it: a call the
            # budget refuses takes no slot of a fleet's shared limit.
            removers.append(meter.before_call.add(check, first=True))

        def remove() -> None:
            for undo in removers:
                undo()

        return remove

    def allowed(
        self, side: str, usage: RunUsage, org_limits: Mapping[str, int | None]
    ) -> int | None:
        allocation = self.allocations.get(side)
        if allocation is None:
            return None
        meter = usage.meters.get(side)
        reported = meter.org_usage[1] if meter is not None and meter.org_usage else None
        return allocation.resolve(org_limits.get(side) or reported)

    def check(
        self,
        side: str,
        allocation: Allocation | None,
        usage: RunUsage,
        before: int,
        org_limits: Mapping[str, int | None],
    ) -> None:
        meter = usage.meters[side]
        if meter.org_usage is not None and meter.org_usage[0] >= meter.org_usage[1]:
            used, limit = meter.org_usage
            raise BudgetExhausted(
                f"The {side} org has used its whole daily API limit ({used:,} of {limit:,}): "
                "the run stopped before its next call; its cursors did not move, so the next "
                "run resumes where it began.",
                system=side,
            )
        if allocation is None:
            return
        allowed = self.allowed(side, usage, org_limits)
        if allowed is None:
            return
        used = before + usage.calls(side)
        if used >= allowed:
            raise BudgetExhausted(
                f"mapc's {side} API budget is used up ({used:,} of {allowed:,} calls in the "
                f"last 24 hours, allocation {allocation}): the run stopped before its next "
                "call; its cursors did not move, so the next run resumes where it began.",
                system=side,
            )
