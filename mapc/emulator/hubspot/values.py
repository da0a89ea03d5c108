"""Property values as HubSpot stores them: strings, with dates in its own formats."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from mapc.emulator.clock import parse_instant
from mapc.emulator.hubspot.schema import PropertyDef

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$")


def iso_ms(moment: datetime) -> str:
    """2026-11-29T08:00:00.000Z, the form createdAt and datetime properties come back in."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def to_ms(value: str) -> int | None:
    """A datetime property or filter value (epoch milliseconds or ISO) as epoch ms."""
    text = value.strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)
        return int(parse_instant(text).timestamp() * 1000)
    except ValueError:
        return None


def normalize(prop: PropertyDef, raw: Any) -> tuple[str | None, dict[str, Any] | None]:
    """(stored value, None) or (None, problem) where problem is HubSpot's per-property error."""
    if raw is None or raw == "":
        return None, None
    text = ("true" if raw else "false") if isinstance(raw, bool) else str(raw)
    if isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    kind = prop.type
    if prop.name == "email":
        if not _EMAIL.match(text):
            return None, _problem(prop, "INVALID_EMAIL", f"Email address {text} is invalid")
        return text.lower(), None
    if kind == "number":
        if not _NUMBER.match(text):
            return None, _problem(prop, "INVALID_DECIMAL", f"{text} was not a valid number.")
        return text, None
    if kind == "bool":
        if text.lower() not in ("true", "false"):
            return None, _problem(
                prop,
                "INVALID_BOOLEAN",
                f"{text} was not a valid boolean value. Valid values are true or false.",
            )
        return text.lower(), None
    if kind == "datetime":
        ms = to_ms(text)
        if ms is None:
            return None, _problem(
                prop, "INVALID_DATE", f"{text} was not a valid long or ISO8601 date time string"
            )
        return iso_ms(datetime.fromtimestamp(ms / 1000, UTC)), None
    if kind == "date":
        ms = to_ms(text)
        if ms is None or ms % 86_400_000:
            return None, _problem(
                prop,
                "INVALID_DATE",
                f"{text} is at {ms} epoch milliseconds, which is not midnight UTC"
                if ms is not None
                else f"{text} is not a valid date",
            )
        return datetime.fromtimestamp(ms / 1000, UTC).date().isoformat(), None
    if kind == "enumeration" and prop.options:
        chosen = text.split(";") if prop.field_type == "checkbox" else [text]
        bad = [c for c in chosen if c not in prop.options]
        if bad:
            allowed = ", ".join(prop.options)
            return None, _problem(
                prop, "INVALID_OPTION", f"{bad[0]} was not one of the allowed options: [{allowed}]"
            )
    return text, None


def _problem(prop: PropertyDef, code: str, message: str) -> dict[str, Any]:
    return {
        "isValid": False,
        "message": message,
        "error": code,
        "name": prop.name,
        "localizedErrorMessage": message,
    }


def read_only_problem(prop: PropertyDef) -> dict[str, Any]:
    kind = "calculated" if prop.calculated else "read only"
    return _problem(
        prop, "READ_ONLY_VALUE", f'"{prop.name}" is a {kind} property; its value cannot be set.'
    )


def unknown_problem(name: str) -> dict[str, Any]:
    message = f'Property "{name}" does not exist'
    return {
        "isValid": False,
        "message": message,
        "error": "PROPERTY_DOESNT_EXIST",
        "name": name,
        "localizedErrorMessage": message,
    }
