"""Completion: objects, HubSpot properties left of an arrow, Salesforce fields right of it,
rules after the colon, value maps, and a value map's missing entries."""

from __future__ import annotations

import json
import re

from lsprotocol import types

from mapc.compiler.catalog import Catalog, FieldDef
from mapc.compiler.formatter import name as quoted
from mapc.lsp import outline
from mapc.lsp.analysis import Analysis
from mapc.lsp.hover import describe, used_fields

RULES = (
    "two way",
    "prefer salesforce unless blank",
    "always hubspot",
    "always salesforce",
    "one way",
    "do not sync",
    "owner",
    "standard opt_out",
)
ITEM_KEYWORDS = (
    "match",
    "include where",
    "default",
    "idempotency key",
    "on delete in ",
    "on closed_won:",
)
DELETION_SIDES = ("salesforce: ", "hubspot: ")
DELETION_ACTIONS = ("delete", "unlink")
_PARTIAL = re.compile(r"(?:`[^`]*|[\w]*)$")
_SYNC_HEAD = re.compile(r"\s*sync\s+(?P<word>\w*)$")
_SYNC_PAIR = re.compile(r"\s*sync\s+(?P<hubspot>\w+)\s*(<->|->|<-)\s*(?P<rest>[\w\s,]*)$")
_LEFT = re.compile(r"\s*(?:(?P<object>[\w`]+)\.)?(?P<word>`[^`]*|\w*)$")
_RIGHT = re.compile(r"\s*[\w`.-]+\s*(<->|->|<-)\s*(?:(?P<object>[\w`]+)\.)?(?P<word>`[^`]*|\w*)$")
_CLAUSE = re.compile(r"\s*[\w`.-]+\s*(<->|->|<-)\s*[\w`.-]+\s*:(?P<clauses>[^#]*)$")
_DEFAULT = re.compile(r"\s*default\s+(?:(?P<object>[\w`]+)\.)?(?P<word>`[^`]*|\w*)$")
_KEY = re.compile(r"\s*idempotency\s+key\s+(?:(?P<object>[\w`]+)\.)?(?P<word>`[^`]*|\w*)$")
_DELETE_SIDE = re.compile(r"\s*on\s+delete\s+in\s+(?P<word>\w*)$")
_DELETE_ACTION = re.compile(r"\s*on\s+delete\s+in\s+\w+\s*:\s*(?P<word>\w*)$")
_FILTER = re.compile(r"\s*include\s+where\s.*?(?:(?P<object>[\w`]+)\.)?(?P<word>\w*)$")
_ENTRY_LEFT = re.compile(r'\s*(?P<word>"[^"]*|[\w`]*)$')
_ENTRY_RIGHT = re.compile(r'\s*("(?:[^"\\]|\\.)*"|[\w`.-]+)\s*->\s*(?P<word>"[^"]*|[\w]*)$')


def complete(analysis: Analysis, position: types.Position) -> list[types.CompletionItem]:
    lines = analysis.source.lines
    number = position.line
    text = lines[number] if number < len(lines) else ""
    _, column = analysis.index.column(position)
    before = text[: column - 1]
    catalog = analysis.catalog
    if match := _SYNC_HEAD.match(before):
        names = [o for o in catalog.hubspot.object_names() if o != "owners"]
        return _items(
            analysis, position, match.group("word"), names, types.CompletionItemKind.Module
        )
    if match := _SYNC_PAIR.match(before):
        word = _partial(before)
        names = list(catalog.salesforce.object_names())
        return _items(analysis, position, word, names, types.CompletionItemKind.Module)
    block = outline.enclosing(lines, number)
    if block is None or number == block.end:
        return []
    if block.kind == "sync":
        return _in_sync(analysis, position, block, before)
    if block.kind == "values":
        return _in_values(analysis, position, block.name, before)
    return []


