"""Diagnostics latency of `mapc lsp` on a 1,000-line mapping, measured through the protocol.

Run: python bench/lsp_latency.py [LINES] [EDITS]
Starts `mapc lsp` as a subprocess, opens a generated mapping (bench/parse_check.py's, with
its project catalog), then edits one character at a time with incremental didChange and
times, at the client, from the didChange sent to the publishDiagnostics for that version
received. Two rhythms:

- typing: one edit, wait for its diagnostics, pause longer than the debounce, repeat.
  The server checks an edit after a quiet spell at once, so this is check + transport.
- burst: keystrokes 10 ms apart (faster than the debounce); timed from the LAST keystroke
  to the diagnostics of the last version, so the debounce wait is inside the figure.

Wall-clock latency includes whatever else the machine runs, so the bench also prints the
server process's own CPU time per edit (from /proc) and, in this process, the CPU time of
analysing the whole file against re-parsing the one edited line (the server's fast path)
and checking the result. Target (issue 14): typing median <= 50 ms. Printed, never asserted.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.parse_check import make_project  # noqa: E402
from mapc.lsp.analysis import Catalogs, analyze  # noqa: E402
from mapc.lsp.server import QUIET_SECONDS  # noqa: E402
from tests.lsp.client import LspClient  # noqa: E402


def edit(client: LspClient, uri: str, version: int, line: int, insert: bool) -> float:
    """Type `x` at the end of a property name on `line`, or delete it again."""
    column = len(f"  custom_{line - 12}")
    start = {"line": line, "character": column}
    end = {"line": line, "character": column if insert else column + 1}
    return client.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [
                {"range": {"start": start, "end": end}, "text": "x" if insert else ""}
            ],
        },
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_of(action: object, runs: int = 7) -> list[float]:
    timings = []
    for _ in range(runs):
        started = time.process_time()
        action()  # type: ignore[operator]
        timings.append(time.process_time() - started)
    return timings


def summary(label: str, latencies: list[float]) -> None:
    ms = sorted(x * 1000 for x in latencies)
    p90 = ms[min(len(ms) - 1, int(len(ms) * 0.9))]
    print(
        f"{label}: median {statistics.median(ms):6.1f} ms   p90 {p90:6.1f} ms   "
        f"max {ms[-1]:6.1f} ms   (n={len(ms)})"
    )


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    edits = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        catalogs = directory / "catalogs"
        catalogs.mkdir()
        text = make_project(lines, catalogs).replace(
            "mapping bench\n", 'mapping bench\n\nsettings {\n  catalogs: "catalogs"\n}\n'
        )
        path = directory / "bench.mapc"
        path.write_text(text, encoding="utf-8")
        uri = path.as_uri()
        count = len(text.splitlines())

        cache = Catalogs()
        base = analyze(uri, 1, text, path, cache, "utf-16")
        assert not base.diagnostics, base.diagnostics[:3]
        lines_of = text.split("\n")
        lines_of[13] = lines_of[13].replace("custom_", "customx_", 1)
        edited = "\n".join(lines_of)
        whole = cpu_of(lambda: analyze(uri, 2, edited, path, cache, "utf-16"))
        fast = cpu_of(lambda: analyze(uri, 2, edited, path, cache, "utf-16", base))

        client = LspClient(cwd=directory)
        try:
            client.initialize(directory)
            assert client.open(path, text)["diagnostics"] == []
            version = 1
            first_field_line = 13
            typing: list[float] = []
            cpu_before = cpu_seconds(client.process.pid)
            for n in range(edits):
                version += 1
                sent = edit(client, uri, version, first_field_line + n // 2, insert=n % 2 == 0)
                arrived, params = client.wait_for(
                    "textDocument/publishDiagnostics", lambda p, v=version: p["version"] == v
                )
                # An inserted `x` makes an unknown property (E203); deleting it clears it.
                assert bool(params["diagnostics"]) == (n % 2 == 0), params["diagnostics"]
                typing.append(arrived - sent)
                time.sleep(QUIET_SECONDS * 3)
            cpu_per_edit = (cpu_seconds(client.process.pid) - cpu_before) / edits
            burst: list[float] = []
            for n in range(max(edits // 4, 3)):
                sent = 0.0
                for k in range(10):
                    version += 1
                    sent = edit(client, uri, version, first_field_line + n, insert=k % 2 == 0)
                    time.sleep(0.01)
                arrived, _ = client.wait_for(
                    "textDocument/publishDiagnostics", lambda p, v=version: p["version"] == v
                )
                burst.append(arrived - sent)
                time.sleep(QUIET_SECONDS * 3)
        finally:
            client.close()

    print(f"mapping: {count} lines; debounce (quiet spell) {QUIET_SECONDS * 1000:.0f} ms")
    print(
        f"load average now: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs"
    )
    summary("CPU, whole-file analysis (in process) ", whole)
    summary("CPU, one-line edit analysis (fast path)", fast)
    print(f"server CPU per typed edit (from /proc):   {cpu_per_edit * 1000:6.1f} ms")
    summary("wall, typing: didChange -> diagnostics ", typing)
    summary("wall, burst: last key -> diagnostics   ", burst)
    print("target: typing median <= 50 ms (the burst figure includes the debounce wait)")


if __name__ == "__main__":
    main()
