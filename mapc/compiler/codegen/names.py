"""Python identifiers derived from mapping names: sanitised, capped and unique.

Object and value map names may be anything a catalog or a backtick-quoted name allows, so
a derived name keeps only ASCII letters, digits and underscores, avoids keywords and the
module's own names, is at most `MAX_LENGTH` characters long (lines stay short enough for
ruff to leave them alone), and collisions get `_2`, `_3`... in the order names are asked
for, which is the mapping's written order: the same mapping always gets the same names.
"""

from __future__ import annotations

import keyword
import re

__all__ = ["MAX_LENGTH", "Namer", "sanitise"]

MAX_LENGTH = 36
_NOT_WORD = re.compile(r"[^A-Za-z0-9_]+")


def sanitise(text: str, *, upper: bool = False) -> str:
    """An ASCII identifier fragment made from `text` (not yet unique)."""
    name = _NOT_WORD.sub("_", text).strip("_")
    name = re.sub("_{2,}", "_", name)
    name = name.upper() if upper else name.lower()
    if not name:
        name = "x"
    if name[0].isdigit():
        name = "n" + name
    return name


class Namer:
    """Hands out unique module-level names; `reserved` are names the module already uses."""

    def __init__(self, reserved: set[str] | frozenset[str] = frozenset()) -> None:
        self._taken: set[str] = set(reserved)

    def take(self, *parts: str, upper: bool = False) -> str:
        base = "_".join(sanitise(p, upper=upper) for p in parts)[:MAX_LENGTH].rstrip("_")
        if keyword.iskeyword(base) or keyword.issoftkeyword(base) or base in {"None"}:
            base += "_"
        name, n = base, 1
        while name in self._taken:
            n += 1
            suffix = f"_{n}"
            name = base[: MAX_LENGTH - len(suffix)].rstrip("_") + suffix
        self._taken.add(name)
        return name
