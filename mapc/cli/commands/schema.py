"""`mapc schema pull -o DIR`: write a project's catalogs from a live org and portal."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

DEFAULT_SALESFORCE_OBJECTS = (
    "Lead", "Contact", "Account", "Opportunity", "OpportunityContactRole", "Case", "Task",
    "User", "Group",
)  # fmt: skip
DEFAULT_HUBSPOT_OBJECTS = ("contacts", "companies", "deals", "tickets")
HUBSPOT_LABELS = {
    "contacts": "Contacts", "companies": "Companies", "deals": "Deals", "tickets": "Tickets",
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
        help=f"Salesforce objects (default: {', '.join(DEFAULT_SALESFORCE_OBJECTS)}, "
        "and every custom object of the org)",
    )
    pull.add_argument(
        "--hubspot-objects",
        nargs="+",
        metavar="OBJECT",
        help=f"HubSpot object types (default: {', '.join(DEFAULT_HUBSPOT_OBJECTS)}, "
        "and every custom object of the account)",
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
    from msgspec import ValidationError

    from mapc.compiler.catalog import catalog_from_json, dump_catalog
    from mapc.runtime.errors import ConnectorError

    documents: dict[str, dict[str, Any]] = {}
    try:
        if args.system in ("both", "salesforce"):
            documents["salesforce"] = pull_salesforce(
                _names(args.salesforce_objects, DEFAULT_SALESFORCE_OBJECTS),
                with_custom_objects=not args.salesforce_objects,
            )
        if args.system in ("both", "hubspot"):
            documents["hubspot"] = pull_hubspot(
                _names(args.hubspot_objects, DEFAULT_HUBSPOT_OBJECTS),
                with_custom_objects=not args.hubspot_objects,
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


def pull_salesforce(objects: Iterable[str], *, with_custom_objects: bool) -> dict[str, Any]:
    """Describe ``objects`` (and, when asked, every custom object the org has)."""
    from mapc.compiler.catalog_convert import is_custom_salesforce_object, salesforce_object
    from mapc.runtime.salesforce.client import SalesforceConnector

    connector = SalesforceConnector.from_env()
    names = list(dict.fromkeys(objects))
    if with_custom_objects:
        custom = (o for o in connector.describe_global() if is_custom_salesforce_object(o))
        names += sorted(str(o["name"]) for o in custom if o["name"] not in names)
    return {
        "system": "salesforce",
        "objects": {name: salesforce_object(connector.describe(name)) for name in names},
    }


# -- HubSpot ---------------------------------------------------------------------------


def pull_hubspot(objects: Iterable[str], *, with_custom_objects: bool) -> dict[str, Any]:
    """The properties of ``objects`` (and, when asked, every custom object's schema).

    An object named in ``objects`` that is one of the account's custom objects (by its
    name, `p_<name>` or type id) is pulled from its schema, so it keeps its type id."""
    from mapc.compiler.catalog_convert import hubspot_custom_object, hubspot_fields
    from mapc.runtime.hubspot.client import HubSpotConnector

    connector = HubSpotConnector.from_env()
    schemas = connector.schemas()
    custom: dict[str, tuple[str, dict[str, Any]]] = {}
    for schema in schemas:
        name, entry = hubspot_custom_object(schema)
        for alias in (name, f"p_{name}", schema.get("fullyQualifiedName"), entry.get("type_id")):
            if alias:
                custom[str(alias)] = (name, entry)
    pulled: dict[str, Any] = {}
    for requested in objects:
        if requested in custom:
            name, entry = custom[requested]
            pulled[name] = entry
        else:
            pulled[requested] = {
                "label": HUBSPOT_LABELS.get(requested, requested),
                "fields": hubspot_fields(connector.properties(requested)),
            }
    if with_custom_objects:
        for name, entry in (hubspot_custom_object(s) for s in schemas):
            pulled.setdefault(name, entry)
    return {"system": "hubspot", "objects": pulled}
