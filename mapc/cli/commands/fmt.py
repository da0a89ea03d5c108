"""`mapc fmt PATH...`: print or rewrite mappings in canonical layout; `--check` for CI."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mapc.compiler.diagnostics import Diagnostic
    from mapc.compiler.source import Source


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "fmt",
        help="format mapping files",
        description="Rewrite mapping files in canonical layout (comments kept). With --check, "
        "change nothing and report each unformatted file as F001 at its first differing line "
        "(exit 1). Files with syntax errors are reported and left alone (exit 1). Exit 2 on "
        "usage or I/O errors.",
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="exit 1 if any file would change")
    mode.add_argument(
        "--stdout", action="store_true", help="print the formatted text instead of writing"
    )
    from mapc.cli.commands.check import add_format_argument

    add_format_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mapc.compiler.formatter import format_mapping
    from mapc.compiler.frontend import parse
    from mapc.compiler.pipeline import UsageError, display_name, find_mappings
    from mapc.compiler.report import render
    from mapc.compiler.source import Source

    try:
        paths = find_mappings(args.paths)
    except UsageError as error:
        print(f"mapc fmt: {error}", file=sys.stderr)
        return 2
    diagnostics: list[Diagnostic] = []
    sources: dict[str, Source] = {}
    for path in paths:
        try:
            source = Source.from_path(path, display_name(path))
        except (OSError, UnicodeDecodeError) as error:
            print(f"mapc fmt: {display_name(path)}: cannot read: {error}", file=sys.stderr)
            return 2
        sources[source.name] = source
        parsed = parse(source)
        if parsed.mapping is None or any(d.is_error for d in parsed.diagnostics):
            diagnostics.extend(d for d in parsed.diagnostics if d.is_error)
            continue
        formatted = format_mapping(parsed.mapping, source)
        if args.stdout:
            sys.stdout.write(formatted)
        elif formatted != source.text:
            if args.check:
                diagnostics.append(unformatted(source, formatted))
            else:
                path.write_text(formatted, encoding="utf-8")
                if args.format == "text":
                    print(f"formatted {source.name}")
    diagnostics.sort(key=lambda d: d.sort_key())
    if args.stdout and not diagnostics:
        return 0
    if args.format != "text" or diagnostics:
        sys.stdout.write(render(diagnostics, sources, args.format, len(paths)))
    elif args.check:
        noun = "file" if len(paths) == 1 else "files"
        print(f"{len(paths)} {noun} already formatted")
    return 1 if diagnostics else 0


def unformatted(source: Source, formatted: str) -> Diagnostic:
    """F001 at the first line that formatting would change."""
    from mapc.compiler.diagnostics import Diagnostic
    from mapc.compiler.source import Span

    old = source.text.splitlines()
    new = formatted.splitlines()
    index = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), None)
    if index is None:  # one is a prefix of the other: trailing lines, or line endings
        index = min(len(old), len(new)) if len(old) != len(new) else 0
    line = min(index + 1, max(len(old), 1))
    text = source.line_text(line)
    span = Span(file=source.name, line=line, column=1, end_line=line, end_column=len(text) + 1)
    return Diagnostic(
        "F001",
        f"{source.name} is not formatted (first difference on line {line})",
        span,
        f"run `mapc fmt {source.name}`",
    )
