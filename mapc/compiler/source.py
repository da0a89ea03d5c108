"""Source files and spans: where in a mapping file a thing was written."""

from __future__ import annotations

import hashlib
from functools import cached_property
from pathlib import Path

from msgspec import Struct


class Span(Struct, frozen=True, gc=False):
    """A region of a source file: 1-based line and column, end column exclusive."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, file: str, line: int, column: int) -> Span:
        return cls(file=file, line=line, column=column, end_line=line, end_column=column + 1)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class Source(Struct, frozen=True, dict=True):
    """One mapping file's text, with the name to show in diagnostics."""

    name: str
    text: str

    @cached_property
    def lines(self) -> tuple[str, ...]:
        # Split when first asked for: a check answered from the cache may never need it.
        # Lines as the lexer counts them: only "\n" ends a line (not U+2028, \x0c, a lone
        # \r... which str.splitlines() would also split on, shifting every line after).
        lines = self.text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if "\r" not in self.text:
            return tuple(lines)
        return tuple(line.removesuffix("\r") for line in lines)

    @classmethod
    def from_path(cls, path: Path, display: str | None = None) -> Source:
        # utf-8-sig: a byte-order mark from a Windows editor is not a syntax error.
        return cls(display or str(path), path.read_text(encoding="utf-8-sig"))

    @property
    def sha256(self) -> str:
        # A text from a file never holds a lone surrogate, one given as a str may (an
        # editor's buffer, the fuzz tests): hash it rather than fail.
        return hashlib.sha256(self.text.encode("utf-8", "surrogatepass")).hexdigest()

    def line_text(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def end_span(self) -> Span:
        """The position just past the last character, for 'unexpected end of file'."""
        if not self.lines:
            return Span.point(self.name, 1, 1)
        last = len(self.lines)
        return Span.point(self.name, last, len(self.lines[-1]) + 1)
