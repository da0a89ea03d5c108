"""The emulated HubSpot portal: CRM records, properties, owners and their rules."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from mapc.emulator.clock import Clock
from mapc.emulator.hubspot.associations import Associations
from mapc.emulator.hubspot.errors import HsApiError, invalid_properties, not_found, validation
from mapc.emulator.hubspot.schema import PropertyDef, catalog_required, standard_properties
from mapc.emulator.hubspot.subscriptions import Subscriptions
from mapc.emulator.hubspot.types import CrmTypes, ObjectType
from mapc.emulator.hubspot.values import iso_ms, normalize, read_only_problem, unknown_problem
from mapc.emulator.hubspot.webhooks import Source, Webhooks

PORTAL_ID = 62515


@dataclass
class HsRecord:
    id: str
    properties: dict[str, str | None]
    created: str
    updated: str
    archived: bool = False
    archived_at: str | None = None
    written_ms: int = 0  # the emulator clock when this version was written (index lag)
    # Links an archive removed, for a restore to bring back: (to type, to id, type ids).
    archived_links: list[tuple[str, str, list[int]]] = field(default_factory=list)


@dataclass
class Owner:
    id: str
    email: str
    first_name: str = ""
    last_name: str = ""
    user_id: int = 0
    archived: bool = False
    type: str = "PERSON"
    teams: list[dict[str, Any]] = field(default_factory=list)

    def json(self, stamp: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.email,
            "type": self.type,
            "firstName": self.first_name,
            "lastName": self.last_name,
            "userId": self.user_id,
            "userIdIncludingInactive": self.user_id,
            "createdAt": stamp,
            "updatedAt": stamp,
            "archived": self.archived,
            "teams": self.teams,
        }


class Portal:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        # Index lag, in seconds: CRM search hides records written (created or modified)
        # less than this long ago by the emulator clock, as HubSpot's search index lags
        # writes. 0 (the default): search sees every write at once. Batch reads and
        # other endpoints are not affected. A reset gives a new portal, back to 0.
        self.index_lag = 0.0
        self.types = CrmTypes.standard()
        self.properties: dict[str, dict[str, PropertyDef]] = {}
        self.objects: dict[str, dict[str, HsRecord]] = {}
        self.archived: dict[str, dict[str, HsRecord]] = {}
        self.versions: dict[str, int] = {}
        self.written: dict[str, list[str]] = {}
        """Per type, the record each version changed: written[kind][v] took it to v + 1
        (search updates its sorted columns from it instead of sorting every record again)."""
        # Ids merged away -> the id of the record they were merged into, per object type.
        self.merged: dict[str, dict[str, str]] = {}
        self._next_id: dict[str, int] = {}
        self.emails: dict[str, str] = {}
        self.owners: dict[str, Owner] = {}
        self.associations = Associations(self.types)
        self.subscriptions = Subscriptions()
        self.email_events: list[dict[str, Any]] = []
        # Email campaigns by id, as the Email Events API's campaigns endpoint shows them.
        self.email_campaigns: dict[int, dict[str, Any]] = {}
        # Webhook calls for API changes; seeds load quietly (`quiet`), as data loading would.
        self.webhooks = Webhooks()
        self.quiet = False
        # Who makes the changes now, as their webhook events say: a person, unless a
        # request with the app's token is being carried out (`acting`).
        self.source = Source.person()
        # Associations of one record per page of a v4 read (HubSpot pages them by 500).
        self.association_page_size = 500
        # Custom object schemas by fully qualified name (p62515_cars), as /crm/v3/schemas shows.
        self.schemas: dict[str, dict[str, Any]] = {}
        standard = list(self.types.types.values())
        defaults = standard_properties(tuple(kind.name for kind in standard))
        for kind in standard:
            extra = tuple(p for p in catalog_required(kind.name) if p not in kind.required)
            self.add_type(
                replace(kind, required=kind.required + extra), list(defaults[kind.name].values())
            )
        self._owner_ids = itertools.count(70_000_001)

    # ----------------------------------------------------------------- lookups

    def event(self, kind: str, action: str, record_id: str, **extra: Any) -> None:
        """A webhook event for a change, made by `self.source`."""
        if not self.quiet:
            type_id = self.types.types[kind].type_id
            occurred = self.clock.now_ms()
            self.webhooks.emit(
                PORTAL_ID, kind, type_id, action, record_id, occurred, self.source, **extra
            )

    @contextmanager
    def acting(self, source: Source) -> Iterator[None]:
        """Changes made in the block are `source`'s (the caller holds the emulator's lock)."""
        before, self.source = self.source, source
        try:
            yield
        finally:
            self.source = before

    def add_type(
        self, kind: ObjectType, properties: list[PropertyDef], *, by_singular: bool = True
    ) -> None:
        """Make an object type's records storable (a standard type, or a custom schema)."""
        self.types.add_type(kind, by_singular=by_singular)
        self.properties[kind.name] = {p.name: p for p in properties}
        for table in (self.objects, self.archived, self.merged):
            table.setdefault(kind.name, {})
        self.versions.setdefault(kind.name, 0)
        self.written.setdefault(kind.name, [])
        # Ids of each type start in their own range, so an id alone hints at its type.
        self._next_id.setdefault(kind.name, 1001 + 100_000 * len(self._next_id))

    def kind(self, name: str) -> str:
        resolved = self.types.resolve(name)
        if resolved is None:
            raise validation(f"Unable to infer object type from: {name}")
        return resolved

    def find(
        self, kind: str, value: str, id_property: str | None = None, archived: bool = False
    ) -> HsRecord | None:
        pool = self.archived[kind] if archived else self.objects[kind]
        if id_property in (None, "", "hs_object_id"):
            if not archived:
                # A merged-away id answers with the record it was merged into.
                value = self.merged_into(kind, value)
            return pool.get(value)
        if kind == "contacts" and id_property == "email":
            found = self.emails.get(value.lower())
            return pool.get(found) if found else None
        prop = self.properties[kind].get(str(id_property))
        if prop is None or not prop.unique:
            raise validation(
                f"{id_property} is not a unique property; only unique properties "
                "may be used as idProperty"
            )
        return next((r for r in pool.values() if r.properties.get(prop.name) == value), None)

    def merged_into(self, kind: str, record_id: str) -> str:
        seen = {record_id}
        while record_id in self.merged[kind]:
            record_id = self.merged[kind][record_id]
            if record_id in seen:
                break
            seen.add(record_id)
        return record_id

    def get(
        self, kind: str, value: str, id_property: str | None = None, archived: bool = False
    ) -> HsRecord:
        record = self.find(kind, value, id_property, archived)
        if record is None:
            raise not_found(kind, value)
        return record

    # ----------------------------------------------------------------- writes

    def check(
        self, kind: str, raw: dict[str, Any], creating: bool, trusted: bool = False
    ) -> dict[str, str | None]:
        """Normalize property values or raise HubSpot's VALIDATION_ERROR for all problems."""
        if not isinstance(raw, dict):
            raise validation("Invalid input JSON: properties must be an object")
        definitions = self.properties[kind]
        values: dict[str, str | None] = {}
        problems: list[dict[str, Any]] = []
        for name, value in raw.items():
            prop = definitions.get(name)
            if prop is None:
                problems.append(unknown_problem(name))
                continue
            if (prop.read_only or prop.calculated) and not trusted:
                problems.append(read_only_problem(prop))
                continue
            stored, problem = normalize(prop, value)
            if prop.name == "hubspot_owner_id" and stored is not None and stored not in self.owners:
                problem = {
                    "isValid": False,
                    "error": "INVALID_OPTION",
                    "name": prop.name,
                    "message": f"{stored} was not one of the allowed options",
                    "localizedErrorMessage": f"{stored} was not one of the allowed options",
                }
            if problem is not None:
                problems.append(problem)
            else:
                values[prop.name] = stored
        if creating and not trusted:
            for name in self.types.types[kind].required:
                if values.get(name) is None:
                    problems.append(
                        {
                            "isValid": False,
                            "error": "REQUIRED_PROPERTY",
                            "name": name,
                            "message": f"{name} is required",
                            "localizedErrorMessage": f"{name} is required",
                        }
                    )
        if problems:
            raise invalid_properties(problems)
        return values

    def conflict(self, kind: str, values: dict[str, str | None], own_id: str | None) -> None:
        email = values.get("email")
        if kind == "contacts" and email:
            existing = self.emails.get(email)
            if existing is not None and existing != own_id:
                raise HsApiError(
                    409, "CONFLICT", f"Contact already exists. Existing ID: {existing}"
                )
        for name, value in values.items():
            prop = self.properties[kind].get(name)
            if prop is not None and prop.unique and value is not None and name != "email":
                clash = next(
                    (
                        r.id
                        for r in self.objects[kind].values()
                        if r.properties.get(name) == value and r.id != own_id
                    ),
                    None,
                )
                if clash is not None:
                    raise HsApiError(
                        409,
                        "CONFLICT",
                        f"A {kind[:-1]} with {name} {value} already exists. Existing ID: {clash}",
                    )

    def create(
        self,
        kind: str,
        values: dict[str, str | None],
        record_id: str | None = None,
        stamp: str | None = None,
    ) -> HsRecord:
        now = stamp or iso_ms(self.clock.now())
        new_id = record_id or str(self._next_id[kind])
        if new_id.isdigit():
            self._next_id[kind] = max(self._next_id[kind], int(new_id) + 1)
        props: dict[str, str | None] = {k: v for k, v in values.items() if v is not None}
        props.setdefault(self.types.created(kind), now)
        props[self.types.modified(kind)] = props.get(self.types.modified(kind)) or now
        props["hs_object_id"] = new_id
        if kind == "deals":
            props.setdefault("pipeline", "default")
        record = HsRecord(
            new_id,
            props,
            created=props[self.types.created(kind)] or now,
            updated=props[self.types.modified(kind)] or now,
            written_ms=self.clock.now_ms(),
        )
        self._derive(kind, record)
        self.objects[kind][new_id] = record
        self.reindex(kind, record)
        self.changed(kind, new_id)
        self.event(kind, "creation", new_id)
        return record

    def update(self, kind: str, record: HsRecord, values: dict[str, str | None]) -> HsRecord:
        changed: list[str] = []
        if kind == "contacts" and "email" in values:
            self.unindex(kind, record)
        for name, value in values.items():
            if record.properties.get(name) != value:
                changed.append(name)
            record.properties[name] = value
        self._derive(kind, record)
        self.reindex(kind, record)
        if changed:
            self.touch(kind, record)
        for name in changed:
            self.event(
                kind,
                "propertyChange",
                record.id,
                propertyName=name,
                propertyValue=record.properties.get(name),
            )
        return record

    def touch(self, kind: str, record: HsRecord) -> None:
        now = iso_ms(self.clock.now())
        record.properties[self.types.modified(kind)] = now
        record.updated = now
        record.written_ms = self.clock.now_ms()
        self.changed(kind, record.id)

    def changed(self, kind: str, record_id: str) -> None:
        self.versions[kind] += 1
        self.written[kind].append(record_id)

    def archive(self, kind: str, record_id: str) -> None:
        record = self.objects[kind].pop(record_id, None)
        if record is None:
            return
        self.unindex(kind, record)
        record.archived = True
        record.archived_at = iso_ms(self.clock.now())
        self.archived[kind][record_id] = record
        linked_contacts = (
            [c for c, _ in self.associations.of(kind, record_id, "contacts")]
            if kind == "companies"
            else []
        )
        record.archived_links = self.associations.drop(kind, record_id)
        for contact_id in linked_contacts:
            self.sync_company_id(contact_id)
        self.changed(kind, record_id)
        self.event(kind, "deletion", record_id)

    def add_owner(self, data: dict[str, Any]) -> Owner:
        owner = Owner(
            id=str(data.get("id") or next(self._owner_ids)),
            email=str(data["email"]),
            first_name=str(data.get("firstName", "")),
            last_name=str(data.get("lastName", "")),
            user_id=int(data.get("userId") or 0) or next(self._owner_ids) - 60_000_000,
            archived=bool(data.get("archived", False)),
            type=str(data.get("type", "PERSON")),
            teams=list(data.get("teams") or []),
        )
        self.owners[owner.id] = owner
        return owner

    def unsubscribe_all(self, email: str) -> bool:
        """Record the opt-out; contacts with that email read hs_email_optout "true"."""
        changed = self.subscriptions.unsubscribe_all(email.lower(), iso_ms(self.clock.now()))
        found = self.emails.get(email.lower())
        if found is not None:
            record = self.objects["contacts"][found]
            if record.properties.get("hs_email_optout") != "true":
                record.properties["hs_email_optout"] = "true"
                self.touch("contacts", record)
        return changed

    def associate(
        self, from_type: str, from_id: str, to_type: str, to_id: str, type_id: int | None = None
    ) -> int:
        """Link two records; a contact's first company becomes its primary one, as in HubSpot."""
        used = self.associations.add(from_type, from_id, to_type, to_id, type_id)
        pair = self._contact_company(from_type, from_id, to_type, to_id)
        if pair is not None:
            contact_id, company_id = pair
            primary = self._primary_company(contact_id)
            wants_primary = used in (1, 2)
            if primary is None or wants_primary:
                if primary is not None and primary != company_id:
                    self.associations.discard_type(
                        "contacts",
                        contact_id,
                        "companies",
                        primary,
                        self.types.primary_association[("contacts", "companies")],
                    )
                self.associations.add(
                    "contacts",
                    contact_id,
                    "companies",
                    company_id,
                    self.types.primary_association[("contacts", "companies")],
                )
            self.sync_company_id(contact_id)
        return used

    def dissociate(self, from_type: str, from_id: str, to_type: str, to_id: str) -> None:
        self.associations.remove(from_type, from_id, to_type, to_id)
        pair = self._contact_company(from_type, from_id, to_type, to_id)
        if pair is not None:
            self.sync_company_id(pair[0])

    def _contact_company(
        self, from_type: str, from_id: str, to_type: str, to_id: str
    ) -> tuple[str, str] | None:
        if (from_type, to_type) == ("contacts", "companies"):
            return from_id, to_id
        if (from_type, to_type) == ("companies", "contacts"):
            return to_id, from_id
        return None

    def _primary_company(self, contact_id: str) -> str | None:
        primary = self.types.primary_association[("contacts", "companies")]
        return next(
            (
                company
                for company, types in self.associations.of("contacts", contact_id, "companies")
                if primary in types
            ),
            None,
        )

    def sync_company_id(self, contact_id: str) -> None:
        """associatedcompanyid mirrors the primary company; changing it is a modification."""
        record = self.objects["contacts"].get(contact_id)
        if record is None:
            return
        primary = self._primary_company(contact_id)
        if record.properties.get("associatedcompanyid") != primary:
            record.properties["associatedcompanyid"] = primary
            self.touch("contacts", record)

    # ----------------------------------------------------------------- internals

    def _derive(self, kind: str, record: HsRecord) -> None:
        props = record.properties
        if kind == "line_items":
            price, quantity = props.get("price"), props.get("quantity")
            if price is not None and quantity is not None:
                props["amount"] = _number_text(float(price) * float(quantity))
        if kind == "deals":
            stage = props.get("dealstage")
            props["hs_is_closed_won"] = "true" if stage == "closedwon" else "false"
            props["hs_is_closed"] = "true" if stage in ("closedwon", "closedlost") else "false"
        if (
            kind == "contacts"
            and props.get("email")
            and self.subscriptions.is_unsubscribed_all(str(props["email"]))
        ):
            props["hs_email_optout"] = "true"

    def reindex(self, kind: str, record: HsRecord) -> None:
        email = record.properties.get("email")
        if kind == "contacts" and email:
            self.emails[email] = record.id

    def unindex(self, kind: str, record: HsRecord) -> None:
        email = record.properties.get("email")
        if kind == "contacts" and email and self.emails.get(email) == record.id:
            del self.emails[email]

    def add_property(self, kind: str, data: dict[str, Any]) -> PropertyDef:
        name = str(data.get("name") or "")
        if not name:
            raise validation("Property name is required")
        if name in self.properties[kind]:
            raise HsApiError(
                409, "OBJECT_ALREADY_EXISTS", f"Property named '{name}' already exists."
            )
        prop = PropertyDef.from_api(data)
        self.properties[kind][name] = prop
        return prop


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)
