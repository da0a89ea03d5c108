"""Diagnostics rendered for people (text) and machines (json, github annotations)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from mapc.diagnostics import CODES, Diagnostic, Severity
from mapc.source import Source

FORMATS = ("text", "json", "github")


def render(
    diagnostics: Sequence[Diagnostic], sources: dict[str, Source], fmt: str, files: int
) -> str:
    if fmt == "json":
        return render_json(diagnostics)
    if fmt == "github":
        return render_github(diagnostics)
    return render_text(diagnostics, sources, files)


def render_text(diagnostics: Sequence[Diagnostic], sources: dict[str, Source], files: int) -> str:
    blocks = [_text_one(d, sources.get(d.span.file)) for d in diagnostics]
    errors = sum(d.is_error for d in diagnostics)
    warnings = len(diagnostics) - errors
    noun = "file" if files == 1 else "files"
    if not diagnostics:
        summary = f"checked {files} {noun}: no problems"
    else:
        summary = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')} in {files} {noun}"
    return "\n".join([*blocks, summary]) + "\n"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _text_one(diagnostic: Diagnostic, source: Source | None) -> str:
    span = diagnostic.span
    lines = [
        f"{span.file}:{span.line}:{span.column}: {diagnostic.severity.value}[{diagnostic.code}]: {diagnostic.message}"
    ]
    if source is not None and 0 < span.line <= len(source.lines) + 1:
        text = source.line_text(span.line).replace("\t", " ")
        gutter = " " * len(str(span.line))
        end = span.end_column if span.end_line == span.line else len(text) + 1
        width = max(1, end - span.column)
        lines.append(f" {span.line} | {text}")
        lines.append(f" {gutter} | {' ' * (span.column - 1)}{'^' * width}")
    if diagnostic.hint:
        lines.append(f"  = help: {diagnostic.hint}")
    return "\n".join(lines) + "\n"


def diagnostic_dict(diagnostic: Diagnostic) -> dict[str, object]:
    span = diagnostic.span
    return {
        "code": diagnostic.code,
        "severity": diagnostic.severity.value,
        "title": CODES[diagnostic.code].title,
        "file": span.file,
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
        "message": diagnostic.message,
        "hint": diagnostic.hint,
    }


def render_json(diagnostics: Sequence[Diagnostic]) -> str:
    errors = sum(d.is_error for d in diagnostics)
    document = {
        "format_version": "1.0",
        "valid": errors == 0,
        "error_count": errors,
        "warning_count": len(diagnostics) - errors,
        "diagnostics": [diagnostic_dict(d) for d in diagnostics],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(diagnostics: Sequence[Diagnostic]) -> str:
    """GitHub Actions workflow commands: one `::error ...::message` line per diagnostic."""
    out = []
    for d in diagnostics:
        span = d.span
        command = "error" if d.severity is Severity.ERROR else "warning"
        props = ",".join(
            f"{key}={_escape_property(str(value))}"
            for key, value in (
                ("file", span.file),
                ("line", span.line),
                ("col", span.column),
                ("endLine", span.end_line),
                ("endColumn", span.end_column),
                ("title", f"{d.code} {CODES[d.code].title}"),
            )
        )
        message = d.message + (f"\n\nhelp: {d.hint}" if d.hint else "")
        out.append(f"::{command} {props}::{_escape_data(message)}")
    return "\n".join(out) + ("\n" if out else "")
