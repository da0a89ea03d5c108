"""Load a seed (JSON file or dict) into both services, and dump their state back out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mapc.emulator.hubspot.marketing import make_event
from mapc.emulator.hubspot.portal import Portal
from mapc.emulator.hubspot.schema import CREATED, MODIFIED
from mapc.emulator.salesforce.org import Org

# Parents before children, so that a seed's references resolve as it loads.
SEED_ORDER = ("User", "Group", "Account", "Contact", "Lead", "Opportunity",
              "OpportunityContactRole", "Task")


def read_seed(source: str | Path | dict[str, Any]) -> dict[str, Any]:
    if isinstance(source, dict):
        return source
    data = json.loads(Path(source).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{source}: a seed is a JSON object with 'salesforce'/'hubspot' keys")
    return data


def seed_salesforce(org: Org, data: dict[str, Any], refs: dict[str, str]) -> None:
    """Seed records may carry "_ref": "name"; any later value "@name" becomes that id."""
    for object_name, fields in (data.get("custom_fields") or {}).items():
        for field in fields:
            org.add_custom_field(object_name, field)
    records = data.get("records") or {}
    names = [n for n in SEED_ORDER if n in records] + [n for n in records if n not in SEED_ORDER]
    for name in names:
        for raw in records[name]:
            values = {k: _resolve(v, refs) for k, v in raw.items() if k != "_ref"}
            record_id = org.seed(name, values)
            if "_ref" in raw:
                refs[str(raw["_ref"])] = record_id


def seed_hubspot(portal: Portal, data: dict[str, Any], refs: dict[str, str]) -> None:
    for kind, props in (data.get("properties") or {}).items():
        for prop in props:
            portal.add_property(portal.kind(kind), prop)
    for owner in data.get("owners") or []:
        added = portal.add_owner(owner)
        if "_ref" in owner:
            refs[str(owner["_ref"])] = added.id
    for email in data.get("unsubscribed") or []:
        portal.unsubscribe_all(str(email))
    for kind_name, records in (data.get("records") or {}).items():
        kind = portal.kind(kind_name)
        for raw in records:
            props = raw.get("properties", {k: v for k, v in raw.items()
                                            if k not in ("id", "_ref", "createdAt", "updatedAt")})
            props = {k: _resolve(v, refs) for k, v in props.items()}
            if raw.get("createdAt"):
                props.setdefault(CREATED[kind], raw["createdAt"])
            if raw.get("updatedAt"):
                props.setdefault(MODIFIED[kind], raw["updatedAt"])
            values = portal.check(kind, props, creating=True, trusted=True)
            portal.conflict(kind, values, None)
            record = portal.create(kind, values, record_id=str(raw["id"]) if raw.get("id")
                                   else None)
            if "_ref" in raw:
                refs[str(raw["_ref"])] = record.id
    for link in data.get("associations") or []:
        source, target = link["from"], link["to"]
        types = link.get("types") or [None]
        for type_id in types:
            portal.associate(portal.kind(source["type"]), _resolve(source["id"], refs),
                                    portal.kind(target["type"]), _resolve(target["id"], refs),
                                    type_id)
    now_ms = portal.clock.now_ms()
    for event in data.get("email_events") or []:
        portal.email_events.append(make_event(event, now_ms))


def dump_salesforce(org: Org) -> dict[str, Any]:
    custom = {name: [f.describe() for f in obj.fields.values() if f.custom]
              for name, obj in org.objects.items()}
    return {
        "person_accounts": org.person_accounts, "edition": org.edition,
        "custom_fields": {k: v for k, v in custom.items() if v},
        "records": {name: sorted(records.values(), key=lambda r: r["Id"])
                    for name, records in org.records.items() if records},
        "deleted": {name: sorted(records, key=str)
                    for name, records in org.deleted.items() if records},
    }


def dump_hubspot(portal: Portal) -> dict[str, Any]:
    return {
        "properties": {kind: [p.describe() for p in props.values() if not p.hubspot_defined]
                       for kind, props in portal.properties.items()
                       if any(not p.hubspot_defined for p in props.values())},
        "owners": [o.json("2024-01-01T00:00:00.000Z") for o in portal.owners.values()],
        "records": {kind: [{"id": r.id, "properties": dict(r.properties),
                            "createdAt": r.created, "updatedAt": r.updated}
                           for r in sorted(records.values(), key=lambda r: int(r.id))]
                    for kind, records in portal.objects.items() if records},
        "associations": portal.associations.dump(),
        "email_events": [{k: v for k, v in e.items() if k != "_seq"}
                         for e in portal.email_events],
        "unsubscribed": sorted(portal.subscriptions.opted_out),
    }


def _resolve(value: Any, refs: dict[str, str]) -> Any:
    if isinstance(value, str) and value.startswith("@") and value[1:] in refs:
        return refs[value[1:]]
    return value
