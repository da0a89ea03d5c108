"""Load a seed (JSON file or dict) into both services, and dump their state back out."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mapc.emulator.hubspot.errors import HsApiError
from mapc.emulator.hubspot.marketing import ensure_campaigns, make_campaign, make_event
from mapc.emulator.hubspot.portal import PORTAL_ID, Portal
from mapc.emulator.hubspot.schemas import add_schema, schema_seed
from mapc.emulator.salesforce.errors import SfApiError
from mapc.emulator.salesforce.org import Org

# Parents before children, so that a seed's references resolve as it loads.
SEED_ORDER = (
    "User",
    "Group",
    "Account",
    "Contact",
    "Lead",
    "Opportunity",
    "OpportunityContactRole",
    "Task",
)


# What each section of a seed may hold (a dump has the same shape; its "deleted" ids are
# informational and not loaded), and what shape each key's value has.
_SHAPES: dict[str, dict[str, str]] = {
    "salesforce": {
        "person_accounts": "bool",
        "edition": "str",
        "custom_objects": "list",
        "custom_fields": "lists",
        "records": "lists",
        "deleted": "lists",
    },
    "hubspot": {
        "schemas": "list",
        "properties": "lists",
        "owners": "list",
        "unsubscribed": "strs",
        "records": "lists",
        "associations": "list",
        "email_events": "list",
        "email_campaigns": "list",
        "rate_limit": "dict",
    },
}


class SeedError(ValueError):
    """A seed that cannot be loaded; the message says where in the seed and why."""


def read_seed(source: str | Path | dict[str, Any]) -> dict[str, Any]:
    if isinstance(source, dict):
        data: Any = source
    else:
        try:
            data = json.loads(Path(source).read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise SeedError(f"{source} is not valid JSON: {exc}") from exc
    check_seed(data, "" if isinstance(source, dict) else f"{source}: ")
    return dict(data)


def check_seed(data: Any, where: str = "") -> None:
    """Reject a seed whose shape is wrong, or that names a section or key the emulator does
    not know (a typo would otherwise load nothing, silently)."""
    if not isinstance(data, dict):
        raise SeedError(f"{where}a seed is a JSON object with 'salesforce'/'hubspot' keys")
    for system, section in data.items():
        shapes = _SHAPES.get(system)
        if shapes is None:
            raise SeedError(
                f"{where}unknown seed section {system!r} (expected 'salesforce' and/or 'hubspot')"
            )
        if not isinstance(section, dict):
            raise SeedError(f"{where}seed section {system!r} must be a JSON object")
        for key, value in section.items():
            shape = shapes.get(key)
            if shape is None:
                raise SeedError(
                    f"{where}unknown key {system}.{key} (expected one of: {', '.join(shapes)})"
                )
            _check_shape(value, shape, f"{where}{system}.{key}")


def _check_shape(value: Any, shape: str, path: str) -> None:
    expected: type = {
        "bool": bool,
        "str": str,
        "dict": dict,
        "list": list,
        "strs": list,
        "lists": dict,
    }[shape]
    names = {bool: "true or false", str: "a string", dict: "a JSON object", list: "a list"}
    if not isinstance(value, expected):
        raise SeedError(f"{path} must be {names[expected]}")
    data: Any = value
    if shape == "list" and not all(isinstance(item, dict) for item in data):
        raise SeedError(f"{path} must be a list of JSON objects")
    if shape == "strs" and not all(isinstance(item, str) for item in data):
        raise SeedError(f"{path} must be a list of strings")
    if shape == "lists":
        for name, items in data.items():
            if not isinstance(items, list) or not all(isinstance(i, dict | str) for i in items):
                raise SeedError(f"{path}.{name} must be a list of JSON objects")


@contextmanager
def at(path: str) -> Iterator[None]:
    """Turn any failure while loading the part of a seed at `path` into a SeedError."""
    try:
        yield
    except SeedError:
        raise
    except SfApiError as exc:
        first = exc.errors[0] if exc.errors else None
        detail = f"{first.code}: {first.message}" if first else f"HTTP {exc.status}"
        raise SeedError(f"seed {path}: {detail}") from exc
    except HsApiError as exc:
        raise SeedError(f"seed {path}: {exc.category}: {exc.message}") from exc
    except KeyError as exc:
        raise SeedError(f"seed {path}: {exc.args[0]!r} is required") from exc
    except (TypeError, ValueError, AttributeError) as exc:
        raise SeedError(f"seed {path}: {exc}") from exc


def seed_salesforce(org: Org, data: dict[str, Any], refs: dict[str, str]) -> None:
    """Seed records may carry "_ref": "name"; any later value "@name" becomes that id."""
    for n, definition in enumerate(data.get("custom_objects") or []):
        with at(f"salesforce.custom_objects[{n}]"):
            org.add_custom_object(definition)
    for object_name, fields in (data.get("custom_fields") or {}).items():
        for n, field in enumerate(fields):
            with at(f"salesforce.custom_fields.{object_name}[{n}]"):
                org.add_custom_field(object_name, field)
    records = data.get("records") or {}
    names = [n for n in SEED_ORDER if n in records] + [n for n in records if n not in SEED_ORDER]
    for name in names:
        for n, raw in enumerate(records[name]):
            with at(f"salesforce.records.{name}[{n}]"):
                values = {k: _resolve(v, refs) for k, v in raw.items() if k != "_ref"}
                record_id = org.seed(name, values)
                if "_ref" in raw:
                    refs[str(raw["_ref"])] = record_id


def seed_hubspot(portal: Portal, data: dict[str, Any], refs: dict[str, str]) -> None:
    """Load as data loading would: no webhook calls."""
    quiet, portal.quiet = portal.quiet, True
    try:
        _seed_hubspot(portal, data, refs)
    finally:
        portal.quiet = quiet


def _seed_hubspot(portal: Portal, data: dict[str, Any], refs: dict[str, str]) -> None:
    for n, schema in enumerate(data.get("schemas") or []):
        with at(f"hubspot.schemas[{n}]"):
            add_schema(portal, schema)
    for kind, props in (data.get("properties") or {}).items():
        for n, prop in enumerate(props):
            with at(f"hubspot.properties.{kind}[{n}]"):
                portal.add_property(_seed_kind(portal, kind), prop)
    for n, owner in enumerate(data.get("owners") or []):
        with at(f"hubspot.owners[{n}]"):
            added = portal.add_owner(owner)
            if "_ref" in owner:
                refs[str(owner["_ref"])] = added.id
    for email in data.get("unsubscribed") or []:
        portal.unsubscribe_all(str(email))
    for kind_name, records in (data.get("records") or {}).items():
        with at(f"hubspot.records.{kind_name}"):
            kind = _seed_kind(portal, kind_name)
        for n, raw in enumerate(records):
            with at(f"hubspot.records.{kind_name}[{n}]"):
                _seed_hubspot_record(portal, kind, raw, refs)
    for n, link in enumerate(data.get("associations") or []):
        with at(f"hubspot.associations[{n}]"):
            source, target = link["from"], link["to"]
            types = link.get("types") or [None]
            for type_id in types:
                portal.associate(
                    _seed_kind(portal, source["type"]),
                    _resolve(source["id"], refs),
                    _seed_kind(portal, target["type"]),
                    _resolve(target["id"], refs),
                    type_id,
                )
    now_ms = portal.clock.now_ms()
    for n, campaign in enumerate(data.get("email_campaigns") or []):
        with at(f"hubspot.email_campaigns[{n}]"):
            made = make_campaign(campaign, now_ms)
            portal.email_campaigns[made["id"]] = made
    for n, event in enumerate(data.get("email_events") or []):
        with at(f"hubspot.email_events[{n}]"):
            portal.email_events.append(make_event(event, now_ms))
    ensure_campaigns(portal, portal.email_events, now_ms)


def _seed_kind(portal: Portal, name: str) -> str:
    """An object type named in a seed: as the API names it, or a custom object by its bare
    name (a seed is the emulator's own format; the API refuses bare names)."""
    if f"p{PORTAL_ID}_{name}" in portal.schemas:
        return f"p{PORTAL_ID}_{name}"
    return portal.kind(name)


def _seed_hubspot_record(
    portal: Portal, kind: str, raw: dict[str, Any], refs: dict[str, str]
) -> None:
    props = raw.get(
        "properties",
        {k: v for k, v in raw.items() if k not in ("id", "_ref", "createdAt", "updatedAt")},
    )
    props = {k: _resolve(v, refs) for k, v in props.items()}
    if raw.get("createdAt"):
        props.setdefault(portal.types.created(kind), raw["createdAt"])
    if raw.get("updatedAt"):
        props.setdefault(portal.types.modified(kind), raw["updatedAt"])
    values = portal.check(kind, props, creating=True, trusted=True)
    portal.conflict(kind, values, None)
    record = portal.create(kind, values, record_id=str(raw["id"]) if raw.get("id") else None)
    if "_ref" in raw:
        refs[str(raw["_ref"])] = record.id


def dump_salesforce(org: Org) -> dict[str, Any]:
    custom = {
        name: [f.describe() for f in obj.fields.values() if f.custom]
        for name, obj in org.objects.items()
    }
    return {
        "person_accounts": org.person_accounts,
        "edition": org.edition,
        "custom_objects": [
            {"name": obj.name, "label": obj.label} for obj in org.objects.values() if obj.custom
        ],
        "custom_fields": {k: v for k, v in custom.items() if v},
        "records": {
            # Only the object's fields: a record also carries stamps its object may not show.
            name: [
                {k: v for k, v in record.items() if k in org.objects[name].fields}
                for record in sorted(records.values(), key=lambda r: r["Id"])
            ]
            for name, records in org.records.items()
            if records
        },
        "deleted": {
            name: sorted(records, key=str) for name, records in org.deleted.items() if records
        },
    }


def dump_hubspot(portal: Portal) -> dict[str, Any]:
    return {
        "schemas": [schema_seed(portal, fqn) for fqn in portal.schemas],
        "properties": {
            kind: [p.describe() for p in props.values() if not p.hubspot_defined]
            for kind, props in portal.properties.items()
            if kind not in portal.schemas and any(not p.hubspot_defined for p in props.values())
        },
        "owners": [o.json("2024-01-01T00:00:00.000Z") for o in portal.owners.values()],
        "records": {
            kind: [
                {
                    "id": r.id,
                    "properties": dict(r.properties),
                    "createdAt": r.created,
                    "updatedAt": r.updated,
                }
                for r in sorted(records.values(), key=lambda r: int(r.id))
            ]
            for kind, records in portal.objects.items()
            if records
        },
        "associations": portal.associations.dump(),
        "email_events": [{k: v for k, v in e.items() if k != "_seq"} for e in portal.email_events],
        "email_campaigns": [
            {"id": c["id"], "name": c["name"], "subject": c["subject"], "appId": c["appId"]}
            for _, c in sorted(portal.email_campaigns.items())
        ],
        "unsubscribed": sorted(portal.subscriptions.opted_out),
    }


def _resolve(value: Any, refs: dict[str, str]) -> Any:
    if isinstance(value, str) and value.startswith("@") and value[1:] in refs:
        return refs[value[1:]]
    return value
