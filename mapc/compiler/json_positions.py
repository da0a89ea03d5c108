"""Where a value or key sits in JSON text, to give catalog errors a line and column.

Only computed when reporting an error: json.loads keeps no positions, so the text is
scanned again, tolerantly (a scan that fails gives no position rather than an error).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

_WS = " \t\r\n"
_Path = tuple[str | int, ...]


def locate(text: str, loc: Sequence[Any]) -> tuple[int | None, int | None]:
    """Line and column (1-based) of the value at ``loc``, or of its nearest existing parent."""
    spans: dict[_Path, int] = {}
    try:
        _scan(text, _skip_ws(text, 0), (), spans, None)
    except (IndexError, ValueError, RecursionError):
        return None, None
    path: _Path = tuple(p for p in loc if isinstance(p, str | int))
    while path not in spans and path:
        path = path[:-1]
    offset = spans.get(path)
    return _line_col(text, offset) if offset is not None else (None, None)


def locate_duplicate(text: str, key: str) -> tuple[int | None, int | None]:
    dupes: list[tuple[int, str]] = []
    try:
        _scan(text, _skip_ws(text, 0), (), {}, dupes)
    except (IndexError, ValueError, RecursionError):
        return None, None
    offsets = [offset for offset, k in dupes if k == key]
    return _line_col(text, offsets[0]) if offsets else (None, None)


def deepest_nesting(text: str) -> tuple[int, int | None, int | None]:
    """How deep arrays and objects nest, and the line and column of the deepest opening.

    Iterative, so that a document too deep for json.loads (a RecursionError) still gets a
    position.
    """
    depth = deepest = 0
    at: int | None = None
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif c in "[{":
            depth += 1
            if depth > deepest:
                deepest, at = depth, i
        elif c in "]}":
            depth -= 1
        i += 1
    if at is None:
        return deepest, None, None
    line, col = _line_col(text, at)
    return deepest, line, col


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in _WS:
        i += 1
    return i


def _string_end(text: str, i: int) -> int:
    """Index just past the JSON string starting at ``text[i] == '"'``."""
    i += 1
    while text[i] != '"':
        i += 2 if text[i] == "\\" else 1
    return i + 1


def _scan(
    text: str, i: int, path: _Path, spans: dict[_Path, int], dupes: list[tuple[int, str]] | None
) -> int:
    """Record where each value starts; return the index just past the value at ``i``."""
    spans[path] = i
    c = text[i]
    if c == "{":
        seen: set[str] = set()
        i = _skip_ws(text, i + 1)
        if text[i] == "}":
            return i + 1
        while True:
            end = _string_end(text, i)
            key = json.loads(text[i:end])
            if dupes is not None and key in seen:
                dupes.append((i, key))
            seen.add(key)
            i = _skip_ws(text, _skip_ws(text, end) + 1)  # past the colon
            i = _skip_ws(text, _scan(text, i, (*path, key), spans, dupes))
            if text[i] == "}":
                return i + 1
            i = _skip_ws(text, i + 1)  # past the comma
    if c == "[":
        i = _skip_ws(text, i + 1)
        index = 0
        if text[i] == "]":
            return i + 1
        while True:
            i = _skip_ws(text, _scan(text, i, (*path, index), spans, dupes))
            index += 1
            if text[i] == "]":
                return i + 1
            i = _skip_ws(text, i + 1)
    if c == '"':
        return _string_end(text, i)
    while i < len(text) and text[i] not in ",]}" + _WS:
        i += 1
    return i
