"""`mapc status`: the sync's health at a glance (HubSpot's Sync health tab, in a terminal)."""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "status",
        help="show recent runs, open errors by category and how far behind each object is",
        description="Show the last runs with their outcome (completed, completed with record "
        "errors, failed) and counts, the open per-record errors grouped by category, and "
        "each object's cursor with its lag (now - cursor). Plans are not runs and are not "
        "listed. API calls per side in the last 24 hours (every run and plan records its own) "
        "are shown against mapc's allocation and the org's daily limit.",
    )
    parser.add_argument(
        "--state", metavar="URL", help="state database (default: $MAPC_STATE or mapc-state.db)"
    )
    parser.add_argument("--account", metavar="NAME", help="HubSpot account of the state")
    parser.add_argument("--runs", type=int, default=10, help="how many recent runs (10)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sqlalchemy.exc import SQLAlchemyError

    from mapc.errors import MapcError
    from mapc.runtime.health.status import (
        api_usage,
        held_counts,
        human_duration,
        lags,
        open_errors_by_category,
        run_history,
        usage_line,
    )
    from mapc.runtime.sync.runner import (
        account_name,
        database_error,
        open_state,
        safe_url,
        state_target,
    )

    if args.runs < 1:
        print("mapc status: --runs wants a positive number", file=sys.stderr)
        return 2
    target = state_target(args.state)
    if "://" not in target and not Path(target).exists():
        print(f"mapc status: no state database at {target}: nothing has run yet", file=sys.stderr)
        return 2
    try:
        state = open_state(target, account_name(args.account))
        runs = run_history(state, args.runs)
        errors = open_errors_by_category(state)
        cursors = lags(state)
        usage = api_usage(state)
        held = held_counts(state)
    except MapcError as error:
        print(f"mapc status: {error}", file=sys.stderr)
        return 2
    except SQLAlchemyError as error:
        print(
            f"mapc status: cannot read {safe_url(target)}: {database_error(error)}",
            file=sys.stderr,
        )
        return 2
    if args.format == "json":
        import json

        print(
            json.dumps(
                {
                    "runs": [r.to_dict() for r in runs],
                    "open_errors": {c.value: n for c, n in errors.items()},
                    "records_held": held,
                    "cursors": [c.to_dict() for c in cursors],
                    "api_calls_24h": {side: u.to_dict() for side, u in usage.items()},
                },
                indent=2,
                sort_keys=True,
            )
        )
        return 0
    from rich.table import Table

    from mapc.cli import render

    console = render.console(sys.stdout)
    if runs:
        table = Table(title="Recent runs", title_justify="left")
        for col in ("run", "started", "ended", "outcome", "writes", "errors", "conflicts"):
            table.add_column(col)
        for r in runs:
            table.add_row(
                f"#{r.id}",
                r.started_at[:19],
                (r.ended_at or "-")[:19],
                r.outcome,
                str(r.writes),
                str(r.errors),
                str(r.conflicts),
            )
        console.print(table, highlight=False)
    else:
        console.print("no runs yet (plans are not runs)", highlight=False)
    total = sum(errors.values())
    if errors:
        console.print(f"open errors: {total} (`mapc errors --category NAME` lists them)")
        for category, count in errors.items():
            console.print(
                f"  {category.label:<16} {count:>6}  [{category.value}]",
                highlight=False,
                markup=False,
            )
    else:
        console.print("open errors: none", highlight=False)
    if any(held.values()):
        console.print(
            f"records not retried automatically: {held['parked']} parked, "
            f"{held['waiting']} waiting for their next retry, {held['ignored']} ignored "
            "(`mapc errors --status parked`; `mapc errors retry` releases them)",
            highlight=False,
            markup=False,
        )
    if cursors:
        table = Table(title="Cursors", title_justify="left")
        for col in ("side", "object", "cursor", "lag"):
            table.add_column(col)
        for c in cursors:
            table.add_row(c.side, c.object, c.cursor, human_duration(c.seconds))
        console.print(table, highlight=False)
    else:
        console.print("cursors: none yet (no run has completed)", highlight=False)
    console.print("API calls in the last 24 hours:", highlight=False)
    for side_usage in usage.values():
        console.print(f"  {usage_line(side_usage)}", highlight=False, markup=False)
    return 0
