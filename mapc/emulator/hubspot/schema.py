"""HubSpot object types, their default properties, and the association types between them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OBJECT_TYPE_IDS = {"contacts": "0-1", "companies": "0-2", "deals": "0-3", "tasks": "0-27"}
_ALIASES = {
    **{name: name for name in OBJECT_TYPE_IDS},
    **{type_id: name for name, type_id in OBJECT_TYPE_IDS.items()},
    "contact": "contacts",
    "company": "companies",
    "deal": "deals",
    "task": "tasks",
}
# Property names each object type keeps on its own; "modified" is what search filters on.
CREATED = {
    "contacts": "createdate",
    "companies": "createdate",
    "deals": "createdate",
    "tasks": "hs_createdate",
}
MODIFIED = {
    "contacts": "lastmodifieddate",
    "companies": "hs_lastmodifieddate",
    "deals": "hs_lastmodifieddate",
    "tasks": "hs_lastmodifieddate",
}
DEFAULT_READ = {
    "contacts": (
        "createdate",
        "email",
        "firstname",
        "hs_object_id",
        "lastmodifieddate",
        "lastname",
    ),
    "companies": ("createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"),
    "deals": (
        "amount",
        "closedate",
        "createdate",
        "dealname",
        "dealstage",
        "hs_lastmodifieddate",
        "hs_object_id",
        "pipeline",
    ),
    "tasks": (
        "hs_createdate",
        "hs_lastmodifieddate",
        "hs_object_id",
        "hs_task_subject",
        "hs_task_status",
        "hs_timestamp",
    ),
}
# (from, to) -> HUBSPOT_DEFINED default type id, and the inverse each id pairs with.
DEFAULT_ASSOCIATION = {
    ("contacts", "companies"): 279,
    ("companies", "contacts"): 280,
    ("deals", "contacts"): 3,
    ("contacts", "deals"): 4,
    ("deals", "companies"): 341,
    ("companies", "deals"): 342,
    ("tasks", "contacts"): 204,
    ("contacts", "tasks"): 203,
    ("tasks", "companies"): 192,
    ("companies", "tasks"): 191,
    ("tasks", "deals"): 216,
    ("deals", "tasks"): 215,
}
PRIMARY_ASSOCIATION = {
    ("contacts", "companies"): 1,
    ("companies", "contacts"): 2,
    ("deals", "companies"): 5,
    ("companies", "deals"): 6,
}
_PAIRS = [(279, 280), (3, 4), (341, 342), (204, 203), (192, 191), (216, 215), (1, 2), (5, 6)]
INVERSE = {**dict(_PAIRS), **{b: a for a, b in _PAIRS}}
ASSOCIATION_LABELS = {1: "Primary", 2: "Primary", 5: "Primary", 6: "Primary"}


def object_type(name: str) -> str | None:
    return _ALIASES.get(name.lower())


def association_pair(type_id: int) -> tuple[str, str] | None:
    for table in (DEFAULT_ASSOCIATION, PRIMARY_ASSOCIATION):
        for pair, known in table.items():
            if known == type_id:
                return pair
    return None


@dataclass
class PropertyDef:
    name: str
    type: str  # string, number, date, datetime, enumeration, bool
    field_type: str = "text"
    label: str = ""
    group: str = "information"
    options: tuple[str, ...] = ()
    read_only: bool = False
    calculated: bool = False
    unique: bool = False
    hubspot_defined: bool = True
    created_ms: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        iso = "2020-01-01T00:00:00Z"
        return {
            "name": self.name,
            "label": self.label or self.name.replace("_", " ").title(),
            "type": self.type,
            "fieldType": self.field_type,
            "description": "",
            "groupName": self.group,
            "options": [
                {
                    "label": o.replace("_", " ").title(),
                    "value": o,
                    "displayOrder": i,
                    "hidden": False,
                }
                for i, o in enumerate(self.options)
            ],
            "displayOrder": -1,
            "calculated": self.calculated,
            "externalOptions": False,
            "hasUniqueValue": self.unique,
            "hidden": False,
            "hubspotDefined": self.hubspot_defined,
            "formField": not self.read_only,
            "archived": False,
            "createdAt": iso,
            "updatedAt": iso,
            "modificationMetadata": {
                "archivable": not self.hubspot_defined,
                "readOnlyDefinition": self.hubspot_defined,
                "readOnlyValue": self.read_only or self.calculated,
            },
            **self.extra,
        }

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> PropertyDef:
        options = tuple(
            str(o["value"]) if isinstance(o, dict) else str(o) for o in data.get("options") or ()
        )
        return cls(
            name=str(data["name"]),
            type=str(data.get("type", "string")),
            field_type=str(data.get("fieldType", "text")),
            label=str(data.get("label", "")),
            group=str(data.get("groupName", "information")),
            options=options,
            unique=bool(data.get("hasUniqueValue", False)),
            hubspot_defined=False,
        )


def _p(name: str, kind: str = "string", field_type: str | None = None, **kw: Any) -> PropertyDef:
    default_ft = {
        "string": "text",
        "number": "number",
        "date": "date",
        "datetime": "date",
        "enumeration": "select",
        "bool": "booleancheckbox",
    }[kind]
    return PropertyDef(name, kind, field_type or default_ft, **kw)


_RO: dict[str, Any] = {"read_only": True}
LIFECYCLE = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
)
DEAL_STAGES = (
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
    "closedwon",
    "closedlost",
)


def default_properties() -> dict[str, dict[str, PropertyDef]]:
    common = [
        _p("hs_object_id", "number", calculated=True),
        _p("hubspot_owner_id", "enumeration"),
        _p("hs_merged_object_ids", "enumeration", "checkbox", calculated=True),
    ]
    contacts = [
        *common,
        _p("createdate", "datetime", **_RO),
        _p("lastmodifieddate", "datetime", **_RO),
        _p("email"),
        _p("firstname"),
        _p("lastname"),
        _p("phone"),
        _p("mobilephone"),
        _p("company"),
        _p("jobtitle"),
        _p("website"),
        _p("address"),
        _p("city"),
        _p("state"),
        _p("zip"),
        _p("country"),
        _p("associatedcompanyid", "number", **_RO),
        _p("lifecyclestage", "enumeration", options=LIFECYCLE),
        _p(
            "hs_lead_status",
            "enumeration",
            options=(
                "NEW",
                "OPEN",
                "IN_PROGRESS",
                "OPEN_DEAL",
                "UNQUALIFIED",
                "ATTEMPTED_TO_CONTACT",
                "CONNECTED",
                "BAD_TIMING",
            ),
        ),
        _p("hs_email_optout", "bool", label="Unsubscribed from all email", **_RO),
        _p("hs_persona", "enumeration", options=("persona_1", "persona_2", "persona_3")),
        _p("hs_additional_emails", "enumeration", "checkbox", **_RO),
    ]
    companies = [
        *common,
        _p("createdate", "datetime", **_RO),
        _p("hs_lastmodifieddate", "datetime", **_RO),
        _p("name"),
        _p("domain"),
        _p("phone"),
        _p("website"),
        _p("address"),
        _p("city"),
        _p("state"),
        _p("zip"),
        _p("country"),
        _p("industry"),
        _p("description", field_type="textarea"),
        _p("numberofemployees", "number"),
        _p("annualrevenue", "number"),
        _p("lifecyclestage", "enumeration", options=LIFECYCLE),
        _p("type", "enumeration", options=("PROSPECT", "PARTNER", "RESELLER", "VENDOR", "OTHER")),
    ]
    deals = [
        *common,
        _p("createdate", "datetime", **_RO),
        _p("hs_lastmodifieddate", "datetime", **_RO),
        _p("dealname"),
        _p("amount", "number"),
        _p("closedate", "datetime"),
        _p("dealstage", "enumeration", options=DEAL_STAGES),
        _p("pipeline", "enumeration", options=("default",)),
        _p("dealtype", "enumeration", options=("newbusiness", "existingbusiness")),
        _p("description", field_type="textarea"),
        _p("hs_is_closed_won", "bool", calculated=True),
        _p("hs_is_closed", "bool", calculated=True),
    ]
    tasks = [
        *common,
        _p("hs_createdate", "datetime", **_RO),
        _p("hs_lastmodifieddate", "datetime", **_RO),
        _p("hs_timestamp", "datetime"),
        _p("hs_task_subject"),
        _p("hs_task_body", field_type="textarea"),
        _p(
            "hs_task_status",
            "enumeration",
            options=("NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED"),
        ),
        _p("hs_task_priority", "enumeration", options=("NONE", "LOW", "MEDIUM", "HIGH")),
        _p("hs_task_type", "enumeration", options=("TODO", "CALL", "EMAIL", "LINKED_IN")),
    ]
    return {
        name: {p.name: p for p in props}
        for name, props in (
            ("contacts", contacts),
            ("companies", companies),
            ("deals", deals),
            ("tasks", tasks),
        )
    }


REQUIRED_ON_CREATE = {"tasks": ("hs_timestamp",)}
