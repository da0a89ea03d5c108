"""Shared state while building one module's view: its names, hoisted literals and helpers."""

from __future__ import annotations

from dataclasses import dataclass, field

from mapc.compiler.codegen.literals import display_width, py_literal
from mapc.compiler.codegen.names import Namer

__all__ = ["INLINE_WIDTH", "RESERVED", "ModuleContext"]

INLINE_WIDTH = 32
"""Literals wider than this are hoisted into the `_L` table, so statement lines stay short."""

RESERVED = frozenset(
    {
        "ADAPTER",
        "MAPPING_NAME",
        "MAPC_VERSION",
        "SOURCE_PATH",
        "SOURCE_SHA256",
        "SETTINGS",
        "CLOSED_WON",
        "EMAIL_EVENTS",
        "EMAIL_EVENT_VERBS",
        "email_event_task",
        "annotations",
        "datetime",
        "UTC",  # from datetime: a value map or object called `utc` must not shadow it
        "Any",
    }
)


@dataclass
class ModuleContext:
    names: Namer = field(default_factory=lambda: Namer(RESERVED))
    hoisted: list[str] = field(default_factory=list)
    helpers: set[str] = field(default_factory=set)
    _hoisted_index: dict[str, int] = field(default_factory=dict)

    def lit(self, value: object, budget: int = INLINE_WIDTH) -> str:
        """A literal for use inside a statement: inline when at most `budget` wide, else
        `_L[i]` (an element of the `_L` list, where no line length can split it)."""
        code = py_literal(value)
        if display_width(code) <= budget:
            return code
        index = self._hoisted_index.get(code)
        if index is None:
            index = self._hoisted_index[code] = len(self.hoisted)
            self.hoisted.append(code)
        return f"_L[{index}]"

    def helper(self, name: str) -> str:
        """Mark a module helper (defined in templates/_helpers.jinja) as used."""
        self.helpers.add(name)
        return name
