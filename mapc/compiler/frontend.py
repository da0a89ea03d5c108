"""Source -> IR: parse, then build, collecting every diagnostic on the way."""

from __future__ import annotations

from msgspec import Struct

from mapc.compiler import ir
from mapc.compiler.build import build_ir
from mapc.compiler.diagnostics import Diagnostic
from mapc.compiler.parser import parse_source
from mapc.compiler.source import Source


class Parsed(Struct, frozen=True):
    source: Source
    mapping: ir.MappingFile | None
    diagnostics: tuple[Diagnostic, ...]


def parse(source: Source, *, keep_comments: bool = True) -> Parsed:
    """Parse and build. Checking needs no comments; the formatter keeps every one."""
    result = parse_source(source, comments=keep_comments)
    if result.tree is None:
        return Parsed(source, None, result.diagnostics)
    mapping, diagnostics = build_ir(source, result.tree, result.comments)
    return Parsed(source, mapping, diagnostics)
