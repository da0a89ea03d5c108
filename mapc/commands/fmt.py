"""`mapc fmt PATH...`: print or rewrite mappings in canonical layout; `--check` for CI."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "fmt",
        help="format mapping files",
        description="Rewrite mapping files in canonical layout (comments kept). With --check, "
        "change nothing and exit 1 when a file is not formatted. Exit 2 on usage errors.",
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="exit 1 if any file would change")
    mode.add_argument(
        "--stdout", action="store_true", help="print the formatted text instead of writing"
    )
    from mapc.commands.check import add_format_argument

    add_format_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mapc.compiler import UsageError, display_name, find_mappings
    from mapc.diagnostics import Diagnostic
    from mapc.formatter import format_mapping
    from mapc.frontend import parse
    from mapc.report import render
    from mapc.source import Source

    try:
        paths = find_mappings(args.paths)
    except UsageError as error:
        print(f"mapc fmt: {error}", file=sys.stderr)
        return 2
    diagnostics: list[Diagnostic] = []
    sources: dict[str, Source] = {}
    unformatted: list[str] = []
    for path in paths:
        try:
            source = Source.from_path(path, display_name(path))
        except (OSError, UnicodeDecodeError) as error:
            print(f"mapc fmt: {display_name(path)}: cannot read: {error}", file=sys.stderr)
            return 2
        sources[source.name] = source
        parsed = parse(source)
        if parsed.mapping is None or any(d.is_error for d in parsed.diagnostics):
            diagnostics.extend(parsed.diagnostics)
            continue
        formatted = format_mapping(parsed.mapping, source)
        if args.stdout:
            sys.stdout.write(formatted)
        elif formatted != source.text:
            unformatted.append(source.name)
            if not args.check:
                path.write_text(formatted, encoding="utf-8")
                if args.format == "text":
                    print(f"formatted {source.name}")
    if args.check and unformatted:
        if args.format == "text":
            for name in unformatted:
                print(f"{name}: not formatted (run `mapc fmt {name}`)")
        elif args.format == "json":
            import json

            print(json.dumps({"format_version": "1.0", "unformatted": unformatted}, indent=2))
        else:
            for name in unformatted:
                print(
                    f"::error file={name},line=1,col=1,title=mapc fmt::{name} is not formatted; run mapc fmt"
                )
    if diagnostics:
        sys.stdout.write(render(diagnostics, sources, args.format, len(paths)))
        return 1
    return 1 if args.check and unformatted else 0
