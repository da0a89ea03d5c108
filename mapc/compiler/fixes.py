"""Fixes for common diagnostics, as text edits: the editor's quick fixes and `mapc check --fix`.

A fix is computed from a diagnostic's code and span, the IR and the catalogs, so it needs
nothing from the checker beyond the diagnostic. `safe` fixes have one right answer and are
what `--fix` applies; the others are offered to a person, who picks one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mapc.compiler import ir
from mapc.compiler.catalog import Catalog, CatalogError, FieldDef, ObjectDef, load_catalog
from mapc.compiler.check.fieldmaps import clauses_of, effective_rule, flows
from mapc.compiler.diagnostics import Diagnostic
from mapc.compiler.formatter import field_ref, literal, name
from mapc.compiler.source import Source, Span

if TYPE_CHECKING:
    from mapc.compiler.pipeline import CheckResult

FIXABLE = frozenset({"E206", "E413", "E501"})


@dataclass(frozen=True)
class Edit:
    """Replace the text of `span` (1-based, end exclusive) with `text`."""

    span: Span
    text: str


@dataclass(frozen=True)
class Fix:
    title: str
    diagnostic: Diagnostic
    edits: tuple[Edit, ...]
    safe: bool


def fixes_for(
    mapping: ir.MappingFile, catalog: Catalog | None, diagnostic: Diagnostic
) -> list[Fix]:
    """Every fix for `diagnostic`, the safe one (if any) first."""
    found: list[Fix] = []
    if diagnostic.code == "E413":
        found = _arrow_and_rule(mapping, diagnostic)
    elif diagnostic.code == "E501" and catalog is not None:
        found = _missing_entries(mapping, catalog, diagnostic)
    elif diagnostic.code == "E206" and catalog is not None:
        found = _wrong_object(mapping, catalog, diagnostic)
    return sorted(found, key=lambda f: not f.safe)


def safe_fixes(
    mapping: ir.MappingFile, catalog: Catalog | None, diagnostics: Iterable[Diagnostic]
) -> list[Fix]:
    """The safe fix of each diagnostic that has one, without two fixes touching one span."""
    chosen: list[Fix] = []
    taken: list[Span] = []
    for diagnostic in diagnostics:
        fix = next((f for f in fixes_for(mapping, catalog, diagnostic) if f.safe), None)
        if fix is None or any(_overlap(e.span, t) for e in fix.edits for t in taken):
            continue
        chosen.append(fix)
        taken.extend(e.span for e in fix.edits)
    return chosen


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """`text` with non-overlapping `edits` applied (positions are those of the original)."""
    starts = _line_starts(text)

    def offset(line: int, column: int) -> int:
        if line > len(starts):
            return len(text)
        start = starts[line - 1]
        end = starts[line] - 1 if line < len(starts) else len(text)
        return min(start + column - 1, end)

    out = text
    for edit in sorted(edits, key=lambda e: (e.span.line, e.span.column), reverse=True):
        begin = offset(edit.span.line, edit.span.column)
        end = offset(edit.span.end_line, edit.span.end_column)
        out = out[:begin] + edit.text + out[end:]
    return out


def catalog_directory(mapping: ir.MappingFile, base_dir: Path) -> Path | None:
    """The project catalog directory the mapping's `catalogs:` setting names, if any."""
    for block in mapping.of_type(ir.SettingsBlock):
        for setting in block.settings:
            value = setting.value
            if (
                setting.key.value == "catalogs"
                and isinstance(value, ir.Literal)
                and isinstance(value.value, str)
            ):
                try:
                    return (base_dir / value.value).resolve()
                except (OSError, ValueError):
                    return None
    return None


def mapping_catalog(mapping: ir.MappingFile, base_dir: Path) -> Catalog | None:
    """The catalogs the mapping is checked against; None when its project catalog is broken."""
    directory = catalog_directory(mapping, base_dir)
    try:
        return load_catalog([directory] if directory is not None else [])
    except CatalogError:
        return None


# -- E413: the arrow and the rule disagree ------------------------------------------------