def _in_sync(
    analysis: Analysis, position: types.Position, block: outline.Block, before: str
) -> list[types.CompletionItem]:
    catalog = analysis.catalog
    hubspot = catalog.hubspot.object(block.name)
    if match := _CLAUSE.match(before):
        clauses = match.group("clauses")
        last = clauses.split(",")[-1].lstrip()
        if re.fullmatch(r"values\s+\w*", last):
            maps = [name for name, *_ in outline.value_maps(analysis.source.lines)]
            word = last.split()[-1] if last.split()[-1] != "values" else ""
            return _items(analysis, position, word, maps, types.CompletionItemKind.Reference)
        word = _partial(before)
        labels = [*RULES, "values "]
        return _items(analysis, position, word, labels, types.CompletionItemKind.Keyword)
    if match := _RIGHT.match(before):
        return _salesforce_items(analysis, position, catalog, block.objects, match)
    if match := _DELETE_SIDE.match(before):
        word, sides = match.group("word"), list(DELETION_SIDES)
        return _items(analysis, position, word, sides, types.CompletionItemKind.Keyword)
    if match := _DELETE_ACTION.match(before):
        word, actions = match.group("word"), list(DELETION_ACTIONS)
        return _items(analysis, position, word, actions, types.CompletionItemKind.Keyword)
    if match := _KEY.match(before):
        return _key_items(analysis, position, catalog, block.name, block.objects, match)
    if match := _DEFAULT.match(before):
        return _salesforce_items(analysis, position, catalog, block.objects, match, qualify=True)
    if match := _FILTER.match(before):
        fields = list(hubspot.fields.values()) if hubspot else []
        return _field_items(analysis, position, match.group("word"), fields, "HubSpot", block.name)
    if match := _LEFT.match(before):
        qualifier = match.group("object")
        word = match.group("word")
        if qualifier is not None and outline.unquote(qualifier) != block.name:
            return []
        fields = list(hubspot.fields.values()) if hubspot else []
        items = _field_items(analysis, position, word, fields, "HubSpot", block.name)
        if qualifier is None:
            items += _items(
                analysis, position, word, list(ITEM_KEYWORDS), types.CompletionItemKind.Keyword
            )
        return items
    return []


def _key_items(
    analysis: Analysis,
    position: types.Position,
    catalog: Catalog,
    hubspot_object: str,
    objects: list[str],
    match: re.Match[str],
) -> list[types.CompletionItem]:
    """`idempotency key`: only fields that can be one (text, unique, and in Salesforce an
    external id: E416, E417), the HubSpot side's qualified with the block's object."""
    word, qualifier = match.group("word"), match.group("object")
    name = outline.unquote(qualifier) if qualifier is not None else None
    items: list[types.CompletionItem] = []
    hubspot = catalog.hubspot.object(hubspot_object)
    if hubspot is not None and name in (None, hubspot_object):
        fields = [f for f in hubspot.fields.values() if f.type == "text" and f.unique]
        items += _field_items(
            analysis, position, word, fields, "HubSpot", hubspot_object, qualified=name is None
        )
    for object_name in objects:
        obj = catalog.salesforce.object(object_name)
        if obj is None or name not in (None, object_name):
            continue
        fields = [f for f in obj.fields.values() if f.type == "text" and f.unique and f.external_id]
        items += _field_items(
            analysis, position, word, fields, "Salesforce", object_name, qualified=name is None
        )
    return items


def _salesforce_items(
    analysis: Analysis,
    position: types.Position,
    catalog: Catalog,
    objects: list[str],
    match: re.Match[str],
    qualify: bool = False,
) -> list[types.CompletionItem]:
    word = match.group("word")
    qualifier = match.group("object")
    if qualifier is not None:
        obj = catalog.salesforce.object(outline.unquote(qualifier))
        if obj is None:
            return []
        return _field_items(
            analysis, position, word, list(obj.fields.values()), "Salesforce", obj.name
        )
    known = [o for name in objects if (o := catalog.salesforce.object(name)) is not None]
    items: list[types.CompletionItem] = []
    if known and not qualify:
        # Unqualified: a field every object of the pair has maps to all of them.
        shared = set.intersection(*(set(o.fields) for o in known))
        fields = [f for name, f in known[0].fields.items() if name in shared]
        items += _field_items(analysis, position, word, fields, "Salesforce", known[0].name)
    for obj in known:
        fields = list(obj.fields.values())
        if not qualify and len(known) > 1:
            fields = [f for f in fields if not all(o.field(f.name) for o in known)]
        items += _field_items(
            analysis, position, word, fields, "Salesforce", obj.name, qualified=True
        )
    return items


