"""Errors as CSV, one way for `mapc errors --format csv` and the page's export: the same
columns, and cells a spreadsheet shows as text (error messages and names come from the CRMs,
and a cell starting with `=` would run as a formula)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

CSV_COLUMNS = (
    "category",
    "side",
    "object",
    "record_side",
    "record_id",
    "identity",
    "field",
    "code",
    "message",
    "record_url",
    "linked_url",
    "link_note",
    "first_seen",
    "last_seen",
    "occurrences",
    "resolved_at",
    "run_id",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as text, never runs as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_csv(out: TextIO, rows: Iterable[Mapping[str, Any]]) -> None:
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: csv_cell(row.get(k)) for k in CSV_COLUMNS} for row in rows)
