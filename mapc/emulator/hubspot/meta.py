"""Properties, owners and v4 associations endpoints."""

from __future__ import annotations

from typing import Any

from mapc.emulator.hubspot.common import batch_response, body_of, int_arg
from mapc.emulator.hubspot.errors import HsApiError, too_many_inputs, validation
from mapc.emulator.hubspot.objects import BATCH_LIMIT
from mapc.emulator.hubspot.portal import Portal
from mapc.emulator.hubspot.schema import (
    ASSOCIATION_LABELS,
    DEFAULT_ASSOCIATION,
    OBJECT_TYPE_IDS,
    association_pair,
)
from mapc.emulator.wire import BadJson, Request, Response

_STAMP = "2024-01-01T00:00:00.000Z"


class PropertyResources:
    def __init__(self, portal: Portal) -> None:
        self.portal = portal

    def all(self, request: Request) -> Response:
        kind = self.portal.kind(request.params["object_type"])
        props = self.portal.properties[kind].values()
        return Response(200, {"results": [p.describe() for p in props]})

    def get(self, request: Request) -> Response:
        kind = self.portal.kind(request.params["object_type"])
        prop = self.portal.properties[kind].get(request.params["name"])
        if prop is None:
            raise HsApiError(
                404, "OBJECT_NOT_FOUND", f"Unable to find property {request.params['name']}"
            )
        return Response(200, prop.describe())

    def create(self, request: Request) -> Response:
        kind = self.portal.kind(request.params["object_type"])
        prop = self.portal.add_property(kind, body_of(request))
        return Response(201, prop.describe())

    def batch_read(self, request: Request) -> Response:
        kind = self.portal.kind(request.params["object_type"])
        names = [str(i.get("name")) for i in body_of(request).get("inputs") or []]
        props = self.portal.properties[kind]
        found = [props[n].describe() for n in names if n in props]
        return batch_response(found, [], self.portal)

    def batch_create(self, request: Request) -> Response:
        kind = self.portal.kind(request.params["object_type"])
        inputs = body_of(request).get("inputs") or []
        created = [self.portal.add_property(kind, i).describe() for i in inputs]
        return batch_response(created, [], self.portal, status=201)


class OwnerResources:
    def __init__(self, portal: Portal) -> None:
        self.portal = portal

    def page(self, request: Request) -> Response:
        archived = (request.arg("archived") or "false").lower() == "true"
        email = (request.arg("email") or "").lower()
        limit = min(int_arg(request.arg("limit"), 100, "limit"), 500)
        after = int_arg(request.arg("after"), 0, "after")
        owners = sorted(
            (
                o
                for o in self.portal.owners.values()
                if o.archived == archived and (not email or o.email.lower() == email)
            ),
            key=lambda o: int(o.id),
        )
        owners = [o for o in owners if int(o.id) >= after]
        body: dict[str, Any] = {"results": [o.json(_STAMP) for o in owners[:limit]]}
        if len(owners) > limit:
            body["paging"] = {"next": {"after": owners[limit].id}}
        return Response(200, body)

    def get(self, request: Request) -> Response:
        key = request.params["owner_id"]
        by_user = (request.arg("idProperty") or "id") == "userId"
        owner = next(
            (
                o
                for o in self.portal.owners.values()
                if (str(o.user_id) if by_user else o.id) == key
            ),
            None,
        )
        if owner is None:
            raise HsApiError(404, "OBJECT_NOT_FOUND", f"Owner {key} not found")
        return Response(200, owner.json(_STAMP))


