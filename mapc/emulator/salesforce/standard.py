"""The standard objects of an org: every field of mapc's shipped catalog, plus what only an
org knows (system fields, defaults, restricted picklists, the person-account shape)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from mapc.emulator.catalogs import shipped_catalog
from mapc.emulator.salesforce.ids import KEY_PREFIXES, custom_prefix, register_prefix
from mapc.emulator.salesforce.schema import FieldDef, ObjectDef, custom_field, relationship_name

_DEFAULT_LENGTHS = {"id": 18, "reference": 18, "email": 80, "phone": 40, "url": 255}

# Facts about standard fields that describe shows and the catalog does not carry: default
# values, restricted picklists, precision. Applied to a field only where the object has it.
FACTS: dict[str, dict[str, dict[str, Any]]] = {
    "Lead": {"Status": {"default_value": "Open - Not Contacted", "restricted": True}},
    "Opportunity": {
        "StageName": {"restricted": True},
        "Amount": {"precision": 18, "scale": 2},
        "Probability": {"defaulted_on_create": True},
    },
    "Task": {
        "Status": {"default_value": "Not Started", "restricted": True},
        "Priority": {"default_value": "Normal", "restricted": True},
    },
    "Group": {"Type": {"restricted": True}},
    "User": {
        "IsActive": {"default_value": True},
        "UserType": {"default_value": "Standard", "defaulted_on_create": True},
    },
    "Case": {
        "CaseNumber": {"auto_number": True, "defaulted_on_create": True, "name_field": True},
        "Status": {"default_value": "New", "restricted": True},
        "Priority": {"default_value": "Medium"},
    },
}
_READ_ONLY: dict[str, Any] = {"createable": False, "updateable": False}
# Objects whose records have an owner, and what may own them.
_OWNERS: dict[str, tuple[str, ...]] = {
    "Lead": ("User", "Group"),
    "Task": ("User", "Group"),
    "Case": ("User", "Group"),
    "Group": ("User",),
    "Account": ("User",),
    "Contact": ("User",),
    "Opportunity": ("User",),
}


def _ref(name: str, *targets: str, **kw: Any) -> FieldDef:
    return FieldDef(
        name,
        "reference",
        length=18,
        reference_to=targets,
        relationship_name=relationship_name(name),
        **kw,
    )


def _flag(name: str, **kw: Any) -> FieldDef:
    return FieldDef(
        name, "boolean", nillable=False, defaulted_on_create=True, default_value=False, **kw
    )


def _system_fields(name: str) -> list[FieldDef]:
    """Every object has these; the catalog may list some of them, and then it wins."""
    stamp = {"nillable": False, "defaulted_on_create": True, **_READ_ONLY}
    fields = [
        FieldDef("Id", "id", label="Record ID", length=18, **stamp),
        _flag("IsDeleted", **_READ_ONLY),
        FieldDef("CreatedDate", "datetime", **stamp),
        _ref("CreatedById", "User", **stamp),
        FieldDef("LastModifiedDate", "datetime", **stamp),
        _ref("LastModifiedById", "User", **stamp),
        FieldDef("SystemModstamp", "datetime", **stamp),
    ]
    if name in _OWNERS:
        fields.append(_ref("OwnerId", *_OWNERS[name], nillable=False, defaulted_on_create=True))
    return fields


def _gap_fields(person_accounts: bool) -> dict[str, list[FieldDef]]:
    """Standard fields the emulator needs that the shipped catalog may not (yet) list."""
    gaps = {
        "Lead": [
            _ref("MasterRecordId", "Lead", **_READ_ONLY),
            _flag("IsConverted", updateable=False),
            FieldDef("ConvertedDate", "date", **_READ_ONLY),
            _ref("ConvertedAccountId", "Account", **_READ_ONLY),
            _ref("ConvertedContactId", "Contact", **_READ_ONLY),
            _ref("ConvertedOpportunityId", "Opportunity", **_READ_ONLY),
        ],
        "Contact": [_ref("MasterRecordId", "Contact", **_READ_ONLY)],
        "Account": [_ref("MasterRecordId", "Account", **_READ_ONLY)],
        "Opportunity": [
            _flag("IsClosed", **_READ_ONLY),
            _flag("IsWon", **_READ_ONLY),
        ],
        "Task": [_flag("IsClosed", **_READ_ONLY)],
    }
    if person_accounts:
        gaps["Account"] += [
            FieldDef("FirstName", "string", length=40),
            FieldDef("LastName", "string", length=80),
            FieldDef("PersonEmail", "email", length=80),
            _flag("PersonHasOptedOutOfEmail"),
            FieldDef("PersonMobilePhone", "phone", length=40),
            _flag("IsPersonAccount", **_READ_ONLY),
            _ref("PersonContactId", "Contact", **_READ_ONLY),
            _ref("RecordTypeId", "RecordType", defaulted_on_create=True),
        ]
        gaps["Contact"] += [_flag("IsPersonAccount", **_READ_ONLY)]
    return gaps


def _case() -> list[FieldDef]:
    """Case, for as long as the shipped catalog has no Case of its own."""
    return [
        FieldDef(
            "CaseNumber",
            "string",
            label="Case Number",
            length=30,
            name_field=True,
            auto_number=True,
            nillable=False,
            defaulted_on_create=True,
            **_READ_ONLY,
        ),
        FieldDef("Subject", "string", length=255),
        FieldDef("Description", "textarea", length=32000),
        FieldDef(
            "Status",
            "picklist",
            length=40,
            nillable=False,
            picklist=("New", "Working", "Escalated", "Closed"),
        ),
        FieldDef("Priority", "picklist", length=40, picklist=("High", "Medium", "Low")),
        FieldDef("Origin", "picklist", length=40, picklist=("Phone", "Email", "Web")),
        FieldDef(
            "Type",
            "picklist",
            length=40,
            picklist=("Mechanical", "Electrical", "Electronic", "Structural", "Other"),
        ),
        FieldDef("Reason", "picklist", length=40),
        _ref("ContactId", "Contact"),
        _ref("AccountId", "Account"),
        _ref("ParentId", "Case"),
        _ref("MasterRecordId", "Case", **_READ_ONLY),
        FieldDef("SuppliedEmail", "email", length=80),
        FieldDef("SuppliedName", "string", length=80),
        _flag("IsClosed", **_READ_ONLY),
        FieldDef("ClosedDate", "datetime", **_READ_ONLY),
    ]


_GAP_OBJECTS = {"Case": ("Case", "500", _case)}
# Fields only an org with person accounts has.
_PERSON_ONLY = {
    "Account": frozenset(
        {
            "FirstName",
            "LastName",
            "MiddleName",
            "Suffix",
            "Salutation",
            "IsPersonAccount",
            "PersonContactId",
            "RecordTypeId",
        }
    ),
    "Contact": frozenset({"IsPersonAccount"}),
}


def is_person_field(object_name: str, field_name: str) -> bool:
    if object_name == "Account" and field_name.startswith("Person"):
        return True
    return field_name in _PERSON_ONLY.get(object_name, frozenset())


def field_from_catalog(name: str, data: dict[str, Any]) -> FieldDef:
    """A catalog field as describe() reports it (the catalog's native_type is describe's type)."""
    kind = str(data.get("native_type") or data.get("type") or "string")
    nillable = bool(data.get("nillable", True))
    required = bool(data.get("required", False))
    boolean = kind == "boolean"
    return FieldDef(
        name=name,
        type=kind,
        label=str(data.get("label") or ""),
        length=int(data.get("length") or _DEFAULT_LENGTHS.get(kind, 0)),
        createable=bool(data.get("createable", True)),
        updateable=bool(data.get("updateable", True)),
        nillable=nillable,
        custom=bool(data.get("custom", name.endswith("__c"))),
        reference_to=tuple(data.get("reference_to") or ()),
        relationship_name=relationship_name(name) if kind == "reference" else None,
        picklist=tuple(str(o["value"]) for o in data.get("options") or ()),
        calculated=bool(data.get("calculated", False)),
        restricted=bool(data.get("restricted", False)),
        # A field that may not be null yet is not required is one the org fills in.
        defaulted_on_create=boolean or (not nillable and not required),
        default_value=False if boolean else None,
        name_field=name == "Name",
        precision=18 if kind in ("currency", "double") else 0,
    )


def standard_objects(person_accounts: bool = False) -> dict[str, ObjectDef]:
    """Fresh definitions for one org (custom fields and objects are added per org)."""
    catalog: dict[str, Any] = shipped_catalog("salesforce").get("objects") or {}
    objects: dict[str, ObjectDef] = {}
    for name, data in catalog.items():
        register_prefix(
            name, str(data.get("key_prefix") or KEY_PREFIXES.get(name) or "") or custom_prefix(name)
        )
        fields = {
            field_name: field_from_catalog(field_name, field)
            for field_name, field in (data.get("fields") or {}).items()
            if person_accounts or not is_person_field(name, field_name)
        }
        objects[name] = ObjectDef(name, str(data.get("label") or name), fields)
    for name, (label, prefix, make_fields) in _GAP_OBJECTS.items():
        if name not in objects:
            register_prefix(name, prefix)
            objects[name] = ObjectDef(name, label, {f.name: f for f in make_fields()})
    gaps = _gap_fields(person_accounts)
    for name, obj in objects.items():
        for definition in [*_system_fields(name), *gaps.get(name, [])]:
            if obj.field(definition.name) is None:
                obj.add(definition)
        for field_name, facts in FACTS.get(name, {}).items():
            current = obj.field(field_name)
            listed = ((catalog.get(name) or {}).get("fields") or {}).get(field_name) or {}
            # What the catalog states outright (say `restricted`) is not overridden.
            changes = {k: v for k, v in facts.items() if k not in listed}
            if current is not None:
                # A field with a default value is one the org fills in on create.
                defaulted = {"defaulted_on_create": True} if "default_value" in changes else {}
                obj.add(replace(current, **{**defaulted, **changes}))
    if person_accounts:
        _person_account_shape(objects)
    return objects


def _person_account_shape(objects: dict[str, ObjectDef]) -> None:
    # A lead may have no Company (it converts to a person account); a person account's
    # Name is derived from its FirstName and LastName, so Name stops being required.
    lead, account = objects["Lead"], objects["Account"]
    lead.add(replace(lead.fields["Company"], nillable=True))
    account.add(replace(account.fields["Name"], defaulted_on_create=True))


def custom_object(data: dict[str, Any]) -> ObjectDef:
    """A `__c` object as a metadata deploy defines it: `name`, `label`, `fields` (each as
    custom_field() takes it); it gets the system fields, an owner and a Name."""
    name = str(data["name"])
    if not name.endswith("__c"):
        raise ValueError(f"custom object names end in __c: {name!r}")
    register_prefix(name, custom_prefix(name))
    label = str(data.get("label") or name[:-3].replace("_", " "))
    obj = ObjectDef(name, label, {}, custom=True)
    for definition in _system_fields(name):
        obj.add(definition)
    obj.add(_ref("OwnerId", "User", "Group", nillable=False, defaulted_on_create=True))
    # A text Name the org fills with the record's id when none is given.
    obj.add(FieldDef("Name", "string", label=f"{label} Name", length=80, name_field=True))
    for field in data.get("fields") or ():
        obj.add(custom_field(field))
    return obj
