"""Spans (1-based, in characters) <-> LSP positions (0-based, in the client's code units)."""

from __future__ import annotations

from lsprotocol import types

from mapc.compiler.source import Span


def _units(text: str, encoding: str) -> int:
    if text.isascii():
        return len(text)
    if encoding == types.PositionEncodingKind.Utf32:
        return len(text)
    if encoding == types.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8"))
    return len(text.encode("utf-16-le")) // 2


class LineIndex:
    """One document's lines, split as mapc's lexer splits them (only "\\n" ends a line)."""

    def __init__(self, text: str, encoding: str = types.PositionEncodingKind.Utf16) -> None:
        self.lines = [line.removesuffix("\r") for line in text.split("\n")]
        self.encoding = encoding

    def line(self, index: int) -> str:
        """The 0-based line `index`, or "" past the end."""
        return self.lines[index] if 0 <= index < len(self.lines) else ""

    def position(self, line: int, column: int) -> types.Position:
        """A 1-based line and character column as an LSP position, clamped to the text."""
        index = min(max(line - 1, 0), len(self.lines) - 1)
        text = self.lines[index]
        characters = min(max(column - 1, 0), len(text))
        return types.Position(line=index, character=_units(text[:characters], self.encoding))

    def range(self, span: Span) -> types.Range:
        return types.Range(
            start=self.position(span.line, span.column),
            end=self.position(span.end_line, span.end_column),
        )

    def column(self, position: types.Position) -> tuple[int, int]:
        """An LSP position as a 1-based (line, character column)."""
        text = self.line(position.line)
        if text.isascii() or self.encoding == types.PositionEncodingKind.Utf32:
            return position.line + 1, min(position.character, len(text)) + 1
        units = 0
        for index, char in enumerate(text):
            if units >= position.character:
                return position.line + 1, index + 1
            units += _units(char, self.encoding)
        return position.line + 1, len(text) + 1

    def whole(self) -> types.Range:
        """The whole document, for edits that replace it."""
        last = len(self.lines) - 1
        end = types.Position(line=last, character=_units(self.lines[last], self.encoding))
        return types.Range(start=types.Position(line=0, character=0), end=end)
