"""What a run did (or, dry, would do): counts per object and side, and a sample of actions."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

SUMMARY_LOGGER = "mapc.summary"
"""The logger of each run's one-line summary (shown at the default log level)."""

DETAIL_LIMIT = 2000
"""Actions kept with their details by default (counts are always complete); `mapc plan
--limit 0` keeps them all. A report says when it holds fewer than it counted."""


@dataclass(frozen=True)
class Change:
    """One field a write sets: the value the record holds now and the one it gets."""

    field: str
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "old": _plain(self.old), "new": _plain(self.new)}


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)


def record_ids(label: str) -> dict[str, str | None]:
    """The ids in an action's label, as fields: "Lead 00Q..." (the record written or
    skipped) or "Lead for contacts 1004" (a record to create from another)."""
    words = label.split()
    if len(words) == 4 and words[1] == "for":
        return {
            "record_object": words[0],
            "record_id": None,
            "source_object": words[2],
            "source_id": words[3],
        }
    if len(words) == 2:
        return {
            "record_object": words[0],
            "record_id": words[1],
            "source_object": None,
            "source_id": None,
        }
    return {"record_object": None, "record_id": None, "source_object": None, "source_id": None}


@dataclass(frozen=True)
class Action:
    object: str
    side: str
    """The side written to: "salesforce" or "hubspot"."""
    op: str
    """create, update, skip, unsubscribe, associate, task, delete, error."""
    record: str
    """A label for people ("Lead 00Q...", "Lead for contacts 1004"); `to_dict` also
    gives its ids as fields of their own."""
    fields: tuple[str, ...] = ()
    reason: str = ""
    changes: tuple[Change, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "object": self.object,
            "side": self.side,
            "op": self.op,
            "record": self.record,
            **record_ids(self.record),
            "fields": list(self.fields),
            "changes": [c.to_dict() for c in self.changes],
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Conflict:
    """A two-way field both sides changed: both values and the side that won."""

    object: str
    hubspot_id: str
    sf_object: str
    sf_id: str
    field: str
    hubspot_value: Any
    salesforce_value: Any
    winner: str

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["hubspot_value"] = _plain(self.hubspot_value)
        out["salesforce_value"] = _plain(self.salesforce_value)
        return out


@dataclass
class Report:
    dry_run: bool = False
    run_id: int | None = None
    counts: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    skip_reasons: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    actions: list[Action] = field(default_factory=list)
    conflicts: int = 0
    reads: int = 0
    detail_limit: int | None = DETAIL_LIMIT
    """How many actions to keep with their details; None keeps every one."""
    action_total: int = 0
    """Actions reported (skips are only counted, by reason), kept in `actions` or not."""
    api: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per side: API calls this run made, and the org's daily usage the API reported."""
    stopped: str = ""
    """Why the run stopped before the end (its API budget ran out); "" when it finished."""
    outcome: str = ""
    """As the run log stores it (completed, completed_with_errors, failed, stopped_budget)."""
    finished_at: str = ""
    records_read: Counter[tuple[str, str]] = field(default_factory=Counter)
    """Changed records read per (pair, side read from)."""
    skipped: list[Action] = field(default_factory=list)
    """Skipped records with their reasons (as many as `detail_limit` keeps)."""
    conflict_details: list[Conflict] = field(default_factory=list)

    def add(
        self,
        obj: str,
        side: str,
        op: str,
        record: str,
        fields: tuple[str, ...] = (),
        reason: str = "",
        n: int = 1,
        changes: tuple[Change, ...] = (),
    ) -> None:
        self.counts[(obj, side, op)] += n
        if op == "skip":
            self.skip_reasons[(obj, side, reason)] += n
            if self.detail_limit is None or len(self.skipped) < self.detail_limit:
                self.skipped.append(Action(obj, side, op, record, fields, reason))
            return
        self.action_total += 1
        if self.detail_limit is None or len(self.actions) < self.detail_limit:
            self.actions.append(Action(obj, side, op, record, fields, reason, changes))

    def conflict(self, conflict: Conflict) -> None:
        self.conflicts += 1
        if self.detail_limit is None or len(self.conflict_details) < self.detail_limit:
            self.conflict_details.append(conflict)

    def read(self, obj: str, side: str, n: int) -> None:
        self.records_read[(obj, side)] += n

    @property
    def truncated(self) -> bool:
        """Whether `actions` holds fewer actions than were reported."""
        return len(self.actions) < self.action_total

    def total(self, op: str) -> int:
        return sum(n for (_, _, o), n in self.counts.items() if o == op)

    @property
    def writes(self) -> int:
        return sum(
            self.total(op)
            for op in ("create", "update", "unsubscribe", "associate", "task", "delete")
        )

    @property
    def failed(self) -> int:
        return self.total("error")

    def rows(self) -> list[dict[str, Any]]:
        """One row per (object, side) with every count, sorted."""
        table: dict[tuple[str, str], Counter[str]] = {}
        for (obj, side, op), n in self.counts.items():
            table.setdefault((obj, side), Counter())[op] += n
        return [
            {"object": obj, "side": side, **dict(sorted(ops.items()))}
            for (obj, side), ops in sorted(table.items())
        ]

    def as_counts(self) -> dict[str, Any]:
        return {
            "writes": self.writes,
            "errors": self.failed,
            "conflicts": self.conflicts,
            "by_object": self.rows(),
            "api": self.api,
            **({"stopped": self.stopped} if self.stopped else {}),
            "read": [
                {"object": obj, "side": side, "records": n}
                for (obj, side), n in sorted(self.records_read.items())
            ],
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "run_id": self.run_id,
            "changes_pending" if self.dry_run else "writes": self.writes,
            "errors": self.failed,
            "conflicts": self.conflicts,
            "summary": self.rows(),
            "skips": [
                {"object": o, "side": s, "reason": r, "count": n}
                for (o, s, r), n in sorted(self.skip_reasons.items())
            ],
            "skipped": [a.to_dict() for a in self.skipped],
            "conflict_details": [c.to_dict() for c in self.conflict_details],
            "actions": [a.to_dict() for a in self.actions],
            "actions_total": self.action_total,
            "actions_truncated": self.truncated,
            "api": self.api,
            "stopped": self.stopped or None,
            "outcome": self.outcome or None,
            "finished_at": self.finished_at or None,
        }
