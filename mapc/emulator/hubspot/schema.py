"""HubSpot properties: definitions, and each standard object type's from mapc's catalog."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mapc.emulator.catalogs import shipped_catalog


@dataclass
class PropertyDef:
    name: str
    type: str  # string, number, date, datetime, enumeration, bool
    field_type: str = "text"
    label: str = ""
    group: str = "information"
    options: tuple[str, ...] = ()
    option_labels: tuple[str, ...] = ()
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
                    "label": (
                        self.option_labels[i]
                        if i < len(self.option_labels)
                        else o.replace("_", " ").title()
                    ),
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
# The default ticket pipeline "0": New, Waiting on contact, Waiting on us, Closed.
TICKET_STAGES = ("1", "2", "3", "4")


def property_from_catalog(name: str, data: dict[str, Any]) -> PropertyDef:
    """A catalog property (native_type "type/fieldType") as the properties API describes it."""
    native = str(data.get("native_type") or "string/text")
    kind, _, field_type = native.partition("/")
    options = data.get("options") or ()
    writable = data.get("createable", True) or data.get("updateable", True)
    return PropertyDef(
        name=name,
        type=kind,
        field_type=field_type or "text",
        label=str(data.get("label") or ""),
        options=tuple(str(o["value"]) for o in options),
        option_labels=tuple(str(o.get("label") or o["value"]) for o in options),
        read_only=bool(data.get("read_only", False)) or not writable,
        calculated=bool(data.get("calculated", False)),
    )


def _gap_properties() -> dict[str, list[PropertyDef]]:
    """Properties the emulator needs that the shipped catalog may not (yet) list, and the
    object types it has none of."""
    common = [
        _p("hs_object_id", "number", calculated=True),
        _p("hubspot_owner_id", "enumeration"),
        _p("hs_merged_object_ids", "enumeration", "checkbox", calculated=True),
    ]
    stamped = [
        *common,
        _p("createdate", "datetime", **_RO),
        _p("hs_lastmodifieddate", "datetime", **_RO),
    ]
    contacts = [
        *common,
        _p("createdate", "datetime", **_RO),
        _p("lastmodifieddate", "datetime", **_RO),
        _p("associatedcompanyid", "number", **_RO),
        _p("hs_email_optout", "bool", label="Unsubscribed from all email", **_RO),
        _p("hs_persona", "enumeration", options=("persona_1", "persona_2", "persona_3")),
        _p("hs_additional_emails", "enumeration", "checkbox", **_RO),
    ]
    deals = [
        *stamped,
        _p("pipeline", "enumeration", options=("default",)),
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
    engagement = [
        *common,
        _p("hs_createdate", "datetime", **_RO),
        _p("hs_lastmodifieddate", "datetime", **_RO),
        _p("hs_timestamp", "datetime"),
    ]
    tickets = [
        *stamped,
        _p("subject"),
        _p("content", field_type="textarea"),
        _p("hs_pipeline", "enumeration", options=("0",)),
        _p("hs_pipeline_stage", "enumeration", options=TICKET_STAGES),
        _p("hs_ticket_priority", "enumeration", options=("LOW", "MEDIUM", "HIGH", "URGENT")),
        _p(
            "hs_ticket_category",
            "enumeration",
            "checkbox",
            options=("PRODUCT_ISSUE", "BILLING_ISSUE", "FEATURE_REQUEST", "GENERAL_INQUIRY"),
        ),
        _p("source_type", "enumeration", options=("EMAIL", "PHONE", "CHAT", "FORM")),
        _p("closed_date", "datetime"),
    ]
    products = [
        *stamped,
        _p("name"),
        _p("description", field_type="textarea"),
        _p("price", "number"),
        _p("hs_sku"),
        _p("hs_cost_of_goods_sold", "number"),
    ]
    line_items = [
        *stamped,
        _p("name"),
        _p("description", field_type="textarea"),
        _p("price", "number"),
        _p("quantity", "number"),
        _p("amount", "number", calculated=True),
        _p("hs_product_id"),
        _p("hs_sku"),
    ]
    notes = [*engagement, _p("hs_note_body", field_type="textarea")]
    meetings = [
        *engagement,
        _p("hs_meeting_title"),
        _p("hs_meeting_body", field_type="textarea"),
        _p("hs_internal_meeting_notes", field_type="textarea"),
        _p("hs_meeting_start_time", "datetime"),
        _p("hs_meeting_end_time", "datetime"),
        _p(
            "hs_meeting_outcome",
            "enumeration",
            options=("SCHEDULED", "COMPLETED", "RESCHEDULED", "NO_SHOW", "CANCELED"),
        ),
    ]
    calls = [
        *engagement,
        _p("hs_call_title"),
        _p("hs_call_body", field_type="textarea"),
        _p("hs_call_duration", "number"),
        _p("hs_call_direction", "enumeration", options=("INBOUND", "OUTBOUND")),
        _p(
            "hs_call_status",
            "enumeration",
            options=("BUSY", "CANCELED", "COMPLETED", "FAILED", "IN_PROGRESS", "NO_ANSWER"),
        ),
        _p("hs_call_disposition"),
        _p("hs_call_to_number"),
        _p("hs_call_from_number"),
    ]
    emails = [
        *engagement,
        _p("hs_email_subject"),
        _p("hs_email_text", field_type="textarea"),
        _p("hs_email_html", field_type="html"),
        _p(
            "hs_email_direction",
            "enumeration",
            options=("EMAIL", "INCOMING_EMAIL", "FORWARDED_EMAIL"),
        ),
        _p(
            "hs_email_status",
            "enumeration",
            options=("BOUNCED", "FAILED", "SCHEDULED", "SENDING", "SENT"),
        ),
    ]
    return {
        name: props
        for name, props in (
            ("contacts", contacts),
            ("companies", stamped),
            ("deals", deals),
            ("tasks", tasks),
            ("tickets", tickets),
            ("products", products),
            ("line_items", line_items),
            ("notes", notes),
            ("meetings", meetings),
            ("calls", calls),
            ("emails", emails),
        )
    }


def standard_properties(types: tuple[str, ...]) -> dict[str, dict[str, PropertyDef]]:
    """Each standard object type's properties: all of the shipped catalog's, then the gaps."""
    catalog: dict[str, Any] = shipped_catalog("hubspot").get("objects") or {}
    gaps = _gap_properties()
    out: dict[str, dict[str, PropertyDef]] = {}
    for kind in types:
        fields = (catalog.get(kind) or {}).get("fields") or {}
        props = {name: property_from_catalog(name, data) for name, data in fields.items()}
        for prop in gaps.get(kind, []):
            props.setdefault(prop.name, prop)
        out[kind] = props
    return out


def catalog_required(kind: str) -> tuple[str, ...]:
    """Properties the shipped catalog says a new record of `kind` must have."""
    fields = ((shipped_catalog("hubspot").get("objects") or {}).get(kind) or {}).get("fields")
    return tuple(name for name, data in (fields or {}).items() if data.get("required"))