_ARROW_OF_RULE = {
    ir.RuleKind.TWO_WAY: ir.Direction.BOTH,
    ir.RuleKind.PREFER_SALESFORCE: ir.Direction.BOTH,
    ir.RuleKind.ALWAYS_HUBSPOT: ir.Direction.TO_SALESFORCE,
    ir.RuleKind.ALWAYS_SALESFORCE: ir.Direction.TO_HUBSPOT,
}
_RULE_OF_ARROW = {
    ir.Direction.BOTH: ir.RuleKind.TWO_WAY,
    ir.Direction.TO_SALESFORCE: ir.RuleKind.ALWAYS_HUBSPOT,
    ir.Direction.TO_HUBSPOT: ir.RuleKind.ALWAYS_SALESFORCE,
}
_ONE_WAY_ARROWS = (ir.Direction.TO_SALESFORCE, ir.Direction.TO_HUBSPOT)


def _agrees(rule: ir.RuleKind | None, arrow: ir.Direction) -> bool:
    if rule is None or rule is ir.RuleKind.DO_NOT_SYNC:
        return True
    if rule is ir.RuleKind.ONE_WAY:
        return arrow is not ir.Direction.BOTH
    return _ARROW_OF_RULE[rule] is arrow


def _arrow_and_rule(mapping: ir.MappingFile, diagnostic: Diagnostic) -> list[Fix]:
    found = _field_map_at(mapping, diagnostic.span)
    if found is None:
        return []
    block, node = found
    rule = clauses_of(node).rule
    allowed_by_block = (
        (ir.Direction.BOTH, *_ONE_WAY_ARROWS)
        if block.direction is ir.Direction.BOTH
        else (block.direction,)
    )

    def arrow_fix(arrow: ir.Direction, safe: bool) -> Fix:
        return Fix(
            f"Change the arrow to `{arrow.value}`", diagnostic, (_arrow_edit(node, arrow),), safe
        )

    fixes: list[Fix] = []
    if rule is not None and diagnostic.span == rule.span:
        # The rule's words say what was meant more precisely than one arrow: the safe fix
        # turns the arrow to the rule, when exactly one arrow fits both it and the block.
        arrows = [a for a in allowed_by_block if _agrees(rule.kind, a)]
        fixes += [arrow_fix(a, safe=len(arrows) == 1) for a in arrows]
        kept = _RULE_OF_ARROW[node.direction]
        fixes.append(
            Fix(
                f"Change the rule to `{kept.value}`",
                diagnostic,
                (Edit(rule.span, kept.value),),
                False,
            )
        )
    elif diagnostic.span == node.direction_span:
        # The field syncs a way its block does not: turn it the block's way, safe when the
        # written rule (if any) still agrees.
        arrow = block.direction
        fixes.append(arrow_fix(arrow, safe=_agrees(rule.kind if rule else None, arrow)))
        if rule is None or rule.kind is not ir.RuleKind.DO_NOT_SYNC:
            words = ir.RuleKind.DO_NOT_SYNC.value
            if rule is not None:
                edit = Edit(rule.span, words)
            elif node.clauses:
                edit = Edit(_point_after(node.clauses[-1].span), f", {words}")
            else:
                edit = Edit(_point_after(node.salesforce.span), f" : {words}")
            fixes.append(Fix("Make it `do not sync`", diagnostic, (edit,), False))
    return fixes


def _arrow_edit(node: ir.FieldMap, arrow: ir.Direction) -> Edit:
    """Replace the arrow, keeping the column of the Salesforce field when there is room.

    The formatter right-aligns arrows in three columns (` ->`, `<->`), so a longer arrow
    takes a space of the gap before it and a shorter one leaves a space there.
    """
    span = node.direction_span
    grow = len(arrow.value) - (span.end_column - span.column)
    gap = span.column - node.hubspot.span.end_column
    if grow > 0 and gap > grow:
        wider = Span(
            file=span.file,
            line=span.line,
            column=span.column - grow,
            end_line=span.end_line,
            end_column=span.end_column,
        )
        return Edit(wider, arrow.value)
    if grow < 0:
        return Edit(span, " " * -grow + arrow.value)
    return Edit(span, arrow.value)


