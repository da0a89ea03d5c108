"""An in-memory stand-in for HubSpot's CRM search semantics, for the keyset unit tests."""

from __future__ import annotations

from typing import Any

from mapc.runtime.hubspot.keyset import FilterGroup, Found, Sort
from mapc.runtime.records import from_epoch_millis

Record = dict[str, Any]
LIMIT = 200
CAP = 10_000


def _matches(record: Record, flt: dict[str, Any]) -> bool:
    value = int(record[flt["propertyName"]])
    if flt["operator"] == "NOT_IN":
        assert len(flt["values"]) <= 100
        return str(value) not in flt["values"]
    target = int(flt["value"])
    op = flt["operator"]
    return {
        "EQ": value == target,
        "NEQ": value != target,
        "GT": value > target,
        "GTE": value >= target,
        "LT": value < target,
        "LTE": value <= target,
    }[op]


class FakeSearch:
    """Filters (OR of ANDs), one sort (ties in an arbitrary but fixed order), 200 a page.

    `now` (epoch milliseconds) is the server time each answer reports, as HubSpot's `Date`
    header does; None reports none."""

    def __init__(
        self, records: list[Record], *, shuffle_seed: int = 7, now: int | None = None
    ) -> None:
        import random

        self.records = list(records)
        random.Random(shuffle_seed).shuffle(self.records)  # ties come back in no id order
        self.calls = 0
        self.now = now
        self.found = 0  # records returned, over every call

    def __call__(self, groups: list[FilterGroup], sorts: list[Sort]) -> Found:
        self.calls += 1
        assert len(sorts) == 1, "HubSpot search accepts one sort"
        assert len(groups) <= 5 and all(len(g["filters"]) <= 6 for g in groups)
        found = [
            r
            for r in self.records
            if not groups or any(all(_matches(r, f) for f in g["filters"]) for g in groups)
        ]
        prop = sorts[0]["propertyName"]
        found.sort(key=lambda r: int(r[prop]))  # stable: ties keep the shuffled order
        page = found[:LIMIT]
        self.found += len(page)
        asked_at = None if self.now is None else from_epoch_millis(self.now)
        return Found([dict(r) for r in page], len(found) > LIMIT, asked_at)