def _in_values(
    analysis: Analysis, position: types.Position, map_name: str, before: str
) -> list[types.CompletionItem]:
    lines = analysis.source.lines
    uses = used_fields(analysis, map_name)
    written_left: set[str] = set()
    written_right: set[str] = set()
    for line in lines:
        match = re.match(
            r'\s*("(?:[^"\\]|\\.)*"|[\w`.-]+)\s*->\s*("(?:[^"\\]|\\.)*"|[\w.-]+)', line
        )
        if match:
            written_left.add(_plain(match.group(1)))
            written_right.add(_plain(match.group(2)))
    if match := _ENTRY_RIGHT.match(before):
        options = {o.value: o for _, fields in uses for f in fields for o in f.options}
        word = match.group("word")
        return [
            _item(
                analysis,
                position,
                word,
                json.dumps(value, ensure_ascii=False),
                types.CompletionItemKind.EnumMember,
                detail=option.label,
                sort=("1" if value in written_right else "0") + value,
            )
            for value, option in options.items()
        ]
    if match := _ENTRY_LEFT.match(before):
        # A whole entry for each HubSpot option the map does not cover yet.
        word = match.group("word")
        items = []
        for hubspot, fields in uses:
            partner = fields[0] if fields else None
            for option in hubspot.options:
                if option.value in written_left:
                    continue
                guess = _guess(option.value, option.label, partner)
                value = (
                    option.value
                    if quoted(option.value) == option.value
                    else json.dumps(option.value)
                )
                entry = f"{value} -> {json.dumps(guess, ensure_ascii=False)}"
                items.append(
                    _item(
                        analysis,
                        position,
                        word,
                        entry,
                        types.CompletionItemKind.EnumMember,
                        detail=option.label,
                        filter_text=option.value,
                    )
                )
        return items
    return []


def _partial(before: str) -> str:
    match = _PARTIAL.search(before)
    return match.group(0) if match else ""


def _guess(value: str, label: str, partner: FieldDef | None) -> str:
    if partner is None or not partner.is_enum:
        return label

    def squash(text: str) -> str:
        return "".join(c for c in text.casefold() if c.isalnum())

    for option in partner.options:
        if squash(option.value) in (squash(value), squash(label)):
            return option.value
    return label


def _plain(value: str) -> str:
    if value.startswith('"'):
        try:
            return str(json.loads(value))
        except ValueError:
            return value[1:-1]
    return outline.unquote(value)


def _field_items(
    analysis: Analysis,
    position: types.Position,
    word: str,
    fields: list[FieldDef],
    system: str,
    object_name: str,
    qualified: bool = False,
) -> list[types.CompletionItem]:
    items = []
    for field in fields:
        text = quoted(field.name)
        if qualified:
            text = f"{quoted(object_name)}.{text}"
        items.append(
            _item(
                analysis,
                position,
                word,
                text,
                types.CompletionItemKind.Field,
                detail=f"{field.label} ({field.type})",
                documentation=describe(system, object_name, field),
            )
        )
    return items


def _items(
    analysis: Analysis,
    position: types.Position,
    word: str,
    labels: list[str],
    kind: types.CompletionItemKind,
) -> list[types.CompletionItem]:
    return [_item(analysis, position, word, label, kind) for label in labels]


def _item(
    analysis: Analysis,
    position: types.Position,
    word: str,
    text: str,
    kind: types.CompletionItemKind,
    detail: str | None = None,
    documentation: str | None = None,
    sort: str | None = None,
    filter_text: str | None = None,
) -> types.CompletionItem:
    # The item replaces the partial word before the cursor.
    line, column = analysis.index.column(position)
    start = analysis.index.position(line, column - len(word))
    return types.CompletionItem(
        label=text,
        kind=kind,
        detail=detail,
        documentation=(
            types.MarkupContent(kind=types.MarkupKind.Markdown, value=documentation)
            if documentation
            else None
        ),
        sort_text=sort,
        filter_text=filter_text,
        text_edit=types.TextEdit(range=types.Range(start=start, end=position), new_text=text),
    )
