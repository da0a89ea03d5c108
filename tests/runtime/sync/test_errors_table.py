"""`mapc errors`' table: the API's message is always shown, with a header, wrapped."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from mapc.cli import render
from mapc.runtime.sync.runlog import ErrorRow

MESSAGE = "Last Name: data value too large: " + "L" * 40 + " (max length=80)"


def _row(record: str = "70123") -> ErrorRow:
    return ErrorRow(
        object="contacts",
        side="salesforce",
        record_id=record,
        field="LastName",
        code="STRING_TOO_LONG",
        message=MESSAGE,
        first_seen="2026-11-29T10:00:00.000000",
        last_seen="2026-11-29T10:05:00.000000",
        occurrences=3,
        resolved_at=None,
        run_id=1,
    )


@pytest.mark.parametrize("width", [60, 80, 120, 250])
def test_the_message_has_a_header_and_shows_whole_at_any_width(width: int) -> None:
    out = io.StringIO()
    console = Console(file=out, width=width)
    console.print(render.errors_table([_row(), _row("70124")], console.width))
    text = out.getvalue()
    assert max(len(line) for line in text.splitlines()) <= width
    header = next(line for line in text.splitlines() if "code" in line)
    assert "message" in header
    flat = "".join("".join(ch for ch in line if ch not in "│┃|") for line in text.splitlines())
    squeezed = "".join(flat.split())
    for part in ("LastName:datavaluetoolarge:", "L" * 12, "(maxlength=80)", "STRING_TOO_LONG"):
        assert part in squeezed, text
    assert "70124" in squeezed
    if width >= 250:  # room for everything
        assert "first seen" in header and "times" in header


def test_narrow_terminals_drop_the_less_important_columns_first() -> None:
    out = io.StringIO()
    console = Console(file=out, width=80)
    console.print(render.errors_table([_row()], console.width))
    header = next(line for line in out.getvalue().splitlines() if "code" in line)
    assert "first seen" not in header and "times" not in header
    assert "record" in header and "message" in header
