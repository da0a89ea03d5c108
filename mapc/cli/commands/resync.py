"""`mapc resync ADAPTER [--pair P] [--field F] [--since WHEN]`: read again and re-apply."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from mapc.cli.commands.run import add_common_arguments

    parser = subparsers.add_parser(
        "resync",
        help="read pairs again and re-apply them, keeping links (e.g. a field mapped later)",
        description="Read every record of the chosen pairs again (or those changed since "
        "--since), whatever the cursors say, and sync each with its counterpart under the "
        "mapping as it is now. Links are kept: a linked record is updated in place, never "
        "created again. A field named with --field is decided as at a first sync, so a "
        "field mapping added after the records were linked reaches every one of them. "
        "Cursors do not move and email events are left to `mapc run`. Exit codes as "
        "`mapc run`: 0 every record synced, 1 some failed (see `mapc errors`), 2 "
        "configuration errors.",
    )
    add_common_arguments(parser)
    parser.add_argument(
        "--pair",
        action="append",
        default=[],
        metavar="OBJECT",
        help="the HubSpot object of a sync block to resync (contacts, companies, deals...); "
        "repeat for several; default: every pair",
    )
    parser.add_argument(
        "--field",
        action="append",
        default=[],
        metavar="PROPERTY",
        help="a mapped HubSpot property to re-apply as at a first sync (its last synced "
        "values are set aside); repeat for several",
    )
    parser.add_argument(
        "--since",
        type=moment,
        metavar="WHEN",
        help="only records changed since then on either side (ISO date or time, UTC unless "
        "it says otherwise); default: every record",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="read and decide, write nothing: what the resync would change",
    )
    parser.set_defaults(func=run)


def moment(text: str) -> datetime:
    """argparse type: an ISO 8601 date or date and time; naive means UTC."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO date or time (e.g. 2026-01-31 or 2026-01-31T12:00:00Z)"
        ) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def run(args: argparse.Namespace) -> int:
    from mapc.cli.commands.run import execute
    from mapc.runtime.sync.resync import Resync

    args.every = None
    args.resync = Resync(
        pairs=tuple(dict.fromkeys(args.pair)),
        fields=tuple(dict.fromkeys(args.field)),
        since=args.since,
    )
    return execute(args, dry_run=args.dry_run, plan=args.dry_run)
