"""A controllable clock shared by both emulated CRMs."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


def parse_instant(value: str) -> datetime:
    """Read an ISO 8601 instant in any of the spellings the two APIs use."""
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    # Salesforce writes offsets without a colon (+0000); fromisoformat wants +00:00.
    if len(text) >= 5 and text[-5] in "+-" and text[-4:].isdigit() and "T" in text:
        text = f"{text[:-2]}:{text[-2:]}"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class Clock:
    """Wall-clock time, unless a test froze it or moved it.

    Both APIs keep milliseconds, so `now()` drops the microseconds: two writes in the same
    millisecond then share a timestamp exactly as they would on the real services.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frozen: datetime | None = None
        self._offset = timedelta(0)

    def now(self) -> datetime:
        with self._lock:
            moment = self._frozen or datetime.now(UTC) + self._offset
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)

    def now_ms(self) -> int:
        return int(self.now().timestamp() * 1000)

    def freeze(self, at: datetime | str | None = None) -> datetime:
        moment = self.now() if at is None else _as_instant(at)
        with self._lock:
            self._frozen = moment
        return moment

    def unfreeze(self) -> None:
        """Let time run again from the frozen instant onwards (never backwards)."""
        with self._lock:
            if self._frozen is not None:
                self._offset = self._frozen - datetime.now(UTC)
            self._frozen = None

    def advance(self, seconds: float) -> datetime:
        step = timedelta(seconds=seconds)
        with self._lock:
            if self._frozen is not None:
                self._frozen += step
            else:
                self._offset += step
        return self.now()

    def reset(self) -> None:
        with self._lock:
            self._frozen = None
            self._offset = timedelta(0)

    @property
    def frozen(self) -> bool:
        return self._frozen is not None


def _as_instant(value: datetime | str) -> datetime:
    if isinstance(value, str):
        return parse_instant(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
