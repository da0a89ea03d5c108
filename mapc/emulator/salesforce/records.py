"""Salesforce REST resources for single records, describe, limits and versions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from mapc.emulator.salesforce.errors import NOT_FOUND, SfApiError
from mapc.emulator.salesforce.lifecycle import deleted_between
from mapc.emulator.salesforce.org import Org, Record
from mapc.emulator.salesforce.schema import describe_global_entry, describe_object
from mapc.emulator.wire import BadJson, Request, Response

API_VERSIONS = [f"{n}.0" for n in range(52, 63)]


def body_of(request: Request) -> dict[str, Any]:
    try:
        data = request.json()
    except BadJson as exc:
        raise SfApiError.one(400, "JSON_PARSER_ERROR", f"Unexpected character: {exc}") from exc
    if not isinstance(data, dict):
        raise SfApiError.one(
            400,
            "JSON_PARSER_ERROR",
            "Cannot deserialize instance of SObject from START_ARRAY value",
        )
    return data


def record_json(
    org: Org, name: str, record: Record, version: str, fields: list[str] | None = None
) -> Record:
    obj = org.object(name)
    out: Record = {
        "attributes": {
            "type": obj.name,
            "url": f"/services/data/v{version}/sobjects/{obj.name}/{record['Id']}",
        }
    }
    if fields:
        for field_name in fields:
            definition = obj.field(field_name)
            if definition is None:
                raise SfApiError.one(
                    400,
                    "INVALID_FIELD",
                    f"No such column '{field_name}' on sobject of type {obj.name}",
                )
            out[definition.name] = record.get(definition.name)
        return out
    for definition in obj.fields.values():
        out[definition.name] = record.get(definition.name)
    return out


class RecordResources:
    def __init__(self, org: Org, usage: Callable[[], int], daily_limit: Callable[[], int]) -> None:
        self.org = org
        self.usage = usage
        self.daily_limit = daily_limit

    def versions(self, request: Request) -> Response:
        return Response(
            200,
            [{"label": f"v{v}", "url": f"/services/data/v{v}", "version": v} for v in API_VERSIONS],
        )

    def resources(self, request: Request) -> Response:
        v = request.params["version"]
        names = ("sobjects", "query", "queryAll", "limits", "composite")
        return Response(200, {n: f"/services/data/v{v}/{n}" for n in names})

    def limits(self, request: Request) -> Response:
        used, most = self.usage(), self.daily_limit()
        limit = {"Max": most, "Remaining": max(most - used, 0)}
        return Response(
            200,
            {
                "DailyApiRequests": limit,
                "DailyBulkApiBatches": {"Max": 15000, "Remaining": 15000},
                "DataStorageMB": {"Max": 1024, "Remaining": 1000},
                "FileStorageMB": {"Max": 1024, "Remaining": 1024},
                "ConcurrentAsyncGetReportInstances": {"Max": 200, "Remaining": 200},
            },
        )

    def describe_global(self, request: Request) -> Response:
        v = request.params["version"]
        return Response(
            200,
            {
                "encoding": "UTF-8",
                "maxBatchSize": 200,
                "sobjects": [describe_global_entry(o, v) for o in self.org.objects.values()],
            },
        )

    def describe(self, request: Request) -> Response:
        obj = self.org.object(request.params["sobject"])
        body = describe_object(obj, request.params["version"])
        if obj.name == "Account" and self.org.person_accounts:
            body["recordTypeInfos"] = [
                {
                    "name": name.replace("_", " "),
                    "developerName": name,
                    "recordTypeId": rt,
                    "active": True,
                    "available": True,
                    "defaultRecordTypeMapping": i == 0,
                    "master": False,
                }
                for i, (name, rt) in enumerate(self.org.record_types.items())
            ]
        return Response(200, body)

    def basic_info(self, request: Request) -> Response:
        obj = self.org.object(request.params["sobject"])
        v = request.params["version"]
        return Response(200, {"objectDescribe": describe_global_entry(obj, v), "recentItems": []})

    def create(self, request: Request) -> Response:
        obj = self.org.object(request.params["sobject"])
        record_id = self.org.create(obj.name, body_of(request))
        return Response(201, {"id": record_id, "success": True, "errors": []})

    def _record_response(self, sobject: str, record: Record, request: Request) -> Response:
        """A record as GET returns it: the `fields` parameter narrows it."""
        fields = request.args("fields") or None
        return Response(
            200, record_json(self.org, sobject, record, request.params["version"], fields)
        )

    def get(self, request: Request) -> Response:
        obj = self.org.object(request.params["sobject"])
        record = self.org.get(obj.name, request.params["record_id"])
        return self._record_response(obj.name, record, request)

    def update(self, request: Request) -> Response:
        obj = self.org.object(request.params["sobject"])
        self.org.update(obj.name, request.params["record_id"], body_of(request))
        return Response(204)

    def delete(self, request: Request) -> Response:
        obj = self.org.object(request.params["sobject"])
        self.org.delete(obj.name, request.params["record_id"])
        return Response(204)

    def deleted(self, request: Request) -> Response:
        """sObject Get Deleted: ids that went to the recycle bin between start and end."""
        obj = self.org.object(request.params["sobject"])
        # A '+' left unescaped in an offset arrives as a space.
        start = (request.arg("start") or "").replace(" ", "+")
        end = (request.arg("end") or "").replace(" ", "+")
        if not start or not end:
            raise SfApiError.one(
                400, "MISSING_ARGUMENT", "start and end are required for getDeleted"
            )
        return Response(200, deleted_between(self.org, obj.name, start, end))

    def get_by_external_id(self, request: Request) -> Response:
        obj = self.org.object(request.params["sobject"])
        field_name, value = request.params["field"], unquote(request.params["value"])
        definition = obj.field(field_name)
        if definition is None or not (definition.external_id or definition.name == "Id"):
            raise SfApiError.one(
                404,
                "NOT_FOUND",
                f"Provided external ID field does not exist or is not accessible: {field_name}",
            )
        ids = self.org.lookup(obj.name, definition.name, value)
        if not ids:
            raise SfApiError.one(404, *NOT_FOUND)
        if len(ids) > 1:
            v = request.params["version"]
            return Response(300, [f"/services/data/v{v}/sobjects/{obj.name}/{i}" for i in ids])
        record = self.org.records[obj.name][ids[0]]
        return self._record_response(obj.name, record, request)

    def upsert(self, request: Request) -> Response:
        obj = self.org.object(request.params["sobject"])
        value = unquote(request.params["value"])
        update_only = (request.arg("updateOnly") or "").lower() == "true"
        record_id, created = self.org.upsert(
            obj.name, request.params["field"], value, body_of(request), update_only
        )
        return Response(
            201 if created else 200,
            {"id": record_id, "success": True, "errors": [], "created": created},
        )
