"""Live schemas -> catalog documents: a Salesforce describe and HubSpot's properties API
answer, as the catalog JSON that `mapc schema pull` writes (docs/catalogs.md)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

SALESFORCE_KINDS = {
    "string": "text", "combobox": "text", "encryptedstring": "text", "time": "text",
    "textarea": "textarea", "email": "email", "phone": "phone", "url": "url",
    "double": "number", "int": "number", "long": "number", "currency": "currency",
    "percent": "percent", "boolean": "bool", "date": "date", "datetime": "datetime",
    "picklist": "picklist", "multipicklist": "multipicklist", "reference": "reference",
    "id": "id",
}  # fmt: skip
# Compound and binary fields (address, location, base64, anyType) have no kind: left out.

HUBSPOT_NAMED_KINDS = {
    "email": "email", "website": "url", "phone": "phone", "mobilephone": "phone",
    "fax": "phone", "hs_object_id": "id",
}  # fmt: skip


def salesforce_object(describe: Mapping[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for item in describe.get("fields") or ():
        converted = salesforce_field(item)
        if converted is not None:
            fields[str(item["name"])] = converted
    entry: dict[str, Any] = {
        "label": str(describe.get("label") or describe.get("name")),
        "fields": fields,
    }
    if describe.get("keyPrefix"):
        entry["key_prefix"] = str(describe["keyPrefix"])
    if describe.get("custom"):
        entry["custom"] = True
    return entry


def is_custom_salesforce_object(summary: Mapping[str, Any]) -> bool:
    """A describe-global entry for an object the org defined and mapc can read and write
    (custom objects end in `__c`; `__mdt`, `__e`, `__x` and the like are not records)."""
    name = str(summary.get("name") or "")
    return (
        bool(summary.get("custom"))
        and name.endswith("__c")
        and bool(summary.get("queryable", True))
        and bool(summary.get("createable", True))
    )


def hubspot_custom_object(schema: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """(name, catalog entry) for one `GET /crm/v3/schemas` result: a custom object with its
    type id and properties, named as mappings name it (its bare name)."""
    name = str(schema["name"])
    labels = schema.get("labels") or {}
    entry: dict[str, Any] = {
        "label": str(labels.get("plural") or labels.get("singular") or name),
        "custom": True,
        "fields": hubspot_fields(schema.get("properties") or ()),
    }
    if schema.get("objectTypeId"):
        entry["type_id"] = str(schema["objectTypeId"])
    return name, entry


def salesforce_field(item: Mapping[str, Any]) -> dict[str, Any] | None:
    native = str(item.get("type") or "")
    kind = SALESFORCE_KINDS.get(native)
    references = [str(r) for r in item.get("referenceTo") or ()]
    if kind is None or (kind == "reference" and not references):
        return None
    nillable = bool(item.get("nillable", True))
    createable = bool(item.get("createable", True))
    field: dict[str, Any] = {
        "label": str(item.get("label") or item.get("name")),
        "type": kind,
        "native_type": native,
        "length": int(item["length"]) if item.get("length") else None,
        "createable": createable,
        "updateable": bool(item.get("updateable", True)),
        "nillable": nillable,
        "required": not nillable and createable and not item.get("defaultedOnCreate", False),
        "calculated": bool(item.get("calculated", False)),
        "custom": bool(item.get("custom", False)),
        "restricted": bool(item.get("restrictedPicklist", False)),
    }
    # An idempotency key must be an external id and unique (docs/language.md).
    if item.get("externalId"):
        field["external_id"] = True
    if item.get("unique"):
        field["unique"] = True
    if kind == "reference":
        field["reference_to"] = references
    options = [
        (str(v.get("value")), str(v.get("label") or v.get("value")))
        for v in item.get("picklistValues") or ()
        if v.get("active", True) and v.get("value") is not None
    ]
    if options:
        field["options"] = _options(options)
    return field


def hubspot_kind(prop: Mapping[str, Any]) -> str:
    name = str(prop.get("name"))
    ptype, field_type = str(prop.get("type")), str(prop.get("fieldType"))
    if name == "hubspot_owner_id":
        return "reference"
    if name in HUBSPOT_NAMED_KINDS:
        return HUBSPOT_NAMED_KINDS[name]
    if field_type == "booleancheckbox" or ptype == "bool":
        return "bool"
    if ptype == "enumeration":
        return "multipicklist" if field_type == "checkbox" else "enumeration"
    if ptype == "number":
        return "currency" if prop.get("showCurrencySymbol") else "number"
    if ptype in ("date", "datetime"):
        return ptype
    if field_type == "textarea" or field_type == "html":
        return "textarea"
    if field_type == "phonenumber":
        return "phone"
    return "text"


def hubspot_fields(properties: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for prop in properties:
        if prop.get("archived"):
            continue
        name = str(prop["name"])
        kind = hubspot_kind(prop)
        metadata = prop.get("modificationMetadata") or {}
        read_only = bool(metadata.get("readOnlyValue", False)) or name == "hs_object_id"
        field: dict[str, Any] = {
            "label": str(prop.get("label") or name),
            "type": kind,
            "native_type": f"{prop.get('type')}/{prop.get('fieldType')}",
            "createable": not read_only,
            "updateable": not read_only,
            "calculated": bool(prop.get("calculated", False)),
            "custom": not bool(prop.get("hubspotDefined", False)),
            "read_only": read_only,
            # HubSpot rejects any value of an enumeration that is not one of its options.
            "restricted": kind in ("enumeration", "multipicklist"),
        }
        if prop.get("hasUniqueValue"):
            field["unique"] = True
        if kind == "reference":
            field["reference_to"] = ["owners"]
        elif kind in ("enumeration", "multipicklist"):
            options = [
                (str(o.get("value")), str(o.get("label") or o.get("value")))
                for o in prop.get("options") or ()
                if not o.get("hidden", False) and o.get("value") is not None
            ]
            if options:
                field["options"] = _options(options)
        fields[name] = field
    return fields


def _options(pairs: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    seen: dict[str, str] = {}
    for value, label in pairs:
        seen.setdefault(value, label)
    return [{"value": v, "label": label} for v, label in seen.items()]
