"""Requests to the app in this process, straight through ASGI: the server's own code
path without a socket (no HTTP client library needed)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message

HOST = "127.0.0.1:8765"


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""
    cookies: list[str] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k == name), None)

    @property
    def text(self) -> str:
        return self.body.decode()


def request(
    app: ASGIApp,
    method: str,
    path: str,
    body: str = "",
    *,
    scheme: str = "http",
    **headers: str,
) -> Answer:
    headers = {"host": HOST, **{k.replace("_", "-"): v for k, v in headers.items()}}
    if body:
        headers.setdefault("content-type", "application/x-www-form-urlencoded")
    path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": scheme,
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8765),
    }
    sent: list[Message] = []
    pending = [{"type": "http.request", "body": body.encode(), "more_body": False}]

    async def receive() -> Message:
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    pairs = [(k.decode().lower(), v.decode()) for k, v in start.get("headers", [])]
    return Answer(
        start["status"],
        pairs,
        b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body"),
        [v for k, v in pairs if k == "set-cookie"],
    )


def get(app: ASGIApp, path: str, **headers: str) -> Answer:
    return request(app, "GET", path, **headers)


def post(app: ASGIApp, path: str, body: str = "", **headers: str) -> Answer:
    return request(app, "POST", path, body, **headers)
