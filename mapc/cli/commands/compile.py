"""`mapc compile PATH... [-o DIR] [--check]`: generate one adapter module per mapping."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mapc.compiler.codegen import GeneratedFile
    from mapc.compiler.pipeline import CheckResult
    from mapc.compiler.source import Source, Span


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
    from mapc.cli.commands.check import add_format_argument

    add_format_argument(parser)
    parser.set_defaults(func=run)


def project_relative(path: Path) -> str:
    """`path` relative to its project (the nearest folder above it with pyproject.toml or
    .git), with forward slashes: what generated headers show, the same on every machine.

    Outside any project, the path as given on the command line (`mappings/acme.mapc`);
    an absolute one relative to the current directory when it is inside it, else just
    its folder's name and its own (`/srv/x/mappings/acme.mapc` -> `mappings/acme.mapc`),
    so the header never names a machine's own folders but still shows the directory.
    """
    resolved = path.resolve()
    for parent in resolved.parents:
        if (parent / "pyproject.toml").is_file() or (parent / ".git").exists():
            return resolved.relative_to(parent).as_posix()
    if not path.is_absolute():
        return path.as_posix()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return Path(resolved.parent.name, resolved.name).as_posix()


def run(args: argparse.Namespace) -> int:
    from mapc.cli.commands.check import print_results
    from mapc.compiler.codegen import generate
    from mapc.compiler.pipeline import UsageError, check_paths
    from mapc.compiler.writer import write_files

    try:
        results = check_paths(args.paths)
    except UsageError as error:
        print(f"mapc compile: {error}", file=sys.stderr)
        return 2
    if any(not r.ok for r in results):
        status = print_results(results, args.format)
        print("mapc compile: nothing generated while a mapping has errors", file=sys.stderr)
        return status
    files: list[GeneratedFile] = []
    origin: dict[str, CheckResult] = {}
    for result in results:
        assert result.plan is not None  # no errors, so the checker produced a plan
        source_path = project_relative(result.path)
        for file in generate(result.plan, source_path):
            if file.path in origin:
                print(
                    f"mapc compile: {origin[file.path].path.as_posix()} and "
                    f"{result.path.as_posix()} would both generate {file.path}; "
                    f"rename one of them",
                    file=sys.stderr,
                )
                return 2
            origin[file.path] = result
            files.append(file)
    if args.check:
        return _check(args, results, files, origin)
    print_results(results, args.format)  # warnings (or, in a machine format, "valid")
    out = sys.stdout if args.format == "text" else sys.stderr
    try:
        for path, changed in write_files(files, args.output):
            print(f"{'wrote' if changed else 'unchanged'}: {path.as_posix()}", file=out)
    except OSError as error:
        print(f"mapc compile: cannot write to {args.output.as_posix()}: {error}", file=sys.stderr)
        return 2
    return 0


def _check(
    args: argparse.Namespace,
    results: list[CheckResult],
    files: list[GeneratedFile],
    origin: dict[str, CheckResult],
) -> int:
    """`--check`: each missing, stale or orphaned module is a G001 finding, in any format."""
    from mapc.compiler.diagnostics import Diagnostic
    from mapc.compiler.pipeline import display_name
    from mapc.compiler.report import render
    from mapc.compiler.source import Source
    from mapc.compiler.writer import check_files, find_orphans

    try:
        drift = check_files(files, args.output)
        if all(p.is_dir() for p in args.paths):
            drift += find_orphans(args.output, origin)
    except OSError as error:
        print(f"mapc compile: cannot read {args.output.as_posix()}: {error}", file=sys.stderr)
        return 2
    diagnostics = [d for r in results for d in r.diagnostics]
    sources = {r.source.name: r.source for r in results if r.source is not None}
    command = _compile_command(args)
    for item in drift:
        shown = display_name(item.path)
        result = origin.get(item.path.relative_to(args.output).as_posix())
        if item.state == "missing" and result is not None and result.source is not None:
            message = f"{shown} is missing: {result.source.name} generates it"
            span = _declaration(result)
        else:
            if item.state == "stale" and result is not None and result.source is not None:
                message = (
                    f"{shown} is out of date: it differs from what {result.source.name} "
                    f"generates now (first difference on line {item.line})"
                )
            else:  # orphaned
                message = f"{shown} was generated by mapc, but no mapping generates it now"
            try:
                on_disk = item.path.read_bytes().decode("utf-8", errors="replace")
            except OSError:
                on_disk = ""
            source = Source(shown, on_disk)
            sources.setdefault(shown, source)
            span = _first_line(source, item.line)
        hint = f"run `{command}` and commit the result"
        if item.state == "orphaned":
            hint = f"delete {shown} (its mapping is gone), or restore the mapping"
        diagnostics.append(Diagnostic("G001", message, span, hint))
    sys.stdout.write(render(diagnostics, sources, args.format, len(results)))
    if args.format == "text":
        for item in drift:
            sys.stdout.write(item.diff)
        if not drift:
            print(f"{len(files)} generated file(s) up to date")
    return 1 if drift else 0


def _first_line(source: Source, line: int = 1) -> Span:
    """The whole of `line` (at least one column) in `source`."""
    from mapc.compiler.source import Span

    text = source.line_text(line)
    return Span(file=source.name, line=line, column=1, end_line=line, end_column=len(text) + 1)


def _declaration(result: CheckResult) -> Span:
    """Where a mapping names itself (`mapping NAME`), else its first line."""
    from mapc.compiler import ir

    assert result.source is not None
    declared = result.mapping.of_type(ir.MappingDecl) if result.mapping is not None else ()
    return declared[0].span if declared else _first_line(result.source)


def _compile_command(args: argparse.Namespace) -> str:
    """The `mapc compile` command that regenerates what this `--check` compared."""
    parts = ["mapc compile", *(shlex.quote(p.as_posix()) for p in args.paths)]
    if args.output != Path("generated"):
        parts += ["-o", shlex.quote(args.output.as_posix())]
    return " ".join(parts)
