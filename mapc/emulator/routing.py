"""Route templates: matching request paths and naming them for the call counter."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from mapc.emulator.wire import Handler, Request

# Parameters that name a kind of record stay literal in call-counter keys, so a test can
# count "POST /crm/v3/objects/contacts/batch/create" apart from the companies batch.
_LITERAL_PARAMS = frozenset({"sobject", "object_type", "from_type", "to_type"})
_PARAM = re.compile(r"\{(\w+)\}")
# simple-salesforce puts the API version in every path; keys spell it vXX.X as the docs do.
VERSION = "vXX.X"
_VERSION_RE = r"v(?P<version>\d+\.\d+)"


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    pattern: re.Pattern[str]
    handler: Handler

    def key(self, params: dict[str, str]) -> str:
        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            return params[name] if name in _LITERAL_PARAMS else match.group(0)

        return f"{self.method} {_PARAM.sub(fill, self.template)}"


class Router:
    def __init__(self) -> None:
        self._routes: list[Route] = []

    def add(self, method: str, template: str, handler: Handler) -> None:
        regex = re.escape(template).replace(re.escape(VERSION), _VERSION_RE)
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", regex)
        self._routes.append(Route(method, template, re.compile(f"^{regex}/?$"), handler))

    def match(self, request: Request) -> Route | None:
        """Find the route; fill the request's params and counter key as a side effect."""
        path_matched = False
        for route in self._routes:
            found = route.pattern.match(request.path)
            if found is None:
                continue
            path_matched = True
            if route.method != request.method:
                continue
            request.params = {k: unquote(v) for k, v in found.groupdict().items() if v is not None}
            request.route_key = route.key(request.params)
            return route
        request.route_key = f"{request.method} {request.path}"
        if path_matched:
            request.params = {"__method_not_allowed__": "1"}
        return None
