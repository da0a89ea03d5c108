"""One classified change between two versions of a mapping."""

from __future__ import annotations

from dataclasses import dataclass

from mapc.compiler.diff.kinds import KINDS, ChangeKind
from mapc.compiler.source import Span


@dataclass(frozen=True)
class Change:
    code: str
    message: str
    span: Span
    """Where to point: the new file's line of the change; for a removal, the nearest
    construct that still exists in the new file (or the old file when none does)."""
    old_span: Span | None = None
    """Where the old version had it, when it had it."""

    @property
    def kind(self) -> ChangeKind:
        return KINDS[self.code]

    @property
    def breaking(self) -> bool:
        return self.kind.breaking

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.span.file, self.span.line, self.span.column, self.code)
