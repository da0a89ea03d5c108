"""HubSpot webhook events: what a delivery says (ids, kinds, times: never the values),
which portal each is for, and which are echoes of mapc's own writes."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from mapc.errors import MapcError

# A subscription type's object ("contact.propertyChange") or an objectTypeId
# ("object.propertyChange" with "0-1") -> the HubSpot object a pair reads.
_NAMED = {"contact": "contacts", "company": "companies", "deal": "deals", "ticket": "tickets"}
_TYPE_IDS = {"0-1": "contacts", "0-2": "companies", "0-3": "deals", "0-5": "tickets"}
_MOVES_CURSOR = frozenset({"creation", "propertyChange", "restore"})
"""Actions after which a read of changes finds the record (a deletion, a merge's losers or
an association change need not move its last-modified time)."""


class BadDelivery(MapcError):
    """A webhook body that is not a list of HubSpot events."""


@dataclass(frozen=True)
class Event:
    event_id: str
    portal_id: str
    subscription_type: str
    object_id: str
    occurred_at: int
    """Milliseconds since the epoch (HubSpot's occurredAt)."""
    object_type_id: str = ""
    change_source: str = ""
    source_id: str = ""

    @property
    def action(self) -> str:
        return self.subscription_type.partition(".")[2]

    @property
    def hubspot_object(self) -> str | None:
        """The object a pair reads ("contacts"), when the event says which."""
        kind = self.subscription_type.partition(".")[0]
        return (
            _NAMED.get(kind) or _TYPE_IDS.get(self.object_type_id) or (self.object_type_id or None)
        )

    @property
    def moves_cursor(self) -> bool:
        return self.action in _MOVES_CURSOR

    def describe(self) -> str:
        """For a log line: ids and kinds only, never a property's value."""
        source = f" source={self.change_source}" if self.change_source else ""
        if self.source_id:
            source += f" sourceId={self.source_id}"
        return f"{self.subscription_type} {self.object_id} portal={self.portal_id}{source}"


def parse_events(body: bytes) -> list[Event]:
    """The events of one delivery (a JSON array); an item without the fields a trigger
    needs is left out, a body that is not such an array is BadDelivery."""
    try:
        data = json.loads(body)
    except ValueError:
        raise BadDelivery("the body is not JSON") from None
    if not isinstance(data, list):
        raise BadDelivery("the body is not a list of events")
    events = []
    for item in data:
        if not isinstance(item, dict):
            continue
        portal, kind = item.get("portalId"), item.get("subscriptionType")
        if portal is None or not isinstance(kind, str):
            continue
        occurred = item.get("occurredAt")
        events.append(
            Event(
                event_id=_text(item.get("eventId")),
                portal_id=_text(portal),
                subscription_type=kind,
                object_id=_text(item.get("objectId")),
                occurred_at=occurred if isinstance(occurred, int) else 0,
                object_type_id=_text(item.get("objectTypeId")),
                change_source=_text(item.get("changeSource")),
                source_id=_text(item.get("sourceId")),
            )
        )
    return events


def _text(value: object) -> str:
    return "" if value is None or isinstance(value, dict | list) else str(value)


def is_echo(event: Event, own_sources: Collection[str]) -> bool:
    """Whether the event reports a write of mapc's own: its sourceId is one of the ids
    HubSpot gives mapc's writes (the app's). An event without a sourceId cannot be told
    apart, and triggers a run (which then finds nothing to do)."""
    return bool(event.source_id) and event.source_id in own_sources


def latest_by_object(events: Iterable[Event]) -> dict[str, int]:
    """HubSpot object -> the latest occurredAt among events a read of changes must find."""
    latest: dict[str, int] = {}
    for event in events:
        name = event.hubspot_object
        if name and event.moves_cursor and event.occurred_at:
            latest[name] = max(latest.get(name, 0), event.occurred_at)
    return latest
