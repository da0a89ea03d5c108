"""Properties and owners endpoints."""

from __future__ import annotations

from typing import Any

from mapc.emulator.hubspot.common import batch_response, body_of, int_arg
from mapc.emulator.hubspot.errors import HsApiError
from mapc.emulator.hubspot.portal import Portal
from mapc.emulator.wire import Request, Response

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
