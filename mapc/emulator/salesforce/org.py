"""The emulated Salesforce org: its records, writes with Salesforce's rules, and rollback."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from mapc.emulator.clock import Clock
from mapc.emulator.salesforce import person
from mapc.emulator.salesforce.errors import NOT_FOUND, SfApiError, SfError
from mapc.emulator.salesforce.ids import IdFactory, object_of, to18
from mapc.emulator.salesforce.schema import (
    CLOSED_CASE_STATUSES,
    STAGES,
    ObjectDef,
    custom_field,
)
from mapc.emulator.salesforce.standard import custom_object, standard_objects
from mapc.emulator.salesforce.validate import check_payload, missing_required, sf_datetime

Record = dict[str, Any]
# Deleting a parent deletes these children, as Salesforce does (master-detail and the
# account/contact/opportunity cascade); (child object, field pointing at the parent).
CASCADE: dict[str, tuple[tuple[str, str], ...]] = {
    "Account": (("Contact", "AccountId"), ("Opportunity", "AccountId"), ("Task", "WhatId")),
    "Opportunity": (("OpportunityContactRole", "OpportunityId"), ("Task", "WhatId")),
    "Contact": (("OpportunityContactRole", "ContactId"), ("Task", "WhoId")),
    "Lead": (("Task", "WhoId"),),
}


class Org:
    def __init__(
        self, clock: Clock, person_accounts: bool = False, edition: str = "Enterprise"
    ) -> None:
        self.clock = clock
        self.person_accounts = person_accounts
        self.edition = edition
        self.ids = IdFactory()
        self.objects: dict[str, ObjectDef] = standard_objects(person_accounts)
        self.records: dict[str, dict[str, Record]] = {name: {} for name in self.objects}
        self.deleted: dict[str, dict[str, Record]] = {name: {} for name in self.objects}
        self._indexes: dict[tuple[str, str], dict[str, set[str]]] = {}
        # Recycle bin bookkeeping: deleted id -> (the id whose deletion took it, sequence),
        # so that undeleting a record brings back what its deletion cascaded to.
        self.deleted_with: dict[str, tuple[str, int]] = {}
        self._delete_root: str | None = None
        self._delete_seq = 0
        self._auto_numbers = 1000
        self._journal: list[tuple[str, str, Record | None, Record | None]] | None = None
        self.record_types = person.record_types(self.ids)
        # The user the API token belongs to: it owns and stamps what the API writes.
        self.api_user_id = ""
        self.api_user_id = self.seed(
            "User",
            {
                "FirstName": "Integration",
                "LastName": "User",
                "Username": "integration@mapc.example",
                "Email": "integration@mapc.example",
                "Alias": "integ",
                "IsActive": True,
                "UserType": "Standard",
            },
        )

    # ----------------------------------------------------------------- schema

    def object(self, name: str) -> ObjectDef:
        for obj in self.objects.values():
            if obj.name.lower() == name.lower():
                return obj
        raise SfApiError.one(404, *NOT_FOUND)

    def add_custom_object(self, data: dict[str, Any]) -> ObjectDef:
        """Deploy a `__c` object (metadata API): describe, SOQL and Collections then know it."""
        obj = custom_object(data)
        if obj.name in self.objects:
            raise SfApiError.one(
                400, "DUPLICATE_DEVELOPER_NAME", f"An object named {obj.name} already exists"
            )
        self.objects[obj.name] = obj
        self.records[obj.name] = {}
        self.deleted[obj.name] = {}
        return obj

    def add_custom_field(self, object_name: str, data: dict[str, Any]) -> None:
        definition = custom_field(data)
        self.object(object_name).add(definition)
        if definition.external_id:
            self._indexes.pop((object_name, definition.name), None)

    # ----------------------------------------------------------------- reads

    def exists(self, record_id: str) -> bool:
        if record_id in self.record_types.values():
            return True
        name = object_of(record_id)
        return name is not None and record_id in self.records.get(name, {})

    def find(self, record_id: str) -> tuple[str, Record] | None:
        name = object_of(record_id)
        if name is None:
            return None
        record = self.records.get(name, {}).get(record_id)
        return (name, record) if record is not None else None

    def get(self, object_name: str, raw_id: str) -> Record:
        record_id = to18(raw_id)
        record = self.records[object_name].get(record_id or "")
        if record is None:
            raise SfApiError.one(404, *NOT_FOUND)
        return record

    def lookup(self, object_name: str, field_name: str, value: str) -> list[str]:
        """Ids whose external-id field equals `value` (case-insensitively, as Salesforce)."""
        key = (object_name, field_name)
        if key not in self._indexes:
            index: dict[str, set[str]] = {}
            for record_id, record in self.records[object_name].items():
                if record.get(field_name) is not None:
                    index.setdefault(str(record[field_name]).lower(), set()).add(record_id)
            self._indexes[key] = index
        return sorted(self._indexes[key].get(value.lower(), ()))

    # ----------------------------------------------------------------- writes

    def create(self, object_name: str, payload: Record) -> str:
        obj = self.object(object_name)
        if any(k.lower() == "id" for k in payload):
            raise SfApiError(
                400,
                [
                    SfError(
                        "INVALID_FIELD_FOR_INSERT_UPDATE",
                        "Unable to create/update fields: Id. Please check the security settings of this "
                        "field and verify that it is read/write for your profile or permission set.",
                        ("Id",),
                    )
                ],
            )
        values, errors = check_payload(obj, payload, True, self.exists)
        if errors:
            raise SfApiError(400, errors)
        self._unique(obj, values, None)
        return self._insert(obj, values)

    def _unique(self, obj: ObjectDef, values: Record, own_id: str | None) -> None:
        """A field marked Unique takes no value another record holds (case-insensitively,
        as a text field's default): DUPLICATE_VALUE, the record is not saved."""
        for name, value in values.items():
            definition = obj.field(name)
            if definition is None or not definition.unique or value in (None, ""):
                continue
            clash = [i for i in self.lookup(obj.name, definition.name, str(value)) if i != own_id]
            if clash:
                raise SfApiError.one(
                    400,
                    "DUPLICATE_VALUE",
                    f"duplicate value found: {definition.name} duplicates value on record "
                    f"with id: {clash[0]}",
                )

    def seed(self, object_name: str, data: Record) -> str:
        """Insert as data loading would: system and read-only fields may be given."""
        obj = self.object(object_name)
        values: Record = {}
        for name, value in data.items():
            definition = obj.field(name)
            if name == "attributes":
                continue
            if definition is None:
                raise ValueError(f"seed: no field {name!r} on {obj.name}")
            values[definition.name] = value
        return self._insert(obj, values, trusted=True)

    def update(self, object_name: str, raw_id: str, payload: Record) -> None:
        obj = self.object(object_name)
        record_id = to18(raw_id)
        if record_id is None or object_of(record_id) != obj.name:
            raise SfApiError.one(
                400, "MALFORMED_ID", f"{obj.label} ID: id value of incorrect type: {raw_id}", "Id"
            )
        current = self.records[obj.name].get(record_id)
        if current is None:
            raise SfApiError.one(
                404,
                "ENTITY_IS_DELETED" if record_id in self.deleted[obj.name] else "NOT_FOUND",
                "entity is deleted"
                if record_id in self.deleted[obj.name]
                else "The requested resource does not exist",
            )
        if obj.name == "Lead" and current.get("IsConverted"):
            raise SfApiError.one(
                400, "CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead", "Id"
            )
        payload = {
            k: v
            for k, v in payload.items()
            if not (k.lower() == "id" and to18(str(v)) == record_id)
        }
        values, errors = check_payload(obj, payload, False, self.exists)
        if errors:
            raise SfApiError(400, errors)
        self._unique(obj, values, record_id)
        merged = {**current, **values}
        person.derive(self, obj.name, merged, creating=False, changed=values)
        missing = missing_required(obj, merged, frozenset())
        if missing is not None:
            raise SfApiError(400, [missing])
        self._stamp(merged, creating=False)
        self._put(obj.name, record_id, merged)
        person.after_write(self, obj.name, merged, values)

    def update_mirror(self, object_name: str, record_id: str, values: Record) -> None:
        """Copy values Salesforce keeps in step itself (a person account and its contact)."""
        merged = {**self.records[object_name][record_id], **values}
        person.derive(self, object_name, merged, creating=False, changed=values)
        self._stamp(merged, creating=False)
        self._put(object_name, record_id, merged)
        person.after_write(self, object_name, merged, values)

    def upsert(
        self,
        object_name: str,
        field_name: str,
        value: str,
        payload: Record,
        update_only: bool = False,
    ) -> tuple[str, bool]:
        obj = self.object(object_name)
        definition = obj.field(field_name)
        if definition is None or not (definition.external_id or definition.name == "Id"):
            raise SfApiError.one(
                404,
                "NOT_FOUND",
                f"Provided external ID field does not exist or is not accessible: {field_name}",
            )
        if definition.name == "Id":
            self.update(obj.name, value, payload)
            return to18(value) or value, False
        matches = self.lookup(obj.name, definition.name, value)
        if len(matches) > 1:
            raise SfApiError.one(
                300,
                "MULTIPLE_CHOICES",
                f"More than one record found for external id field "
                f"{definition.name} with value {value}",
            )
        body = {k: v for k, v in payload.items() if k.lower() != definition.name.lower()}
        if matches:
            self.update(obj.name, matches[0], body)
            return matches[0], False
        if update_only:  # ?updateOnly=true (API v61+) never creates
            raise SfApiError.one(404, *NOT_FOUND)
        return self.create(obj.name, {**body, definition.name: value}), True

    def delete(self, object_name: str, raw_id: str, extra: Record | None = None) -> None:
        """Move a record to the recycle bin (`extra`: fields the deletion sets, e.g. by merge)."""
        obj = self.object(object_name)
        record_id = to18(raw_id)
        if record_id is None:
            raise SfApiError.one(
                400, "MALFORMED_ID", f"{obj.label} ID: id value of incorrect type: {raw_id}"
            )
        record = self.records[obj.name].get(record_id)
        if record is None:
            if record_id in self.deleted[obj.name]:
                raise SfApiError.one(404, "ENTITY_IS_DELETED", "entity is deleted")
            raise SfApiError.one(404, *NOT_FOUND)
        outermost = self._delete_root is None
        if outermost:
            self._delete_root = record_id
        try:
            self._remember(obj.name, record_id)
            self._index(obj.name, record, remove=True)
            del self.records[obj.name][record_id]
            gone = {**record, "IsDeleted": True, **(extra or {})}
            self._stamp(gone, creating=False)
            self.deleted[obj.name][record_id] = gone
            self._delete_seq += 1
            self.deleted_with[record_id] = (self._delete_root or record_id, self._delete_seq)
            person.after_delete(self, obj.name, record)
            for child, field_name in CASCADE.get(obj.name, ()):
                doomed = [
                    i for i, r in self.records[child].items() if r.get(field_name) == record_id
                ]
                for child_id in doomed:
                    if child_id in self.records[child]:
                        self.delete(child, child_id)
        finally:
            if outermost:
                self._delete_root = None

    def restore_deleted(self, object_name: str, record_id: str) -> None:
        """Bring one record back from the recycle bin (undelete), stamped as a write."""
        self._remember(object_name, record_id)
        record = {**self.deleted[object_name].pop(record_id), "IsDeleted": False}
        self._stamp(record, creating=False)
        self._put(object_name, record_id, record)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Undo every write made inside the block if it raises (allOrNone)."""
        outer = self._journal
        self._journal = []
        try:
            yield
        except BaseException:
            for name, record_id, active, deleted in reversed(self._journal):
                self._restore(name, record_id, active, deleted)
            raise
        finally:
            journal, self._journal = self._journal, outer
            if outer is not None and journal:
                outer.extend(journal)

    # ----------------------------------------------------------------- internals

    def _insert(self, obj: ObjectDef, values: Record, trusted: bool = False) -> str:
        record: Record = {}
        for definition in obj.fields.values():
            if definition.defaulted_on_create and definition.default_value is not None:
                record[definition.name] = definition.default_value
        record.update(values)
        record_id = to18(str(record["Id"])) if trusted and record.get("Id") else None
        record["Id"] = record_id or self.ids.new(obj.key_prefix)
        for definition in obj.fields.values():
            if definition.auto_number and not record.get(definition.name):
                self._auto_numbers += 1
                record[definition.name] = f"{self._auto_numbers:08d}"
        if obj.custom and "Name" in obj.fields and not record.get("Name"):
            record["Name"] = record["Id"]  # a custom object's record is named by its id
        person.derive(self, obj.name, record, creating=True, changed=values)
        if not trusted:
            missing = missing_required(obj, record, frozenset({"OwnerId"}))
            if missing is not None:
                raise SfApiError(400, [missing])
        if "OwnerId" in obj.fields and not record.get("OwnerId"):
            record["OwnerId"] = self.api_user_id or record["Id"]
        self._stamp(record, creating=True, keep=trusted)
        self._put(obj.name, record["Id"], record)
        person.after_write(self, obj.name, record, values)
        return str(record["Id"])

    def _stamp(self, record: Record, creating: bool, keep: bool = False) -> None:
        now = sf_datetime(self.clock.now().isoformat())
        user = self.api_user_id or record.get("Id")
        stamps = {"LastModifiedDate": now, "SystemModstamp": now, "LastModifiedById": user}
        if creating:
            stamps |= {"CreatedDate": now, "CreatedById": user, "IsDeleted": False}
        for name, value in stamps.items():
            if keep and record.get(name) is not None:
                if name.endswith("Date") or name == "SystemModstamp":
                    record[name] = sf_datetime(record[name])
                continue
            record[name] = value

    def _put(self, name: str, record_id: str, record: Record) -> None:
        self._remember(name, record_id)
        previous = self.records[name].get(record_id)
        if previous is not None:
            self._index(name, previous, remove=True)
        self.records[name][record_id] = record
        self._index(name, record)

    def _index(self, name: str, record: Record, remove: bool = False) -> None:
        for (object_name, field_name), index in self._indexes.items():
            value = record.get(field_name)
            if object_name != name or value is None:
                continue
            bucket = index.setdefault(str(value).lower(), set())
            if remove:
                bucket.discard(record["Id"])
            else:
                bucket.add(record["Id"])

    def _remember(self, name: str, record_id: str) -> None:
        if self._journal is not None:
            active = self.records[name].get(record_id)
            deleted = self.deleted[name].get(record_id)
            self._journal.append((name, record_id, copy.copy(active), copy.copy(deleted)))

    def _restore(
        self, name: str, record_id: str, active: Record | None, deleted: Record | None
    ) -> None:
        current = self.records[name].pop(record_id, None)
        if current is not None:
            self._index(name, current, remove=True)
        self.deleted[name].pop(record_id, None)
        if active is not None:
            self.records[name][record_id] = active
            self._index(name, active)
        if deleted is not None:
            self.deleted[name][record_id] = deleted


def derive_common(org: Org, object_name: str, record: Record, changed: Record) -> None:
    """Fields Salesforce computes from others: names, stage flags, closure, revenue."""
    fields = org.objects[object_name].fields
    if object_name in ("Lead", "Contact", "User"):
        parts = [record.get("FirstName"), record.get("LastName")]
        record["Name"] = " ".join(p for p in parts if p) or None
    elif object_name == "Opportunity" and record.get("StageName") in STAGES:
        closed, won, probability = STAGES[record["StageName"]]
        record["IsClosed"], record["IsWon"] = closed, won
        if "StageName" in changed and "Probability" not in changed:
            record["Probability"] = probability
    elif object_name == "Task":
        record["IsClosed"] = record.get("Status") == "Completed"
    elif object_name == "Case":
        closed = record.get("Status") in CLOSED_CASE_STATUSES
        if closed and not record.get("IsClosed"):
            record["ClosedDate"] = sf_datetime(org.clock.now().isoformat())
        elif not closed:
            record["ClosedDate"] = None
        record["IsClosed"] = closed
    if "ExpectedRevenue" in fields:
        amount, chance = record.get("Amount"), record.get("Probability")
        record["ExpectedRevenue"] = (
            None if amount is None or chance is None else float(amount) * float(chance) / 100
        )
