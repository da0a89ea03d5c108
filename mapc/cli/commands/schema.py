"""`mapc schema pull -o DIR`: write a project's catalogs from a live org and portal."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

DEFAULT_SALESFORCE_OBJECTS = (
    "Lead", "Contact", "Account", "Opportunity", "OpportunityContactRole", "Task", "User", "Group",
)  # fmt: skip
DEFAULT_HUBSPOT_OBJECTS = ("contacts", "companies", "deals")
HUBSPOT_LABELS = {"contacts": "Contacts", "companies": "Companies", "deals": "Deals"}

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


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "schema",
        help="work with catalogs of live systems",
        description="Catalogs of the objects and fields of a live Salesforce org and HubSpot "
        "account.",
    )
    actions = parser.add_subparsers(dest="schema_command", metavar="ACTION", required=True)
    pull = actions.add_parser(
        "pull",
        help="write catalogs (salesforce.json, hubspot.json) from the live systems",
        description="Describe the objects of the Salesforce org and the properties of the "
        "HubSpot account named by the environment (SALESFORCE_INSTANCE_URL, "
        "SALESFORCE_ACCESS_TOKEN, HUBSPOT_ACCESS_TOKEN, ...; see docs/connectors.md) and "
        "write them, custom fields included, as a project catalog directory. Exit 0 when "
        "written, 2 when a system cannot be read (nothing is written then).",
    )
    pull.add_argument("-o", "--output", type=Path, required=True, metavar="DIR")
    pull.add_argument(
        "--salesforce-objects",
        nargs="+",
        metavar="OBJECT",
        help=f"Salesforce objects (default: {', '.join(DEFAULT_SALESFORCE_OBJECTS)})",
    )
    pull.add_argument(
        "--hubspot-objects",
        nargs="+",
        metavar="OBJECT",
        help=f"HubSpot object types (default: {', '.join(DEFAULT_HUBSPOT_OBJECTS)})",
    )
    pull.add_argument(
        "--system",
        choices=("both", "salesforce", "hubspot"),
        default="both",
        help="which catalogs to pull (default: both)",
    )
    pull.set_defaults(func=run_pull)


def _names(values: Sequence[str] | None, default: Sequence[str]) -> list[str]:
    if not values:
        return list(default)
    return [n for v in values for n in v.split(",") if n.strip()]


def run_pull(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from mapc.compiler.catalog import catalog_from_json, dump_catalog
    from mapc.runtime.errors import ConnectorError

    documents: dict[str, dict[str, Any]] = {}
    try:
        if args.system in ("both", "salesforce"):
            documents["salesforce"] = pull_salesforce(
                _names(args.salesforce_objects, DEFAULT_SALESFORCE_OBJECTS)
            )
        if args.system in ("both", "hubspot"):
            documents["hubspot"] = pull_hubspot(
                _names(args.hubspot_objects, DEFAULT_HUBSPOT_OBJECTS)
            )
        texts = {name: dump_catalog(catalog_from_json(doc)) for name, doc in documents.items()}
    except ConnectorError as error:
        print(f"mapc schema pull: {error}", file=sys.stderr)
        return 2
    except ValidationError as error:
        print(
            f"mapc schema pull: the pulled schema is not a valid catalog: {error}", file=sys.stderr
        )
        return 2
    try:
        args.output.mkdir(parents=True, exist_ok=True)
        for name, text in texts.items():
            path = args.output / f"{name}.json"
            partial = path.with_suffix(".json.partial")
            partial.write_text(text, encoding="utf-8")
            partial.replace(path)
            objects = documents[name]["objects"]
            fields = sum(len(o["fields"]) for o in objects.values())
            print(f"wrote {path} ({len(objects)} objects, {fields} fields)")
    except OSError as error:
        print(f"mapc schema pull: cannot write {args.output}: {error.strerror}", file=sys.stderr)
        return 2
    return 0


# -- Salesforce ------------------------------------------------------------------------


def pull_salesforce(objects: Iterable[str]) -> dict[str, Any]:
    from mapc.runtime.salesforce.client import SalesforceConnector

    connector = SalesforceConnector.from_env()
    return {
        "system": "salesforce",
        "objects": {name: salesforce_object(connector.describe(name)) for name in objects},
    }


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
    return entry


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


# -- HubSpot ---------------------------------------------------------------------------


def pull_hubspot(objects: Iterable[str]) -> dict[str, Any]:
    from mapc.runtime.hubspot.client import HubSpotConnector

    connector = HubSpotConnector.from_env()
    return {
        "system": "hubspot",
        "objects": {
            name: {
                "label": HUBSPOT_LABELS.get(name, name),
                "fields": hubspot_fields(connector.properties(name)),
            }
            for name in objects
        },
    }


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
