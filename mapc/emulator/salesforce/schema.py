"""Salesforce field and object definitions, as `describe` reports them, and custom fields."""

from __future__ import annotations

from dataclasses import dataclass, field
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
    auto_number: bool = False

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
            "autoNumber": self.auto_number,
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

    def copy(self) -> ObjectDef:
        """Another object with the same (immutable) field definitions and its own field set."""
        return ObjectDef(self.name, self.label, dict(self.fields), self.custom)

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


LEAD_STATUSES = (
    "Open - Not Contacted",
    "Working - Contacted",
    "Closed - Converted",
    "Closed - Not Converted",
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
# Case statuses that close a case.
CLOSED_CASE_STATUSES = frozenset({"Closed"})


def relationship_name(field_name: str) -> str:
    """AccountId -> Account, OwnerId -> Owner, Car__c -> Car__r."""
    if field_name.endswith("__c"):
        return field_name[:-3] + "__r"
    return field_name[:-2] if field_name.endswith("Id") else field_name


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
        relationship_name=relationship_name(name) if targets else None,
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
