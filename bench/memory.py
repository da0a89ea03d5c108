"""Peak memory of `mapc check` on a generated 50,000-line mapping.

Run: python bench/memory.py [LINES]
Checks the mapping (over a project catalog declaring its custom fields, as
bench/parse_check.py makes) in fresh interpreters and prints the peak resident set size of
the whole process, the resident size once the catalogs are loaded (what the front end adds
on top of it is the mapping's own cost), and the peak of Python allocations during the check
(tracemalloc, in a second run, as it slows everything). Target: peak RSS < 200 MiB.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from parse_check import make_project  # bench/ is on the path when run as a script

MIB = 1024 * 1024

_PROBE = """
import resource, sys, tracemalloc
from pathlib import Path
from mapc.compiler.catalog import load_catalog
from mapc.compiler.pipeline import check_source
from mapc.compiler.source import Source

def rss():  # ru_maxrss is in KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

directory, trace = Path(sys.argv[1]), sys.argv[2] == "trace"
catalog = load_catalog([directory])
source = Source("bench.mapc", (directory / "bench.mapc").read_text(encoding="utf-8"))
before = rss()
if trace:
    tracemalloc.start()
result = check_source(source, catalog=catalog)
assert result.plan is not None, result.diagnostics[:3]
traced = tracemalloc.get_traced_memory()[1] if trace else 0
print(before, rss(), traced)
"""


def probe(directory: Path, trace: bool) -> tuple[int, int, int]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(directory), "trace" if trace else "rss"],
        capture_output=True,
        text=True,
        check=True,
    )
    before, peak, traced = (int(n) for n in done.stdout.split())
    return before, peak, traced


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        text = make_project(lines, directory)
        (directory / "bench.mapc").write_text(text, encoding="utf-8")
        before, peak, _ = probe(directory, trace=False)
        _, _, traced = probe(directory, trace=True)
    print(f"mapping: {text.count(chr(10))} lines")
    print(f"peak RSS of the process:             {peak / MIB:7.1f} MiB  (target < 200 MiB)")
    print(f"RSS with the catalogs loaded:        {before / MIB:7.1f} MiB")
    print(f"added by parse+build+check+plan:     {(peak - before) / MIB:7.1f} MiB")
    print(f"peak Python allocations in the check:{traced / MIB:7.1f} MiB  (tracemalloc)")


if __name__ == "__main__":
    main()
