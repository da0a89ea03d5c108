"""R10: which HubSpot owner is which Salesforce user, and back.

Salesforce owners are users of type Standard, PowerPartner and Guest, and queues. Any
Salesforce owner syncs to HubSpot (matched to the HubSpot owner with the same email).
A HubSpot owner syncs to Salesforce only when it matches an *active* Salesforce user (or
a queue) by name and email; otherwise the engine resets HubSpot's owner property to the
owner of the last value read from Salesforce.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

OWNER_USER_TYPES = frozenset({"Standard", "PowerPartner", "Guest"})


def _norm(text: Any) -> str:
    return " ".join(str(text or "").split()).casefold()


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    email: str
    active: bool


class OwnerDirectory:
    """Both systems' owners, read once per run."""

    def __init__(
        self,
        hubspot_owners: Iterable[dict[str, Any]],
        salesforce_users: Iterable[dict[str, Any]],
        salesforce_queues: Iterable[dict[str, Any]] = (),
    ) -> None:
        self.hubspot: dict[str, Person] = {}
        for owner in hubspot_owners:
            if owner.get("archived"):
                continue
            name = f"{owner.get('firstName') or ''} {owner.get('lastName') or ''}"
            person = Person(str(owner["id"]), _norm(name), _norm(owner.get("email")), True)
            self.hubspot[person.id] = person
        self.salesforce: dict[str, Person] = {}
        for user in salesforce_users:
            if user.get("UserType") not in OWNER_USER_TYPES:
                continue
            name = user.get("Name") or f"{user.get('FirstName') or ''} {user.get('LastName') or ''}"
            self.salesforce[str(user["Id"])] = Person(
                str(user["Id"]), _norm(name), _norm(user.get("Email")), bool(user.get("IsActive"))
            )
        for queue in salesforce_queues:
            self.salesforce[str(queue["Id"])] = Person(
                str(queue["Id"]), _norm(queue.get("Name")), _norm(queue.get("Email")), True
            )
        self._hs_by_email = {p.email: p.id for p in self.hubspot.values() if p.email}
        self._sf_by_identity = {
            (p.name, p.email): p.id for p in self.salesforce.values() if p.active and p.email
        }

    def salesforce_for_hubspot(self, hubspot_owner_id: Any) -> str | None:
        """The active Salesforce user (or queue) with the HubSpot owner's name and email."""
        owner = self.hubspot.get(str(hubspot_owner_id or ""))
        if owner is None:
            return None
        return self._sf_by_identity.get((owner.name, owner.email))

    def hubspot_for_salesforce(self, salesforce_user_id: Any) -> str | None:
        """The HubSpot owner with the Salesforce owner's email (any Salesforce owner syncs)."""
        user = self.salesforce.get(str(salesforce_user_id or ""))
        if user is None or not user.email:
            return None
        return self._hs_by_email.get(user.email)
