"""The `mapc` command line: argument parsing and dispatch, nothing else."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from mapc import __version__

# Each name is a module in mapc.cli.commands exposing `register(subparsers)`, which adds its
# parser (with this same help line) and sets `func` (args -> exit code). Only the module of
# the command being run is imported: `mapc --help` lists the commands from this table, so
# it and every command start without importing the others (tests keep the two in step).
COMMANDS: dict[str, str] = {
    "init": "create a mapping project: a starter mapping, tests, CI and pre-commit config",
    "check": "check mapping files and report problems",
    "fmt": "format mapping files",
    "compile": "generate sync adapter modules from mappings",
    "test": "run mapping unit tests against generated adapters",
    "diff": "classify the changes between two versions of mappings (breaking or safe)",
    "schema": "work with catalogs of live systems",
    "emulate": "run a local emulator of the Salesforce and HubSpot APIs",
    "run": "run a generated adapter: sync HubSpot and Salesforce",
    "plan": "show what `mapc run` would change, writing nothing",
    "resync": "read pairs again and re-apply them, keeping links (e.g. a field mapped later)",
    "errors": "list the records recent runs could not sync",
    "status": "show recent runs, open errors by category and how far behind each object is",
    "serve": "serve the Sync health page, /metrics and /healthz; with --sync, run on webhooks",
    "state": "manage the state database (`mapc state init` creates a new one, "
    "`mapc state rebuild` reads the links back from the CRMs)",
    "fleet": "sync many (portal, org) pairs as jobs on a task queue (RabbitMQ, Redis, PostgreSQL)",
    "demo": "compile, start a local emulator with sample data, sync it, and sync again",
    "lsp": "run the language server (for editors)",
}


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose formatters learn the terminal's width without `shutil`.

    argparse makes a formatter for every argument it adds (to check its metavar), and a
    formatter asks `shutil` for the width: importing shutil (and the compression modules
    it brings) is a cost a cold start pays for nothing. The width is found the same way:
    $COLUMNS, else the terminal of stdout, else 80."""

    def _get_formatter(self) -> argparse.HelpFormatter:
        # Every argparse formatter takes `width`; typeshed's protocol names only `prog`.
        return self.formatter_class(prog=self.prog, width=_columns() - 2)  # type: ignore[call-arg]


def _columns() -> int:
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def build_parser(commands: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser, with the full arguments of `commands` (all when None), the rest listed.

    With a command named, the others are left out: they are listed only by `mapc --help`
    and an unknown command's error, and a parser each is time a cold start would waste."""
    parser = _Parser(
        prog="mapc",
        description="A declarative mapping compiler for HubSpot <-> Salesforce sync.",
    )
    parser.add_argument("--version", action="version", version=f"mapc {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in COMMANDS.items():
        if commands is None or name in commands:
            importlib.import_module(f"mapc.cli.commands.{name}").register(subparsers)
        elif not commands:
            subparsers.add_parser(name, help=help_text)
    return parser


def _command_in(argv: Sequence[str]) -> list[str]:
    # The top-level options (--help, --version) take no value, so the first word that is
    # not an option names the command.
    first = next((a for a in argv if not a.startswith("-")), None)
    return [first] if first in COMMANDS else []


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_command_in(arguments))
    try:
        args = parser.parse_args(arguments)
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