# -- E501: a value map misses options -----------------------------------------------------


def _missing_entries(
    mapping: ir.MappingFile, catalog: Catalog, diagnostic: Diagnostic
) -> list[Fix]:
    block = next(
        (b for b in mapping.of_type(ir.ValuesBlock) if b.name.span == diagnostic.span), None
    )
    if block is None:
        return []
    lefts = {str(e.hubspot.value) for e in block.entries}
    rights = {str(e.salesforce.value) for e in block.entries}
    # (HubSpot value, Salesforce value); None where no value can be told from the catalogs.
    entries: list[tuple[str | None, str | None]] = []
    for hubspot, salesforce, to_sf, to_hs in _uses(mapping, catalog, block.name.value):
        for partner in salesforce:
            if to_sf and hubspot.is_enum:
                for option in hubspot.option_values:
                    if option not in lefts:
                        lefts.add(option)
                        entries.append((option, _partner_value(hubspot, option, partner)))
            if to_hs and partner.is_enum:
                for option in partner.option_values:
                    if option not in rights:
                        rights.add(option)
                        entries.append((_partner_value(partner, option, hubspot), option))
    if not entries:
        return []
    lines = [_entry_text(left, right) for left, right in entries]
    unknown = sum(1 for left, right in entries if left is None or right is None)
    count = len(entries)
    title = f"Add {count} missing entr{'y' if count == 1 else 'ies'} to `{block.name.value}`"
    if unknown:
        title += f" ({unknown} to complete by hand)"
    return [Fix(title, diagnostic, (_insert_entries(block, lines),), safe=not unknown)]


def _uses(
    mapping: ir.MappingFile, catalog: Catalog, map_name: str
) -> Iterator[tuple[FieldDef, list[FieldDef], bool, bool]]:
    """(HubSpot property, its Salesforce fields, flows to Salesforce, to HubSpot) per use."""
    for block in mapping.of_type(ir.SyncBlock):
        hubspot_object = catalog.hubspot.object(block.hubspot_object.value)
        if hubspot_object is None:
            continue
        pair = _pair_objects(catalog, block)
        for node in block.field_maps:
            clauses = clauses_of(node)
            if clauses.values is None or clauses.values.name.value != map_name:
                continue
            hubspot = hubspot_object.field(node.hubspot.field.value)
            objects = (
                [pair[node.salesforce.object.value]]
                if node.salesforce.object is not None and node.salesforce.object.value in pair
                else list(pair.values())
            )
            fields = [f for o in objects if (f := o.field(node.salesforce.field.value))]
            if hubspot is None or not fields:
                continue
            to_sf, to_hs = flows(effective_rule(node, clauses.rule), node.direction)
            yield hubspot, fields, to_sf, to_hs


def _partner_value(field: FieldDef, option: str, partner: FieldDef) -> str | None:
    """The partner's value for `field`'s `option`: its matching option, or the label as text."""
    if not partner.is_enum:
        found = field.option(option)
        return found.label if found is not None else None

    def squash(text: str) -> str:
        return "".join(c for c in text.casefold() if c.isalnum())

    label = field.option(option)
    wanted = {squash(option)} | ({squash(label.label)} if label else set())
    matches = [
        o.value for o in partner.options if squash(o.value) in wanted or squash(o.label) in wanted
    ]
    return matches[0] if len(matches) == 1 else None


def _value_text(value: str) -> str:
    # A bare name where the formatter would write one, a string otherwise.
    shown = name(value)
    return value if shown == value else literal(value)


def _entry_text(left: str | None, right: str | None) -> str:
    # "TODO" marks a side to fill in by hand; the checker points at it (E502) until it is.
    shown_left = _value_text(left) if left is not None else literal("TODO")
    return f"{shown_left} -> {literal(right if right is not None else 'TODO')}"


