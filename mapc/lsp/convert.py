"""mapc's diagnostics and fixes as LSP objects."""

from __future__ import annotations

from functools import cache

from lsprotocol import types

from mapc.compiler.diagnostics import CODES, Diagnostic, Severity
from mapc.compiler.fixes import Fix
from mapc.lsp.analysis import Analysis

SOURCE = "mapc"


@cache
def _docs(code: str) -> types.CodeDescription | None:
    from mapc.compiler.report import docs_url, heading_anchor

    known = CODES.get(code)
    if known is None:
        return None
    return types.CodeDescription(
        href=docs_url("diagnostics.md", heading_anchor(f"{code} {known.title}"))
    )


def diagnostic(analysis: Analysis, found: Diagnostic) -> types.Diagnostic:
    where = analysis.index.range(found.span)
    related = None
    if found.hint:
        location = types.Location(uri=analysis.uri, range=where)
        related = [types.DiagnosticRelatedInformation(location=location, message=found.hint)]
    return types.Diagnostic(
        range=where,
        message=found.message,
        severity=(
            types.DiagnosticSeverity.Warning
            if found.severity is Severity.WARNING
            else types.DiagnosticSeverity.Error
        ),
        code=found.code,
        code_description=_docs(found.code),
        source=SOURCE,
        related_information=related,
        tags=[types.DiagnosticTag.Unnecessary] if found.code == "W102" else None,
        data={"hint": found.hint} if found.hint else None,
    )


def diagnostics(analysis: Analysis) -> list[types.Diagnostic]:
    return [diagnostic(analysis, d) for d in analysis.diagnostics]


def text_edits(analysis: Analysis, fix: Fix) -> list[types.TextEdit]:
    return [
        types.TextEdit(range=analysis.index.range(edit.span), new_text=edit.text)
        for edit in fix.edits
    ]
