"""`mapc errors`: the per-record errors of recent runs, as things to act on (like HubSpot's
Sync health error cards): category, side, record identity and links, filters, export."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mapc.runtime.health.records import ErrorView

FORMATS = ("table", "csv", "json")
STATES = ("open", "waiting", "parked", "ignored", "resolved")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "errors",
        help="list the records recent runs could not sync",
        description="List per-record sync errors from the state database: category, the "
        "side that rejected the write, the record (email or name where known) with links to "
        "it in HubSpot and Salesforce, field, the API's code and message. Resolved errors "
        "(the record synced later) are hidden unless --all. With --fail-if-open the exit "
        "code is 1 while any error (after filters) is open, for alerting from cron. "
        "`mapc errors retry` and `mapc errors ignore` act on the records the same filters "
        "select: retry releases them for the next run (parked ones too), ignore holds them "
        "until a retry by hand or a change to the record.",
    )
    parser.add_argument(
        "action",
        nargs="?",
        choices=("list", "retry", "ignore"),
        default="list",
        help="list (default), retry or ignore the selected records",
    )
    parser.add_argument(
        "--state", metavar="URL", help="state database (default: $MAPC_STATE or mapc-state.db)"
    )
    parser.add_argument("--account", metavar="NAME", help="HubSpot account of the state")
    parser.add_argument("--all", action="store_true", help="include resolved errors")
    parser.add_argument("--limit", type=int, default=200, help="at most this many (200)")
    parser.add_argument(
        "--category",
        metavar="NAME",
        action="append",
        help="only this category (repeatable): property_value, picklist, required_field, "
        "duplicate, association, permission, deleted_record, rate_limit, other",
    )
    parser.add_argument(
        "--object", metavar="NAME", action="append", help="only this object (repeatable)"
    )
    parser.add_argument(
        "--side",
        choices=("hubspot", "salesforce"),
        help="only errors the given side rejected",
    )
    parser.add_argument(
        "--record", metavar="ID", action="append", help="only this record id (repeatable)"
    )
    parser.add_argument(
        "--status",
        choices=STATES,
        action="append",
        help="only errors in this state (repeatable): open (due for a retry), waiting "
        "(for its backoff), parked, ignored, resolved",
    )
    parser.add_argument(
        "--format",
        choices=(*FORMATS, "text"),
        default="table",
        help="table (default), csv or json (text = table)",
    )
    parser.add_argument(
        "--salesforce-url",
        metavar="URL",
        help="Salesforce instance URL for record links (default: $SALESFORCE_INSTANCE_URL)",
    )
    parser.add_argument(
        "--hubspot-portal",
        metavar="ID",
        help="HubSpot portal (account) id for record links (default: $HUBSPOT_PORTAL_ID)",
    )
    parser.add_argument(
        "--fail-if-open",
        action="store_true",
        help="exit 1 while errors are open, waiting or parked (after filters; ignored ones "
        "do not count): for alerting",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import os
    from pathlib import Path

    from sqlalchemy.exc import SQLAlchemyError

    from mapc.errors import MapcError
    from mapc.runtime.health import actions
    from mapc.runtime.health.categories import parse_category
    from mapc.runtime.health.records import ErrorFilter, Where, select_errors
    from mapc.runtime.health.status import run_history
    from mapc.runtime.sync.runner import (
        account_name,
        database_error,
        open_state,
        safe_url,
        state_target,
    )

    categories = set()
    for name in args.category or ():
        try:
            categories.add(parse_category(name))
        except ValueError:
            print(f"mapc errors: unknown category {name!r}", file=sys.stderr)
            return 2
    if args.limit < 1:
        print("mapc errors: --limit wants a positive number", file=sys.stderr)
        return 2
    where = Where(
        args.salesforce_url or os.environ.get("SALESFORCE_INSTANCE_URL") or None,
        args.hubspot_portal or os.environ.get("HUBSPOT_PORTAL_ID") or None,
    )
    selection = ErrorFilter(
        frozenset(categories),
        frozenset(args.object or ()),
        args.side,
        frozenset(args.record or ()),
        frozenset(args.status or ()),
        include_resolved=args.all or "resolved" in (args.status or ()),
    )
    target = state_target(args.state)
    if "://" not in target and not Path(target).exists():
        print(f"mapc errors: no state database at {target}: nothing has run yet", file=sys.stderr)
        return 2
    try:
        state = open_state(target, account_name(args.account))
        found = select_errors(state, selection, where)
        if args.action in ("retry", "ignore"):
            act = actions.retry if args.action == "retry" else actions.ignore
            acted = act(state, found)
            verb = "released for the next run" if args.action == "retry" else "ignored"
            print(f"{acted} record(s) {verb}", flush=True)
            return 0
        found = found[: args.limit]
        runs = run_history(state, 1)
    except MapcError as error:
        print(f"mapc errors: {error}", file=sys.stderr)
        return 2
    except SQLAlchemyError as error:
        print(
            f"mapc errors: cannot read {safe_url(target)}: {database_error(error)}", file=sys.stderr
        )
        return 2
    open_count = sum(1 for v in found if v.needs_attention)
    code = 1 if args.fail_if_open and open_count else 0
    if args.format == "json":
        import json

        print(json.dumps([v.to_dict() for v in found], indent=2, sort_keys=True))
        return code
    if args.format == "csv":
        from mapc.runtime.health.export import write_csv

        write_csv(sys.stdout, (v.to_dict() for v in found))
        return code
    from mapc.cli import render

    console = render.console(sys.stdout)
    if runs:
        last = runs[0]
        console.print(
            f"last run #{last.id} {last.outcome} at {last.started_at[:19]}: "
            f"{last.writes} writes, {last.errors} errors",
            highlight=False,
        )
    if not found:
        console.print("no open per-record errors" if not args.all else "no per-record errors")
        return code
    for line in _cards(found):
        console.print(line, highlight=False, markup=False, soft_wrap=True)
    return code


def _cards(found: list[ErrorView]) -> list[str]:
    """Error cards by category (as HubSpot's Sync health shows them): each record with
    its identity, the field, the API's code and message, and its links. Lines are not
    folded, so a link stays one clickable piece on any terminal width."""
    groups: dict[str, list[ErrorView]] = {}
    for v in found:
        groups.setdefault(v.category.label, []).append(v)
    lines: list[str] = []
    for label, items in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        lines.append(f"{label} ({len(items)})")
        for v in items:
            e = v.error
            who = v.identity if v.identity == e.record_id else f"{v.identity} [{e.record_id}]"
            state = v.state
            if v.retry is not None and v.retry.failures and state != "resolved":
                state += f" after {v.retry.failures} failure(s) in a row"
                if state.startswith("waiting") and v.retry.next_at:
                    state += f", next retry after {v.retry.next_at[:19]}"
            field = f" field {e.field}" if e.field else ""
            lines.append(f"  {e.object} {who} ({v.record_side}): {e.side} rejected{field}")
            lines.append(f"    {e.code}, message: {e.message}")
            lines.append(
                f"    {state}, {e.occurrences} time(s), first {e.first_seen[:19]}, "
                f"last {e.last_seen[:19]}"
            )
            for name, url in ((v.record_side, v.record_url), (e.side, v.linked_url)):
                if url:
                    lines.append(f"    {name}: {url}")
    return lines
