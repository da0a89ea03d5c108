"""Changes rendered as text, json, GitHub annotations or SARIF (the latter two via report)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from mapc.compiler.diff import DiffResult
from mapc.compiler.diff.change import Change
from mapc.compiler.report import (
    Finding,
    Level,
    github_annotations,
    render_sarif_findings,
    source_excerpt,
    span_dict,
)

DOCS_PAGE = "diff.md"


def render_changes(result: DiffResult, fmt: str, allow_breaking: bool = False) -> str:
    if fmt == "json":
        return _json(result, allow_breaking)
    findings = [_finding(c, allow_breaking) for c in result.changes]
    if fmt == "github":
        return github_annotations(findings)
    if fmt == "sarif":
        return render_sarif_findings(findings)
    return _text(result)


def level(change: Change, allow_breaking: bool) -> Level:
    if not change.breaking:
        return "note"
    return "warning" if allow_breaking else "error"


def _finding(change: Change, allow_breaking: bool) -> Finding:
    from mapc.compiler.report import docs_url

    return Finding(
        code=change.code,
        title=change.kind.title,
        level=level(change, allow_breaking),
        message=change.message,
        span=change.span,
        help_uri=docs_url(DOCS_PAGE, change.code.lower()),
        hint=change.kind.hint,
    )


def _text(result: DiffResult) -> str:
    blocks = []
    for change in result.changes:
        span = change.span
        kind = "breaking" if change.breaking else "safe"
        lines = [f"{span.file}:{span.line}:{span.column}: {kind}[{change.code}]: {change.message}"]
        lines.extend(source_excerpt(span, result.sources.get(span.file)))
        lines.append(f"  = help: {change.kind.hint}")
        blocks.append("\n".join(lines) + "\n")
    return "\n".join([*blocks, summary(result.changes, result.files)]) + "\n"


def summary(changes: Sequence[Change], files: int) -> str:
    noun = "file" if files == 1 else "files"
    if not changes:
        return f"compared {files} {noun}: no changes"
    breaking = sum(c.breaking for c in changes)
    safe = len(changes) - breaking
    return f"{breaking} breaking, {safe} safe {'change' if len(changes) == 1 else 'changes'} in {files} {noun}"


def change_dict(change: Change) -> dict[str, object]:
    return {
        "code": change.code,
        "kind": "breaking" if change.breaking else "safe",
        "title": change.kind.title,
        "message": change.message,
        **span_dict(change.span),
        "old": span_dict(change.old_span) if change.old_span else None,
        "hint": change.kind.hint,
    }


def _json(result: DiffResult, allow_breaking: bool) -> str:
    breaking = sum(c.breaking for c in result.changes)
    document = {
        "format_version": "1.0",
        "breaking": breaking > 0,
        "allowed": allow_breaking or breaking == 0,
        "breaking_count": breaking,
        "safe_count": len(result.changes) - breaking,
        "files": result.files,
        "changes": [change_dict(c) for c in result.changes],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
