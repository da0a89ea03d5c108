"""Requests, responses and the threaded HTTP(S) server both emulated services run on."""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

JSON = Any


class BadJson(ValueError):
    """The request body is not JSON; each service answers this in its own words."""


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Mapping[str, str]
    body: bytes
    params: dict[str, str] = field(default_factory=dict)
    route_key: str = ""
    # Headers every answer to this request carries, whatever the outcome (rate-limit state).
    reply_headers: dict[str, str] = field(default_factory=dict)

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def args(self, name: str) -> list[str]:
        """A repeated or comma-separated query parameter, as clients send both."""
        out: list[str] = []
        for value in self.query.get(name, []):
            out.extend(part for part in value.split(",") if part)
        return out

    def json(self) -> JSON:
        if not self.body.strip():
            return None
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise BadJson(str(exc)) from exc

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


@dataclass
class Response:
    status: int
    body: JSON = None
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body, separators=(",", ":")).encode()


Handler = Callable[[Request], Response]

# A Response with this status is no answer at all: the connection is closed unanswered
# (an injected fault: the client cannot know whether the call was carried out).
NO_ANSWER = 0


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Keep-alive connections park a thread each; closing must not wait for them.
    block_on_close = False
    allow_reuse_address = True


def serve(
    host: str,
    port: int,
    app: Handler,
    tls: ssl.SSLContext | None = None,
    now: Callable[[], float] | None = None,
) -> tuple[ThreadingHTTPServer, threading.Thread]:
    """Start serving `app` on a daemon thread; port 0 picks an ephemeral port. `now`: the
    server's clock (epoch seconds) for the `Date` header, the one its records are stamped
    with, as on the real services (default: the machine's)."""

    class _RequestHandler(BaseHTTPRequestHandler):
        # HTTP/1.1 keeps connections open, which spares clients a TLS handshake per call.
        protocol_version = "HTTP/1.1"
        # Headers and body go out in separate writes; with Nagle on, each response would
        # wait for the client's delayed ACK (~40 ms).
        disable_nagle_algorithm = True
        server_version = "mapc-emulator"
        sys_version = ""

        def log_message(self, format: str, *args: Any) -> None:
            return

        def date_time_string(self, timestamp: float | None = None) -> str:
            if timestamp is None and now is not None:
                timestamp = now()
            return super().date_time_string(timestamp)

        def _dispatch(self) -> None:
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = Request(
                method=self.command,
                path=split.path,
                query=parse_qs(split.query, keep_blank_values=True),
                headers=self.headers,  # type: ignore[arg-type]
                body=body,
            )
            try:
                response = app(request)
            except Exception as exc:  # a bug in the emulator must not hang the client
                response = Response(500, {"emulator_error": repr(exc)})
            if response.status == NO_ANSWER:
                self.close_connection = True
                return
            payload = response.encode()
            self.send_response(response.status)
            if response.body is not None and not isinstance(response.body, bytes):
                self.send_header("Content-Type", "application/json;charset=UTF-8")
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if payload and self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _dispatch

    server = _Server((host, port), _RequestHandler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name=f"emulator:{port}", daemon=True
    )
    thread.start()
    return server, thread
