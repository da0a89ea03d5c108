"""A small synchronous LSP client: JSON-RPC over a real `mapc lsp` process's pipes.

Used by the tests and by bench/lsp_latency.py; it records when each message arrived so
latencies are measured at the client, as an editor would see them.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

SERVER = [sys.executable, "-m", "mapc", "lsp", "--stdio"]


class ServerError(Exception):
    pass


class LspClient:
    def __init__(self, command: list[str] | None = None, cwd: Path | None = None) -> None:
        self.process = subprocess.Popen(
            command or SERVER,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
        )
        self._next_id = 0
        self._lock = threading.Lock()
        self._responses: dict[int, queue.Queue[dict[str, Any]]] = {}
        self.notifications: queue.Queue[tuple[float, dict[str, Any]]] = queue.Queue()
        self.history: list[dict[str, Any]] = []
        """Every notification received, in order (wait_for consumes the queue, not this)."""
        self.stderr: list[bytes] = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    # -- wire ---------------------------------------------------------------------------

    def _send(self, message: dict[str, Any]) -> float:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.process.stdin is not None
        with self._lock:
            self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.process.stdin.flush()
            return time.perf_counter()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            assert length is not None, "a message without Content-Length"
            message = json.loads(stream.read(length))
            arrived = time.perf_counter()
            if "method" not in message:
                self._responses.setdefault(message["id"], queue.Queue()).put(message)
            elif "id" in message:
                # A request from the server (registerCapability, configuration): agree.
                self._send({"id": message["id"], "result": None})
            else:
                self.history.append(message)
                self.notifications.put((arrived, message))

    def _drain_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr.append(line)

    # -- API ----------------------------------------------------------------------------

    def request(self, method: str, params: Any, timeout: float = 20) -> Any:
        with self._lock:
            self._next_id += 1
            ident = self._next_id
        slot = self._responses.setdefault(ident, queue.Queue())
        self._send({"id": ident, "method": method, "params": params})
        try:
            message = slot.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"no answer to {method}; server said: {self.log()}") from None
        if "error" in message:
            raise ServerError(message["error"])
        return message["result"]

    def notify(self, method: str, params: Any) -> float:
        """Send a notification; the time it was sent."""
        return self._send({"method": method, "params": params})

    def wait_for(
        self, method: str, match: Any = None, timeout: float = 20
    ) -> tuple[float, dict[str, Any]]:
        """The next notification `method` whose params satisfy `match`; (arrival, params)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {method}; server said: {self.log()}")
            try:
                arrived, message = self.notifications.get(timeout=left)
            except queue.Empty:
                continue
            if message["method"] == method and (match is None or match(message["params"])):
                return arrived, message["params"]

    def log(self) -> str:
        return b"".join(self.stderr).decode("utf-8", "replace")[-2000:]

    # -- conversations ------------------------------------------------------------------

    def initialize(self, root: Path, options: dict[str, Any] | None = None) -> Any:
        result = self.request(
            "initialize",
            {
                "processId": None,
                "rootUri": root.as_uri(),
                "capabilities": {
                    "textDocument": {
                        "hover": {"contentFormat": ["markdown", "plaintext"]},
                        "completion": {"completionItem": {"snippetSupport": False}},
                        "publishDiagnostics": {"relatedInformation": True},
                    }
                },
                "initializationOptions": options or {},
            },
        )
        self.notify("initialized", {})
        return result

    def open(self, path: Path, text: str, version: int = 1) -> dict[str, Any]:
        """didOpen, then the diagnostics published for it."""
        uri = path.as_uri()
        self.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "mapc", "version": version, "text": text}},
        )
        return self.diagnostics(uri, version)

    def change(self, path: Path, text: str, version: int) -> float:
        """didChange with the whole new text; the time it was sent."""
        return self.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": path.as_uri(), "version": version},
                "contentChanges": [{"text": text}],
            },
        )

    def diagnostics(self, uri: str, version: int, timeout: float = 20) -> dict[str, Any]:
        return self.wait_for(
            "textDocument/publishDiagnostics",
            lambda p: p["uri"] == uri and p.get("version") == version,
            timeout,
        )[1]

    def close(self) -> None:
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            self.process.wait(timeout=10)
        except (TimeoutError, BrokenPipeError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
