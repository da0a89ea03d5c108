"""The query and queryAll resources, with server-side cursors for nextRecordsUrl paging."""

from __future__ import annotations

import itertools
import re
from collections import OrderedDict
from dataclasses import dataclass

from mapc.emulator.salesforce.errors import SfApiError
from mapc.emulator.salesforce.org import Org
from mapc.emulator.salesforce.soql_eval import Plan, plan, shape
from mapc.emulator.wire import Request, Response

DEFAULT_BATCH = 2000
_MAX_CURSORS = 200
_BATCH_OPTION = re.compile(r"batchSize\s*=\s*(\d+)", re.IGNORECASE)


@dataclass
class _Cursor:
    plan: Plan
    batch: int
    endpoint: str


class QueryResources:
    def __init__(self, org: Org) -> None:
        self.org = org
        self._cursors: OrderedDict[str, _Cursor] = OrderedDict()
        self._numbers = itertools.count(1)

    def reset(self) -> None:
        self._cursors.clear()

    def query(self, request: Request) -> Response:
        return self._start(request, include_deleted=False)

    def query_all(self, request: Request) -> Response:
        return self._start(request, include_deleted=True)

    def more(self, request: Request) -> Response:
        locator, _, offset = request.params["locator"].rpartition("-")
        cursor = self._cursors.get(locator)
        if cursor is None or not offset.isdigit():
            raise SfApiError.one(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        self._cursors.move_to_end(locator)
        return self._page(request, locator, cursor, int(offset))

    def _start(self, request: Request, include_deleted: bool) -> Response:
        text = request.arg("q")
        if not text:
            raise SfApiError.one(400, "MALFORMED_QUERY", "A query string has to be specified")
        version = request.params["version"]
        result = plan(self.org, text, include_deleted, version)
        if result.query.count_only:
            return Response(200, {"totalSize": len(result.rows), "done": True, "records": []})
        cursor = _Cursor(result, _batch_size(request), "queryAll" if include_deleted else "query")
        locator = f"01g5g00000{next(self._numbers):05d}"
        self._cursors[locator] = cursor
        while len(self._cursors) > _MAX_CURSORS:
            self._cursors.popitem(last=False)
        return self._page(request, locator, cursor, 0)

    def _page(self, request: Request, locator: str, cursor: _Cursor, offset: int) -> Response:
        version = request.params["version"]
        rows = cursor.plan.rows[offset : offset + cursor.batch]
        end = offset + len(rows)
        body = {
            "totalSize": len(cursor.plan.rows),
            "done": end >= len(cursor.plan.rows),
            "records": [shape(cursor.plan, row, version) for row in rows],
        }
        if body["done"]:
            self._cursors.pop(locator, None)
        else:
            body["nextRecordsUrl"] = f"/services/data/v{version}/{cursor.endpoint}/{locator}-{end}"
        return Response(200, body)


def _batch_size(request: Request) -> int:
    """Sforce-Query-Options: batchSize=N, which Salesforce clamps to 200..2000."""
    found = _BATCH_OPTION.search(request.header("Sforce-Query-Options") or "")
    if not found:
        return DEFAULT_BATCH
    return min(max(int(found.group(1)), 200), DEFAULT_BATCH)
