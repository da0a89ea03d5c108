"""One field mapping: names, clauses, direction and rule, types, owners, writability."""

from __future__ import annotations

import json
from enum import Enum

from msgspec import Struct

from mapc.compiler import ir
from mapc.compiler.catalog import ENUM_KINDS, FieldDef
from mapc.compiler.check import types
from mapc.compiler.check.context import Context, ResolvedBlock, ResolvedField
from mapc.compiler.check.likeness import same_meaning, squash, writable_namesake
from mapc.compiler.check.names import did_you_mean, resolve_hubspot, salesforce_targets
from mapc.runtime.kinds import Rule

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


class Clauses(Struct, frozen=True):
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
    salesforce = salesforce_targets(context, block.salesforce, node.salesforce, hubspot)
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


def _salesforce_names(fields: list[tuple[str, FieldDef]]) -> str:
    """`Lead.Name and Contact.Name`: one diagnostic names every object a line fails on."""
    return " and ".join(f"{o}.{f.name}" for o, f in fields)


def _check_types(
    context: Context,
    block: ResolvedBlock,
    node: ir.FieldMap,
    resolved: ResolvedField,
    clauses: Clauses,
    to_sf: bool,
    to_hs: bool,
) -> None:
    """Owners, types and options of one line, each problem reported once for all the
    Salesforce objects it concerns."""
    hubspot = resolved.hubspot
    pairs = list(resolved.salesforce.items())
    owners = [(o, f) for o, f in pairs if _is_owner(hubspot, f)]
    if clauses.owner is not None:
        wrong = [(o, f) for o, f in pairs if not _is_owner(hubspot, f)]
        if wrong:
            context.error(
                "E409",
                f"`owner` applies to owner fields, not HubSpot {block.hubspot.name}.{hubspot.name} "
                f"and Salesforce {_salesforce_names(wrong)}",
                clauses.owner.span,
                "owners map `hubspot_owner_id <-> OwnerId : two way, owner`",
            )
        return
    if owners:
        context.error(
            "E409",
            "owner fields sync through owner resolution",
            node.span,
            "add `owner`: HubSpot owners reach Salesforce only when they match an active "
            "Salesforce user by name and email",
        )
        return
    clashing: list[tuple[str, FieldDef, str]] = []
    for object_name, sf_field in pairs:
        for target, source, ok in ((sf_field, hubspot, to_sf), (hubspot, sf_field, to_hs)):
            if ok and not types.can_hold(target, source):
                clashing.append(
                    (object_name, sf_field, _type_hint(block, hubspot, sf_field, target, source))
                )
                break
    if clashing:
        kinds = {types.describe(f) for _, f, _ in clashing}
        if len(kinds) == 1:
            shown = f"{_salesforce_names([(o, f) for o, f, _ in clashing])} ({kinds.pop()})"
        else:
            shown = " and ".join(f"{o}.{f.name} ({types.describe(f)})" for o, f, _ in clashing)
        context.error(
            "E301",
            f"HubSpot {block.hubspot.name}.{hubspot.name} ({types.describe(hubspot)}) cannot "
            f"sync with Salesforce {shown}",
            node.salesforce.span,
            "; ".join(dict.fromkeys(h for _, _, h in clashing)),
        )
        return
    _check_enumerations(context, node, hubspot, pairs, clauses)
    too_short = [(o, f) for o, f in pairs if to_sf and types.may_not_fit(f, hubspot)]
    if too_short:  # one warning for the line, naming every object whose field is too short
        shortest = min(f.length or 0 for _, f in too_short)
        context.warn(
            "W103",
            f"HubSpot {block.hubspot.name}.{hubspot.name} ({types.length_text(hubspot)}) "
            f"may be longer than Salesforce {_salesforce_names(too_short)} can hold "
            f"({shortest} characters)",
            node.salesforce.span,
            "Salesforce rejects a longer value (STRING_TOO_LONG): map it to a longer "
            "field such as a text area, or send it only to HubSpot with `<-`",
        )


def _check_enumerations(
    context: Context,
    node: ir.FieldMap,
    hubspot: FieldDef,
    pairs: list[tuple[str, FieldDef]],
    clauses: Clauses,
) -> None:
    if clauses.values is not None:
        plain = [
            (o, f) for o, f in pairs if hubspot.type not in ENUM_KINDS and f.type not in ENUM_KINDS
        ]
        if plain:
            kinds = " and ".join(dict.fromkeys(f.type for _, f in plain))
            context.error(
                "E303",
                f"value map on {hubspot.name} ({hubspot.type}) and "
                f"{_salesforce_names(plain)} ({kinds})",
                clauses.values.span,
                "value maps translate enumeration and picklist options; remove it",
            )
        return
    differing = [
        (o, f)
        for o, f in pairs
        if types.both_enumerations(hubspot, f)
        and set(hubspot.option_values) != set(f.option_values)
    ]
    if differing:
        context.error(
            "E302",
            f"{hubspot.name} and {_salesforce_names(differing)} have different options and no "
            f"value map",
            node.span,
            _value_map_hint(context, hubspot, [f for _, f in differing]),
        )


