"""CRM v3 object endpoints: basic CRUD, batch read/create/update/upsert/archive, search."""

from __future__ import annotations

from typing import Any

from mapc.emulator.hubspot.common import batch_response, body_of, int_arg
from mapc.emulator.hubspot.errors import HsApiError, too_many_inputs, validation
from mapc.emulator.hubspot.lifecycle import merge
from mapc.emulator.hubspot.portal import HsRecord, Portal
from mapc.emulator.hubspot.search import Searcher
from mapc.emulator.wire import Request, Response

BATCH_LIMIT = 100
SEARCH_LIMIT = 200
SEARCH_CAP = 10_000
LIST_LIMIT = 100


def record_json(
    portal: Portal,
    kind: str,
    record: HsRecord,
    wanted: list[str] | None,
    associations: dict[str, Any] | None = None,
) -> dict[str, Any]:
    names = list(wanted) if wanted else list(portal.types.types[kind].default_read)
    for always in ("hs_object_id", portal.types.created(kind), portal.types.modified(kind)):
        if always not in names:
            names.append(always)
    out: dict[str, Any] = {
        "id": record.id,
        "properties": {n: record.properties.get(n) for n in names},
        "createdAt": record.created,
        "updatedAt": record.updated,
        "archived": record.archived,
    }
    if record.archived_at:
        out["archivedAt"] = record.archived_at
    if associations:
        out["associations"] = associations
    return out