def _insert_entries(block: ir.ValuesBlock, lines: list[str]) -> Edit:
    span = block.span
    last = block.entries[-1] if block.entries else None
    if span.end_line > span.line and (last is None or last.span.line < span.end_line):
        # The usual layout: one entry per line, `}` on a line of its own. Insert before it,
        # indented and aligned like the entries above.
        indent = " " * ((last.span.column - 1) if last else 2)
        width = (last.salesforce.span.column - last.span.column - 4) if last else 0
        text = "".join(f"{indent}{_align(line, width)}\n" for line in lines)
        return Edit(_empty(span.file, span.end_line, 1), text)
    if last is not None:
        # `... last entry }`: the new entries follow it, `;`-separated.
        return Edit(_point_after(last.span), "".join(f"; {line}" for line in lines))
    # `values x { }`: the entries go just before the closing brace.
    brace = _empty(span.file, span.end_line, span.end_column - 1)
    return Edit(brace, " " + "; ".join(lines) + " ")


def _align(line: str, width: int) -> str:
    left, _, right = line.partition(" -> ")
    return f"{left.ljust(width)} -> {right}"


# -- E206: a field qualified with an object outside the pair ------------------------------


def _wrong_object(mapping: ir.MappingFile, catalog: Catalog, diagnostic: Diagnostic) -> list[Fix]:
    for block in mapping.of_type(ir.SyncBlock):
        for ref, salesforce_side in _field_refs(block):
            if ref.object is None or ref.object.span != diagnostic.span:
                continue
            if salesforce_side:
                return _requalify_salesforce(
                    catalog, block, ref, diagnostic, _next_column(block, ref)
                )
            return _requalify_hubspot(catalog, block, ref, diagnostic)
    return []


def _requalify_salesforce(
    catalog: Catalog,
    block: ir.SyncBlock,
    ref: ir.FieldRef,
    diagnostic: Diagnostic,
    next_column: int | None,
) -> list[Fix]:
    assert ref.object is not None
    pair = _pair_objects(catalog, block)
    having = [o for o in pair.values() if o.field(ref.field.value) is not None]
    fixes = [
        Fix(
            f"Change `{ref.object.value}` to `{obj.name}`",
            diagnostic,
            (
                Edit(ref.object.span, name(obj.name)),
                *_realign(ref, len(name(obj.name)) - len(name(ref.object.value)), next_column),
            ),
            safe=len(having) == 1,
        )
        for obj in having
    ]
    if len(having) > 1 and len(having) == len(pair):
        bare = ir.FieldRef(span=ref.span, object=None, field=ref.field)
        fixes.append(
            Fix(
                f"Map `{ref.field.value}` on {' and '.join(pair)} (`{field_ref(bare)}`)",
                diagnostic,
                (Edit(ref.span, field_ref(bare)),),
                False,
            )
        )
    return fixes


def _next_column(block: ir.SyncBlock, ref: ir.FieldRef) -> int | None:
    """Where the clauses of the field mapping whose Salesforce field is `ref` begin."""
    for node in block.field_maps:
        if node.salesforce is ref and node.clauses:
            return node.clauses[0].span.column
    return None


def _realign(ref: ir.FieldRef, grow: int, next_column: int | None) -> tuple[Edit, ...]:
    """Keep the ` : rule` column after a field reference that grew or shrank by `grow`."""
    if next_column is None or grow == 0:
        return ()
    end = _point_after(ref.span)
    if grow < 0:
        return (Edit(end, " " * -grow),)
    # The gap ends in ` : `; only the spaces before it may go.
    removable = min(grow, next_column - ref.span.end_column - 3)
    if removable <= 0:
        return ()
    return (
        Edit(
            Span(
                file=end.file,
                line=end.line,
                column=end.column,
                end_line=end.line,
                end_column=end.column + removable,
            ),
            "",
        ),
    )


def _requalify_hubspot(
    catalog: Catalog, block: ir.SyncBlock, ref: ir.FieldRef, diagnostic: Diagnostic
) -> list[Fix]:
    hubspot = catalog.hubspot.object(block.hubspot_object.value)
    if hubspot is None or hubspot.field(ref.field.value) is None:
        return []
    bare = ir.FieldRef(span=ref.span, object=None, field=ref.field)
    return [
        Fix(
            f"Use {hubspot.name}'s `{ref.field.value}`",
            diagnostic,
            (Edit(ref.span, field_ref(bare)),),
            # A guess: the property may have been meant for the other object's block.
            safe=False,
        )
    ]


