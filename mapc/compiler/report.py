"""Findings rendered for people (text) and machines (json, GitHub annotations, SARIF 2.1.0).

`render` takes checker diagnostics; `github_annotations` and `sarif_log` take the neutral
`Finding`, so `mapc diff` (whose changes are not diagnostics) emits the same formats.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from pathlib import PurePath
from typing import Literal

from msgspec import Struct

from mapc import __version__
from mapc.compiler.diagnostics import CODES, Code, Diagnostic, Severity
from mapc.compiler.source import Source, Span

FORMATS = ("text", "json", "github", "sarif")

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
DOCS_URL = "https://github.com/mapc-dev/mapc/blob/main/docs/"
"""Where the docs/ folder is published, unless the installed package's metadata names a
`Documentation` URL ([project.urls] in pyproject.toml): SARIF rule help links point there."""

# Codes for findings that are not the checker's: `mapc fmt --check` (F001) and, for
# `mapc compile --check` to report stale files as findings, G001.
REPORT_CODES: dict[str, Code] = {
    c.code: c
    for c in (
        Code("F001", "file is not formatted"),
        Code("G001", "generated file missing or out of date"),
    )
}

Level = Literal["error", "warning", "note"]


def code_info(code: str) -> Code:
    return CODES.get(code) or REPORT_CODES[code]


@cache
def docs_base() -> str:
    # Imported here: importlib.metadata costs a noticeable part of a cold `mapc check`,
    # and only SARIF output needs the documentation address.
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        urls: list[str] = metadata("mapc").get_all("Project-URL") or []
    except PackageNotFoundError:
        urls = []
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("documentation", "docs") and url.strip():
            return url.strip().rstrip("/") + "/"
    return DOCS_URL


def docs_url(page: str, anchor: str) -> str:
    return f"{docs_base()}{page}#{anchor}"


def heading_anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading: `E006 missing `:` ...` -> `e006-missing--...`."""
    kept = "".join(c for c in heading.lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


class Finding(Struct, frozen=True):
    """One result in a machine format: a diagnostic, an unformatted file, a mapping change."""

    code: str
    title: str
    level: Level
    message: str
    span: Span
    help_uri: str
    hint: str | None = None


def severity_of(diagnostic: Diagnostic) -> Severity:
    return code_info(diagnostic.code).severity


def finding(diagnostic: Diagnostic) -> Finding:
    info = code_info(diagnostic.code)
    # docs/diagnostics.md titles each code `### E301 incompatible field types`; the report
    # layer's own codes have explicit anchors (`#f001`) in docs/ci.md.
    if diagnostic.code in CODES:
        help_uri = docs_url("diagnostics.md", heading_anchor(f"{info.code} {info.title}"))
    else:
        help_uri = docs_url("ci.md", diagnostic.code.lower())
    return Finding(
        code=diagnostic.code,
        title=info.title,
        level="error" if info.severity is Severity.ERROR else "warning",
        message=diagnostic.message,
        span=diagnostic.span,
        help_uri=help_uri,
        hint=diagnostic.hint,
    )


def render(
    diagnostics: Sequence[Diagnostic], sources: dict[str, Source], fmt: str, files: int
) -> str:
    if fmt == "json":
        return render_json(diagnostics)
    if fmt == "github":
        return render_github(diagnostics)
    if fmt == "sarif":
        return render_sarif(diagnostics)
    return render_text(diagnostics, sources, files)


# -- text --------------------------------------------------------------------------------


def render_text(diagnostics: Sequence[Diagnostic], sources: dict[str, Source], files: int) -> str:
    blocks = [_text_one(d, sources.get(d.span.file)) for d in diagnostics]
    errors = sum(severity_of(d) is Severity.ERROR for d in diagnostics)
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
    severity = severity_of(diagnostic).value
    lines = [
        f"{span.file}:{span.line}:{span.column}: {severity}[{diagnostic.code}]: {diagnostic.message}"
    ]
    lines.extend(source_excerpt(span, source))
    if diagnostic.hint:
        lines.append(f"  = help: {diagnostic.hint}")
    return "\n".join(lines) + "\n"


def source_excerpt(span: Span, source: Source | None) -> list[str]:
    """The span's line with a caret under it (nothing when the line is unknown)."""
    if source is None or not 0 < span.line <= len(source.lines) + 1:
        return []
    text = source.line_text(span.line).replace("\t", " ")
    gutter = " " * len(str(span.line))
    end = span.end_column if span.end_line == span.line else len(text) + 1
    width = max(1, end - span.column)
    return [f" {span.line} | {text}", f" {gutter} | {' ' * (span.column - 1)}{'^' * width}"]


# -- json --------------------------------------------------------------------------------


def span_dict(span: Span) -> dict[str, object]:
    return {
        "file": span.file,
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
    }


def diagnostic_dict(diagnostic: Diagnostic) -> dict[str, object]:
    return {
        "code": diagnostic.code,
        "severity": severity_of(diagnostic).value,
        "title": code_info(diagnostic.code).title,
        **span_dict(diagnostic.span),
        "message": diagnostic.message,
        "hint": diagnostic.hint,
    }


def render_json(diagnostics: Sequence[Diagnostic]) -> str:
    errors = sum(severity_of(d) is Severity.ERROR for d in diagnostics)
    document = {
        "format_version": "1.0",
        "valid": errors == 0,
        "error_count": errors,
        "warning_count": len(diagnostics) - errors,
        "diagnostics": [diagnostic_dict(d) for d in diagnostics],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# -- GitHub Actions workflow commands ----------------------------------------------------


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


_COMMANDS: dict[Level, str] = {"error": "error", "warning": "warning", "note": "notice"}


def github_annotations(findings: Sequence[Finding]) -> str:
    """One `::error file=...,line=...,col=...,title=CODE ...::message` line per finding."""
    out = []
    for f in findings:
        span = f.span
        props = ",".join(
            f"{key}={_escape_property(str(value))}"
            for key, value in (
                ("file", span.file),
                ("line", span.line),
                ("col", span.column),
                ("endLine", span.end_line),
                ("endColumn", span.end_column),
                ("title", f"{f.code} {f.title}"),
            )
        )
        message = f.message + (f"\n\nhelp: {f.hint}" if f.hint else "")
        out.append(f"::{_COMMANDS[f.level]} {props}::{_escape_data(message)}")
    return "\n".join(out) + ("\n" if out else "")


def render_github(diagnostics: Sequence[Diagnostic]) -> str:
    return github_annotations([finding(d) for d in diagnostics])


# -- SARIF 2.1.0 -------------------------------------------------------------------------


def artifact_uri(file: str) -> str:
    """A relative path stays relative (code scanning resolves it against the checkout)."""
    path = PurePath(file)
    if path.is_absolute():
        return path.as_uri()
    from urllib.parse import quote  # only SARIF needs it: not on every check's start

    return quote(path.as_posix(), safe="/")


def _region(span: Span) -> dict[str, int]:
    end_line = max(span.end_line, span.line)
    end_column = span.end_column
    if end_line == span.line:
        end_column = max(end_column, span.column + 1)
    return {
        "startLine": max(span.line, 1),
        "startColumn": max(span.column, 1),
        "endLine": max(end_line, 1),
        "endColumn": max(end_column, 1),
    }


def sarif_log(findings: Sequence[Finding]) -> dict[str, object]:
    rules: dict[str, Finding] = {}
    for f in findings:
        rules.setdefault(f.code, f)
    ordered = sorted(rules)
    index = {code: i for i, code in enumerate(ordered)}
    descriptors = [
        {
            "id": code,
            "name": _rule_name(rules[code].title),
            "shortDescription": {"text": rules[code].title},
            "helpUri": rules[code].help_uri,
            "defaultConfiguration": {"level": rules[code].level},
        }
        for code in ordered
    ]
    results = []
    for f in findings:
        text = f.message + (f"\nhelp: {f.hint}" if f.hint else "")
        results.append(
            {
                "ruleId": f.code,
                "ruleIndex": index[f.code],
                "level": f.level,
                "message": {"text": text},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": artifact_uri(f.span.file)},
                            "region": _region(f.span),
                        }
                    }
                ],
            }
        )
    driver = {
        "name": "mapc",
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": docs_base(),
        "rules": descriptors,
    }
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {"tool": {"driver": driver}, "columnKind": "unicodeCodePoints", "results": results}
        ],
    }


def _rule_name(title: str) -> str:
    """`incompatible field types` -> `IncompatibleFieldTypes` (SARIF's rule name style)."""
    words = "".join(c if c.isalnum() else " " for c in title).split()
    return "".join(w[:1].upper() + w[1:] for w in words)


def render_sarif_findings(findings: Sequence[Finding]) -> str:
    return json.dumps(sarif_log(findings), indent=2, ensure_ascii=False) + "\n"


def render_sarif(diagnostics: Sequence[Diagnostic]) -> str:
    return render_sarif_findings([finding(d) for d in diagnostics])
