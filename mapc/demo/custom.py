"""The project catalogs' custom fields, as emulator seed entries, so the demo's orgs have them.

A mapping that names `Region__c` or a custom HubSpot property passes `mapc check` against
its project catalog; the emulator starts with the standard schemas only, so the demo adds
every field the project catalogs declare and the emulator lacks, with its type and options.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["CustomFields", "custom_fields"]

# A catalog kind -> HubSpot's (type, fieldType), for catalogs without a "type/fieldType".
_HUBSPOT_TYPES = {
    "text": ("string", "text"),
    "number": ("number", "number"),
    "bool": ("bool", "booleancheckbox"),
    "date": ("date", "date"),
    "datetime": ("datetime", "date"),
    "enumeration": ("enumeration", "select"),
    "reference": ("string", "text"),
}
_SALESFORCE_TYPES = {
    "text": "string",
    "number": "double",
    "bool": "boolean",
    "date": "date",
    "datetime": "datetime",
    "enumeration": "picklist",
    "picklist": "picklist",
    "reference": "reference",
}


@dataclass
class CustomFields:
    """Seed entries: `salesforce` for "custom_fields", `hubspot` for "properties"."""

    salesforce: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    hubspot: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _catalog_dirs(mapping_paths: Iterable[Path]) -> list[Path]:
    """The project catalog directory each mapping's `catalogs:` setting names."""
    from mapc.compiler import ir
    from mapc.compiler.pipeline import check_file

    found: list[Path] = []
    for path in mapping_paths:
        result = check_file(path)
        if result.mapping is None:
            continue
        for block in result.mapping.of_type(ir.SettingsBlock):
            for setting in block.settings:
                value = setting.value
                if (
                    setting.key.value == "catalogs"
                    and isinstance(value, ir.Literal)
                    and isinstance(value.value, str)
                ):
                    directory = (path.parent / value.value).resolve()
                    if directory not in found:
                        found.append(directory)
    return found


def _salesforce_entry(f: Any) -> dict[str, Any]:
    native = str(f.native_type or "")
    entry: dict[str, Any] = {
        "name": f.name,
        "label": f.label,
        "type": native if native and "/" not in native else _SALESFORCE_TYPES.get(f.type, "string"),
    }
    if f.length:
        entry["length"] = f.length
    if f.options:
        entry["picklistValues"] = [o.value for o in f.options]
    if f.reference_to:
        entry["referenceTo"] = list(f.reference_to)
    return entry


def _hubspot_entry(f: Any) -> dict[str, Any]:
    native = str(f.native_type or "")
    if "/" in native:
        kind, field_type = native.split("/", 1)
    else:
        kind, field_type = _HUBSPOT_TYPES.get(f.type, ("string", "text"))
    entry: dict[str, Any] = {"name": f.name, "label": f.label, "type": kind}
    entry["fieldType"] = field_type
    if f.options:
        entry["options"] = [{"value": o.value, "label": o.label} for o in f.options]
    return entry


def custom_fields(mapping_paths: Iterable[Path], emulator: Any | None = None) -> CustomFields:
    """What the mappings' project catalogs declare beyond the shipped catalogs, less what
    `emulator` (a started one, when given) already has.

    Salesforce fields count when their names end in `__c` (the only ones an org can add)
    on an object the org has; HubSpot properties when the portal has their object type.
    Raises CatalogError for a broken catalog (the mappings then did not compile either).
    """
    from mapc.compiler.catalog import load_catalog, load_default_catalog

    out = CustomFields()
    dirs = _catalog_dirs(mapping_paths)
    if not dirs:
        return out
    catalog, shipped = load_catalog(dirs), load_default_catalog()
    org = emulator.org if emulator is not None else None
    portal = emulator.portal if emulator is not None else None
    for obj in catalog.salesforce.objects.values():
        known = org.objects.get(obj.name) if org is not None else None
        if org is not None and known is None:
            continue
        for f in obj.fields.values():
            if not f.name.endswith("__c") or shipped.salesforce.field(obj.name, f.name):
                continue
            if known is None or known.field(f.name) is None:
                out.salesforce.setdefault(obj.name, []).append(_salesforce_entry(f))
    for obj in catalog.hubspot.objects.values():
        props = portal.properties.get(obj.name) if portal is not None else None
        if portal is not None and props is None:
            continue
        for f in obj.fields.values():
            if shipped.hubspot.field(obj.name, f.name) or (props and f.name in props):
                continue
            out.hubspot.setdefault(obj.name, []).append(_hubspot_entry(f))
    return out
