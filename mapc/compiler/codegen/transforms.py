"""The view of one transform function: a record -> its values converted for the other side.

A transform is a pure value conversion (types, value maps): it decides nothing about a
field's rule, which `runtime/sync/decide.py` alone does. One function per pair and
direction serves every Salesforce object of the pair: the fields all of them have are
written once, and each object's own fields under an `if sobject == ...` of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from mapc.compiler.codegen.context import ModuleContext
from mapc.compiler.codegen.literals import comment_text
from mapc.compiler.codegen.pretty import Seq, def_line, layout
from mapc.compiler.plan import PlannedField, PlannedObject
from mapc.runtime.kinds import Rule

__all__ = ["MapStep", "Part", "TransformView", "build_transform", "kind_class"]

_NUMBER = frozenset({"number", "currency", "percent"})
_PARAMS = ("sobject: str", "record: RecordView")
_NAME_WIDTH = 29
"""Field names wider than this are hoisted, so the longest line an object's own converted
field makes, `out[<name>] = _sf_datetime(record.get(<name>))` at 8 spaces, fits in 100."""


def kind_class(kind: str) -> str:
    """Collapse catalog kinds into the classes that need different value conversion."""
    if kind in _NUMBER:
        return "number"
    if kind in ("bool", "date", "datetime"):
        return kind
    return "text"


def _converter_to_salesforce(f: PlannedField) -> str | None:
    # HubSpot sends every property value as a string; Salesforce wants JSON types.
    return {
        "number": "_sf_number",
        "bool": "_sf_bool",
        "date": "_sf_date",
        "datetime": "_sf_datetime",
    }.get(kind_class(f.salesforce_kind))


def _converter_to_hubspot(f: PlannedField) -> str | None:
    # HubSpot property values are strings; dates go to datetime properties as midnight UTC.
    sf_class, hs_class = kind_class(f.salesforce_kind), kind_class(f.hubspot_kind)
    if sf_class == "date":
        return "_hs_datetime" if hs_class == "datetime" else None
    return {"number": "_hs_number", "bool": "_hs_bool", "datetime": "_hs_datetime"}.get(sf_class)


@dataclass(frozen=True)
class MapStep:
    """A field through a value map: mapped, blank -> None, an unmapped value left out."""

    comment: str
    target: str
    source: str
    table: str
    """The value map constant translating in this direction."""
    value_blank: str
    """Whether `value` is blank: `not value` for text, which is faster and the same there."""


@dataclass(frozen=True)
class Part:
    """The fields of some of the pair's Salesforce objects, in written order."""

    entries: tuple[tuple[str, str], ...]
    """(target literal, expression): plain and converted fields."""
    maps: tuple[MapStep, ...]


@dataclass(frozen=True)
class TransformView:
    name: str
    signature: str
    doc: str
    unknown: str
    """The condition under which `sobject` is none of the pair's objects."""
    shared: Part
    """The fields every object of the pair has."""
    own: tuple[tuple[str, Part], ...]
    """(Salesforce object literal, the fields only it has), for the objects that have any."""


def converts(f: PlannedField, sobject: str, to_salesforce: bool) -> bool:
    """Whether a transform converts `f` for `sobject` in this direction: the fields whose
    rule lets values flow there (the opt-out's only value, R1, is the engine's)."""
    if f.rule in (Rule.DO_NOT_SYNC, Rule.OPT_OUT) or sobject not in f.salesforce_objects:
        return False
    return f.to_salesforce if to_salesforce else f.to_hubspot


def _blank(expr: str, kind: str) -> str:
    # Text values are str or None, so truthiness is exact; 0 and False are not blank.
    return f"not {expr}" if kind_class(kind) == "text" else f'{expr} in (None, "")'


def _part(
    ctx: ModuleContext, fields: list[PlannedField], to_salesforce: bool, tables: dict[str, str]
) -> Part:
    entries: list[tuple[str, str]] = []
    maps: list[MapStep] = []
    for f in fields:
        source, target = (f.hubspot, f.salesforce) if to_salesforce else (f.salesforce, f.hubspot)
        src, dst = ctx.lit(source, _NAME_WIDTH), ctx.lit(target, _NAME_WIDTH)
        source_kind = f.hubspot_kind if to_salesforce else f.salesforce_kind
        if f.value_map is not None:
            arrow = "->" if to_salesforce else "<-"
            comment = comment_text(f"{f.hubspot} {arrow} {f.salesforce}: values {f.value_map}")
            maps.append(
                MapStep(comment, dst, src, tables[f.value_map], _blank("value", source_kind))
            )
            continue
        # Owner ids pass as read: the engine translates them (R10).
        conv = (
            None
            if f.owner
            else (_converter_to_salesforce(f) if to_salesforce else _converter_to_hubspot(f))
        )
        if conv is not None:
            entries.append((dst, f"{ctx.helper(conv)}(record.get({src}))"))
        elif kind_class(source_kind) == "text":
            # "" and None both mean blank; the target gets None, what it reads back.
            entries.append((dst, f"record.get({src}) or None"))
        else:
            entries.append((dst, f"record.get({src})"))
    return Part(tuple(entries), tuple(maps))


def build_transform(
    ctx: ModuleContext,
    name: str,
    doc: str,
    obj: PlannedObject,
    to_salesforce: bool,
    tables: dict[str, str],
) -> TransformView:
    """`tables` maps a value map's name to the constant translating in this direction."""
    objects = obj.salesforce_objects

    def everywhere(f: PlannedField) -> bool:
        return all(converts(f, o, to_salesforce) for o in objects)

    shared = _part(ctx, [f for f in obj.fields if everywhere(f)], to_salesforce, tables)
    own: list[tuple[str, Part]] = []
    for sobject in objects:
        extra = [f for f in obj.fields if converts(f, sobject, to_salesforce) and not everywhere(f)]
        if extra:
            own.append((ctx.lit(sobject), _part(ctx, extra, to_salesforce, tables)))
    literals = tuple(ctx.lit(o) for o in objects)
    if len(literals) == 1:
        unknown = f"sobject != {literals[0]}"
    else:
        head = "sobject not in "
        unknown = head + layout(Seq(literals), 4, len("if ") + len(head), 1)
    signature = def_line(name, _PARAMS, "Values")
    return TransformView(name, signature, doc, unknown, shared, tuple(own))
