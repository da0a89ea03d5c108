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
        unique=bool(data.get("unique", False)),
    )


def _gap_properties() -> dict[str, list[PropertyDef]]:
    """Properties HubSpot has that the shipped catalog does not list, and the object types
    it has none of (tasks)."""
    merged = _p("hs_merged_object_ids", "enumeration", "checkbox", calculated=True)
    owner = _p("hubspot_owner_id", "enumeration")
    tasks = [
        _p("hs_object_id", "number", calculated=True),
        owner,
        merged,
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
    contacts = [
        merged,
        _p("hs_persona", "enumeration", options=("persona_1", "persona_2", "persona_3")),
        _p("hs_additional_emails", "enumeration", "checkbox", **_RO),
    ]
    gaps: dict[str, list[PropertyDef]] = {"tasks": tasks, "contacts": contacts}
    for kind in ("companies", "deals", "tickets", "notes", "meetings", "calls", "emails"):
        gaps[kind] = [merged]
    for kind in ("products", "line_items"):
        gaps[kind] = [merged, owner]
    return gaps


# Properties the emulator's own behaviours read or derive: the catalog must have them.
NEEDED = {
    "contacts": ("email", "associatedcompanyid", "hs_email_optout"),
    "deals": ("dealstage", "pipeline", "hs_is_closed_won", "hs_is_closed"),
    "line_items": ("price", "quantity", "amount"),
}


# The properties built from a catalog: (the catalog read, the types asked, the properties).
_BUILT: list[tuple[dict[str, Any], tuple[str, ...], dict[str, dict[str, PropertyDef]]]] = []


def standard_properties(types: tuple[str, ...]) -> dict[str, dict[str, PropertyDef]]:
    """Each standard object type's properties: all of the shipped catalog's, then the gaps.

    Built once per catalog (a reset makes a new portal each time); each portal gets its own
    property tables to add custom properties to (the definitions themselves are shared and
    never changed).
    """
    catalog = shipped_catalog("hubspot")
    if not _BUILT or _BUILT[0][0] is not catalog or _BUILT[0][1] != types:
        _BUILT[:] = [(catalog, types, _build(catalog.get("objects") or {}, types))]
    return {kind: dict(props) for kind, props in _BUILT[0][2].items()}


def _build(catalog: dict[str, Any], types: tuple[str, ...]) -> dict[str, dict[str, PropertyDef]]:
    gaps = _gap_properties()
    out: dict[str, dict[str, PropertyDef]] = {}
    for kind in types:
        fields = (catalog.get(kind) or {}).get("fields") or {}
        props = {name: property_from_catalog(name, data) for name, data in fields.items()}
        for prop in gaps.get(kind, []):
            props.setdefault(prop.name, prop)
        out[kind] = props
    missing = [f"{k}.{name}" for k, names in NEEDED.items() for name in names if name not in out[k]]
    if missing:
        raise ValueError(
            f"mapc's HubSpot catalog lacks {', '.join(missing)}, which the emulator needs"
        )
    return out


def catalog_required(kind: str) -> tuple[str, ...]:
    """Properties the shipped catalog says a new record of `kind` must have."""
    fields = ((shipped_catalog("hubspot").get("objects") or {}).get(kind) or {}).get("fields")
    return tuple(name for name, data in (fields or {}).items() if data.get("required"))