class AssociationResources:
    """The v4 associations API, which hubspot-api-client v12's crm.associations.v4 calls."""

    def __init__(self, portal: Portal) -> None:
        self.portal = portal

    def batch_read(self, request: Request) -> Response:
        from_type, to_type, inputs = self._batch(request)
        results, missing = [], []
        for item in inputs:
            from_id = str((item or {}).get("id"))
            linked = self.portal.associations.of(from_type, from_id, to_type)
            if not linked:
                missing.append(from_id)
                continue
            results.append(
                {
                    "from": {"id": from_id},
                    "to": [
                        {
                            "toObjectId": int(to_id),
                            "associationTypes": [
                                {
                                    "category": "HUBSPOT_DEFINED",
                                    "typeId": t,
                                    "label": ASSOCIATION_LABELS.get(t),
                                }
                                for t in types
                            ],
                        }
                        for to_id, types in linked
                    ],
                }
            )
        errors = [
            {
                "status": "error",
                "category": "OBJECT_NOT_FOUND",
                "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
                "message": f"No {to_type[:-1]} is associated with {from_type[:-1]} {i}.",
                "context": {"fromObjectId": [i]},
            }
            for i in missing
        ]
        return batch_response(results, errors, self.portal)

    def batch_create(self, request: Request) -> Response:
        from_type, to_type, inputs = self._batch(request)
        pairs = []
        for item in inputs:
            from_id, to_id = self._ends(from_type, to_type, item)
            types = [int(t.get("associationTypeId", 0)) for t in item.get("types") or []]
            for type_id in types or [DEFAULT_ASSOCIATION[(from_type, to_type)]]:
                if association_pair(type_id) != (from_type, to_type):
                    raise validation(
                        f"{type_id} is not a valid association type id between "
                        f"{from_type} and {to_type}"
                    )
            pairs.append((from_id, to_id, types))
        results = []
        for from_id, to_id, types in pairs:
            labels = []
            for type_id in types:
                self.portal.associate(from_type, from_id, to_type, to_id, type_id)
                if type_id in ASSOCIATION_LABELS:
                    labels.append(ASSOCIATION_LABELS[type_id])
            results.append(self._labels(from_type, from_id, to_type, to_id, labels))
        return batch_response(results, [], self.portal, status=201)

    def batch_default(self, request: Request) -> Response:
        from_type, to_type, inputs = self._batch(request)
        pairs = [self._ends(from_type, to_type, item) for item in inputs]
        results = []
        for from_id, to_id in pairs:
            type_id = self.portal.associate(from_type, from_id, to_type, to_id)
            results.append(
                {
                    "from": {"id": from_id},
                    "to": {"id": to_id},
                    "associationSpec": {
                        "associationCategory": "HUBSPOT_DEFINED",
                        "associationTypeId": type_id,
                    },
                }
            )
        return batch_response(results, [], self.portal)

    def batch_archive(self, request: Request) -> Response:
        from_type, to_type, inputs = self._batch(request)
        for item in inputs:
            from_id = str((item.get("from") or {}).get("id"))
            for target in item.get("to") or []:
                self.portal.dissociate(from_type, from_id, to_type, str(target.get("id")))
        return Response(204)

    def put_default(self, request: Request) -> Response:
        from_type, to_type = self._types(request)
        from_id, to_id = self._ends(
            from_type,
            to_type,
            {"from": {"id": request.params["from_id"]}, "to": {"id": request.params["to_id"]}},
        )
        type_id = self.portal.associate(from_type, from_id, to_type, to_id)
        return batch_response(
            [
                {
                    "from": {"id": from_id},
                    "to": {"id": to_id},
                    "associationSpec": {
                        "associationCategory": "HUBSPOT_DEFINED",
                        "associationTypeId": type_id,
                    },
                }
            ],
            [],
            self.portal,
        )

    def put_labelled(self, request: Request) -> Response:
        from_type, to_type = self._types(request)
        from_id, to_id = self._ends(
            from_type,
            to_type,
            {"from": {"id": request.params["from_id"]}, "to": {"id": request.params["to_id"]}},
        )
        try:
            specs = request.json() or []
        except BadJson as exc:
            raise validation(str(exc)) from exc
        labels = []
        for spec in specs:
            type_id = int(spec.get("associationTypeId", 0))
            self.portal.associate(from_type, from_id, to_type, to_id, type_id)
            if type_id in ASSOCIATION_LABELS:
                labels.append(ASSOCIATION_LABELS[type_id])
        return Response(201, self._labels(from_type, from_id, to_type, to_id, labels))

    def of_record(self, request: Request) -> Response:
        from_type, to_type = self._types(request)
        linked = self.portal.associations.of(from_type, request.params["from_id"], to_type)
        return Response(
            200,
            {
                "results": [
                    {
                        "toObjectId": int(to_id),
                        "associationTypes": [
                            {
                                "category": "HUBSPOT_DEFINED",
                                "typeId": t,
                                "label": ASSOCIATION_LABELS.get(t),
                            }
                            for t in types
                        ],
                    }
                    for to_id, types in linked
                ]
            },
        )

    def delete(self, request: Request) -> Response:
        from_type, to_type = self._types(request)
        self.portal.dissociate(
            from_type, request.params["from_id"], to_type, request.params["to_id"]
        )
        return Response(204)

    # ------------------------------------------------------------------ helpers

    def _types(self, request: Request) -> tuple[str, str]:
        from_type = self.portal.kind(request.params["from_type"])
        to_type = self.portal.kind(request.params["to_type"])
        if (from_type, to_type) not in DEFAULT_ASSOCIATION:
            raise validation(f"No association is defined between {from_type} and {to_type}")
        return from_type, to_type

    def _batch(self, request: Request) -> tuple[str, str, list[dict[str, Any]]]:
        from_type, to_type = self._types(request)
        inputs = body_of(request).get("inputs")
        if not isinstance(inputs, list):
            raise validation("Invalid input JSON: inputs is required")
        if len(inputs) > BATCH_LIMIT * 10:
            raise too_many_inputs(BATCH_LIMIT * 10)
        return from_type, to_type, inputs

    def _ends(self, from_type: str, to_type: str, item: dict[str, Any]) -> tuple[str, str]:
        from_id = str((item.get("from") or {}).get("id"))
        to_id = str((item.get("to") or {}).get("id"))
        for kind, record_id in ((from_type, from_id), (to_type, to_id)):
            if record_id not in self.portal.objects[kind]:
                raise validation(
                    f"One or more {kind} do not exist: {record_id}", context={"ids": [record_id]}
                )
        return from_id, to_id

    def _labels(
        self, from_type: str, from_id: str, to_type: str, to_id: str, labels: list[str]
    ) -> dict[str, Any]:
        return {
            "fromObjectTypeId": OBJECT_TYPE_IDS[from_type],
            "fromObjectId": int(from_id),
            "toObjectTypeId": OBJECT_TYPE_IDS[to_type],
            "toObjectId": int(to_id),
            "labels": labels,
        }
