"""A longer fuzzing run of the front end than the test suite's hypothesis budget.

Run: python bench/fuzz_frontend.py [SECONDS]  (default 60)
Mutates the default mapping and every case file (delete, duplicate, swap and splice lines;
insert, delete and replace characters, including unicode and the language's own symbols),
checks each result, and fails loudly on a traceback or a diagnostic without a position
inside the file. Prints how many inputs ran and how many were rejected, by code.
"""

from __future__ import annotations

import collections
import random
import sys
import time
import traceback
from pathlib import Path

from mapc.compiler.pipeline import check_source
from mapc.compiler.source import Source

ROOT = Path(__file__).resolve().parent.parent
ALPHABET = [
    *list('{}[]()<->:;,."`#\\\n =!\t'),
    "é",
    "𝔘",
    "\u200b",
    "\x00",
    "ß",
    "<->",
    "two way",
    "match",
    "values",
]


def corpus() -> list[str]:
    files = [
        ROOT / "mappings/hubspot_salesforce.mapc",
        *sorted((ROOT / "tests/compiler/cases").glob("*.mapc")),
    ]
    return [f.read_bytes().decode("utf-8", errors="replace") for f in files]


def mutate(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(7)
        i = rng.randrange(len(lines)) if lines else 0
        if op == 0 and lines:
            del lines[i]
        elif op == 1 and lines:
            lines.insert(i, lines[rng.randrange(len(lines))])
        elif op == 2 and len(lines) > 1:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif lines:
            line = lines[i]
            k = rng.randint(0, len(line))
            if op == 3:
                lines[i] = line[:k] + rng.choice(ALPHABET) + line[k:]
            elif op == 4:
                lines[i] = line[:k] + line[k + 1 :]
            elif op == 5:
                lines[i] = line[:k] + rng.choice(ALPHABET) + line[k + 1 :]
            else:
                lines[i] = line[:k]
    return "\n".join(lines)


def main() -> int:
    budget = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    rng = random.Random(20261129)
    seeds = corpus()
    codes: collections.Counter[str] = collections.Counter()
    runs = rejected = 0
    deadline = time.monotonic() + budget
    while time.monotonic() < deadline:
        text = mutate(rng.choice(seeds), rng)
        source = Source("fuzz.mapc", text)
        try:
            result = check_source(source, base_dir=ROOT / "mappings")
        except Exception:
            print("TRACEBACK on input:\n" + text, file=sys.stderr)
            traceback.print_exc()
            return 1
        runs += 1
        line_count = max(1, len(source.lines))
        for d in result.diagnostics:
            if not (
                1 <= d.span.line <= line_count + 1 and d.span.column >= 1 and d.code and d.message
            ):
                print(f"BAD POSITION {d} on input:\n{text}", file=sys.stderr)
                return 1
        if not result.ok:
            rejected += 1
            codes.update(d.code for d in result.diagnostics if d.is_error)
    print(f"{runs} inputs in {budget:.0f} s, {rejected} rejected, 0 tracebacks")
    print("errors by code:", ", ".join(f"{c}={n}" for c, n in sorted(codes.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
