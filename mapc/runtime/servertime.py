"""The server's clock, as an answer's `Date` header tells it: both connectors bound their
incremental reads by when a read began by the clock that stamps the records."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime


def _date(headers: Mapping[str, str]) -> datetime | None:
    """An answer's `Date` (whole seconds, rounded down); None when missing or unreadable."""
    try:
        moment = parsedate_to_datetime(headers.get("date", ""))
    except (TypeError, ValueError, IndexError):
        return None
    return moment.astimezone(UTC) if moment.tzinfo is not None else None


def server_time(headers: Mapping[str, str]) -> datetime | None:
    """The last instant an answer's `Date` (whole seconds) can stand for: a record stamped
    later was written after the answer came."""
    moment = _date(headers)
    return moment + timedelta(milliseconds=999) if moment is not None else None


def asked_at(headers: Mapping[str, str], elapsed: float) -> datetime | None:
    """The first instant a call's work can have begun at, by the server's clock: its
    answer's `Date` less the `elapsed` seconds from sending the call to the answer (the
    answer is dated after the work)."""
    moment = _date(headers)
    return moment - timedelta(seconds=elapsed) if moment is not None else None
