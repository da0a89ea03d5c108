"""One emulated service on the wire: count, inject faults, authenticate, then dispatch."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from mapc.emulator.faults import CallCounter, FaultRule, Faults
from mapc.emulator.routing import Router
from mapc.emulator.wire import NO_ANSWER, Request, Response


class Service(Protocol):
    service: str
    router: Router

    def authorize(self, request: Request) -> Response | None: ...
    def handle(
        self, request: Request, route_handler: Callable[[Request], Response]
    ) -> Response: ...
    def not_found(self, request: Request) -> Response: ...
    def fault(self, status: int) -> Response: ...


class Site:
    """The request pipeline both services share; `control` answers /_emulator/ paths."""

    def __init__(
        self,
        service: Callable[[], Service],
        counter: CallCounter,
        faults: Faults,
        lock: threading.RLock,
        control: Callable[[Request], Response],
    ) -> None:
        self._service = service
        self._counter = counter
        self._faults = faults
        self._lock = lock
        self._control = control

    def __call__(self, request: Request) -> Response:
        if request.path.startswith("/_emulator/"):
            return self._control(request)
        response = self._serve(request)
        for name, value in request.reply_headers.items():
            response.headers.setdefault(name, value)
        return response

    def _serve(self, request: Request) -> Response:
        service = self._service()
        route = service.router.match(request)
        self._counter.record(request.route_key, dict(request.headers.items()))
        rules = self._faults.match(service.service, request.route_key)
        injected = self._inject(service, [r for r in rules if not r.after_commit])
        if injected is not None:
            return injected
        response = self._carry_out(service, request, route)
        # Faults after the call was carried out: its changes stay, its answer is lost.
        replaced = self._inject(service, [r for r in rules if r.after_commit])
        return replaced if replaced is not None else response

    def _carry_out(self, service: Service, request: Request, route: Any) -> Response:
        # A request without a valid token is refused before it can count against (or be
        # refused by) the rate limits of an account it has not proved it belongs to.
        denied = service.authorize(request)
        if denied is not None:
            return denied
        limited = getattr(service, "rate_limit", None)
        if limited is not None:
            refused: Response | None = limited(request)
            if refused is not None:
                return refused
        if route is None:
            return service.not_found(request)
        with self._lock:
            return service.handle(request, route.handler)

    def _inject(self, service: Service, rules: list[FaultRule]) -> Response | None:
        delay = sum(rule.latency for rule in rules)
        if delay:
            time.sleep(delay)
        for rule in rules:
            if rule.drop:
                return Response(NO_ANSWER)
            if rule.status is None:
                continue
            response = (
                Response(rule.status, rule.body)
                if rule.body is not None
                else service.fault(rule.status)
            )
            if rule.retry_after is not None:
                seconds = rule.retry_after
                response.headers["Retry-After"] = (
                    str(int(seconds)) if float(seconds).is_integer() else str(seconds)
                )
            response.headers.update(rule.headers)
            return response
        return None
