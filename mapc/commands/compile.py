"""`mapc compile PATH... [-o DIR] [--check]`: generate one adapter module per mapping."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "compile",
        help="generate sync adapter modules from mappings",
        description="Check mapping files (or directories of *.mapc files) and generate one "
        "Python adapter module per mapping into the output directory. Nothing is generated "
        "while any mapping has errors. With --check, write nothing and exit 1 when the "
        "output directory is stale. Exit 0 ok, 1 errors or stale files, 2 usage or I/O.",
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("generated"),
        metavar="DIR",
        help="where generated modules go (default: generated)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="change nothing; exit 1 and name the files that are missing or out of date",
    )
    from mapc.commands.check import add_format_argument

    add_format_argument(parser)
    parser.set_defaults(func=run)


def project_relative(path: Path) -> str:
    """`path` relative to its project (the nearest folder above it with pyproject.toml or
    .git), with forward slashes: what generated headers show, the same on every machine."""
    resolved = path.resolve()
    for parent in resolved.parents:
        if (parent / "pyproject.toml").is_file() or (parent / ".git").exists():
            return resolved.relative_to(parent).as_posix()
    return resolved.name


def run(args: argparse.Namespace) -> int:
    from mapc.codegen import GeneratedFile, generate
    from mapc.commands.check import print_results
    from mapc.compiler import UsageError, check_paths
    from mapc.writer import check_files, find_orphans, write_files

    try:
        results = check_paths(args.paths)
    except UsageError as error:
        print(f"mapc compile: {error}", file=sys.stderr)
        return 2
    status = print_results(results, args.format)
    if status != 0:
        print("mapc compile: nothing generated while a mapping has errors", file=sys.stderr)
        return status
    out = sys.stdout if args.format == "text" else sys.stderr
    files: list[GeneratedFile] = []
    origin: dict[str, str] = {}
    for result in results:
        assert result.plan is not None  # no errors, so the checker produced a plan
        source_path = project_relative(result.path)
        for file in generate(result.plan, source_path):
            if file.path in origin:
                print(
                    f"mapc compile: {origin[file.path]} and {source_path} would both "
                    f"generate {file.path}; rename one of them",
                    file=sys.stderr,
                )
                return 2
            origin[file.path] = source_path
            files.append(file)
    try:
        if args.check:
            drift = check_files(files, args.output)
            if all(p.is_dir() for p in args.paths):
                drift += find_orphans(args.output, origin)
            for item in drift:
                print(f"{item.state}: {item.path.as_posix()}", file=out)
                if item.diff:
                    out.write(item.diff)
            if drift:
                print(
                    f"{len(drift)} generated file(s) out of date; run `mapc compile` "
                    f"and commit the result",
                    file=out,
                )
                return 1
            print(f"{len(files)} generated file(s) up to date", file=out)
            return 0
        for path, changed in write_files(files, args.output):
            print(f"{'wrote' if changed else 'unchanged'}: {path.as_posix()}", file=out)
    except OSError as error:
        print(f"mapc compile: {error}", file=sys.stderr)
        return 2
    return 0
