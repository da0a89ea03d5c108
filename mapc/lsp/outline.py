"""The blocks of a document read line by line, so that a half-typed file still has a shape.

Completion and navigation work while the file does not parse (it rarely does mid-word), so
they read the text itself: which block a line is in, what its header says, which field
mappings use a value map.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mapc.compiler.parser import code_part

_SYNC = re.compile(r"\s*sync\s+(`[^`]+`|\w+)\s*(<->|->|<-)\s*([^{]*)\{")
_VALUES = re.compile(r"\s*values\s+(`[^`]+`|\w+)\s*\{")
_SETTINGS = re.compile(r"\s*settings\s*\{")
_USES_MAP = re.compile(
    r"\s*(?P<hubspot>[\w`.-]+)\s*(?P<arrow><->|->|<-)\s*(?P<salesforce>[\w`.-]+)\s*:"
    r"(?P<clauses>.*)"
)


def unquote(name: str) -> str:
    return name[1:-1] if name.startswith("`") and name.endswith("`") else name


@dataclass
class Block:
    kind: str  # "sync", "values", "settings" or "other"
    line: int  # 0-based line of the header
    end: int | None = None  # 0-based line of the closing brace, when closed
    name: str = ""  # HubSpot object of a sync block, or the value map's name
    objects: list[str] = field(default_factory=list)  # Salesforce objects of a sync block

    def contains(self, line: int) -> bool:
        return self.line < line and (self.end is None or line <= self.end)


def blocks(lines: list[str] | tuple[str, ...]) -> list[Block]:
    found: list[Block] = []
    open_block: Block | None = None
    depth = 0
    for number, line in enumerate(lines):
        code = code_part(line)
        if open_block is None and "{" in code:
            open_block = _header(line, number)
            found.append(open_block)
            depth = 0
        if open_block is not None:
            depth += code.count("{") - code.count("}")
            if depth <= 0:
                open_block.end = number
                open_block = None
    return found


def _header(line: str, number: int) -> Block:
    if match := _SYNC.match(line):
        objects = [unquote(o.strip()) for o in match.group(3).split(",") if o.strip()]
        return Block("sync", number, name=unquote(match.group(1)), objects=objects)
    if match := _VALUES.match(line):
        return Block("values", number, name=unquote(match.group(1)))
    if _SETTINGS.match(line):
        return Block("settings", number)
    return Block("other", number)


def enclosing(lines: list[str] | tuple[str, ...], line: int) -> Block | None:
    return next((b for b in blocks(lines) if b.contains(line)), None)


@dataclass(frozen=True)
class MapUse:
    hubspot_object: str
    salesforce_objects: tuple[str, ...]
    hubspot: str  # the property as written (maybe `contacts.x`)
    salesforce: str  # the field as written (maybe `Lead.X`)
    arrow: str


def uses_of(lines: list[str] | tuple[str, ...], map_name: str) -> list[MapUse]:
    """The field mappings whose clauses name `values map_name`."""
    wanted = re.compile(rf"\bvalues\s+`?{re.escape(map_name)}`?(\s|,|$|#)")
    found = []
    for block in blocks(lines):
        if block.kind != "sync":
            continue
        last = block.end if block.end is not None else len(lines) - 1
        for number in range(block.line + 1, last + 1):
            match = _USES_MAP.match(lines[number])
            if match and wanted.search(match.group("clauses")):
                found.append(
                    MapUse(
                        block.name,
                        tuple(block.objects),
                        unquote(match.group("hubspot")),
                        unquote(match.group("salesforce")),
                        match.group("arrow"),
                    )
                )
    return found


def value_maps(lines: list[str] | tuple[str, ...]) -> list[tuple[str, int, int, int]]:
    """(name, 0-based line, start, end character) of each `values NAME {` header."""
    found = []
    for block in blocks(lines):
        if block.kind == "values":
            match = _VALUES.match(lines[block.line])
            assert match is not None
            found.append((block.name, block.line, match.start(1), match.end(1)))
    return found
