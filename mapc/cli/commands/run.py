"""`mapc run ADAPTER [--once | --every 5m] [--state URL] [--dry-run]`: sync both CRMs."""

from __future__ import annotations

import argparse
import sys
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_BUDGET = 0, 1, 2, 3
ALERT_NOTE = "open_errors_alert"
"""Whether the last run's open errors were at or above --alert-open-errors (in the state)."""


MAX_CONCURRENCY = 32


def concurrency(text: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text) <= MAX_CONCURRENCY:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {MAX_CONCURRENCY}")
    return int(text)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run a generated adapter: sync HubSpot and Salesforce",
        description="Sync HubSpot and Salesforce with a generated adapter (a module path such "
        "as generated/hubspot_salesforce.py, or a module name). Credentials come from "
        "SALESFORCE_INSTANCE_URL, SALESFORCE_ACCESS_TOKEN, HUBSPOT_ACCESS_TOKEN and "
        "HUBSPOT_BASE_URL; SALESFORCE_CA_BUNDLE names a CA file to trust (a local emulator: "
        "`mapc emulate --env` prints them all). Exit 0 when every record synced, 1 when some records failed "
        "(see `mapc errors`), 2 on configuration errors, 3 when the API budget ran out "
        "(the run stopped cleanly; the next one resumes).",
    )
    add_common_arguments(parser)
    when = parser.add_mutually_exclusive_group()
    when.add_argument("--once", action="store_true", help="run once and exit (the default)")
    when.add_argument(
        "--every", metavar="INTERVAL", help="run on a schedule, e.g. 30s, 5m, 1h, until interrupted"
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="read and decide, write nothing (same as `mapc plan`)",
    )
    parser.add_argument(
        "--concurrency",
        type=concurrency,
        metavar="N",
        help="write batches of one kind in flight at once, 1 to 32 (default: "
        "$MAPC_CONCURRENCY, else 1); 4 roughly halves a large run's time against APIs "
        "that take 100 ms a call (docs/runner.md)",
    )
    parser.add_argument(
        "--init-state",
        action="store_true",
        help="create the state database if it holds no state yet (a first run); without "
        "it a missing or empty state is an error, never a silent first run",
    )
    parser.add_argument(
        "--plan",
        metavar="FILE",
        help="apply exactly the plan `mapc plan -o FILE` saved: refused (exit 2, nothing "
        "written) when a run has synced since or the records changed so that a run would "
        "do anything else",
    )
    parser.add_argument(
        "--retry-limit",
        metavar="N",
        help="park a failing record after N failures in a row (default: $MAPC_RETRY_LIMIT "
        "or 5); `mapc errors retry` or a change to the record un-parks it",
    )
    parser.add_argument(
        "--retry-backoff",
        metavar="DURATION",
        help="wait before retrying a failed record, doubled after each further failure "
        "(default: $MAPC_RETRY_BACKOFF or 15m; 0 retries on every run)",
    )
    parser.set_defaults(func=run)


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "adapter", metavar="ADAPTER", help="generated adapter: a .py path or a module name"
    )
    parser.add_argument(
        "--state",
        metavar="URL",
        help="state database: a file path or a database URL "
        "(default: $MAPC_STATE or mapc-state.db)",
    )
    parser.add_argument(
        "--account",
        metavar="NAME",
        help="which HubSpot account this state belongs to, when several "
        "share one Salesforce org (default: $MAPC_HUBSPOT_ACCOUNT or default)",
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    parser.add_argument(
        "--log-level", default="warning", choices=("debug", "info", "warning", "error")
    )
    parser.add_argument("--log-format", default="logfmt", choices=("logfmt", "json"))
    parser.add_argument("--no-progress", action="store_true", help="no progress display")
    parser.add_argument(
        "--alert-url",
        metavar="URL",
        help="webhook called (POST, JSON) when a run fails or stops on its budget, or open "
        "errors reach --alert-open-errors (default: $MAPC_ALERT_URL); its failure never "
        "fails a run",
    )
    parser.add_argument(
        "--alert-open-errors",
        metavar="N",
        help="also alert when the open errors reach N (default: $MAPC_ALERT_OPEN_ERRORS)",
    )
    parser.add_argument(
        "--salesforce-budget",
        metavar="N|P%",
        help="Salesforce API calls mapc may make in 24 hours: a number, or a share of the "
        "org's daily limit such as 20%% (default: $MAPC_SALESFORCE_BUDGET, else none); a "
        "run stops cleanly before exceeding it (exit 3)",
    )
    parser.add_argument(
        "--hubspot-budget",
        metavar="N|P%",
        help="HubSpot API calls mapc may make in 24 hours: a number or a share of the "
        "account's daily limit (default: $MAPC_HUBSPOT_BUDGET, else none)",
    )


def config_failure(error: BaseException) -> tuple[int, str]:
    """An exception -> (exit code, one sentence), never a traceback."""
    from mapc.runtime.errors import (
        ApiAccessError,
        AuthenticationError,
        ConfigurationError,
        ConnectorError,
        TransientError,
    )
    from mapc.runtime.sync.lock import StateLocked
    from mapc.runtime.sync.schema import SchemaTooNew

    if isinstance(
        error,
        ConfigurationError | AuthenticationError | ApiAccessError | SchemaTooNew | StateLocked,
    ):
        return EXIT_CONFIG, str(error)
    if isinstance(error, TransientError) and error.status is None:
        return EXIT_CONFIG, f"{str(error).rstrip('. ')}: is the endpoint reachable?"
    if isinstance(error, ConnectorError):
        return EXIT_FAILED, str(error)
    from sqlalchemy.exc import SQLAlchemyError

    from mapc.runtime.sync.runner import database_error

    if isinstance(error, SQLAlchemyError):
        return EXIT_CONFIG, f"the state database failed: {database_error(error)}"
    return EXIT_CONFIG, f"{type(error).__name__}: {error}"


def open_state(args: argparse.Namespace, *, dry_run: bool) -> Any:
    """The state; a plan with no state yet plans a first run on an empty one in memory
    (creating nothing), a run needs --init-state (or `mapc state init`) to start one."""
    from mapc.runtime.sync.runner import account_name, state_target
    from mapc.runtime.sync.runner import open_state as open_store
    from mapc.runtime.sync.schema import StateMissing

    target, account = state_target(args.state), account_name(args.account)
    try:
        return open_store(target, account, create=bool(getattr(args, "init_state", False)))
    except StateMissing:
        if not dry_run:
            raise
        print(
            f"mapc {args.command}: no state at {target} yet: planning a first run "
            "(a run needs `mapc state init` or --init-state first)",
            file=sys.stderr,
        )
        return open_store("sqlite://", account, create=True)


def execute(args: argparse.Namespace, *, dry_run: bool, plan: bool = False) -> int:
    from rich.console import Console
    from sqlalchemy.exc import SQLAlchemyError

    from mapc.cli import render
    from mapc.errors import MapcError
    from mapc.runtime.sync.report import DETAIL_LIMIT
    from mapc.runtime.sync.runner import (
        api_budget,
        connect,
        load_adapter,
        parse_interval,
        retry_rule,
        run_loop,
    )
    from mapc.runtime.sync.saved_plan import PlanError

    render.setup_logging(args.log_level, args.log_format)
    out = render.console(sys.stdout)
    err = Console(file=sys.stderr)
    reports: list[Any] = []

    def show(report: Any) -> None:
        reports.append(report)
        if args.format == "json":
            print(render.report_json(report), flush=True)
        else:
            if getattr(args, "every", None):  # a schedule's summaries, told apart
                out.print(
                    f"── {'plan' if report.dry_run else 'run'} #{report.run_id} "
                    f"{report.outcome.replace('_', ' ')}, finished {report.finished_at[:19]}Z",
                    highlight=False,
                    markup=False,
                )
            if plan:
                render.print_plan(report, out)
            else:
                render.print_summary(report, out)
        if hook is not None and not report.dry_run:
            hook.after_run(
                {
                    "run_id": report.run_id,
                    "outcome": report.outcome,
                    "writes": report.writes,
                    "errors": report.failed,
                    "stopped": report.stopped or None,
                },
                open_error_count(state),
            )

    hook: Any = None
    state: Any = None
    try:
        hook = alert_hook(args) if not dry_run else None
        every = parse_interval(args.every) if getattr(args, "every", None) else None
        retry = retry_rule(getattr(args, "retry_limit", None), getattr(args, "retry_backoff", None))
        budget = api_budget(args.salesforce_budget, args.hubspot_budget)
        adapter = load_adapter(args.adapter)
        connections = connect()
        state = open_state(args, dry_run=dry_run)
        if hook is not None:
            hook.remember(
                state.log.note(ALERT_NOTE) == "above",
                lambda above: state.log.set_note(ALERT_NOTE, "above" if above else "below"),
            )
        saved_plan = getattr(args, "plan", None)
        out_file = getattr(args, "out", None)
        with render.progress(err, not args.no_progress and args.format == "text") as step:
            if saved_plan:
                if every is not None:
                    raise PlanError("--plan applies one plan once: it does not go with --every.")
                applies(saved_plan, args, adapter, connections, state, budget)
            code = run_loop(
                adapter,
                connections,
                state,
                every=every,
                dry_run=dry_run,
                progress=step,
                on_report=show,
                detail_limit=None if out_file else getattr(args, "detail_limit", DETAIL_LIMIT),
                concurrency=getattr(args, "concurrency", None),
                retry=retry,
                budget=budget,
                on_failure=lambda error: hook.run_failed(str(error)) if hook else None,
                resync=getattr(args, "resync", None),
            )
            if out_file and reports:
                saves(out_file, args, reports[-1], adapter, state)
                print(f"mapc plan: saved to {out_file}", file=sys.stderr)
    except (MapcError, SQLAlchemyError) as error:
        status, message = config_failure(error)
        print(f"mapc {args.command}: {message}", file=sys.stderr)
        if hook is not None:
            hook.run_failed(message)
            hook.wait()
        if plan and getattr(args, "detailed_exitcode", False):
            return EXIT_FAILED  # 2 means "changes pending" there
        return status
    except KeyboardInterrupt:
        print(
            f"mapc {args.command}: interrupted; the next run resumes from the last "
            "committed cursor",
            file=sys.stderr,
        )
        return 130
    if hook is not None:
        hook.wait()
    if plan and getattr(args, "detailed_exitcode", False):
        last = reports[-1] if reports else None
        if last is None or last.failed or last.stopped:
            return EXIT_FAILED
        return 2 if last.writes else 0
    return code


def alert_hook(args: argparse.Namespace) -> Any:
    """The webhook of --alert-url / $MAPC_ALERT_URL, or None."""
    import os

    from mapc.runtime.errors import ConfigurationError
    from mapc.runtime.health.alerts import AlertHook
    from mapc.runtime.sync.runner import account_name

    url = getattr(args, "alert_url", None) or os.environ.get("MAPC_ALERT_URL") or ""
    if not url.strip():
        return None
    raw = getattr(args, "alert_open_errors", None) or os.environ.get("MAPC_ALERT_OPEN_ERRORS")
    if raw is not None and not str(raw).strip().isdigit():
        raise ConfigurationError(f"--alert-open-errors wants a whole number, not {raw!r}.")
    return AlertHook(
        url.strip(),
        int(raw) if raw is not None else None,
        context={"adapter": args.adapter, "account": account_name(args.account)},
    )


def open_error_count(state: Any) -> int:
    from mapc.runtime.health.status import open_errors_by_category

    return sum(open_errors_by_category(state).values()) if state is not None else 0


def saves(path: str, args: argparse.Namespace, report: Any, adapter: Any, state: Any) -> None:
    """`mapc plan -o FILE`: the plan, with what it was made from."""
    from pathlib import Path

    from mapc.runtime.sync.runner import account_name
    from mapc.runtime.sync.saved_plan import cursor_map, save

    save(Path(path), report, adapter.name, account_name(args.account), cursor_map(state.cursors()))


def applies(
    path: str, args: argparse.Namespace, adapter: Any, connections: Any, state: Any, budget: Any
) -> None:
    """`mapc run --plan FILE`: refuse (StalePlan) unless a run now does exactly that plan."""
    from pathlib import Path

    from mapc.runtime.sync.engine import SyncEngine
    from mapc.runtime.sync.runner import account_name
    from mapc.runtime.sync.saved_plan import check, compare, cursor_map, load

    saved = load(Path(path))
    check(saved, adapter.name, account_name(args.account), cursor_map(state.cursors()))
    fresh = SyncEngine(
        adapter,
        connections.salesforce,
        connections.hubspot,
        state,
        dry_run=True,
        detail_limit=None,
        budget=budget,
    ).run()
    compare(saved, fresh)


def run(args: argparse.Namespace) -> int:
    return execute(args, dry_run=args.dry_run, plan=args.dry_run)
