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
        "An adapter generated from an older version of its mapping is refused (run `mapc "
        "compile` first). Exit 0 when all pass, 1 when any fails, 2 when a fixture file "
        "cannot be read or parsed, its adapter cannot be imported or is stale.",
    )
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    parser.add_argument("-q", "--quiet", action="store_true", help="print failures only")
    parser.add_argument(
        "--junit",
        type=Path,
        metavar="FILE",
        help="also write the results as JUnit XML to FILE (for CI test reports)",
    )
    parser.add_argument(
        "--allow-stale",
        action="store_true",
        help="run against adapters older than their mappings, with a warning, instead of refusing",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mapc.compiler.mappingtests import (
        FixtureError,
        StaleAdapterError,
        find_fixtures,
        run_fixtures,
    )

    try:
        paths = find_fixtures(args.paths or [Path("mappings/tests")])
        return run_fixtures(
            paths, sys.stdout, quiet=args.quiet, allow_stale=args.allow_stale, junit=args.junit
        )
    except StaleAdapterError as error:
        print(
            f"mapc test: {error}; regenerate it with `mapc compile` (or pass --allow-stale "
            "to test it as it is)",
            file=sys.stderr,
        )
        return 2
    except FixtureError as error:
        print(f"mapc test: {error}", file=sys.stderr)
        return 2
