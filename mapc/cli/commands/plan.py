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
    parser.add_argument(
        "--limit",
        type=non_negative_int,
        default=2000,
        metavar="N",
        help="actions listed with their details (counts are always complete); 0 lists "
        "them all; JSON says `actions_truncated` and `actions_total` (default: 2000)",
    )
    parser.add_argument(
        "-o",
        "--out",
        metavar="FILE",
        help="save the plan (every action, with the values and the state's cursors it was "
        "made from) for `mapc run --plan FILE`",
    )
    parser.set_defaults(func=run)


def non_negative_int(text: str) -> int:
    """argparse type: a whole number of at least 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def run(args: argparse.Namespace) -> int:
    from mapc.cli.commands.run import execute

    args.every = None
    args.detail_limit = args.limit or None  # 0: every action
    return execute(args, dry_run=True, plan=True)
