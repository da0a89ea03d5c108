"""A saved plan (`mapc plan -o FILE`) and the check that a run applies exactly it
(`mapc run --plan FILE`): the state's cursors must be those the plan was made from, and a
fresh plan of the same changes must decide the same writes, skips and conflicts; else
the plan is stale and the run refuses, writing nothing (as Terraform does)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mapc.runtime.errors import ConfigurationError
from mapc.runtime.sync.report import Report

PLAN_FORMAT = 1
_SHOWN = 5


class PlanError(ConfigurationError):
    """A saved plan that cannot be read or is not for this adapter and state."""


class StalePlan(PlanError):
    """The records or the state changed since the plan was made."""


def decisions(plan: dict[str, Any]) -> list[str]:
    """A plan's decisions, one canonical line each, sorted: every write (with its fields'
    values), every skip with its reason, every conflict."""
    lines = []
    for key in ("actions", "skipped", "conflict_details"):
        for item in plan.get(key) or ():
            lines.append(key + " " + json.dumps(item, sort_keys=True, default=str))
    return sorted(lines)


def digest(plan: dict[str, Any]) -> str:
    return hashlib.sha256("\n".join(decisions(plan)).encode()).hexdigest()


@dataclass(frozen=True)
class SavedPlan:
    adapter: str
    account: str
    cursors: dict[str, str]
    plan: dict[str, Any]

    @property
    def digest(self) -> str:
        return digest(self.plan)


def cursor_map(cursors: dict[tuple[str, str], str]) -> dict[str, str]:
    return {f"{side}/{obj}": value for (side, obj), value in sorted(cursors.items())}


def save(path: Path, report: Report, adapter: str, account: str, cursors: dict[str, str]) -> None:
    if report.truncated:
        raise PlanError("a saved plan holds every action: make it without a detail limit.")
    plan = report.to_dict()
    document = {
        "format": PLAN_FORMAT,
        "made_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "adapter": adapter,
        "account": account,
        "cursors": cursors,
        "digest": digest(plan),
        "plan": plan,
    }
    try:
        path.write_text(json.dumps(document, indent=2, sort_keys=True, default=str) + "\n")
    except OSError as exc:
        raise PlanError(f"Cannot write the plan to {path}: {exc.strerror or exc}.") from None


def load(path: Path) -> SavedPlan:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PlanError(f"Cannot read the plan {path}: {exc.strerror or exc}.") from None
    except ValueError:
        raise PlanError(f"{path} is not a saved mapc plan (not JSON).") from None
    if not isinstance(document, dict) or document.get("format") != PLAN_FORMAT:
        raise PlanError(f"{path} is not a saved mapc plan of format {PLAN_FORMAT}.")
    plan = document.get("plan")
    if not isinstance(plan, dict) or document.get("digest") != digest(plan):
        raise PlanError(f"{path} was edited after it was saved: make a new plan.")
    return SavedPlan(
        str(document.get("adapter")),
        str(document.get("account")),
        dict(document.get("cursors") or {}),
        plan,
    )


def check(saved: SavedPlan, adapter: str, account: str, cursors: dict[str, str]) -> None:
    """The plan is for this adapter and account, and made from these cursors."""
    if saved.adapter != adapter or saved.account != account:
        raise PlanError(
            f"The plan was made for adapter {saved.adapter} and account {saved.account}, "
            f"not {adapter} and {account}."
        )
    if saved.cursors != cursors:
        raise StalePlan(
            "The saved plan is stale: a run has synced since it was made (the state's "
            "cursors moved), so it may no longer be what a run would do. Nothing was "
            "written; make a new plan with `mapc plan -o FILE` and review it."
        )


def compare(saved: SavedPlan, fresh: Report) -> None:
    """Refuse when a fresh plan of the same changes decides anything else."""
    fresh_plan = fresh.to_dict()
    if digest(fresh_plan) == saved.digest:
        return
    before, now = set(decisions(saved.plan)), set(decisions(fresh_plan))
    gone = [_label(line) for line in sorted(before - now)][:_SHOWN]
    new = [_label(line) for line in sorted(now - before)][:_SHOWN]
    detail = "; ".join(
        part
        for part in (
            f"no longer: {', '.join(gone)}" if gone else "",
            f"now also: {', '.join(new)}" if new else "",
        )
        if part
    )
    raise StalePlan(
        "The saved plan is stale: the records changed since it was made, so a run would "
        f"not do exactly what it says ({detail}). Nothing was written; make a new plan "
        "with `mapc plan -o FILE` and review it."
    )


def _label(line: str) -> str:
    kind, _, body = line.partition(" ")
    item = json.loads(body)
    if kind == "conflict_details":
        return f"conflict {item.get('object')} {item.get('hubspot_id')} {item.get('field')}"
    fields = ",".join(item.get("fields") or [])
    return f"{item.get('op')} {item.get('record')}" + (f" [{fields}]" if fields else "")
