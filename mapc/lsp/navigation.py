"""Go to definition: from `values NAME` to the value map's block."""

from __future__ import annotations

import re

from lsprotocol import types

from mapc.lsp import outline
from mapc.lsp.analysis import Analysis

_NAME = re.compile(r"`[^`]*`|\w+")


def definition(analysis: Analysis, position: types.Position) -> types.Location | None:
    lines = analysis.source.lines
    if position.line >= len(lines):
        return None
    text = lines[position.line]
    _, column = analysis.index.column(position)
    for match in _NAME.finditer(text):
        if not match.start() <= column - 1 <= match.end():
            continue
        if not re.search(r"\bvalues\s+$", text[: match.start()]):
            return None
        name = outline.unquote(match.group(0))
        for found, line, start, end in outline.value_maps(lines):
            if outline.unquote(found) == name:
                where = types.Range(
                    start=analysis.index.position(line + 1, start + 1),
                    end=analysis.index.position(line + 1, end + 1),
                )
                return types.Location(uri=analysis.uri, range=where)
        return None
    return None
