"""The `mapc` command line: argument parsing and dispatch, nothing else."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from mapc import __version__

# Each name is a module in mapc.cli.commands exposing `register(subparsers)`, which adds its
# parser and sets `func` (args -> exit code). Command modules import heavy things lazily,
# so that `mapc check` on a small file starts fast.
COMMANDS: tuple[str, ...] = (
    "check",
    "fmt",
    "compile",
    "test",
    "diff",
    "schema",
    "emulate",
    "run",
    "plan",
    "errors",
    "demo",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mapc",
        description="A declarative mapping compiler for HubSpot <-> Salesforce sync.",
    )
    parser.add_argument("--version", action="version", version=f"mapc {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"mapc.cli.commands.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
