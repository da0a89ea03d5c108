"""Comparing field values across the two APIs' spellings (HubSpot sends strings)."""

from __future__ import annotations

import re
from typing import Any

_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2})T00:00(:00(\.0+)?)?(Z|\+00:00|\+0000)?$")
_TRUE = frozenset({"true", "1", "yes"})


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in _TRUE
    return bool(value)


def canon(value: Any) -> Any:
    """One spelling per value: blank -> None, booleans and numbers as their plain text,
    dates at midnight UTC as the bare date."""
    if value is None:
        return None
    if type(value) is str:  # the common case first
        text = value.strip()
        if not text:
            return None
        if len(text) > 10 and text[10] == "T":
            match = _MIDNIGHT.match(text)
            if match:
                return match.group(1)
        return text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)
    if isinstance(value, str):
        return canon(str(value))
    return value


def same(a: Any, b: Any) -> bool:
    """Whether two values are the same once each API's spelling is set aside."""
    ca, cb = canon(a), canon(b)
    if ca == cb:
        return True
    if isinstance(a, bool) or isinstance(b, bool):
        return truthy(a) == truthy(b)
    if isinstance(a, int | float) or isinstance(b, int | float):
        try:
            return float(str(ca)) == float(str(cb))
        except (TypeError, ValueError):
            return False
    return False


def canon_text(value: Any) -> str | None:
    """A value as stored in a snapshot (JSON-friendly)."""
    result = canon(value)
    return None if result is None else str(result)
