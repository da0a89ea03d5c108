"""sObject Collections: create, update, upsert, delete and retrieve up to 200 records a call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mapc.emulator.salesforce.errors import SfApiError, SfError
from mapc.emulator.salesforce.ids import object_of, to18
from mapc.emulator.salesforce.org import Org
from mapc.emulator.salesforce.records import body_of, record_json
from mapc.emulator.wire import Request, Response

MAX_RECORDS = 200
MAX_RETRIEVE = 2000
_ROLLED_BACK = SfError(
    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "Record rolled back because not all records were valid and the request "
    "was using AllOrNone header",
)
Result = dict[str, Any]


class _Rollback(Exception):
    pass


def _too_many() -> SfApiError:
    return SfApiError.one(
        400,
        "EXCEEDED_ID_LIMIT",
        "record limit reached. cannot submit more than 200 records into this call",
    )


class CollectionResources:
    def __init__(self, org: Org) -> None:
        self.org = org

    def create(self, request: Request) -> Response:
        body = body_of(request)
        records = self._records(body)

        def one(record: dict[str, Any]) -> Result:
            kind = self._type(record)
            return {"id": self.org.create(kind, _fields(record)), "success": True, "errors": []}

        return self._run(records, one, bool(body.get("allOrNone")))

    def update(self, request: Request) -> Response:
        body = body_of(request)
        records = self._records(body)

        def one(record: dict[str, Any]) -> Result:
            kind = self._type(record)
            record_id = record.get("id") or record.get("Id")
            if not record_id:
                raise SfApiError.one(400, "MISSING_ARGUMENT", "Id not specified in an update call")
            payload = {k: v for k, v in _fields(record).items() if k.lower() != "id"}
            self.org.update(kind, str(record_id), payload)
            return {"id": to18(str(record_id)), "success": True, "errors": []}

        return self._run(records, one, bool(body.get("allOrNone")), id_key=True)

    def upsert(self, request: Request) -> Response:
        body = body_of(request)
        records = self._records(body)
        sobject = self.org.object(request.params["sobject"])
        field = sobject.field(request.params["field"])

        def one(record: dict[str, Any]) -> Result:
            if field is None:
                raise SfApiError.one(
                    404,
                    "NOT_FOUND",
                    "Provided external ID field does not "
                    f"exist or is not accessible: {request.params['field']}",
                )
            value = _key_of(record, field.name)
            if value in (None, ""):
                raise SfApiError.one(
                    400, "MISSING_ARGUMENT", f"{field.name} not specified", field.name
                )
            if str(value).lower() in repeated:
                # One request naming a key twice: neither is saved (Salesforce cannot tell
                # which of the two the existing record, or the new one, should be).
                raise SfApiError.one(
                    400,
                    "DUPLICATE_VALUE",
                    f"Duplicate external id specified: {value}",
                    field.name,
                )
            try:
                record_id, created = self.org.upsert(
                    sobject.name, field.name, str(value), _fields(record)
                )
            except SfApiError as exc:
                if exc.status != 300:
                    raise
                # Several records already hold the key: per record, not the whole call.
                found = self.org.lookup(sobject.name, field.name, str(value))
                raise SfApiError.one(
                    400,
                    "DUPLICATE_EXTERNAL_ID",
                    f"{field.name}: more than one record found for external id field: {found}",
                    field.name,
                ) from None
            return {"id": record_id, "success": True, "errors": [], "created": created}

        keys = [
            str(_key_of(r, field.name)).lower()
            for r in records
            if field is not None
            and isinstance(r, dict)
            and _key_of(r, field.name) not in (None, "")
        ]
        repeated = {k for k in keys if keys.count(k) > 1}
        return self._run(records, one, bool(body.get("allOrNone")))

    def delete(self, request: Request) -> Response:
        ids = request.args("ids")
        if len(ids) > MAX_RECORDS:
            raise _too_many()
        all_or_none = (request.arg("allOrNone") or "false").lower() == "true"

        def one(raw_id: str) -> Result:
            record_id = to18(raw_id)
            kind = object_of(record_id or "")
            if record_id is None or kind is None:
                raise SfApiError.one(400, "MALFORMED_ID", f"malformed id {raw_id}")
            self.org.delete(kind, record_id)
            return {"id": record_id, "success": True, "errors": []}

        return self._run(ids, one, all_or_none, id_key=True)

    def retrieve(self, request: Request) -> Response:
        sobject = self.org.object(request.params["sobject"])
        if request.method == "POST":
            body = body_of(request)
            ids, fields = list(body.get("ids") or []), list(body.get("fields") or [])
        else:
            ids, fields = request.args("ids"), request.args("fields")
        if len(ids) > MAX_RETRIEVE:
            raise SfApiError.one(
                400,
                "EXCEEDED_ID_LIMIT",
                "record limit reached. cannot submit more than 2000 records into this call",
            )
        if not fields:
            raise SfApiError.one(400, "MISSING_ARGUMENT", "fields not specified")
        out: list[dict[str, Any] | None] = []
        for raw_id in ids:
            record = self.org.records[sobject.name].get(to18(str(raw_id)) or "")
            out.append(
                record_json(
                    self.org, sobject.name, record, request.params["version"], ["Id", *fields]
                )
                if record
                else None
            )
        return Response(200, out)

    # ------------------------------------------------------------------------------

    def _records(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        records = body.get("records")
        if not isinstance(records, list):
            raise SfApiError.one(400, "JSON_PARSER_ERROR", "records is required")
        if len(records) > MAX_RECORDS:
            raise _too_many()
        return records

    def _type(self, record: dict[str, Any]) -> str:
        attributes = record.get("attributes")
        kind = attributes.get("type") if isinstance(attributes, dict) else None
        if not kind:
            raise SfApiError.one(400, "INVALID_TYPE", "Must send a concrete entity type.")
        return self.org.object(str(kind)).name

    def _run(
        self,
        items: list[Any],
        one: Callable[[Any], Result],
        all_or_none: bool,
        id_key: bool = False,
    ) -> Response:
        results: list[Result] = []
        failed = False
        try:
            with self.org.transaction():
                for item in items:
                    try:
                        results.append(one(item))
                    except SfApiError as exc:
                        failed = True
                        result: Result = {
                            "success": False,
                            "errors": [e.collection() for e in exc.errors],
                        }
                        if id_key:
                            raw = (
                                item
                                if isinstance(item, str)
                                else (item.get("id") or item.get("Id"))
                            )
                            result = {"id": to18(str(raw)) if raw else None, **result}
                        results.append(result)
                if failed and all_or_none:
                    raise _Rollback
        except _Rollback:
            results = [
                r
                if not r["success"]
                else {"id": r["id"], "success": False, "errors": [_ROLLED_BACK.collection()]}
                for r in results
            ]
        return Response(200, results)


def _key_of(record: dict[str, Any], field: str) -> Any:
    return next((v for k, v in record.items() if k.lower() == field.lower()), None)


def _fields(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "attributes"}
