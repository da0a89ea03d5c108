"""Hover: what the catalogs say about the fields, objects and values under the cursor."""

from __future__ import annotations

import re

from lsprotocol import types

from mapc.compiler.catalog import Catalog, FieldDef, ObjectDef
from mapc.lsp import outline
from mapc.lsp.analysis import Analysis

_FIELD_MAP = re.compile(
    r"(?P<indent>\s*)(?P<hubspot>[\w`.-]+)\s*(?P<arrow><->|->|<-)\s*(?P<salesforce>[\w`.-]+)"
)
_DEFAULT = re.compile(r"\s*default\s+(?P<salesforce>[\w`.-]+)")
_ENTRY = re.compile(
    r'\s*(?P<left>"(?:[^"\\]|\\.)*"|[\w`.-]+)\s*->\s*(?P<right>"(?:[^"\\]|\\.)*"|[\w.-]+)'
)
_WORD = re.compile(r"`[^`]*`|[\w.]+")
MAX_OPTIONS = 25


def hover(analysis: Analysis, position: types.Position) -> types.Hover | None:
    lines = analysis.source.lines
    number = position.line
    if number >= len(lines):
        return None
    _, column = analysis.index.column(position)
    text = lines[number]
    block = outline.enclosing(lines, number)
    catalog = analysis.catalog
    word = _word_at(text, column - 1)
    if block is not None and block.kind == "sync" and number != block.end:
        hubspot_object = catalog.hubspot.object(block.name)
        if match := _FIELD_MAP.match(text):
            if _after_values(text, column - 1):
                return _value_map_hover(analysis, word[1] if word else "")
            parts = [
                _hubspot_text(hubspot_object, match.group("hubspot")),
                _salesforce_text(catalog, block.objects, match.group("salesforce")),
            ]
            return _hover(parts)
        if match := _DEFAULT.match(text):
            return _hover([_salesforce_text(catalog, block.objects, match.group("salesforce"))])
        if word and hubspot_object is not None:
            name = outline.unquote(word[1]).split(".")[-1]
            if hubspot_object.field(name) is not None:
                return _hover([_hubspot_text(hubspot_object, name)])
    if block is not None and block.kind == "values" and number != block.end:
        if match := _ENTRY.match(text):
            return _entry_hover(analysis, block.name, match.group("left"), match.group("right"))
    if word is not None:
        name = outline.unquote(word[1])
        if _after_values(text, column - 1):
            return _value_map_hover(analysis, name)
        obj = catalog.hubspot.object(name)
        if obj is not None:
            return _hover([_object_text("HubSpot", obj)])
        obj = catalog.salesforce.object(name)
        if obj is not None:
            return _hover([_object_text("Salesforce", obj)])
    return None


def _hover(parts: list[str]) -> types.Hover:
    return types.Hover(
        contents=types.MarkupContent(
            kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)
        )
    )


def _word_at(text: str, index: int) -> tuple[str, str] | None:
    """(the word before, the word) at character `index`."""
    for match in _WORD.finditer(text):
        if match.start() <= index <= match.end():
            before = text[: match.start()].split()
            return (before[-1] if before else ""), match.group(0)
    return None


