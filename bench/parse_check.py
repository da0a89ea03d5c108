"""Parse+check throughput on a generated 10,000-line mapping, against a bare Lark parse.

Run: python bench/parse_check.py [LINES]
Prints lines/s of a bare Lark LALR parse (with positions) of the file and of mapc's whole
front end (parse, build the IR, check, plan), both measured in this run, and their ratio.
Target: ratio <= 2.0 (everything after the parse costs no more than the parse itself).
"""

from __future__ import annotations

import gc
import json
import sys
import tempfile
import time
from pathlib import Path

from mapc.compiler.catalog import load_catalog
from mapc.compiler.grammar import lark_parser
from mapc.compiler.pipeline import check_source
from mapc.compiler.source import Source


def make_project(lines: int, directory: Path) -> str:
    """A valid mapping of about `lines` lines over a project catalog of custom fields."""
    fields = max(1, lines - 12)
    hubspot = {
        f"custom_{n}": {"label": f"Custom {n}", "type": "text", "native_type": "string/text"}
        for n in range(fields)
    }
    salesforce = {
        f"Custom_{n}__c": {
            "label": f"Custom {n}",
            "type": "text",
            "native_type": "string",
            "length": 255,
            "custom": True,
        }
        for n in range(fields)
    }
    (directory / "hubspot.json").write_text(
        json.dumps({"system": "hubspot", "objects": {"contacts": {"fields": hubspot}}}),
        encoding="utf-8",
    )
    (directory / "salesforce.json").write_text(
        json.dumps(
            {
                "system": "salesforce",
                "objects": {"Lead": {"fields": salesforce}, "Contact": {"fields": salesforce}},
            }
        ),
        encoding="utf-8",
    )
    body = [
        "# generated for the parse+check benchmark",
        "mapping bench",
        "",
        "sync contacts <-> Lead, Contact {",
        "  match email ignore case",
        '  include where lifecyclestage != "subscriber" and email is not blank',
        "  email <-> Email : two way",
        "  lastname <-> LastName : prefer salesforce unless blank",
        "  hs_email_optout <-> HasOptedOutOfEmail : standard opt_out",
        '  default Lead.Company = "[not provided]"',
    ]
    rules = ("two way", "prefer salesforce unless blank", "do not sync")
    body += [f"  custom_{n} <-> Custom_{n}__c : {rules[n % 3]}  # field {n}" for n in range(fields)]
    body += ["}", ""]
    return "\n".join(body)


def best_of(runs: int, action: object) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        timings.append(time.perf_counter() - start)
    return min(timings)


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        text = make_project(lines, Path(tmp))
        catalog = load_catalog([Path(tmp)])
    source = Source("bench.mapc", text)
    count = len(source.lines)
    parser = lark_parser()
    result = check_source(source, catalog=catalog)
    assert result.plan is not None, [d.message for d in result.diagnostics[:5]]
    bare = best_of(5, lambda: parser.parse(text))
    full = best_of(5, lambda: check_source(source, catalog=catalog))
    gc.disable()
    bare_no_gc = best_of(5, lambda: parser.parse(text))
    gc.enable()
    print(f"mapping: {count} lines, {len(result.plan.objects[0].fields)} field mappings")
    print(
        f"bare Lark LALR parse (positions): {count / bare:10,.0f} lines/s  ({bare * 1000:.0f} ms)"
    )
    print(
        f"mapc parse+build+check+plan:      {count / full:10,.0f} lines/s  ({full * 1000:.0f} ms)"
    )
    print(f"ratio full/bare: {full / bare:.2f}  (target <= 2.0)")
    # mapc pauses the cycle collector during its front end; against a bare parse given the
    # same advantage, the ratio is:
    print(f"ratio full/bare with the collector paused for both: {full / bare_no_gc:.2f}")


if __name__ == "__main__":
    main()
