"""Safe Python literals and comments for values that come from a mapping file.

Every string, number and name a mapping file supplies reaches generated code through this
module, already rendered in the form `ruff format` would leave alone: double quotes unless
single quotes need fewer escapes, escapes exactly as `repr()` writes them. Templates never
see raw mapping text, so no value can close a string, open a Jinja block or start code.
"""

from __future__ import annotations

import math
import re

__all__ = ["comment_text", "display_width", "doc_text", "py_literal", "py_str"]


def py_str(value: str) -> str:
    """`value` as a string literal in ruff's canonical quoting, escaped as repr() does."""
    quote = "'" if value.count('"') > value.count("'") else '"'
    parts = [quote]
    for char in value:
        if char == "\\":
            parts.append("\\\\")
        elif char == quote:
            parts.append("\\" + char)
        elif char in "'\"":
            parts.append(char)
        else:
            # repr() of one character escapes exactly what repr() of the string would.
            parts.append(repr(char)[1:-1])
    parts.append(quote)
    return "".join(parts)


def _py_int(value: int) -> str:
    try:
        return str(value)
    except ValueError:  # more digits than int -> str allows; hex has no such limit
        sign = "-" if value < 0 else ""
        return f"{sign}0x{abs(value):X}"


def _py_float(value: float) -> str:
    if math.isnan(value):
        return 'float("nan")'
    if math.isinf(value):
        return 'float("inf")' if value > 0 else '-float("inf")'
    return repr(value)


def py_literal(value: object) -> str:
    """A scalar from a mapping file (str, bool, int, float or None) as Python source."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, str):
        return py_str(value)
    if isinstance(value, int):
        return _py_int(value)
    if isinstance(value, float):
        return _py_float(value)
    raise TypeError(f"no literal for {type(value).__name__}")


def comment_text(text: str) -> str:
    """Text safe inside a `#` comment: as written when printable, else as a literal."""
    if text.isprintable():
        return text
    return py_str(text)


def display_width(text: str) -> int:
    """An upper bound of the width ruff measures: any non-ASCII character counts as 2."""
    return sum(1 if ord(c) < 128 else 2 for c in text)


_DOC_SAFE = re.compile(r"[A-Za-z0-9_ .,:;()<>=+-]{1,40}")


def doc_text(name: str) -> str:
    """A name for a docstring: as written when plainly safe there, else a sanitised form."""
    if _DOC_SAFE.fullmatch(name) and not name.endswith(" "):
        return name
    cleaned = re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_")[:40]
    return f"<{cleaned or 'name'}>"
