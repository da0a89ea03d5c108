"""`mapc test [PATH...]`: run mapping unit tests (YAML fixtures) against generated adapters."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "test",
        help="run mapping unit tests against generated adapters",
        description="Run the cases of mapping test fixtures (YAML files, or directories of "
        "them; default mappings/tests) against the generated adapter modules they name, "
        "with no network. A malformed case fails with the reason; the others still run. "
        "Exit 0 when all pass, 1 when any fails, 2 when a fixture file cannot be read or "
        "parsed, or its adapter cannot be imported.",
    )
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    parser.add_argument("-q", "--quiet", action="store_true", help="print failures only")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mapc.compiler.mappingtests import FixtureError, find_fixtures, run_fixtures

    try:
        paths = find_fixtures(args.paths or [Path("mappings/tests")])
        return run_fixtures(paths, sys.stdout, quiet=args.quiet)
    except FixtureError as error:
        print(f"mapc test: {error}", file=sys.stderr)
        return 2
