"""Code actions: the fixes of mapc/compiler/fixes.py as quick fixes, and "fix all" for the file."""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types

from mapc.compiler.diagnostics import Diagnostic
from mapc.compiler.fixes import FIXABLE, fixes_for, safe_fixes
from mapc.lsp import convert
from mapc.lsp.analysis import Analysis

FIX_ALL = f"{types.CodeActionKind.SourceFixAll.value}.mapc"


def code_actions(analysis: Analysis, params: types.CodeActionParams) -> list[types.CodeAction]:
    mapping = analysis.mapping
    if mapping is None:
        return []
    wanted = params.context.only
    actions: list[types.CodeAction] = []
    if _wants(wanted, types.CodeActionKind.QuickFix):
        for found in analysis.diagnostics:
            if found.code in FIXABLE and _touches(analysis, found, params.range):
                for fix in fixes_for(mapping, analysis.catalog, found):
                    actions.append(
                        types.CodeAction(
                            title=fix.title,
                            kind=types.CodeActionKind.QuickFix,
                            diagnostics=[convert.diagnostic(analysis, found)],
                            is_preferred=fix.safe,
                            edit=_edit(analysis, convert.text_edits(analysis, fix)),
                        )
                    )
    if _wants(wanted, types.CodeActionKind.SourceFixAll):
        fixes = safe_fixes(mapping, analysis.catalog, analysis.diagnostics)
        if fixes:
            edits = [e for fix in fixes for e in convert.text_edits(analysis, fix)]
            actions.append(
                types.CodeAction(
                    title=f"Apply mapc's safe fixes ({len(fixes)})",
                    kind=FIX_ALL,
                    diagnostics=[convert.diagnostic(analysis, f.diagnostic) for f in fixes],
                    edit=_edit(analysis, edits),
                )
            )
    return actions


def _wants(only: Sequence[types.CodeActionKind | str] | None, kind: str) -> bool:
    names = [str(getattr(k, "value", k)) for k in only or ()]
    return only is None or any(kind == n or kind.startswith(f"{n}.") for n in names)


def _touches(analysis: Analysis, found: Diagnostic, where: types.Range) -> bool:
    span = analysis.index.range(found.span)
    start = (where.start.line, where.start.character)
    end = (where.end.line, where.end.character)
    return (span.start.line, span.start.character) <= end and start <= (
        span.end.line,
        span.end.character,
    )


def _edit(analysis: Analysis, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
    return types.WorkspaceEdit(changes={analysis.uri: edits})
