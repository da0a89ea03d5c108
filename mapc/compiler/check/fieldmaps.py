"""One field mapping: names, clauses, direction and rule, types, owners, writability."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from mapc.compiler import ir
from mapc.compiler.catalog import ENUM_KINDS, FieldDef
from mapc.compiler.check import types
from mapc.compiler.check.context import Context, ResolvedBlock, ResolvedField
from mapc.compiler.check.names import did_you_mean, resolve_hubspot, salesforce_targets
from mapc.runtime.adapter import Rule

OPT_OUT_HUBSPOT = "hs_email_optout"
OPT_OUT_SALESFORCE = "HasOptedOutOfEmail"
OPT_OUT_LINE = f"{OPT_OUT_HUBSPOT} <-> {OPT_OUT_SALESFORCE} : standard opt_out"

_RULES = {
    ir.RuleKind.TWO_WAY: Rule.TWO_WAY,
    ir.RuleKind.PREFER_SALESFORCE: Rule.PREFER_SALESFORCE,
    ir.RuleKind.ALWAYS_SALESFORCE: Rule.ALWAYS_SALESFORCE,
    ir.RuleKind.ALWAYS_HUBSPOT: Rule.ALWAYS_HUBSPOT,
    ir.RuleKind.DO_NOT_SYNC: Rule.DO_NOT_SYNC,
}
# Which rules each arrow admits, and the rule it means when none is written.
_ALLOWED = {
    ir.Direction.BOTH: (
        ir.RuleKind.TWO_WAY,
        ir.RuleKind.PREFER_SALESFORCE,
        ir.RuleKind.DO_NOT_SYNC,
    ),
    ir.Direction.TO_SALESFORCE: (
        ir.RuleKind.ONE_WAY,
        ir.RuleKind.ALWAYS_HUBSPOT,
        ir.RuleKind.DO_NOT_SYNC,
    ),
    ir.Direction.TO_HUBSPOT: (
        ir.RuleKind.ONE_WAY,
        ir.RuleKind.ALWAYS_SALESFORCE,
        ir.RuleKind.DO_NOT_SYNC,
    ),
}
_ARROW_FOR = {
    ir.RuleKind.ALWAYS_SALESFORCE: "`<-`",
    ir.RuleKind.ALWAYS_HUBSPOT: "`->`",
    ir.RuleKind.ONE_WAY: "`->` or `<-`",
    ir.RuleKind.TWO_WAY: "`<->`",
    ir.RuleKind.PREFER_SALESFORCE: "`<->`",
}


_CLAUSE_NAMES: dict[type, str] = {
    ir.Rule: "rules",
    ir.Standard: "`standard` clauses",
    ir.ValuesRef: "value maps",
    ir.OwnerFlag: "`owner` clauses",
}


@dataclass(frozen=True)
class Clauses:
    rule: ir.Rule | None
    standard: ir.Standard | None
    values: ir.ValuesRef | None
    owner: ir.OwnerFlag | None


def check_field_map(
    context: Context, block: ResolvedBlock, node: ir.FieldMap
) -> ResolvedField | None:
    clauses = _sort_clauses(context, node)
    value_map = _value_map(context, clauses.values)
    hubspot = resolve_hubspot(context, block.hubspot, node.hubspot)
    salesforce = salesforce_targets(context, block.salesforce, node.salesforce)
    opt_out = _check_opt_out(context, block, node, clauses)
    if opt_out is _OptOut.REJECTED:
        return None  # E402/E403 said it all: no cascade of type or writer errors
    if clauses.standard is None:
        _check_direction(context, block, node, clauses.rule)
    if hubspot is None or salesforce is None:
        return None
    rule = effective_rule(node, clauses.rule)
    to_sf, to_hs = flows(rule, node.direction)
    resolved = ResolvedField(
        node=node,
        hubspot=hubspot,
        salesforce=salesforce,
        rule=rule,
        to_salesforce=to_sf,
        to_hubspot=to_hs,
        owner=clauses.owner is not None,
    )
    if opt_out is _OptOut.STANDARD:
        return resolved
    if rule is not Rule.DO_NOT_SYNC:
        _check_types(context, block, node, resolved, clauses, to_sf, to_hs)
        _check_writable(context, block, node, resolved, to_sf, to_hs)
    if value_map is not None:
        resolved.value_map = value_map
        context.value_map_uses.append((value_map, resolved))
    return resolved


def _value_map(context: Context, ref: ir.ValuesRef | None) -> ir.ValuesBlock | None:
    if ref is None:
        return None
    name = ref.name.value
    value_map = context.value_maps.get(name)
    if value_map is None:
        context.error(
            "E205",
            f"no value map named `{name}`",
            ref.name.span,
            did_you_mean(name, sorted(context.value_maps))
            or f"declare it: `values {name} {{ ... }}`",
        )
    else:
        context.referenced_maps.add(name)
    return value_map


def effective_rule(node: ir.FieldMap, written: ir.Rule | None) -> Rule:
    if any(isinstance(c, ir.Standard) for c in node.clauses):
        return Rule.OPT_OUT
    if written is None or written.kind is ir.RuleKind.ONE_WAY:
        return {
            ir.Direction.BOTH: Rule.TWO_WAY,
            ir.Direction.TO_SALESFORCE: Rule.ALWAYS_HUBSPOT,
            ir.Direction.TO_HUBSPOT: Rule.ALWAYS_SALESFORCE,
        }[node.direction]
    return _RULES[written.kind]


def flows(rule: Rule, direction: ir.Direction) -> tuple[bool, bool]:
    """(HubSpot -> Salesforce, Salesforce -> HubSpot) for a checked rule."""
    if rule is Rule.DO_NOT_SYNC:
        return False, False
    if rule is Rule.ALWAYS_HUBSPOT:
        return True, False
    if rule is Rule.ALWAYS_SALESFORCE:
        return False, True
    return True, True


def clauses_of(node: ir.FieldMap) -> Clauses:
    """The first clause of each kind (later duplicates are E414's business)."""
    seen: dict[type, ir.Clause] = {}
    for clause in node.clauses:
        seen.setdefault(type(clause), clause)
    return _clauses(seen)


def _clauses(seen: dict[type, ir.Clause]) -> Clauses:
    rule, standard, values, owner = (
        seen.get(k) for k in (ir.Rule, ir.Standard, ir.ValuesRef, ir.OwnerFlag)
    )
    assert rule is None or isinstance(rule, ir.Rule)
    assert standard is None or isinstance(standard, ir.Standard)
    assert values is None or isinstance(values, ir.ValuesRef)
    assert owner is None or isinstance(owner, ir.OwnerFlag)
    return Clauses(rule, standard, values, owner)


def _sort_clauses(context: Context, node: ir.FieldMap) -> Clauses:
    seen: dict[type, ir.Clause] = {}
    for clause in node.clauses:
        kind = type(clause)
        if kind in seen:
            what = _CLAUSE_NAMES[kind]
            context.error(
                "E414",
                f"a field mapping takes one rule; this one has two {what}",
                clause.span,
                f"the first is at column {seen[kind].span.column}; keep one",
            )
        else:
            seen[kind] = clause
    clauses = _clauses(seen)
    if clauses.standard is not None and len(seen) > 1:
        extra = next(c for c in node.clauses if not isinstance(c, ir.Standard))
        context.error(
            "E402",
            "the standard opt-out mapping cannot be modified",
            extra.span,
            f"it is fixed (CAN-SPAM): write exactly `{OPT_OUT_LINE}`",
        )
    return clauses


def _check_direction(
    context: Context, block: ResolvedBlock, node: ir.FieldMap, rule: ir.Rule | None
) -> None:
    if rule is not None and rule.kind not in _ALLOWED[node.direction]:
        context.error(
            "E413",
            f"`{node.direction.value}` and `{rule.kind.value}` disagree",
            rule.span,
            f"`{rule.kind.value}` goes with {_ARROW_FOR[rule.kind]}; `{node.direction.value}` "
            f"takes {', '.join(f'`{k.value}`' for k in _ALLOWED[node.direction])}",
        )
        return
    block_direction = block.node.direction
    if block_direction is not ir.Direction.BOTH and node.direction is not block_direction:
        if rule is None or rule.kind is not ir.RuleKind.DO_NOT_SYNC:
            context.error(
                "E413",
                f"the block syncs `{block_direction.value}` only, but this field syncs `{node.direction.value}`",
                node.direction_span,
                f"use `{block_direction.value}` here, or `<->` on the block",
            )


class _OptOut(Enum):
    UNRELATED = "unrelated"
    STANDARD = "standard"
    REJECTED = "rejected"


def _check_opt_out(
    context: Context, block: ResolvedBlock, node: ir.FieldMap, clauses: Clauses
) -> _OptOut:
    """R1: is `node` the standard opt-out mapping, well-formed, or a rejected attempt?"""
    touches = (
        node.hubspot.field.value == OPT_OUT_HUBSPOT
        or node.salesforce.field.value == OPT_OUT_SALESFORCE
    )
    standard = clauses.standard
    if standard is None:
        if not touches:
            return _OptOut.UNRELATED
        context.error(
            "E402",
            "the standard opt-out mapping cannot be modified",
            node.span,
            f"Unsubscribed from all email <-> Email Opt Out is fixed (CAN-SPAM): write exactly `{OPT_OUT_LINE}`",
        )
        return _OptOut.REJECTED
    if standard.name.value != "opt_out":
        context.error(
            "E403",
            f"there is no standard mapping `{standard.name.value}`",
            standard.name.span,
            "the one standard mapping is `standard opt_out`",
        )
        return _OptOut.REJECTED
    if block.hubspot.name != "contacts":
        context.error(
            "E403",
            "the standard opt-out mapping belongs in `sync contacts`",
            standard.span,
            "email opt-out is a contact's, lead's or Salesforce contact's",
        )
        return _OptOut.REJECTED
    exact = (
        node.hubspot.object is None
        and node.hubspot.field.value == OPT_OUT_HUBSPOT
        and node.salesforce.object is None
        and node.salesforce.field.value == OPT_OUT_SALESFORCE
        and node.direction is ir.Direction.BOTH
    )
    if not exact:
        context.error(
            "E402",
            "the standard opt-out mapping cannot be modified",
            node.span,
            f"write exactly `{OPT_OUT_LINE}`: it applies to leads and contacts, both ways",
        )
        return _OptOut.REJECTED
    return _OptOut.STANDARD


def _check_types(
    context: Context,
    block: ResolvedBlock,
    node: ir.FieldMap,
    resolved: ResolvedField,
    clauses: Clauses,
    to_sf: bool,
    to_hs: bool,
) -> None:
    hubspot = resolved.hubspot
    too_short: list[tuple[str, FieldDef]] = []
    for object_name, sf_field in resolved.salesforce.items():
        owners = _is_owner(hubspot, sf_field)
        if clauses.owner is not None:
            if not owners:
                context.error(
                    "E409",
                    f"`owner` applies to owner fields, not HubSpot {block.hubspot.name}.{hubspot.name} "
                    f"and Salesforce {object_name}.{sf_field.name}",
                    clauses.owner.span,
                    "owners map `hubspot_owner_id <-> OwnerId : two way, owner`",
                )
            continue
        if owners:
            context.error(
                "E409",
                "owner fields sync through owner resolution",
                node.span,
                "add `owner`: HubSpot owners reach Salesforce only when they match an active "
                "Salesforce user by name and email",
            )
            continue
        for target, source, ok in ((sf_field, hubspot, to_sf), (hubspot, sf_field, to_hs)):
            if ok and not types.can_hold(target, source):
                context.error(
                    "E301",
                    f"HubSpot {block.hubspot.name}.{hubspot.name} ({types.describe(hubspot)}) cannot "
                    f"sync with Salesforce {object_name}.{sf_field.name} ({types.describe(sf_field)})",
                    node.salesforce.span,
                    _type_hint(block, hubspot, sf_field, target, source),
                )
                break
        else:
            _check_enumerations(context, node, hubspot, sf_field, clauses)
            if to_sf and types.may_not_fit(sf_field, hubspot):
                too_short.append((object_name, sf_field))
    if too_short:  # one warning for the line, naming every object whose field is too short
        names = " and ".join(f"{o}.{f.name}" for o, f in too_short)
        shortest = min(f.length or 0 for _, f in too_short)
        context.warn(
            "W103",
            f"HubSpot {block.hubspot.name}.{hubspot.name} ({types.length_text(hubspot)}) "
            f"may be longer than Salesforce {names} can hold ({shortest} characters)",
            node.salesforce.span,
            "Salesforce rejects a longer value (STRING_TOO_LONG): map it to a longer "
            "field such as a text area, or send it only to HubSpot with `<-`",
        )


def _check_enumerations(
    context: Context, node: ir.FieldMap, hubspot: FieldDef, sf_field: FieldDef, clauses: Clauses
) -> None:
    if clauses.values is not None:
        if hubspot.type not in ENUM_KINDS and sf_field.type not in ENUM_KINDS:
            context.error(
                "E303",
                f"value map on {hubspot.name} ({hubspot.type}) and {sf_field.name} ({sf_field.type})",
                clauses.values.span,
                "value maps translate enumeration and picklist options; remove it",
            )
        return
    if types.both_enumerations(hubspot, sf_field) and set(hubspot.option_values) != set(
        sf_field.option_values
    ):
        context.error(
            "E302",
            f"{hubspot.name} and {sf_field.name} have different options and no value map",
            node.span,
            _value_map_hint(context, hubspot.name),
        )


def _value_map_hint(context: Context, property_name: str) -> str:
    unused = sorted(set(context.value_maps) - context.referenced_maps)
    if unused:
        return f"add `, values {unused[0]}` (declared, not used yet), or declare another map"
    return (
        f"add `, values NAME` and declare `values NAME {{ ... }}` mapping every option "
        f"of {property_name}"
    )


def _type_hint(
    block: ResolvedBlock, hubspot: FieldDef, sf_field: FieldDef, target: FieldDef, source: FieldDef
) -> str:
    reason = types.why_not(target, source)
    if sf_field.name == "AccountId" and hubspot.type != "reference":
        return (
            f"{reason}; map `{hubspot.name}` to `Lead.Company` (text) instead, and let "
            f"`sync companies <-> Account` link the contact's account"
        )
    return reason


def _is_owner(hubspot: FieldDef, sf_field: FieldDef) -> bool:
    return (
        hubspot.type == "reference"
        and "owners" in hubspot.reference_to
        and sf_field.type == "reference"
        and "User" in sf_field.reference_to
    )


def _check_writable(
    context: Context,
    block: ResolvedBlock,
    node: ir.FieldMap,
    resolved: ResolvedField,
    to_sf: bool,
    to_hs: bool,
) -> None:
    if to_sf:
        for object_name, sf_field in resolved.salesforce.items():
            if not sf_field.writable_on_update:
                context.error(
                    "E411",
                    f"Salesforce {object_name}.{sf_field.name} cannot be written"
                    + (" (a formula field)" if sf_field.calculated else " (read-only)"),
                    node.salesforce.span,
                    "sync it Salesforce -> HubSpot only (`<-`), or map another field",
                )
    hubspot = resolved.hubspot
    if to_hs and (hubspot.read_only or hubspot.calculated):
        context.error(
            "E411",
            f"HubSpot {block.hubspot.name}.{hubspot.name} is read-only",
            node.hubspot.span,
            "sync it HubSpot -> Salesforce only (`->`), or map another property",
        )
