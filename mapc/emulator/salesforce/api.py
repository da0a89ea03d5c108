"""The Salesforce REST API surface: routes, authentication and error rendering."""

from __future__ import annotations

from collections.abc import Callable

from mapc.emulator.routing import Router
from mapc.emulator.salesforce.composite import CollectionResources
from mapc.emulator.salesforce.errors import NOT_FOUND, SfApiError
from mapc.emulator.salesforce.org import Org
from mapc.emulator.salesforce.query import QueryResources
from mapc.emulator.salesforce.records import RecordResources
from mapc.emulator.wire import Request, Response

_D = "/services/data/vXX.X"
DAILY_LIMIT = 100_000
"""The org's DailyApiRequests (24-hour rolling); settable with configure()."""
_FAULT_ERRORS = {
    503: ("SERVER_UNAVAILABLE", "Server temporarily unavailable. Please try again later."),
    500: (
        "UNKNOWN_EXCEPTION",
        "An unexpected error occurred. Please include this ErrorId if "
        "you contact support: 1234567890-12345 (-1234567890)",
    ),
    403: ("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
    429: ("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
}


class SalesforceApi:
    service = "salesforce"

    def __init__(
        self, org_factory: Callable[[], Org], token: str, usage: Callable[[], int]
    ) -> None:
        self.token = token
        self._org_factory = org_factory
        self._usage = usage
        self.daily_limit = DAILY_LIMIT
        self.reset(org_factory())

    def reset(self, org: Org) -> None:
        self.org = org
        self.records = RecordResources(org, self._usage, lambda: self.daily_limit)
        self.queries = QueryResources(org)
        self.collections = CollectionResources(org)
        self.router = self._routes()

    def _routes(self) -> Router:
        r, rec, q, col = Router(), self.records, self.queries, self.collections
        r.add("GET", "/services/data", rec.versions)
        r.add("GET", _D, rec.resources)
        r.add("GET", f"{_D}/limits", rec.limits)
        r.add("GET", f"{_D}/sobjects", rec.describe_global)
        r.add("GET", f"{_D}/sobjects/{{sobject}}/describe", rec.describe)
        r.add("GET", f"{_D}/sobjects/{{sobject}}", rec.basic_info)
        r.add("POST", f"{_D}/sobjects/{{sobject}}", rec.create)
        r.add("GET", f"{_D}/sobjects/{{sobject}}/deleted", rec.deleted)
        r.add("GET", f"{_D}/sobjects/{{sobject}}/{{record_id}}", rec.get)
        r.add("PATCH", f"{_D}/sobjects/{{sobject}}/{{record_id}}", rec.update)
        r.add("DELETE", f"{_D}/sobjects/{{sobject}}/{{record_id}}", rec.delete)
        r.add("GET", f"{_D}/sobjects/{{sobject}}/{{field}}/{{value}}", rec.get_by_external_id)
        r.add("PATCH", f"{_D}/sobjects/{{sobject}}/{{field}}/{{value}}", rec.upsert)
        r.add("GET", f"{_D}/query", q.query)
        r.add("GET", f"{_D}/query/{{locator}}", q.more)
        r.add("GET", f"{_D}/queryAll", q.query_all)
        r.add("GET", f"{_D}/queryAll/{{locator}}", q.more)
        r.add("POST", f"{_D}/composite/sobjects", col.create)
        r.add("PATCH", f"{_D}/composite/sobjects", col.update)
        r.add("DELETE", f"{_D}/composite/sobjects", col.delete)
        r.add("GET", f"{_D}/composite/sobjects/{{sobject}}", col.retrieve)
        r.add("POST", f"{_D}/composite/sobjects/{{sobject}}", col.retrieve)
        r.add("PATCH", f"{_D}/composite/sobjects/{{sobject}}/{{field}}", col.upsert)
        return r

    # ------------------------------------------------------------------ the Site protocol

    def authorize(self, request: Request) -> Response | None:
        header = request.header("Authorization") or ""
        scheme, _, token = header.partition(" ")
        if scheme.lower() not in ("bearer", "oauth") or token.strip() != self.token:
            return Response(
                401,
                [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}],
                {"WWW-Authenticate": 'Token realm="Salesforce"'},
            )
        if self.org.edition.lower() == "group":
            return Response(
                403,
                [
                    {
                        "message": "The REST API is not enabled for this Organization.",
                        "errorCode": "API_DISABLED_FOR_ORG",
                    }
                ],
            )
        return None

    def handle(self, request: Request, route_handler: Callable[[Request], Response]) -> Response:
        try:
            response = route_handler(request)
        except SfApiError as exc:
            response = Response(exc.status, exc.body())
        response.headers.setdefault(
            "Sforce-Limit-Info", f"api-usage={self._usage()}/{self.daily_limit}"
        )
        return response

    def rate_limit(self, request: Request) -> Response | None:
        """Past the org's daily limit every call is refused, as Salesforce does."""
        used = self._usage()
        if used <= self.daily_limit:
            return None
        return Response(
            403,
            [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}],
            {"Sforce-Limit-Info": f"api-usage={used}/{self.daily_limit}"},
        )

    def not_found(self, request: Request) -> Response:
        if request.params.get("__method_not_allowed__"):
            return Response(
                405,
                [
                    {
                        "errorCode": "METHOD_NOT_ALLOWED",
                        "message": f"HTTP Method '{request.method}' not allowed. "
                        "Allowed are GET,PATCH,DELETE",
                    }
                ],
            )
        code, message = NOT_FOUND
        return Response(404, [{"errorCode": code, "message": message}])

    def fault(self, status: int) -> Response:
        code, message = _FAULT_ERRORS.get(status, ("UNKNOWN_EXCEPTION", "Injected failure"))
        return Response(status, [{"message": message, "errorCode": code}])
