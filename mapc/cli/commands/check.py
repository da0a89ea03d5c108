"""`mapc check PATH...`: parse and check mappings, print diagnostics."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mapc.compiler.pipeline import CheckResult


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check mapping files and report problems",
        description="Check mapping files (or directories of *.mapc files). Exit 0 when clean "
        "(warnings allowed), 1 when there are errors, 2 on usage or I/O errors.",
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    add_format_argument(parser)
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="check every file again, neither reading nor writing the cache of results "
        "(kept in .mapc_cache/, or in $MAPC_CACHE_DIR)",
    )
    parser.add_argument(
        "--fix",
        action="store_true",
        help="apply the safe fixes (arrow/rule disagreements E413, a field on the wrong "
        "object E206, missing value map entries E501) to the files, then report what is left",
    )
    parser.set_defaults(func=run)


def add_format_argument(parser: argparse.ArgumentParser) -> None:
    from mapc.compiler.report import FORMATS

    parser.add_argument(
        "--format", choices=FORMATS, default="text", help="output format (default: text)"
    )


def run(args: argparse.Namespace) -> int:
    from mapc.compiler.pipeline import UsageError, check_paths

    if args.fix:
        return run_fix(args)
    cache = None
    if not args.no_cache:
        from mapc.compiler.cache import CheckCache, default_directory

        cache = CheckCache(default_directory())
    try:
        results = check_paths(args.paths, cache=cache)
    except UsageError as error:
        print(f"mapc check: {error}", file=sys.stderr)
        return 2
    return print_results(results, args.format)


def run_fix(args: argparse.Namespace) -> int:
    from mapc.compiler.fixes import fix_file
    from mapc.compiler.pipeline import UsageError, find_mappings

    results = []
    try:
        for path in find_mappings(args.paths):
            result, fixes = fix_file(path)
            results.append(result)
            for fix in fixes:
                span = fix.diagnostic.span
                print(
                    f"{result.path.as_posix()}:{span.line}:{span.column}: fixed "
                    f"{fix.diagnostic.code}: {fix.title}",
                    file=sys.stderr,
                )
    except UsageError as error:
        print(f"mapc check: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"mapc check: cannot write: {error}", file=sys.stderr)
        return 2
    return print_results(results, args.format)


def print_results(results: list[CheckResult], fmt: str) -> int:
    from mapc.compiler.report import render

    diagnostics = [d for r in results for d in r.diagnostics]
    sources = {r.source.name: r.source for r in results if r.source is not None}
    sys.stdout.write(render(diagnostics, sources, fmt, len(results)))
    return 1 if any(not r.ok for r in results) else 0
