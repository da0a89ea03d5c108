"""Custom object schemas: `/crm/v3/schemas`, and the object types they add to a portal."""

from __future__ import annotations

from typing import Any

from mapc.emulator.hubspot.common import body_of
from mapc.emulator.hubspot.errors import HsApiError, validation
from mapc.emulator.hubspot.portal import PORTAL_ID, Portal
from mapc.emulator.hubspot.schema import PropertyDef
from mapc.emulator.hubspot.types import ObjectType
from mapc.emulator.hubspot.values import iso_ms
from mapc.emulator.wire import Request, Response

# associatedObjects names -> object types.
_ASSOCIABLE = {
    "CONTACT": "contacts",
    "COMPANY": "companies",
    "DEAL": "deals",
    "TICKET": "tickets",
    "LINE_ITEM": "line_items",
    "PRODUCT": "products",
}
# The type ids custom objects get: 2-<a number unique to the portal>.
_FIRST_TYPE_NUMBER = 4_100_001


def add_schema(portal: Portal, data: dict[str, Any]) -> dict[str, Any]:
    """Define a custom object from an ObjectSchemaEgg; answers the ObjectSchema."""
    name = str(data.get("name") or "")
    if not name or not name.replace("_", "").isalnum() or not name[0].isalpha():
        raise validation(f"Invalid custom object name: {name!r}")
    if portal.types.resolve(name) is not None or f"p{PORTAL_ID}_{name}" in portal.schemas:
        raise HsApiError(409, "OBJECT_ALREADY_EXISTS", f"Object type {name} already exists")
    labels = data.get("labels") or {}
    if not labels.get("singular") or not labels.get("plural"):
        raise validation("labels.singular and labels.plural are required")
    definitions = [PropertyDef.from_api(p) for p in data.get("properties") or []]
    defined = {p.name for p in definitions}
    required = [str(p) for p in data.get("requiredProperties") or []]
    missing = [p for p in required if p not in defined]
    if missing:
        raise validation(f"Required properties are not defined: {missing}")
    primary = data.get("primaryDisplayProperty")
    if primary and primary not in defined:
        raise validation(f"primaryDisplayProperty {primary} is not a defined property")
    number = _FIRST_TYPE_NUMBER + len(portal.schemas)
    fqn = f"p{PORTAL_ID}_{name}"
    kind = ObjectType(
        name=fqn,
        type_id=f"2-{number}",
        singular=name,
        created="hs_createdate",
        default_read=tuple(dict.fromkeys(filter(None, [primary, *required]))),
        required=tuple(required),
        # By its type id, its fully qualified name or the short `p_<name>`; never by the
        # bare name (https://developers.hubspot.com/changelog/breaking-change-removed-support-for-referencing-custom-object-types-by-base-name).
        aliases=(f"p_{name.lower()}",),
    )
    base = [
        PropertyDef("hs_object_id", "number", "number", calculated=True),
        PropertyDef("hubspot_owner_id", "enumeration", "select"),
        PropertyDef("hs_merged_object_ids", "enumeration", "checkbox", calculated=True),
        PropertyDef("hs_createdate", "datetime", "date", read_only=True),
        PropertyDef("hs_lastmodifieddate", "datetime", "date", read_only=True),
    ]
    portal.add_type(kind, [*base, *definitions], by_singular=False)
    associations = []
    for target in data.get("associatedObjects") or []:
        to_type = _ASSOCIABLE.get(str(target).upper()) or portal.types.resolve(str(target))
        if to_type is None:
            raise validation(f"Unknown associated object: {target}")
        forward, _ = portal.types.add_association(fqn, to_type, category="USER_DEFINED")
        associations.append(_association(portal, forward, fqn, to_type))
    now = iso_ms(portal.clock.now())
    schema = {
        "id": str(number),
        "objectTypeId": kind.type_id,
        "name": name,
        "fullyQualifiedName": fqn,
        "labels": {"singular": labels["singular"], "plural": labels["plural"]},
        "description": data.get("description"),
        "primaryDisplayProperty": primary,
        "secondaryDisplayProperties": list(data.get("secondaryDisplayProperties") or []),
        "searchableProperties": list(data.get("searchableProperties") or []),
        "requiredProperties": required,
        "associatedObjects": [str(t) for t in data.get("associatedObjects") or []],
        "createdAt": now,
        "updatedAt": now,
        "archived": False,
        "associations": associations,
    }
    portal.schemas[fqn] = schema
    return schema_json(portal, fqn)


def _association(portal: Portal, type_id: int, from_type: str, to_type: str) -> dict[str, Any]:
    types = portal.types.types
    return {
        "id": str(type_id),
        "fromObjectTypeId": types[from_type].type_id,
        "toObjectTypeId": types[to_type].type_id,
        "name": f"{types[from_type].singular}_to_{types[to_type].singular}".upper(),
    }


def schema_json(portal: Portal, fqn: str) -> dict[str, Any]:
    schema = {k: v for k, v in portal.schemas[fqn].items() if k != "associatedObjects"}
    schema["properties"] = [p.describe() for p in portal.properties[fqn].values()]
    return schema


def schema_seed(portal: Portal, fqn: str) -> dict[str, Any]:
    """What a dump writes to define the schema again (its properties are dumped apart)."""
    schema = portal.schemas[fqn]
    return {
        "name": schema["name"],
        "labels": schema["labels"],
        "primaryDisplayProperty": schema["primaryDisplayProperty"],
        "requiredProperties": schema["requiredProperties"],
        "associatedObjects": schema["associatedObjects"],
        "properties": [
            p.describe() for p in portal.properties[fqn].values() if not p.hubspot_defined
        ],
    }


class SchemaResources:
    def __init__(self, portal: Portal) -> None:
        self.portal = portal

    def all(self, request: Request) -> Response:
        return Response(
            200, {"results": [schema_json(self.portal, fqn) for fqn in self.portal.schemas]}
        )

    def get(self, request: Request) -> Response:
        return Response(200, schema_json(self.portal, self._fqn(request.params["object_type"])))

    def create(self, request: Request) -> Response:
        return Response(201, add_schema(self.portal, body_of(request)))

    def _fqn(self, name: str) -> str:
        kind = self.portal.types.resolve(name)
        if kind is None or kind not in self.portal.schemas:
            raise HsApiError(404, "OBJECT_NOT_FOUND", f"Unable to find object type {name}")
        return kind
