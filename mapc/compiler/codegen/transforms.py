"""The view of one transform function: a source record -> the values the rules let through.

Unconditional fields become entries of one dict display; fields whose rule depends on the
values (prefer Salesforce unless blank, value maps, the opt-out) become small `if` steps.
"""

from __future__ import annotations

from dataclasses import dataclass

from mapc.compiler.codegen.context import ModuleContext
from mapc.compiler.codegen.literals import comment_text
from mapc.compiler.codegen.pretty import def_line
from mapc.compiler.plan import PlannedField
from mapc.runtime.kinds import Rule

__all__ = ["Step", "TransformView", "build_transform", "kind_class"]

_NUMBER = frozenset({"number", "currency", "percent"})
_RULE_WORDS = {
    Rule.TWO_WAY: "two way",
    Rule.PREFER_SALESFORCE: "prefer salesforce unless blank",
    Rule.ALWAYS_SALESFORCE: "always salesforce",
    Rule.ALWAYS_HUBSPOT: "always hubspot",
    Rule.DO_NOT_SYNC: "do not sync",
    Rule.OPT_OUT: "standard opt_out",
}


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
class Step:
    """One conditional field: `kind` selects the macro in templates/_transform.jinja."""

    kind: str
    """"fill" (write only while the target is blank), "win" (write unless the source is
    blank), "map" (value map), "fill_map", "win_map", "opt_out"."""
    comment: str
    target: str
    source: str
    convert: str
    """The conversion applied to `value` (an expression), "value" when none."""
    table: str = ""
    """The value map constant, for the map kinds."""
    target_blank: str = ""
    """Whether the current target value is blank (the fill kinds)."""
    value_blank: str = ""
    """Whether `value` is blank: `not value` for text, which is faster and the same there."""
    value_present: str = ""


@dataclass(frozen=True)
class TransformView:
    name: str
    signature: str
    doc: str
    entries: tuple[tuple[str, str], ...]
    """(target literal, expression) of the dict display, in written order."""
    steps: tuple[Step, ...]
    uses_current: bool


def _blank(expr: str, kind: str) -> str:
    # Text values are str or None, so truthiness is exact; 0 and False are not blank.
    return f"not {expr}" if kind_class(kind) == "text" else f'{expr} in (None, "")'


def _present(expr: str, kind: str) -> str:
    return expr if kind_class(kind) == "text" else f'{expr} not in (None, "")'


def _comment(f: PlannedField, to_salesforce: bool) -> str:
    arrow = "->" if to_salesforce else "<-"
    words = _RULE_WORDS[f.rule] + (f", values {f.value_map}" if f.value_map else "")
    words += ", owner" if f.owner else ""
    return comment_text(f"{f.hubspot} {arrow} {f.salesforce}: {words}")


def build_transform(
    ctx: ModuleContext,
    name: str,
    doc: str,
    fields: list[PlannedField],
    to_salesforce: bool,
    tables: dict[str, str],
) -> TransformView:
    """`tables` maps a value map's name to the constant translating in this direction."""
    entries: list[tuple[str, str]] = []
    steps: list[Step] = []
    for f in fields:
        source, target = (f.hubspot, f.salesforce) if to_salesforce else (f.salesforce, f.hubspot)
        src, dst = ctx.lit(source), ctx.lit(target)
        comment = _comment(f, to_salesforce)
        source_kind, target_kind = (
            (f.hubspot_kind, f.salesforce_kind)
            if to_salesforce
            else (f.salesforce_kind, f.hubspot_kind)
        )
        tests = {
            "target_blank": _blank(f"old({dst})", target_kind),
            "value_blank": _blank("value", source_kind),
            "value_present": _present("value", source_kind),
        }
        if f.rule is Rule.OPT_OUT:
            value = "True" if to_salesforce else ctx.lit("true")
            steps.append(Step("opt_out", comment, dst, src, value))
            continue
        prefer = f.rule is Rule.PREFER_SALESFORCE
        mode = ("fill" if to_salesforce else "win") if prefer else ""
        if f.value_map is not None:
            table = tables[f.value_map]
            kind = f"{mode}_map" if mode else "map"
            steps.append(Step(kind, comment, dst, src, "", table, **tests))
            continue
        conv = (
            None
            if f.owner
            else (_converter_to_salesforce(f) if to_salesforce else _converter_to_hubspot(f))
        )
        if conv is not None:
            ctx.helper(conv)
        if mode:
            convert = f"{conv}(value)" if conv else "value"
            steps.append(Step(mode, comment, dst, src, convert, **tests))
        else:
            if conv:
                entries.append((dst, f"{conv}(get({src}))"))
            elif kind_class(source_kind) == "text":
                # "" and None both mean blank; the target gets None, what it reads back.
                entries.append((dst, f"get({src}) or None"))
            else:
                entries.append((dst, f"get({src})"))
    uses_current = any(s.kind in ("fill", "fill_map") for s in steps)
    signature = def_line(name, ("record: Record", "current: Record | None"), "Values")
    return TransformView(name, signature, doc, tuple(entries), tuple(steps), uses_current)
