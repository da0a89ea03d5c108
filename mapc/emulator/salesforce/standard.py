"""The standard objects of an org: every field of mapc's shipped catalog, plus what only an
org knows (defaults, restricted picklists, auto numbers, the person-account shape)."""

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
# Fields the emulator's own behaviours read and write (merge, convertLead, closure flags,
# person accounts): the catalog must list them, or the emulator refuses to start.
NEEDED: dict[str, tuple[str, ...]] = {
    "Lead": (
        "Company",
        "Status",
        "MasterRecordId",
        "IsConverted",
        "ConvertedDate",
        "ConvertedAccountId",
        "ConvertedContactId",
        "ConvertedOpportunityId",
    ),
    "Contact": ("AccountId", "MasterRecordId"),
    "Account": ("Name", "MasterRecordId"),
    "Opportunity": ("AccountId", "StageName", "IsClosed", "IsWon"),
    "OpportunityContactRole": ("OpportunityId", "ContactId", "IsPrimary"),
    "Task": ("WhoId", "WhatId", "IsClosed"),
    "Case": ("CaseNumber", "Status", "IsClosed", "ClosedDate"),
}
PERSON_NEEDED: dict[str, tuple[str, ...]] = {
    "Account": (
        "FirstName",
        "LastName",
        "PersonEmail",
        "PersonHasOptedOutOfEmail",
        "PersonMobilePhone",
        "IsPersonAccount",
        "PersonContactId",
        "RecordTypeId",
    ),
    "Contact": ("IsPersonAccount",),
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


def _system_fields() -> list[FieldDef]:
    """What every custom object has (standard objects have them from the catalog)."""
    stamp = {"nillable": False, "defaulted_on_create": True, **_READ_ONLY}
    return [
        FieldDef("Id", "id", label="Record ID", length=18, **stamp),
        _flag("IsDeleted", **_READ_ONLY),
        FieldDef("CreatedDate", "datetime", **stamp),
        _ref("CreatedById", "User", **stamp),
        FieldDef("LastModifiedDate", "datetime", **stamp),
        _ref("LastModifiedById", "User", **stamp),
        FieldDef("SystemModstamp", "datetime", **stamp),
        _ref("OwnerId", "User", "Group", nillable=False, defaulted_on_create=True),
    ]


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
        external_id=bool(data.get("external_id", False)),
        unique=bool(data.get("unique", False)),
        # A field that may not be null yet is not required is one the org fills in.
        defaulted_on_create=boolean or (not nillable and not required),
        default_value=False if boolean else None,
        name_field=name == "Name",
        precision=18 if kind in ("currency", "double") else 0,
    )


# The definitions built from a catalog, per org shape: (the catalog read, the objects).
_BUILT: dict[bool, tuple[dict[str, Any], dict[str, ObjectDef]]] = {}


def standard_objects(person_accounts: bool = False) -> dict[str, ObjectDef]:
    """Fresh definitions for one org (custom fields and objects are added per org).

    Built once per catalog and org shape (an emulator reset makes a new org each time);
    each org gets its own copies to add custom fields to.
    """
    catalog = shipped_catalog("salesforce")
    built = _BUILT.get(person_accounts)
    if built is None or built[0] is not catalog:
        built = (catalog, _build(catalog.get("objects") or {}, person_accounts))
        _BUILT[person_accounts] = built
    return {name: obj.copy() for name, obj in built[1].items()}


def _build(catalog: dict[str, Any], person_accounts: bool) -> dict[str, ObjectDef]:
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
    _check_needed(objects, _with_person() if person_accounts else NEEDED)
    for name, obj in objects.items():
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


def _with_person() -> dict[str, tuple[str, ...]]:
    return {k: NEEDED.get(k, ()) + PERSON_NEEDED.get(k, ()) for k in {*NEEDED, *PERSON_NEEDED}}


def _check_needed(objects: dict[str, ObjectDef], needed: dict[str, tuple[str, ...]]) -> None:
    missing = [
        f"{name}.{field}"
        for name, fields in needed.items()
        for field in fields
        if name not in objects or objects[name].field(field) is None
    ]
    if missing:
        raise ValueError(
            f"mapc's Salesforce catalog lacks {', '.join(missing)}, which the emulator needs"
        )


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
    for definition in _system_fields():
        obj.add(definition)
    # A text Name the org fills with the record's id when none is given.
    obj.add(FieldDef("Name", "string", label=f"{label} Name", length=80, name_field=True))
    for field in data.get("fields") or ():
        obj.add(custom_field(field))
    return obj
