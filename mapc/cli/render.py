"""Printing runs and plans for people (rich) and machines (JSON), and structured logs."""

from __future__ import annotations

import json
import logging
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table

from mapc.runtime.sync.report import SUMMARY_LOGGER, Report
from mapc.runtime.sync.state import ErrorRow

COLUMNS = ("create", "update", "unsubscribe", "associate", "task", "delete", "skip", "error")
HEADERS = {"unsubscribe": "unsub", "associate": "assoc", "error": "errors"}
SIGNS = {
    "create": "+",
    "update": "~",
    "unsubscribe": "~",
    "associate": "~",
    "task": "+",
    "delete": "-",
    "error": "!",
}


def summary_table(report: Report, title: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("object")
    table.add_column("to")
    for col in COLUMNS:
        table.add_column(HEADERS.get(col, col), justify="right")
    for row in report.rows():
        table.add_row(row["object"], row["side"], *(str(row.get(c, 0) or "") for c in COLUMNS))
    if not report.rows():
        table.add_row("(nothing changed)", "", *("" for _ in COLUMNS))
    return table


def print_summary(report: Report, console: Console) -> None:
    verb = "would write" if report.dry_run else "wrote"
    console.print(summary_table(report, "Plan" if report.dry_run else "Sync summary"))
    console.print(
        f"{verb} {report.writes} change(s); {report.failed} record error(s); "
        f"{report.conflicts} conflict(s) resolved; {report.reads} page(s) read"
    )
    if report.api:
        calls = ", ".join(f"{side} {u['calls']}" for side, u in sorted(report.api.items()))
        console.print(f"API calls: {calls}", highlight=False)
    if report.stopped:
        console.print(f"[bold]stopped early:[/bold] {report.stopped}", highlight=False)


def _shown(value: Any) -> str:
    text = "(empty)" if value is None or value == "" else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def print_plan(report: Report, console: Console, *, limit: int = 50) -> None:
    """Per object and side: what would be created and updated (each field's value now ->
    the new one), what skipped and why (record by record), and the conflicts with both
    values and the side that wins."""
    by_group: dict[tuple[str, str], list[str]] = {}
    shown: Counter[tuple[str, str]] = Counter()
    for action in report.actions:
        if action.op == "skip":
            continue
        key = (action.object, action.side)
        shown[key] += 1
        if shown[key] <= limit:
            fields = (
                f" [{', '.join(action.fields)}]" if action.fields and not action.changes else ""
            )
            lines = by_group.setdefault(key, [])
            lines.append(
                f"  {SIGNS.get(action.op, '~')} {action.op} {action.record}{fields}"
                + (f": {action.reason}" if action.reason else "")
            )
            for change in action.changes:
                if action.op == "create":
                    lines.append(f"      {change.field} = {_shown(change.new)}")
                else:
                    lines.append(
                        f"      {change.field}: {_shown(change.old)} -> {_shown(change.new)}"
                    )
    skips: dict[tuple[str, str], list[str]] = {}
    listed_skips: Counter[tuple[str, str]] = Counter()
    for action in report.skipped:
        key = (action.object, action.side)
        listed_skips[key] += 1
        if listed_skips[key] <= limit:
            skips.setdefault(key, []).append(f"  - skip {action.record}: {action.reason}")
    for (obj, side, reason), n in sorted(report.skip_reasons.items()):
        listed = sum(
            1 for a in report.skipped if (a.object, a.side, a.reason) == (obj, side, reason)
        )
        if n > listed:
            skips.setdefault((obj, side), []).append(
                f"  - skip {n - listed} more × {reason}" if listed else f"  - skip {n} × {reason}"
            )
    counted = {(o, s) for (o, s, op), n in report.counts.items() if op != "skip" and n}
    for key in sorted(set(by_group) | set(skips) | counted):
        obj, side = key
        console.print(f"[bold]{obj} -> {side}[/bold]", highlight=False)
        for line in by_group.get(key, []):
            console.print(line, highlight=False, markup=False)
        listed = shown[key] if shown[key] <= limit else limit
        total = sum(n for (o, s, op), n in report.counts.items() if (o, s) == key and op != "skip")
        if total > listed:
            rest = f"… and {total - listed} more" if listed else f"{total} changes (not listed)"
            console.print(f"  {rest}", highlight=False)
        for line in skips.get(key, []):
            console.print(line, highlight=False, markup=False)
    if report.conflict_details:
        console.print(
            "[bold]conflicts[/bold] (both sides changed a two-way field)", highlight=False
        )
        for c in report.conflict_details[:limit]:
            console.print(
                f"  ! {c.object} {c.hubspot_id} <-> {c.sf_object} {c.sf_id} {c.field}: "
                f"hubspot {_shown(c.hubspot_value)}, salesforce {_shown(c.salesforce_value)}"
                f" -> {c.winner} wins",
                highlight=False,
                markup=False,
            )
    print_summary(report, console)


def console(stream: TextIO) -> Console:
    """A console at least 120 columns wide when not on a terminal (logs, CI, pipes)."""
    probe = Console(file=stream)
    return probe if probe.is_terminal else Console(file=stream, width=120, soft_wrap=True)


def report_json(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, sort_keys=True, default=str)


ERROR_COLUMNS = (
    "object",
    "side",
    "record",
    "field",
    "code",
    "message",
    "first seen",
    "last seen",
    "times",
    "status",
)
DROP_FIRST = ("first seen", "times", "status", "side", "last seen", "field", "object")
"""Columns left out, in this order, until the table fits a narrow terminal; the record,
the code and the message always stay."""
MESSAGE_MIN_WIDTH = 30


def errors_table(rows: list[ErrorRow], width: int | None = None) -> Table:
    """Per-record errors; on a terminal `width` columns wide, the message wraps and gets
    at least MESSAGE_MIN_WIDTH columns, less important columns are left out first."""
    cells = [
        {
            "object": r.object,
            "side": r.side,
            "record": r.record_id,
            "field": r.field,
            "code": r.code,
            "message": r.message,
            "first seen": r.first_seen[:16],
            "last seen": r.last_seen[:16],
            "times": str(r.occurrences),
            "status": "resolved" if r.resolved_at else "open",
        }
        for r in rows
    ]
    columns = list(ERROR_COLUMNS)
    if width is not None:

        def needed(cols: list[str]) -> int:
            total = 1  # the left border
            for col in cols:
                longest = max([len(col), *(len(c[col]) for c in cells)])
                total += (MESSAGE_MIN_WIDTH if col == "message" else longest) + 3
            return total

        for col in DROP_FIRST:
            if needed(columns) <= width:
                break
            columns.remove(col)
    table = Table(title="Per-record sync errors", title_justify="left", expand=False)
    for col in columns:
        if col == "message":
            table.add_column(col, min_width=MESSAGE_MIN_WIDTH, overflow="fold")
        else:
            table.add_column(col, no_wrap=True, overflow="ellipsis")
    for c in cells:
        table.add_row(*(c[col] for col in columns))
    return table


def errors_json(rows: list[ErrorRow]) -> str:
    return json.dumps([r.__dict__ for r in rows], indent=2, sort_keys=True)


LOG_FIELDS = (
    "run_id",
    "pair",
    "side",
    "record",
    "field",
    "code",
    "outcome",
    "writes",
    "errors",
    "conflicts",
    "api_calls",
)
"""Structured fields a log line may carry (the engine passes them as `extra`)."""


def log_fields(record: logging.LogRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in LOG_FIELDS if hasattr(record, name)}


def _logfmt_value(value: Any) -> str:
    text = str(value).replace('"', "'").replace("\n", " ")
    return f'"{text}"' if not text or any(c in text for c in ' ="') else text


class LogfmtFormatter(logging.Formatter):
    """`time=... level=... logger=... msg="..." run_id=...`: one line per event, easy to
    grep and parse."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        msg = record.getMessage().replace('"', "'").replace("\n", " ")
        line = f'time={stamp} level={record.levelname.lower()} logger={record.name} msg="{msg}"'
        for name, value in log_fields(record).items():
            line += f" {name}={_logfmt_value(value)}"
        return line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return json.dumps(
            {
                "time": stamp,
                "level": record.levelname.lower(),
                "logger": record.name,
                "msg": record.getMessage(),
                **log_fields(record),
            },
            default=str,
        )


def setup_logging(
    level: str = "warning", fmt: str = "logfmt", stream: TextIO | None = None
) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else LogfmtFormatter())
    root = logging.getLogger("mapc")
    root.handlers[:] = [handler]
    chosen = getattr(logging, level.upper(), logging.WARNING)
    root.setLevel(chosen)
    root.propagate = False
    # The one-line run summary shows at the default level (warning) and below it.
    logging.getLogger(SUMMARY_LOGGER).setLevel(
        logging.INFO if chosen <= logging.WARNING else chosen
    )


@contextmanager
def progress(console: Console, enabled: bool) -> Iterator[Any]:
    """A spinner naming the current step (nothing when not on a terminal)."""
    if not enabled or not console.is_terminal:
        yield lambda _step: None
        return
    with console.status("starting") as status:
        yield lambda step: status.update(step)