class ObjectResources:
    def __init__(self, portal: Portal) -> None:
        self.portal = portal
        self.searcher = Searcher(portal)

    # ------------------------------------------------------------------ basic

    def page(self, request: Request) -> Response:
        kind = self.portal.kind(request.params["object_type"])
        limit = int_arg(request.arg("limit"), 10, "limit")
        if limit > LIST_LIMIT:
            raise validation(f"limit must be at most {LIST_LIMIT}")
        archived = (request.arg("archived") or "false").lower() == "true"
        pool = self.portal.archived[kind] if archived else self.portal.objects[kind]
        after = int_arg(request.arg("after"), 0, "after")
        ordered = sorted((r for r in pool.values() if int(r.id) >= after), key=lambda r: int(r.id))
        page = ordered[:limit]
        wanted = request.args("properties")
        body: dict[str, Any] = {
            "results": [
                record_json(self.portal, kind, r, wanted, self._assoc(kind, r, request))
                for r in page
            ]
        }
        if len(ordered) > limit:
            next_after = str(int(ordered[limit].id))
            body["paging"] = {
                "next": {"after": next_after, "link": f"{request.path}?after={next_after}"}
            }
        return Response(200, body)

    def get(self, request: Request) -> Response:
        kind = self.portal.kind(request.params["object_type"])
        archived = (request.arg("archived") or "false").lower() == "true"
        record = self.portal.get(
            kind, request.params["object_id"], request.arg("idProperty"), archived
        )
        return Response(
            200,
            record_json(
                self.portal,
                kind,
                record,
                request.args("properties"),
                self._assoc(kind, record, request),
            ),
        )

    def create(self, request: Request) -> Response:
        kind = self.portal.kind(request.params["object_type"])
        body = body_of(request)
        values = self.portal.check(kind, body.get("properties") or {}, creating=True)
        links = self._links(kind, body.get("associations") or [])
        self.portal.conflict(kind, values, None)
        record = self.portal.create(kind, values)
        self._associate(kind, record.id, links)
        return Response(201, self._written(kind, record))

    def update(self, request: Request) -> Response:
        kind = self.portal.kind(request.params["object_type"])
        body = body_of(request)
        record = self.portal.get(kind, request.params["object_id"], request.arg("idProperty"))
        values = self.portal.check(kind, body.get("properties") or {}, creating=False)
        self.portal.conflict(kind, values, record.id)
        self.portal.update(kind, record, values)
        return Response(200, self._written(kind, record))

    def archive(self, request: Request) -> Response:
        kind = self.portal.kind(request.params["object_type"])
        self.portal.archive(kind, request.params["object_id"])
        return Response(204)

    def merge(self, request: Request) -> Response:
        kind = self.portal.kind(request.params["object_type"])
        body = body_of(request)
        primary, other = body.get("primaryObjectId"), body.get("objectIdToMerge")
        if not primary or not other:
            raise validation("primaryObjectId and objectIdToMerge are required")
        record = merge(self.portal, kind, str(primary), str(other))
        return Response(200, record_json(self.portal, kind, record, None))

    # ------------------------------------------------------------------ batch

    def batch_read(self, request: Request) -> Response:
        kind, inputs, body = self._batch(request)
        id_property = body.get("idProperty")
        wanted = list(body.get("properties") or [])
        # HubSpot takes `archived` as a query parameter here; older callers put it in the body.
        archived = (request.arg("archived") or "").lower() == "true" or bool(
            body.get("archived", False)
        )
        results, missing = [], []
        for item in inputs:
            record = self.portal.find(kind, str(item.get("id")), id_property, archived)
            if record is None:
                missing.append(str(item.get("id")))
            else:
                results.append(record_json(self.portal, kind, record, wanted))
        errors = []
        if missing:
            errors.append(
                {
                    "status": "error",
                    "category": "OBJECT_NOT_FOUND",
                    "message": f"Could not get some {kind[:-1].upper()} objects, they "
                    "may be deleted or not exist. Check that ids are valid.",
                    "context": {"ids": missing},
                }
            )
        return batch_response(results, errors, self.portal)

    def batch_create(self, request: Request) -> Response:
        kind, inputs, _ = self._batch(request)
        prepared = []
        for item in inputs:
            values = self.portal.check(kind, item.get("properties") or {}, creating=True)
            prepared.append((values, self._links(kind, item.get("associations") or []), item))
        self._no_duplicate_emails(kind, [values for values, _, _ in prepared])
        for values, _, _ in prepared:
            self.portal.conflict(kind, values, None)
        results = []
        for values, links, item in prepared:
            record = self.portal.create(kind, values)
            self._associate(kind, record.id, links)
            results.append(self._written(kind, record, item.get("objectWriteTraceId")))
        return batch_response(results, [], self.portal, status=201)

    def batch_update(self, request: Request) -> Response:
        kind, inputs, _ = self._batch(request)
        ids = [str(item.get("id")) for item in inputs]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise validation(
                f"Duplicate IDs found in batch input: {duplicates}. IDs must be unique"
            )
        prepared, missing, traces = [], [], []
        for item in inputs:
            record = self.portal.find(kind, str(item.get("id")), item.get("idProperty"))
            values = self.portal.check(kind, item.get("properties") or {}, creating=False)
            if record is None:
                missing.append(str(item.get("id")))
                if item.get("objectWriteTraceId") is not None:
                    traces.append(str(item["objectWriteTraceId"]))
                continue
            self.portal.conflict(kind, values, record.id)
            prepared.append((record, values, item))
        results = [
            self._written(
                kind, self.portal.update(kind, record, values), item.get("objectWriteTraceId")
            )
            for record, values, item in prepared
        ]
        errors = []
        if missing:
            errors.append(
                {
                    "status": "error",
                    "category": "OBJECT_NOT_FOUND",
                    "message": f"Could not get some {kind[:-1].upper()} objects, they "
                    "may be deleted or not exist. Check that ids are valid.",
                    "context": {
                        "ids": missing,
                        **({"objectWriteTraceId": traces} if traces else {}),
                    },
                }
            )
        return batch_response(results, errors, self.portal)

    def batch_upsert(self, request: Request) -> Response:
        kind, inputs, _ = self._batch(request)
        keys = []
        prepared = []
        for item in inputs:
            id_property = str(item.get("idProperty") or "")
            if not id_property:
                raise validation("idProperty is required for upsert")
            key = str(item.get("id") or "")
            keys.append((id_property, key.lower()))
            values = self.portal.check(kind, item.get("properties") or {}, creating=False)
            prepared.append((id_property, key, values, item))
        duplicates = sorted({k for _, k in keys if keys.count((_, k)) > 1})
        if duplicates:
            raise validation(
                f"Duplicate IDs found in batch input: {duplicates}. IDs must be unique"
            )
        results = []
        for id_property, key, values, item in prepared:
            record = self.portal.find(kind, key, id_property)
            if record is None:
                values = {
                    **values,
                    id_property: values.get(id_property)
                    or (key.lower() if id_property == "email" else key),
                }
                self.portal.conflict(kind, values, None)
                record, new = self.portal.create(kind, values), True
            else:
                self.portal.conflict(kind, values, record.id)
                record, new = self.portal.update(kind, record, values), False
            results.append(
                {**self._written(kind, record, item.get("objectWriteTraceId")), "new": new}
            )
        return batch_response(results, [], self.portal)

    def batch_archive(self, request: Request) -> Response:
        kind, inputs, _ = self._batch(request)
        for item in inputs:
            self.portal.archive(kind, str(item.get("id")))
        return Response(204)

    # ------------------------------------------------------------------ search

    def search(self, request: Request) -> Response:
        kind = self.portal.kind(request.params["object_type"])
        body = body_of(request)
        limit = int_arg(body.get("limit"), 10, "limit")
        if limit > SEARCH_LIMIT or limit < 0:
            raise validation(f"limit must be between 0 and {SEARCH_LIMIT}")
        after = int_arg(body.get("after"), 0, "after")
        if after >= SEARCH_CAP:
            raise HsApiError(
                400,
                "VALIDATION_ERROR",
                "There was a problem with the request.",
                {
                    "context": {"after": [str(after)]},
                    "subCategory": "crm.search.PAGE_LIMIT_EXCEEDED",
                },
            )
        ids = self.searcher.run(kind, body)
        window = ids[after : after + limit]
        wanted = list(body.get("properties") or [])
        objects = self.portal.objects[kind]
        response: dict[str, Any] = {
            "total": len(ids),
            "results": [record_json(self.portal, kind, objects[i], wanted) for i in window],
        }
        if after + limit < len(ids):
            response["paging"] = {"next": {"after": str(after + limit)}}
        return Response(200, response)

    # ------------------------------------------------------------------ helpers

    def _batch(self, request: Request) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
        kind = self.portal.kind(request.params["object_type"])
        body = body_of(request)
        inputs = body.get("inputs")
        if not isinstance(inputs, list):
            raise validation("Invalid input JSON: inputs is required")
        if len(inputs) > BATCH_LIMIT:
            raise too_many_inputs(BATCH_LIMIT)
        return kind, [i if isinstance(i, dict) else {"id": i} for i in inputs], body

    def _written(self, kind: str, record: HsRecord, trace: Any = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": record.id,
            "properties": {k: v for k, v in record.properties.items() if v is not None},
            "createdAt": record.created,
            "updatedAt": record.updated,
            "archived": False,
        }
        if trace is not None:
            out["objectWriteTraceId"] = trace
        return out

    def _no_duplicate_emails(self, kind: str, batch: list[dict[str, str | None]]) -> None:
        if kind != "contacts":
            return
        emails = [v.get("email") for v in batch if v.get("email")]
        duplicates = sorted({e for e in emails if emails.count(e) > 1 and e})
        if duplicates:
            raise validation(
                f"Duplicate IDs found in batch input: {duplicates}. IDs must be unique"
            )

    def _links(self, kind: str, specs: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
        links = []
        for spec in specs:
            to_id = str((spec.get("to") or {}).get("id"))
            for type_spec in spec.get("types") or []:
                type_id = int(type_spec.get("associationTypeId", 0))
                pair = self.portal.types.pair(type_id)
                if pair is None or pair[0] != kind:
                    raise validation(
                        f"{type_id} is not a valid association type between "
                        f"{kind} and the target object"
                    )
                if to_id not in self.portal.objects[pair[1]]:
                    raise validation(f"One or more associated objects do not exist: {to_id}")
                links.append((pair[1], to_id, type_id))
        return links

    def _associate(self, kind: str, record_id: str, links: list[tuple[str, str, int]]) -> None:
        for to_type, to_id, type_id in links:
            self.portal.associate(kind, record_id, to_type, to_id, type_id)

    def _assoc(self, kind: str, record: HsRecord, request: Request) -> dict[str, Any] | None:
        wanted = request.args("associations")
        if not wanted:
            return None
        out: dict[str, Any] = {}
        for name in wanted:
            to_type = self.portal.kind(name)
            linked = self.portal.associations.of(kind, record.id, to_type)
            if linked:
                out[to_type] = {
                    "results": [
                        {"id": to_id, "type": f"{kind[:-1]}_to_{to_type[:-1]}"}
                        for to_id, _ in linked
                    ]
                }
        return out or None
