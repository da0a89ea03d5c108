"""`mapc lsp`: the language server, speaking LSP on stdin/stdout for an editor."""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "lsp",
        help="run the language server (for editors)",
        description="Run the mapc language server on stdin/stdout: diagnostics as you type, "
        "hover, completion, go to definition, formatting and quick fixes. An editor starts "
        "it; docs/lsp.md says how to set one up.",
    )
    # Editors' LSP clients pass the transport; stdio is the one there is.
    parser.add_argument("--stdio", action="store_true", help="use stdin/stdout (the default)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        from mapc.lsp.server import serve
    except ImportError as error:  # pragma: no cover - pygls is a dependency
        print(f"mapc lsp: the language server needs pygls ({error})", file=sys.stderr)
        return 2
    serve()
    return 0
