"""The Salesforce objects the emulator knows, field by field, as `describe` reports them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from mapc.emulator.salesforce.ids import KEY_PREFIXES

_SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "datetime": "xsd:dateTime",
    "date": "xsd:date",
    "double": "xsd:double",
    "currency": "xsd:double",
    "percent": "xsd:double",
    "int": "xsd:int",
}
TEXT_TYPES = frozenset(
    {"string", "email", "phone", "url", "textarea", "picklist", "combobox", "multipicklist"}
)


@dataclass(frozen=True)
class FieldDef:
    name: str
    type: str
    label: str = ""
    length: int = 0
    createable: bool = True
    updateable: bool = True
    nillable: bool = True
    custom: bool = False
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    picklist: tuple[str, ...] = ()
    restricted: bool = False
    default_value: Any = None
    calculated: bool = False
    defaulted_on_create: bool = False
    external_id: bool = False
    unique: bool = False
    name_field: bool = False
    precision: int = 0
    scale: int = 0

    @property
    def required(self) -> bool:
        return self.createable and not self.nillable and not self.defaulted_on_create

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label or _label(self.name),
            "type": self.type,
            "soapType": _SOAP_TYPES.get(self.type, "xsd:string"),
            "length": self.length,
            "byteLength": self.length * 3,
            "precision": self.precision,
            "scale": self.scale,
            "digits": 9 if self.type == "int" else 0,
            "createable": self.createable,
            "updateable": self.updateable,
            "nillable": self.nillable,
            "custom": self.custom,
            "calculated": self.calculated,
            "defaultedOnCreate": self.defaulted_on_create,
            "defaultValue": self.default_value,
            "externalId": self.external_id,
            "idLookup": self.external_id or self.type == "id" or self.name == "Email",
            "unique": self.unique,
            "nameField": self.name_field,
            "filterable": True,
            "sortable": self.type not in ("textarea", "multipicklist"),
            "groupable": self.type not in ("textarea", "double", "currency", "datetime"),
            "referenceTo": list(self.reference_to),
            "relationshipName": self.relationship_name,
            "restrictedPicklist": self.restricted,
            "picklistValues": [
                {
                    "active": True,
                    "defaultValue": value == self.default_value,
                    "label": value,
                    "validFor": None,
                    "value": value,
                }
                for value in self.picklist
            ],
        }


@dataclass
class ObjectDef:
    name: str
    label: str
    fields: dict[str, FieldDef] = field(default_factory=dict)
    custom: bool = False

    def __post_init__(self) -> None:
        self._by_lower = {name.lower(): f for name, f in self.fields.items()}

    def add(self, definition: FieldDef) -> None:
        self.fields[definition.name] = definition
        self._by_lower[definition.name.lower()] = definition

    def field(self, name: str) -> FieldDef | None:
        return self._by_lower.get(name.lower())

    def relationship(self, name: str) -> FieldDef | None:
        lowered = name.lower()
        for definition in self.fields.values():
            rel = definition.relationship_name
            if rel is not None and rel.lower() == lowered:
                return definition
        return None

    @property
    def key_prefix(self) -> str:
        return KEY_PREFIXES[self.name]


def _label(name: str) -> str:
    if name == "Id":
        return "Record ID"
    base = name.removesuffix("__c").removesuffix("Id")
    spaced = "".join(f" {c}" if c.isupper() and i else c for i, c in enumerate(base))
    return spaced.replace("_", " ").strip()


def _text(name: str, length: int = 255, **kw: Any) -> FieldDef:
    return FieldDef(name, "string", length=length, **kw)


def _ref(name: str, *targets: str, **kw: Any) -> FieldDef:
    rel = name[:-2] if name.endswith("Id") else name.replace("__c", "__r")
    kw.setdefault("relationship_name", rel)
    return FieldDef(name, "reference", length=18, reference_to=targets, **kw)


def _pick(name: str, values: tuple[str, ...], **kw: Any) -> FieldDef:
    return FieldDef(name, "picklist", length=255, picklist=values, **kw)


def _flag(name: str, **kw: Any) -> FieldDef:
    kw.setdefault("nillable", False)
    kw.setdefault("defaulted_on_create", True)
    kw.setdefault("default_value", False)
    return FieldDef(name, "boolean", **kw)


_READ_ONLY: dict[str, Any] = {"createable": False, "updateable": False}


def _system_fields(owner_targets: tuple[str, ...] | None = ("User",)) -> list[FieldDef]:
    fields = [
        FieldDef("Id", "id", length=18, nillable=False, defaulted_on_create=True, **_READ_ONLY),
        _flag("IsDeleted", **_READ_ONLY),
        FieldDef("CreatedDate", "datetime", nillable=False, defaulted_on_create=True, **_READ_ONLY),
        _ref("CreatedById", "User", nillable=False, defaulted_on_create=True, **_READ_ONLY),
        FieldDef(
            "LastModifiedDate", "datetime", nillable=False, defaulted_on_create=True, **_READ_ONLY
        ),
        _ref("LastModifiedById", "User", nillable=False, defaulted_on_create=True, **_READ_ONLY),
        FieldDef(
            "SystemModstamp", "datetime", nillable=False, defaulted_on_create=True, **_READ_ONLY
        ),
    ]
    if owner_targets:
        fields.append(
            _ref(
                "OwnerId",
                *owner_targets,
                nillable=False,
                defaulted_on_create=True,
                relationship_name="Owner",
            )
        )
    return fields


def _obj(name: str, label: str, fields: list[FieldDef]) -> ObjectDef:
    return ObjectDef(name, label, {f.name: f for f in fields})


LEAD_STATUSES = (
    "Open - Not Contacted",
    "Working - Contacted",
    "Closed - Converted",
    "Closed - Not Converted",
)
LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
INDUSTRIES = (
    "Agriculture",
    "Banking",
    "Consulting",
    "Education",
    "Energy",
    "Finance",
    "Healthcare",
    "Manufacturing",
    "Media",
    "Retail",
    "Technology",
    "Other",
)
# Stage -> (IsClosed, IsWon, Probability), as the default sales process defines them.
STAGES: dict[str, tuple[bool, bool, int]] = {
    "Prospecting": (False, False, 10),
    "Qualification": (False, False, 10),
    "Needs Analysis": (False, False, 20),
    "Value Proposition": (False, False, 50),
    "Id. Decision Makers": (False, False, 60),
    "Perception Analysis": (False, False, 70),
    "Proposal/Price Quote": (False, False, 75),
    "Negotiation/Review": (False, False, 90),
    "Closed Won": (True, True, 100),
    "Closed Lost": (True, False, 0),
}
USER_TYPES = (
    "Standard",
    "PowerPartner",
    "PowerCustomerSuccess",
    "CustomerSuccess",
    "Guest",
    "CspLitePortal",
    "CsnOnly",
    "SelfService",
)
_ADDRESS = ("Street", "City", "State", "PostalCode", "Country")


def _address(prefix: str) -> list[FieldDef]:
    return [
        FieldDef(
            f"{prefix}{part}",
            "textarea" if part == "Street" else "string",
            length=255 if part == "Street" else 80,
        )
        for part in _ADDRESS
    ]


def standard_objects(person_accounts: bool = False) -> dict[str, ObjectDef]:
    """Fresh definitions (custom fields are added to these per emulator)."""
    lead = _obj(
        "Lead",
        "Lead",
        [
            *_system_fields(("User", "Group")),
            _text("FirstName", 40),
            _text("LastName", 80, nillable=False),
            _text("Name", 121, name_field=True, **_READ_ONLY),
            _text("Company", 255, nillable=False),
            _text("Title", 128),
            FieldDef("Email", "email", length=80),
            FieldDef("Phone", "phone", length=40),
            FieldDef("MobilePhone", "phone", length=40),
            FieldDef("Website", "url", length=255),
            _pick(
                "Status",
                LEAD_STATUSES,
                nillable=False,
                defaulted_on_create=True,
                default_value=LEAD_STATUSES[0],
                restricted=True,
            ),
            _pick("LeadSource", LEAD_SOURCES),
            _pick("Industry", INDUSTRIES),
            _pick("Rating", ("Hot", "Warm", "Cold")),
            _flag("HasOptedOutOfEmail"),
            _flag("IsConverted", **_READ_ONLY),
            FieldDef("ConvertedDate", "date", **_READ_ONLY),
            _ref("ConvertedAccountId", "Account", **_READ_ONLY),
            _ref("ConvertedContactId", "Contact", **_READ_ONLY),
            _ref("ConvertedOpportunityId", "Opportunity", **_READ_ONLY),
            _ref("MasterRecordId", "Lead", **_READ_ONLY),
            FieldDef("NumberOfEmployees", "int"),
            FieldDef("AnnualRevenue", "currency", precision=18),
            FieldDef("Description", "textarea", length=32000),
            *_address(""),
        ],
    )
    contact = _obj(
        "Contact",
        "Contact",
        [
            *_system_fields(),
            _text("FirstName", 40),
            _text("LastName", 80, nillable=False),
            _text("Name", 121, name_field=True, **_READ_ONLY),
            _text("Title", 128),
            _ref("AccountId", "Account"),
            _ref("MasterRecordId", "Contact", **_READ_ONLY),
            FieldDef("Email", "email", length=80),
            FieldDef("Phone", "phone", length=40),
            FieldDef("MobilePhone", "phone", length=40),
            _text("Department", 80),
            _pick("LeadSource", LEAD_SOURCES),
            _flag("HasOptedOutOfEmail"),
            FieldDef("Birthdate", "date"),
            FieldDef("Description", "textarea", length=32000),
            *_address("Mailing"),
        ],
    )
    account = _obj(
        "Account",
        "Account",
        [
            *_system_fields(),
            _text("Name", 255, nillable=False, name_field=True),
            _pick(
                "Type", ("Prospect", "Customer - Direct", "Customer - Channel", "Partner", "Other")
            ),
            _pick("Industry", INDUSTRIES),
            FieldDef("Phone", "phone", length=40),
            FieldDef("Website", "url", length=255),
            _ref("ParentId", "Account"),
            _ref("MasterRecordId", "Account", **_READ_ONLY),
            FieldDef("NumberOfEmployees", "int"),
            FieldDef("AnnualRevenue", "currency", precision=18),
            FieldDef("Description", "textarea", length=32000),
            *_address("Billing"),
        ],
    )
    opportunity = _obj(
        "Opportunity",
        "Opportunity",
        [
            *_system_fields(),
            _text("Name", 120, nillable=False, name_field=True),
            _ref("AccountId", "Account"),
            _pick("StageName", tuple(STAGES), nillable=False, restricted=True),
            FieldDef("CloseDate", "date", nillable=False),
            FieldDef("Amount", "currency", precision=18, scale=2),
            FieldDef("Probability", "percent", precision=3, defaulted_on_create=True),
            _flag("IsClosed", **_READ_ONLY),
            _flag("IsWon", **_READ_ONLY),
            _pick("Type", ("Existing Customer - Upgrade", "New Customer")),
            _pick("LeadSource", LEAD_SOURCES),
            FieldDef("Description", "textarea", length=32000),
        ],
    )
    role = _obj(
        "OpportunityContactRole",
        "Opportunity Contact Role",
        [
            *_system_fields(None),
            _ref("OpportunityId", "Opportunity", nillable=False, updateable=False),
            _ref("ContactId", "Contact", nillable=False),
            _pick(
                "Role", ("Business User", "Decision Maker", "Economic Buyer", "Influencer", "Other")
            ),
            _flag("IsPrimary"),
        ],
    )
    task = _obj(
        "Task",
        "Task",
        [
            *_system_fields(("User", "Group")),
            FieldDef("Subject", "combobox", length=255),
            _pick(
                "Status",
                ("Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred"),
                nillable=False,
                defaulted_on_create=True,
                default_value="Not Started",
                restricted=True,
            ),
            _pick(
                "Priority",
                ("High", "Normal", "Low"),
                nillable=False,
                defaulted_on_create=True,
                default_value="Normal",
                restricted=True,
            ),
            FieldDef("ActivityDate", "date"),
            FieldDef("Description", "textarea", length=32000),
            _ref("WhoId", "Contact", "Lead"),
            _ref("WhatId", "Account", "Opportunity"),
            _pick("Type", ("Call", "Email", "Meeting", "Other")),
            _pick(
                "TaskSubtype", ("Task", "Email", "ListEmail", "Cadence", "Call"), updateable=False
            ),
            _flag("IsClosed", **_READ_ONLY),
        ],
    )
    user = _obj(
        "User",
        "User",
        [
            *_system_fields(None),
            _text("Username", 80, nillable=False, unique=True),
            _text("FirstName", 40),
            _text("LastName", 80, nillable=False),
            _text("Name", 121, name_field=True, **_READ_ONLY),
            FieldDef("Email", "email", length=128, nillable=False),
            _text("Alias", 8, nillable=False),
            _flag("IsActive", default_value=True),
            _pick(
                "UserType",
                USER_TYPES,
                defaulted_on_create=True,
                default_value="Standard",
                **_READ_ONLY,
            ),
        ],
    )
    group = _obj(
        "Group",
        "Group",
        [
            *_system_fields(("User",)),
            _text("Name", 40, nillable=False, name_field=True),
            _text("DeveloperName", 80),
            _pick(
                "Type",
                ("Regular", "Queue", "Role", "Organization"),
                nillable=False,
                restricted=True,
            ),
            FieldDef("Email", "email", length=255),
        ],
    )
    objects = {o.name: o for o in (lead, contact, account, opportunity, role, task, user, group)}
    if person_accounts:
        _add_person_account_fields(objects)
    return objects


def _add_person_account_fields(objects: dict[str, ObjectDef]) -> None:
    # With person accounts a lead may have no Company: it then converts to a person account.
    lead = objects["Lead"]
    lead.add(replace(lead.fields["Company"], nillable=True))
    account = objects["Account"]
    # A person account's Name is derived from FirstName and LastName; it stops being required.
    name = account.fields["Name"]
    account.add(replace(name, defaulted_on_create=True))
    for definition in (
        _text("FirstName", 40),
        _text("LastName", 80),
        FieldDef("PersonEmail", "email", length=80),
        _flag("PersonHasOptedOutOfEmail"),
        FieldDef("PersonMobilePhone", "phone", length=40),
        _flag("IsPersonAccount", **_READ_ONLY),
        _ref("PersonContactId", "Contact", **_READ_ONLY),
        _ref("RecordTypeId", "RecordType", defaulted_on_create=True),
    ):
        account.add(definition)
    objects["Contact"].add(_flag("IsPersonAccount", **_READ_ONLY))


def custom_field(data: dict[str, Any]) -> FieldDef:
    """A `__c` field from its seed description (the same keys describe() prints)."""
    name = str(data["name"])
    if not name.endswith("__c"):
        raise ValueError(f"custom field names end in __c: {name!r}")
    kind = str(data.get("type", "string"))
    values = data.get("picklistValues") or data.get("picklist") or ()
    values = tuple(v["value"] if isinstance(v, dict) else str(v) for v in values)
    default_length = {
        "string": 255,
        "textarea": 32768,
        "email": 80,
        "phone": 40,
        "url": 255,
        "picklist": 255,
        "reference": 18,
    }.get(kind, 0)
    targets = data.get("referenceTo") or ()
    return FieldDef(
        name=name,
        type=kind,
        label=str(data.get("label") or _label(name)),
        length=int(data.get("length", default_length)),
        createable=bool(data.get("createable", True)),
        updateable=bool(data.get("updateable", True)),
        nillable=bool(data.get("nillable", True)),
        custom=True,
        reference_to=tuple(targets),
        relationship_name=name.replace("__c", "__r") if targets else None,
        picklist=values,
        restricted=bool(data.get("restrictedPicklist", kind == "picklist")),
        default_value=data.get("defaultValue"),
        defaulted_on_create=bool(
            data.get("defaultedOnCreate", data.get("defaultValue") is not None)
        ),
        calculated=bool(data.get("calculated", False)),
        external_id=bool(data.get("externalId", False)),
        unique=bool(data.get("unique", False)),
        precision=int(data.get("precision", 18 if kind in ("double", "currency") else 0)),
        scale=int(data.get("scale", 0)),
    )


def describe_object(obj: ObjectDef, version: str) -> dict[str, Any]:
    base = f"/services/data/v{version}/sobjects/{obj.name}"
    return {
        "name": obj.name,
        "label": obj.label,
        "labelPlural": f"{obj.label}s",
        "keyPrefix": obj.key_prefix,
        "custom": obj.custom,
        "createable": True,
        "updateable": True,
        "deletable": True,
        "queryable": True,
        "searchable": True,
        "retrieveable": True,
        "layoutable": True,
        "triggerable": True,
        "urls": {"sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"},
        "fields": [f.describe() for f in obj.fields.values()],
        "childRelationships": [],
        "recordTypeInfos": [],
    }


def describe_global_entry(obj: ObjectDef, version: str) -> dict[str, Any]:
    entry = describe_object(obj, version)
    del entry["fields"], entry["childRelationships"], entry["recordTypeInfos"]
    return entry
