"""The v4 associations API (hubspot-api-client's crm.associations.v4), with paging."""

from __future__ import annotations

import base64
from typing import Any

from mapc.emulator.hubspot.common import batch_response, body_of, int_arg
from mapc.emulator.hubspot.errors import too_many_inputs, validation
from mapc.emulator.hubspot.portal import Portal
from mapc.emulator.wire import BadJson, Request, Response

# Batch reads take at most 1,000 inputs (since 2025-02-10); a page holds at most 500 links.
BATCH_READ_LIMIT = 1000
PAGE_LIMIT = 500


def _token(offset: int) -> str:
    """An opaque paging cursor, as HubSpot's are: clients pass it back unread."""
    return base64.urlsafe_b64encode(f"assoc-{offset}".encode()).decode().rstrip("=")


def _offset(token: Any) -> int:
    if token in (None, ""):
        return 0
    text = str(token)
    try:
        decoded = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
    except ValueError as exc:
        raise validation(f"Invalid paging cursor: {text}") from exc
    if not decoded.startswith("assoc-") or not decoded[6:].isdigit():
        raise validation(f"Invalid paging cursor: {text}")
    return int(decoded[6:])


class AssociationResources:
    def __init__(self, portal: Portal) -> None:
        self.portal = portal

    def _type_json(self, type_id: int) -> dict[str, Any]:
        types = self.portal.types
        return {
            "category": types.categories.get(type_id, "HUBSPOT_DEFINED"),
            "typeId": type_id,
            "label": types.labels.get(type_id),
        }

    def _page(
        self, from_type: str, from_id: str, to_type: str, after: Any, limit: int
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        linked = self.portal.associations.of(from_type, from_id, to_type)
        start = _offset(after)
        window = linked[start : start + limit]
        to = [
            {
                "toObjectId": int(to_id) if to_id.isdigit() else to_id,
                "associationTypes": [self._type_json(t) for t in types],
            }
            for to_id, types in window
        ]
        paging = None
        if start + limit < len(linked):
            token = _token(start + limit)
            paging = {"next": {"after": token, "link": f"?after={token}"}}
        return to, paging

    def batch_read(self, request: Request) -> Response:
        from_type, to_type = self._types(request)
        inputs = body_of(request).get("inputs")
        if not isinstance(inputs, list):
            raise validation("Invalid input JSON: inputs is required")
        if len(inputs) > BATCH_READ_LIMIT:
            raise too_many_inputs(BATCH_READ_LIMIT)
        limit = min(self.portal.association_page_size, PAGE_LIMIT)
        results, missing = [], []
        for item in inputs:
            from_id = str((item or {}).get("id"))
            to, paging = self._page(from_type, from_id, to_type, (item or {}).get("after"), limit)
            if not to:
                missing.append(from_id)
                continue
            result: dict[str, Any] = {"from": {"id": from_id}, "to": to}
            if paging is not None:
                result["paging"] = paging
            results.append(result)
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

    def of_record(self, request: Request) -> Response:
        from_type, to_type = self._types(request)
        limit = int_arg(request.arg("limit"), PAGE_LIMIT, "limit")
        if not 1 <= limit <= PAGE_LIMIT:
            raise validation(f"limit must be between 1 and {PAGE_LIMIT}")
        limit = min(limit, self.portal.association_page_size)
        to, paging = self._page(
            from_type, request.params["from_id"], to_type, request.arg("after"), limit
        )
        body: dict[str, Any] = {"results": to}
        if paging is not None:
            body["paging"] = paging
        return Response(200, body)

    def batch_create(self, request: Request) -> Response:
        from_type, to_type, inputs = self._batch(request)
        pairs = []
        for item in inputs:
            from_id, to_id = self._ends(from_type, to_type, item)
            types = [int(t.get("associationTypeId", 0)) for t in item.get("types") or []]
            default = self.portal.types.default_association[(from_type, to_type)]
            for type_id in types or [default]:
                if self.portal.types.pair(type_id) != (from_type, to_type):
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
                if type_id in self.portal.types.labels:
                    labels.append(self.portal.types.labels[type_id])
            results.append(self._labels(from_type, from_id, to_type, to_id, labels))
        return batch_response(results, [], self.portal, status=201)

    def batch_default(self, request: Request) -> Response:
        from_type, to_type, inputs = self._batch(request)
        pairs = [self._ends(from_type, to_type, item) for item in inputs]
        results = [self._default_result(from_type, f, to_type, t) for f, t in pairs]
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
        result = self._default_result(from_type, from_id, to_type, to_id)
        return batch_response([result], [], self.portal)

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
            if type_id in self.portal.types.labels:
                labels.append(self.portal.types.labels[type_id])
        return Response(201, self._labels(from_type, from_id, to_type, to_id, labels))

    def delete(self, request: Request) -> Response:
        from_type, to_type = self._types(request)
        self.portal.dissociate(
            from_type, request.params["from_id"], to_type, request.params["to_id"]
        )
        return Response(204)

    # ------------------------------------------------------------------ helpers

    def _default_result(
        self, from_type: str, from_id: str, to_type: str, to_id: str
    ) -> dict[str, Any]:
        type_id = self.portal.associate(from_type, from_id, to_type, to_id)
        return {
            "from": {"id": from_id},
            "to": {"id": to_id},
            "associationSpec": {
                "associationCategory": self.portal.types.categories.get(type_id, "HUBSPOT_DEFINED"),
                "associationTypeId": type_id,
            },
        }

    def _types(self, request: Request) -> tuple[str, str]:
        from_type = self.portal.kind(request.params["from_type"])
        to_type = self.portal.kind(request.params["to_type"])
        if (from_type, to_type) not in self.portal.types.default_association:
            raise validation(f"No association is defined between {from_type} and {to_type}")
        return from_type, to_type

    def _batch(self, request: Request) -> tuple[str, str, list[dict[str, Any]]]:
        from_type, to_type = self._types(request)
        inputs = body_of(request).get("inputs")
        if not isinstance(inputs, list):
            raise validation("Invalid input JSON: inputs is required")
        if len(inputs) > BATCH_READ_LIMIT:
            raise too_many_inputs(BATCH_READ_LIMIT)
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
        types = self.portal.types.types
        return {
            "fromObjectTypeId": types[from_type].type_id,
            "fromObjectId": int(from_id),
            "toObjectTypeId": types[to_type].type_id,
            "toObjectId": int(to_id),
            "labels": labels,
        }
