"""Email subscription state behind the Communication Preferences APIs and hs_email_optout."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Definition:
    id: str
    name: str
    description: str
    purpose: str = "Marketing"

    def json(self) -> dict[str, Any]:
        stamp = "2020-01-01T00:00:00Z"
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "purpose": self.purpose,
            "communicationMethod": "Email",
            "isActive": True,
            "isDefault": True,
            "isInternal": False,
            "createdAt": stamp,
            "updatedAt": stamp,
            "businessUnitId": 0,
        }


DEFINITIONS = (
    Definition("1001", "Marketing Information", "Marketing offers and updates."),
    Definition("1002", "One to One", "One to one emails.", purpose="Sales"),
)


class Subscriptions:
    def __init__(self) -> None:
        self.definitions = list(DEFINITIONS)
        # email -> subscription id -> "SUBSCRIBED" / "NOT_SUBSCRIBED"
        self.statuses: dict[str, dict[str, str]] = {}
        # email -> when the contact opted out of all email; nothing ever removes an entry.
        self.opted_out: dict[str, str] = {}

    def definition(self, subscription_id: str) -> Definition | None:
        return next((d for d in self.definitions if d.id == str(subscription_id)), None)

    def is_unsubscribed_all(self, email: str) -> bool:
        return email.lower() in self.opted_out

    def unsubscribe_all(self, email: str, stamp: str) -> bool:
        if email in self.opted_out:
            return False
        self.opted_out[email] = stamp
        self.statuses[email] = {d.id: "NOT_SUBSCRIBED" for d in self.definitions}
        return True

    def set(self, email: str, subscription_id: str, status: str) -> None:
        self.statuses.setdefault(email.lower(), {})[subscription_id] = status

    def status(self, email: str, subscription_id: str) -> str:
        return self.statuses.get(email.lower(), {}).get(subscription_id, "NOT_SUBSCRIBED")
