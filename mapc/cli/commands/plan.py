"""`mapc plan ADAPTER`: a dry run printing what a run would create, update and skip."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from mapc.cli.commands.run import add_common_arguments

    parser = subparsers.add_parser(
        "plan",
        help="show what `mapc run` would change, writing nothing",
        description="Read both CRMs and print, per object and side, the creates, updates "
        "and skips (with reasons) a run would make. Nothing is written and no cursor moves. "
        "Exit 0, or with --detailed-exitcode: 0 nothing to do, 1 error, 2 changes pending.",
    )
    add_common_arguments(parser)
    parser.add_argument(
        "--detailed-exitcode",
        action="store_true",
        help="exit 2 when changes are pending (as terraform plan)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mapc.cli.commands.run import execute

    args.every = None
    return execute(args, dry_run=True, plan=True)
