"""The language server: LSP requests in, answers from `analysis` and the feature modules out."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from mapc import __version__
from mapc.lsp import convert
from mapc.lsp.analysis import Analysis, Catalogs, analyze

QUIET_SECONDS = 0.05
"""Edits closer together than this are a burst: checked once, this long after the last one.
An edit after a quiet spell is checked at once, so typing at a human pace sees each key's
diagnostics with no added delay."""


class MapcServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("mapc", __version__)
        self.catalogs = Catalogs()
        self.analyses: dict[str, Analysis] = {}
        self.quiet = QUIET_SECONDS
        self._pending: dict[str, asyncio.TimerHandle] = {}
        self._last_change: dict[str, float] = {}

    # -- analysis -----------------------------------------------------------------------

    def current(self, uri: str) -> Analysis:
        """The document's analysis, made now unless its text has not changed since."""
        document = self.workspace.get_text_document(uri)
        known = self.analyses.get(uri)
        if known is not None and known.version == document.version:
            return known
        fs_path = to_fs_path(uri) if uri.startswith("file:") else None
        path = Path(fs_path) if fs_path else None
        encoding = str(self.workspace.position_encoding or types.PositionEncodingKind.Utf16)
        analysis = analyze(
            uri, document.version, document.source, path, self.catalogs, encoding, known
        )
        self.analyses[uri] = analysis
        return analysis

    def publish(self, uri: str) -> None:
        self._pending.pop(uri, None)
        if uri not in self.workspace.text_documents:
            return  # closed meanwhile
        analysis = self.current(uri)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri, diagnostics=convert.diagnostics(analysis), version=analysis.version
            )
        )

    def changed(self, uri: str) -> None:
        """Schedule diagnostics after an edit (see QUIET_SECONDS)."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        pending = self._pending.pop(uri, None)
        if pending is not None:
            pending.cancel()
        burst = now - self._last_change.get(uri, float("-inf")) < self.quiet
        self._last_change[uri] = now
        self._pending[uri] = loop.call_later(self.quiet if burst else 0, self.publish, uri)

    def closed(self, uri: str) -> None:
        pending = self._pending.pop(uri, None)
        if pending is not None:
            pending.cancel()
        self.analyses.pop(uri, None)
        self._last_change.pop(uri, None)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )


def build_server() -> MapcServer:
    server = MapcServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: MapcServer, params: types.InitializeParams) -> None:
        options: Any = params.initialization_options
        if isinstance(options, dict) and isinstance(options.get("debounceMs"), int | float):
            ls.quiet = max(0.0, float(options["debounceMs"]) / 1000)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: MapcServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: MapcServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.changed(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: MapcServer, params: types.DidSaveTextDocumentParams) -> None:
        # A save may come with a changed project catalog on disk: check again.
        ls.analyses.pop(params.text_document.uri, None)
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: MapcServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.closed(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_FORMATTING)
    def formatting(
        ls: MapcServer, params: types.DocumentFormattingParams
    ) -> list[types.TextEdit] | None:
        from mapc.compiler.formatter import format_mapping

        analysis = ls.current(params.text_document.uri)
        if not analysis.formattable or analysis.mapping is None:
            return None  # a file with syntax errors is left alone, as `mapc fmt` does
        formatted = format_mapping(analysis.mapping, analysis.source)
        if formatted == analysis.source.text:
            return []
        return [types.TextEdit(range=analysis.index.whole(), new_text=formatted)]

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: MapcServer, params: types.HoverParams) -> types.Hover | None:
        from mapc.lsp.hover import hover

        return hover(ls.current(params.text_document.uri), params.position)

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=[".", ">", ":", " ", '"']),
    )
    def completion(ls: MapcServer, params: types.CompletionParams) -> types.CompletionList:
        from mapc.lsp.completion import complete

        items = complete(ls.current(params.text_document.uri), params.position)
        return types.CompletionList(is_incomplete=False, items=items)

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: MapcServer, params: types.DefinitionParams) -> types.Location | None:
        from mapc.lsp.navigation import definition

        return definition(ls.current(params.text_document.uri), params.position)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll]
        ),
    )
    def code_action(ls: MapcServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        from mapc.lsp.actions import code_actions

        return code_actions(ls.current(params.text_document.uri), params)

    return server


def serve() -> None:
    """Speak LSP on stdin/stdout until the client says exit."""
    build_server().start_io()
