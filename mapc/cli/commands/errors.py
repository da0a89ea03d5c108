"""`mapc errors`: the per-record errors of recent runs (like HubSpot's sync health)."""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "errors",
        help="list the records recent runs could not sync",
        description="List per-record sync errors from the state database: record, field, "
        "the API's code and message, first and last seen. Resolved errors (the record "
        "synced later) are hidden unless --all.",
    )
    parser.add_argument(
        "--state", metavar="URL", help="state database (default: $MAPC_STATE or mapc-state.db)"
    )
    parser.add_argument("--account", metavar="NAME", help="HubSpot account of the state")
    parser.add_argument("--all", action="store_true", help="include resolved errors")
    parser.add_argument("--limit", type=int, default=200, help="at most this many (200)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sqlalchemy.exc import SQLAlchemyError

    from mapc.cli import render
    from mapc.errors import MapcError
    from mapc.runtime.sync.runner import (
        account_name,
        database_error,
        open_state,
        safe_url,
        state_target,
    )

    target = state_target(args.state)
    if "://" not in target and not Path(target).exists():
        print(f"mapc errors: no state database at {target}: nothing has run yet", file=sys.stderr)
        return 2
    try:
        state = open_state(target, account_name(args.account))
        rows = state.errors(include_resolved=args.all, limit=args.limit)
        runs = state.recent_runs(5)
    except MapcError as error:
        print(f"mapc errors: {error}", file=sys.stderr)
        return 2
    except SQLAlchemyError as error:
        print(
            f"mapc errors: cannot read {safe_url(target)}: {database_error(error)}", file=sys.stderr
        )
        return 2
    if args.format == "json":
        print(render.errors_json(rows))
        return 0
    console = render.console(sys.stdout)
    if runs:
        last = runs[0]
        console.print(
            f"last run #{last['id']} {last['status']} at {last['started_at'][:19]}: "
            f"{last['counts'].get('writes', 0)} writes, "
            f"{last['counts'].get('errors', 0)} errors",
            highlight=False,
        )
    if not rows:
        console.print("no open per-record errors")
        return 0
    console.print(render.errors_table(rows, console.width))
    return 0
