"""`mapc diff OLD NEW` / `mapc diff --against REF [PATH...]`: classify mapping changes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mapc.compiler.diff import FilePair

EPILOG = """\
exit status:
  0  no breaking change (safe changes, or none)
  1  at least one breaking change (0 with --allow-breaking)
  2  usage error: bad paths, a bad git revision, or a version with syntax errors
     (it cannot be compared; its diagnostics are printed)

change codes (B = breaking, S = safe) are documented in docs/diff.md.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "diff",
        help="classify the changes between two versions of mappings (breaking or safe)",
        description="Compare two versions of mapping files by what they mean (layout and\n"
        "comments are not changes) and classify each change as breaking or safe.\n"
        "Give OLD NEW (two files, or two directories whose *.mapc files pair by\n"
        "name), or --against REF to compare the working tree with a git revision.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="OLD NEW; with --against, files or directories in the working tree "
        "(default: mappings/ if it exists, else .)",
    )
    parser.add_argument(
        "--against",
        metavar="GIT_REF",
        help="compare the working tree with this git revision (e.g. origin/main, HEAD~1)",
    )
    parser.add_argument(
        "--allow-breaking",
        action="store_true",
        help="report breaking changes but exit 0 (GitHub/SARIF show them as warnings)",
    )
    from mapc.cli.commands.check import add_format_argument

    add_format_argument(parser)
    parser.set_defaults(func=run)


def _pairs(args: argparse.Namespace) -> list[FilePair]:
    from mapc.compiler.diff import pairs_against, pairs_from_paths
    from mapc.compiler.pipeline import UsageError

    if args.against is not None:
        paths = list(args.paths) or [Path("mappings") if Path("mappings").is_dir() else Path(".")]
        return pairs_against(args.against, paths)
    if len(args.paths) != 2:
        raise UsageError("give OLD and NEW (two files or two directories), or --against REF")
    return pairs_from_paths(args.paths[0], args.paths[1])


def run(args: argparse.Namespace) -> int:
    from mapc.compiler.diff import diff_files
    from mapc.compiler.diff.render import render_changes
    from mapc.compiler.pipeline import UsageError
    from mapc.compiler.report import render

    try:
        result = diff_files(_pairs(args))
    except UsageError as error:
        print(f"mapc diff: {error}", file=sys.stderr)
        return 2
    if result.diagnostics:
        sources = {
            name: source
            for name, source in result.sources.items()
            if not name.startswith("old:") and name not in result.old_errors
        }
        sys.stdout.write(render(result.diagnostics, sources, args.format, result.files))
        print("mapc diff: a version has syntax errors and cannot be compared", file=sys.stderr)
        return 2
    sys.stdout.write(render_changes(result, args.format, args.allow_breaking))
    return 1 if result.breaking and not args.allow_breaking else 0
