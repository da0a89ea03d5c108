"""`mapc diff`: what a change to a mapping does, each change classified breaking or safe."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import msgspec

from mapc.compiler import ir
from mapc.compiler.diagnostics import Diagnostic
from mapc.compiler.diff.change import Change
from mapc.compiler.diff.compare import anchor, compare_mappings
from mapc.compiler.diff.inputs import FilePair, pairs_against, pairs_from_paths
from mapc.compiler.diff.kinds import KINDS, ChangeKind
from mapc.compiler.frontend import parse
from mapc.compiler.source import Source, Span

__all__ = [
    "KINDS",
    "Change",
    "ChangeKind",
    "DiffResult",
    "FilePair",
    "compare_mappings",
    "diff_files",
    "pairs_against",
    "pairs_from_paths",
]


@dataclass
class DiffResult:
    changes: list[Change] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    """Syntax errors in either version: such a file cannot be compared."""
    sources: dict[str, Source] = field(default_factory=dict)
    """Every source read, by name, old versions under `old:NAME` (for text excerpts)."""
    files: int = 0
    old_errors: set[str] = field(default_factory=set)
    """Names whose old version has syntax errors (their diagnostics say so)."""

    @property
    def breaking(self) -> bool:
        return any(c.breaking for c in self.changes)


def _parse(source: Source, result: DiffResult, old: bool = False) -> ir.MappingFile | None:
    parsed = parse(source)
    errors = [d for d in parsed.diagnostics if d.is_error] or list(parsed.diagnostics)
    if parsed.mapping is not None and not errors:
        return parsed.mapping
    if old:
        # Both versions may carry the same name (--against): say which one is broken.
        errors = [
            msgspec.structs.replace(d, message=f"{d.message} (in the old version)") for d in errors
        ]
        result.old_errors.add(source.name)
    result.diagnostics.extend(errors)
    return None


def diff_files(pairs: Sequence[FilePair]) -> DiffResult:
    result = DiffResult(files=len(pairs))
    for pair in pairs:
        if pair.new is not None:
            result.sources[pair.new.name] = pair.new
        if pair.old is not None:
            result.sources.setdefault(f"old:{pair.old.name}", pair.old)
        old = _parse(pair.old, result, old=True) if pair.old is not None else None
        new = _parse(pair.new, result) if pair.new is not None else None
        if (pair.old is not None and old is None) or (pair.new is not None and new is None):
            continue
        if old is not None and new is not None:
            result.changes.extend(compare_mappings(old, new))
        elif new is not None:
            result.changes.append(Change("S001", f"mapping file {pair.name} added", anchor(new)))
        elif pair.old is not None:
            result.changes.append(
                Change(
                    "B002",
                    f"mapping file {pair.name} removed",
                    Span.point(pair.old.name, 1, 1),
                    Span.point(pair.old.name, 1, 1),
                )
            )
    result.changes.sort(key=Change.sort_key)
    result.diagnostics.sort(key=Diagnostic.sort_key)
    return result