def _value_map_hint(context: Context, hubspot: FieldDef, sf_fields: list[FieldDef]) -> str:
    """Suggest only a value map whose every entry names options of both fields: any other
    would trade this error for E502s, or translate one field's options into another's."""
    fitting = [
        name
        for name, block in sorted(context.value_maps.items())
        if block.entries
        and all(
            str(e.hubspot.value) in hubspot.option_values
            and all(str(e.salesforce.value) in f.option_values for f in sf_fields)
            for e in block.entries
        )
    ]
    if fitting:
        which = " or ".join(f"`, values {name}`" for name in fitting[:3])
        return f"add {which}: its entries are options of both fields"
    example = hubspot.option_values[0] if hubspot.option_values else "..."
    partner = next((o for o in sf_fields[0].option_values if squash(o) == squash(example)), "...")
    return (
        f"add `, values NAME` and declare `values NAME {{ ... }}` with an entry for each "
        f"option of {hubspot.name}, e.g. `{example} -> {json.dumps(partner)}`"
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
    hubspot = resolved.hubspot
    hubspot_name = f"HubSpot {block.hubspot.name}.{hubspot.name}"
    blocked = [(o, f) for o, f in resolved.salesforce.items() if to_sf and not f.writable_on_update]
    hubspot_blocked = to_hs and (hubspot.read_only or hubspot.calculated)
    if blocked and hubspot_blocked:
        context.error(
            "E411",
            f"neither side can be written: {hubspot_name} and Salesforce "
            f"{_salesforce_names(blocked)} are read-only",
            node.span,
            "both systems fill these in themselves; delete the line, or map each to a "
            "writable field",
        )
        return
    if blocked:
        formula = all(f.calculated for _, f in blocked)
        context.error(
            "E411",
            f"Salesforce {_salesforce_names(blocked)} cannot be written"
            + (" (a formula field)" if formula else " (read-only)"),
            node.salesforce.span,
            _salesforce_read_only_hint(block, node, hubspot, blocked, formula),
        )
    if hubspot_blocked:
        context.error(
            "E411",
            f"{hubspot_name} is read-only",
            node.hubspot.span,
            _hubspot_read_only_hint(block, node, hubspot, resolved.salesforce),
        )


def _salesforce_read_only_hint(
    block: ResolvedBlock,
    node: ir.FieldMap,
    hubspot: FieldDef,
    blocked: list[tuple[str, FieldDef]],
    formula: bool,
) -> str:
    """`<-` only when the read-only field holds what the property means: reading a
    person's Full Name into Company would be a worse mistake than the error."""
    field = blocked[0][1]
    if all(same_meaning(hubspot, f) for _, f in blocked):
        if not (hubspot.read_only or hubspot.calculated):
            return f"sync it Salesforce -> HubSpot only: `{node.hubspot} <- {node.salesforce}`"
        return (
            f"Salesforce sets {field.name} and HubSpot sets {hubspot.name}, and neither can be "
            "written: delete the line"
        )
    what = "a formula" if formula else "filled in by Salesforce"
    told = f"{field.name} ({field.label}) is {what}, not {hubspot.label}"
    for object_name in block.salesforce:
        namesake = writable_namesake(hubspot, block.salesforce[object_name].fields.values())
        if namesake is not None:
            return (
                f"{told}: map `{node.hubspot}` to `{object_name}.{namesake.name}` "
                f"({namesake.label}) instead"
            )
    return f"{told}: map `{node.hubspot}` to a field Salesforce lets you write"


def _hubspot_read_only_hint(
    block: ResolvedBlock, node: ir.FieldMap, hubspot: FieldDef, salesforce: dict[str, FieldDef]
) -> str:
    """`->` only when the property holds what the Salesforce field means."""
    field = next(iter(salesforce.values()))
    if all(same_meaning(hubspot, f) for f in salesforce.values()):
        if all(f.writable_on_update for f in salesforce.values()):
            return f"sync it HubSpot -> Salesforce only: `{node.hubspot} -> {node.salesforce}`"
        return (
            f"HubSpot sets {hubspot.name} and Salesforce sets {field.name}, and neither can be "
            "written: delete the line"
        )
    namesake = writable_namesake(field, block.hubspot.fields.values())
    told = f"{hubspot.name} ({hubspot.label}) is filled in by HubSpot, not {field.label}"
    if namesake is not None:
        return f"{told}: map `{namesake.name}` ({namesake.label}) instead"
    return f"{told}: map a property HubSpot lets you write"
