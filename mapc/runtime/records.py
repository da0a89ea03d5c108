"""Result types shared by the connectors: records, cursors, pages and per-record write results."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

# A record is a flat mapping of field (Salesforce) or property (HubSpot) names to JSON values.
# Salesforce records carry their id under "Id"; HubSpot records under "id".
Record = dict[str, Any]

T = TypeVar("T")


def chunked(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """Yield consecutive slices of at most `size` items."""
    if size < 1:
        raise ValueError("chunk size must be positive")
    for start in range(0, len(items), size):
        yield items[start : start + size]


def format_timestamp(moment: datetime) -> str:
    """Render a moment as the cursor's canonical form: UTC, milliseconds, `Z`."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_timestamp(text: str) -> datetime:
    """Parse the timestamps both APIs return (`...Z`, `...+0000`, `...+00:00`) as aware UTC."""
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    elif len(value) > 5 and value[-5] in "+-" and value[-4:].isdigit():
        value = value[:-2] + ":" + value[-2:]
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def epoch_millis(moment: datetime) -> int:
    """Milliseconds since the epoch, the unit HubSpot's filters and events use."""
    return round(moment.timestamp() * 1000)


def from_epoch_millis(millis: int) -> datetime:
    return datetime.fromtimestamp(millis / 1000, tz=UTC)


@dataclass(frozen=True)
class Cursor:
    """How far an incremental read got: every record ordered at or before
    (timestamp, record_id) has been read.

    `timestamp` is the last-modified time (Salesforce `SystemModstamp`, HubSpot
    `lastmodifieddate` / `hs_lastmodifieddate`) in canonical form (UTC, milliseconds, `Z`).
    `record_id` is the id of the last record read at that timestamp, or "" when all
    records strictly before `timestamp` have been read and none at it.

    `read_at` (HubSpot only) is the server's time, in the same form, no later than the
    read that stored the cursor began, or "" when unknown: a record a lagging search index
    hid from that read was modified after `read_at` less the look-back, so the next read
    need look back no further than that (see hubspot/keyset.py).
    """

    timestamp: str
    record_id: str = ""
    read_at: str = ""

    @classmethod
    def at(cls, moment: datetime, record_id: str = "") -> Cursor:
        return cls(format_timestamp(moment), record_id)

    @property
    def moment(self) -> datetime:
        return parse_timestamp(self.timestamp)

    def encode(self) -> str:
        """A single string for a state store; `Cursor.decode` reverses it. Without
        `read_at` it is `timestamp|record_id`, as every earlier version wrote it."""
        text = f"{self.timestamp}|{self.record_id}"
        return f"{text}|{self.read_at}" if self.read_at else text

    @classmethod
    def decode(cls, text: str) -> Cursor:
        timestamp, _, rest = text.partition("|")
        record_id, _, read_at = rest.partition("|")
        if read_at:
            read_at = format_timestamp(parse_timestamp(read_at))
        return cls(format_timestamp(parse_timestamp(timestamp)), record_id, read_at)


@dataclass(frozen=True)
class Page:
    """One page of changed records, in (timestamp, id) order, and the cursor to store
    once the page has been processed (resuming from it neither skips nor repeats)."""

    records: tuple[Record, ...]
    cursor: Cursor | None


@dataclass(frozen=True)
class RecordError:
    """Why the API rejected one record: its error code, message and the fields involved."""

    code: str
    message: str
    fields: tuple[str, ...] = ()


# The code of a WriteResult whose call still failed (429/5xx/connection) after every retry
# that was safe: the record was not written, or for a create the outcome is unknown.
TRANSIENT = "TRANSIENT_ERROR"


# A record the API said nothing definite about (no result for it in the answer).
NO_RESULT = "NO_RESULT"


@dataclass(frozen=True)
class WriteResult:
    """The outcome of writing one input record; `index` is its position in the input."""

    index: int
    ok: bool
    id: str | None = None
    created: bool = False
    errors: tuple[RecordError, ...] = field(default_factory=tuple)

    @classmethod
    def failure(
        cls, index: int, code: str, message: str, fields: Sequence[str] = ()
    ) -> WriteResult:
        return cls(index, False, errors=(RecordError(code, message, tuple(fields)),))


def maybe_done(result: WriteResult) -> bool:
    """Whether a failed write may still have happened: the call timed out, its connection
    dropped, a 5xx came back after it was sent, or the answer left the record out. A
    create in this state is "maybe created", never "not created"."""
    return not result.ok and any(e.code in (TRANSIENT, NO_RESULT) for e in result.errors)
