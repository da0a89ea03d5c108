"""Parse+check throughput on a generated 10,000-line mapping, against a bare Lark parse.

Run: python bench/parse_check.py [LINES] [ROUNDS]
Prints the time of a bare Lark LALR parse (with positions) of the file and of mapc's whole
front end (parse, build the IR, check, plan) on it, measured in this run, turn about, best
of several, and their ratio with the cycle collector in the same state for both: running
for both, and paused for both. mapc pauses the collector during its front end; the last
line is that shipped configuration against a bare parse with the collector running.
Times are CPU time of this process (time.process_time), which other work on a busy machine
inflates far less than wall-clock time.
Target: ratio <= 1.5 with the collector in the same state.
"""

from __future__ import annotations

import gc
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from mapc.compiler.catalog import load_catalog
from mapc.compiler.grammar import lark_parser
from mapc.compiler.pipeline import _check_source, check_source
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


def best_of(runs: int, actions: dict[str, Callable[[], object]]) -> dict[str, float]:
    """The best time of each action over `runs` rounds, taking turns within each round."""
    timings: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(runs):
        for name, action in actions.items():
            start = time.process_time()
            action()
            timings[name].append(time.process_time() - start)
    return {name: min(values) for name, values in timings.items()}


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    with tempfile.TemporaryDirectory() as tmp:
        text = make_project(lines, Path(tmp))
        catalog = load_catalog([Path(tmp)])
    source = Source("bench.mapc", text)
    count = len(source.lines)
    parser = lark_parser()
    result = check_source(source, catalog=catalog)
    assert result.plan is not None, [d.message for d in result.diagnostics[:5]]

    def bare() -> object:
        return parser.parse(text)

    def full_as_is() -> object:  # as `check_source` would, without its collector pause
        return _check_source(source, catalog, None)

    def shipped() -> object:  # check_source pauses the collector itself
        return check_source(source, catalog=catalog)

    running = best_of(rounds, {"bare": bare, "full": full_as_is, "shipped": shipped})
    gc.disable()
    try:
        paused = best_of(rounds, {"bare": bare, "full": full_as_is})
    finally:
        gc.enable()
    print(f"mapping: {count} lines, {len(result.plan.objects[0].fields)} field mappings")
    print(f"{'':44} {'bare Lark parse':>16} {'mapc front end':>16} {'ratio':>6}")
    for state, times in (("collector running for both", running), ("paused for both", paused)):
        print(
            f"{state:44} {times['bare'] * 1000:13.0f} ms {times['full'] * 1000:13.0f} ms"
            f" {times['full'] / times['bare']:6.2f}"
        )
    print(
        f"{'shipped (mapc pauses), bare parse running':44} {running['bare'] * 1000:13.0f} ms"
        f" {running['shipped'] * 1000:13.0f} ms {running['shipped'] / running['bare']:6.2f}"
    )
    print("target: ratio <= 1.5 with the collector in the same state")


if __name__ == "__main__":
    main()