def _field_refs(block: ir.SyncBlock) -> Iterator[tuple[ir.FieldRef, bool]]:
    """Every field reference in the block, and whether it names a Salesforce field."""
    for item in block.items:
        if isinstance(item, ir.FieldMap):
            yield item.hubspot, False
            yield item.salesforce, True
        elif isinstance(item, ir.Default):
            yield item.target, True
        elif isinstance(item, ir.MatchField):
            yield item.field, False
        elif isinstance(item, ir.Include):
            yield from ((ref, False) for ref in _filter_refs(item.where))


def _filter_refs(node: ir.Expr) -> Iterator[ir.FieldRef]:
    stack: list[ir.Expr] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ir.And | ir.Or):
            stack.extend(current.operands)
        elif isinstance(current, ir.Not):
            stack.append(current.operand)
        else:
            yield current.field


# -- shared -------------------------------------------------------------------------------


def _pair_objects(catalog: Catalog, block: ir.SyncBlock) -> dict[str, ObjectDef]:
    """The block's Salesforce objects that the catalogs know."""
    pair: dict[str, ObjectDef] = {}
    for object_name in block.salesforce_objects:
        obj = catalog.salesforce.object(object_name.value)
        if obj is not None:
            pair[obj.name] = obj
    return pair


def _field_map_at(mapping: ir.MappingFile, span: Span) -> tuple[ir.SyncBlock, ir.FieldMap] | None:
    for block in mapping.of_type(ir.SyncBlock):
        for node in block.field_maps:
            if _within(span, node.span):
                return block, node
    return None


def _within(inner: Span, outer: Span) -> bool:
    return (outer.line, outer.column) <= (inner.line, inner.column) and (
        inner.end_line,
        inner.end_column,
    ) <= (outer.end_line, outer.end_column)


def _overlap(a: Span, b: Span) -> bool:
    return (a.line, a.column) < (b.end_line, b.end_column) and (b.line, b.column) < (
        a.end_line,
        a.end_column,
    )


def _point_after(span: Span) -> Span:
    """An empty span just after `span`, where an insertion goes."""
    return _empty(span.file, span.end_line, span.end_column)


def _empty(file: str, line: int, column: int) -> Span:
    return Span(file=file, line=line, column=column, end_line=line, end_column=column)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(i + 1 for i, char in enumerate(text) if char == "\n")
    return starts


def fix_source(
    source: Source,
    mapping: ir.MappingFile,
    catalog: Catalog | None,
    diagnostics: Iterable[Diagnostic],
) -> tuple[str, list[Fix]]:
    """The source's text with every safe fix applied, and the fixes."""
    fixes = safe_fixes(mapping, catalog, diagnostics)
    edits = [e for f in fixes for e in f.edits]
    if "\r\n" in source.text:  # new lines follow the file's line endings
        edits = [Edit(e.span, e.text.replace("\n", "\r\n")) for e in edits]
    return apply_edits(source.text, edits), fixes


MAX_ROUNDS = 5


def fix_file(path: Path) -> tuple[CheckResult, list[Fix]]:
    """Apply the safe fixes to the file at `path`, check it again, and repeat while any
    applies (a fix may uncover another); the last check's result and every fix applied."""
    from mapc.compiler.pipeline import check_file

    applied: list[Fix] = []
    result = check_file(path)
    for _ in range(MAX_ROUNDS):
        if result.mapping is None or result.source is None:
            break
        catalog = mapping_catalog(result.mapping, path.parent)
        text, fixes = fix_source(result.source, result.mapping, catalog, result.diagnostics)
        if not fixes or text == result.source.text:
            break
        path.write_text(text, encoding="utf-8", newline="")
        applied.extend(fixes)
        result = check_file(path)
    return result, applied