def _after_values(text: str, index: int) -> bool:
    start = index
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_`"):
        start -= 1
    return text[:start].rstrip().endswith("values") and ":" in text[:start]


def describe(system: str, object_name: str, field: FieldDef) -> str:
    """A field as Markdown: label, type, length, flags and options."""
    head = f"**{system}** `{object_name}.{field.name}`: {field.label}"
    kind = f"{field.type} ({field.native_type})" if field.native_type != field.type else field.type
    facts = [kind]
    if field.length:
        facts.append(f"length {field.length}")
    if field.required:
        facts.append("required on create")
    if field.read_only or field.calculated or not field.updateable:
        facts.append("read-only" if not field.calculated else "formula (read-only)")
    if field.custom:
        facts.append("custom")
    if field.reference_to:
        facts.append("references " + ", ".join(field.reference_to))
    lines = [head, "", "; ".join(facts)]
    if field.options:
        shown = ", ".join(
            f"`{o.value}`" + (f" ({o.label})" if o.label != o.value else "")
            for o in field.options[:MAX_OPTIONS]
        )
        more = len(field.options) - MAX_OPTIONS
        lines += ["", f"options: {shown}" + (f", and {more} more" if more > 0 else "")]
    return "\n".join(lines)


def _hubspot_text(obj: ObjectDef | None, written: str) -> str:
    if obj is None:
        return f"**HubSpot** `{written}`: unknown object"
    name = outline.unquote(written.split(".")[-1]) if "." in written else outline.unquote(written)
    field = obj.field(name)
    if field is None:
        return f"**HubSpot** `{obj.name}.{name}`: not in the catalogs"
    return describe("HubSpot", obj.name, field)


def _salesforce_text(catalog: Catalog, objects: list[str], written: str) -> str:
    object_name, _, field_name = written.rpartition(".")
    names = [object_name] if object_name else objects
    parts = []
    for name in names:
        obj = catalog.salesforce.object(outline.unquote(name))
        field = obj.field(outline.unquote(field_name)) if obj is not None else None
        if field is None:
            parts.append(f"**Salesforce** `{name}.{field_name}`: not in the catalogs")
        else:
            parts.append(describe("Salesforce", name, field))
    return "\n\n".join(parts)


def _object_text(system: str, obj: ObjectDef) -> str:
    return f"**{system}** object `{obj.name}`: {obj.label} ({len(obj.fields)} fields)"


def used_fields(analysis: Analysis, map_name: str) -> list[tuple[FieldDef, list[FieldDef]]]:
    """(HubSpot property, its Salesforce fields) of each mapping that uses the value map."""
    catalog = analysis.catalog
    found = []
    for use in outline.uses_of(analysis.source.lines, map_name):
        hubspot_object = catalog.hubspot.object(use.hubspot_object)
        if hubspot_object is None:
            continue
        hubspot = hubspot_object.field(use.hubspot.split(".")[-1])
        object_name, _, field_name = use.salesforce.rpartition(".")
        objects = [object_name] if object_name else list(use.salesforce_objects)
        fields = [
            f
            for o in objects
            if (obj := catalog.salesforce.object(o)) and (f := obj.field(field_name))
        ]
        if hubspot is not None:
            found.append((hubspot, fields))
    return found


def _value_map_hover(analysis: Analysis, name: str) -> types.Hover | None:
    uses = outline.uses_of(analysis.source.lines, name)
    if not any(n == name for n, *_ in outline.value_maps(analysis.source.lines)):
        return None
    used = ", ".join(f"`{u.hubspot} {u.arrow} {u.salesforce}`" for u in uses) or "nothing"
    return _hover([f"**value map** `{name}`, used by {used}"])


def _entry_hover(analysis: Analysis, map_name: str, left: str, right: str) -> types.Hover | None:
    hubspot_value, salesforce_value = _plain(left), _plain(right)
    parts = []
    for hubspot, fields in used_fields(analysis, map_name):
        option = hubspot.option(hubspot_value)
        shown = f"“{option.label}”" if option else "not one of its options"
        parts.append(f"**HubSpot** `{hubspot.name}` `{hubspot_value}`: {shown}")
        for field in fields:
            option = field.option(salesforce_value)
            if field.is_enum:
                shown = f"“{option.label}”" if option else "not one of its options"
            else:
                shown = f"{field.type} value"
            parts.append(f"**Salesforce** `{field.name}` `{salesforce_value}`: {shown}")
    return _hover(parts) if parts else None


def _plain(value: str) -> str:
    if value.startswith('"'):
        import json

        try:
            decoded = json.loads(value)
        except ValueError:
            return value[1:-1]
        return str(decoded)
    return outline.unquote(value)
