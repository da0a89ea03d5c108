"""Two parsed versions of one mapping file -> the classified changes between them.

The comparison is of the IR, not the text: layout and comments never show up. Names are
matched as written (pairs by HubSpot object, fields by HubSpot property and Salesforce
field, value maps by name), so the checker's catalogs are not needed.
"""

from __future__ import annotations

from collections.abc import Iterator

from mapc.compiler import ir
from mapc.compiler.check.context import Settings
from mapc.compiler.check.structure import look_back_seconds
from mapc.compiler.diff.change import Change
from mapc.compiler.diff.creates import compare_create_target
from mapc.compiler.diff.pairs import PairContext, compare_pair, pair_label, was
from mapc.compiler.formatter import literal
from mapc.compiler.source import Span


def compare_mappings(old: ir.MappingFile, new: ir.MappingFile) -> list[Change]:
    changes = [
        *_compare_name(old, new),
        *_compare_settings(old, new),
        *compare_create_target(old, new),
        *_compare_pairs(old, new),
        *_compare_value_maps(old, new),
        *_compare_events(old, new),
    ]
    return sorted(changes, key=Change.sort_key)


def anchor(mapping: ir.MappingFile) -> Span:
    """Where a removal of a whole statement points: the new file's `mapping` line."""
    declarations = mapping.of_type(ir.MappingDecl)
    if declarations:
        return declarations[0].span
    return Span.point(mapping.span.file, 1, 1)


def _compare_name(old: ir.MappingFile, new: ir.MappingFile) -> Iterator[Change]:
    before, after = old.of_type(ir.MappingDecl), new.of_type(ir.MappingDecl)
    if before and after and before[0].name.value != after[0].name.value:
        yield Change(
            "S002",
            f"mapping `{before[0].name.value}` renamed to `{after[0].name.value}`",
            after[0].name.span,
            before[0].name.span,
        )


# -- settings -----------------------------------------------------------------------------

_SETTING_CODES = {
    "create_hubspot_contacts": "B601",
    "person_accounts": "B602",
    "shared_org": "S601",
    "catalogs": "S602",
}


def _settings(mapping: ir.MappingFile) -> dict[str, ir.Setting]:
    found: dict[str, ir.Setting] = {}
    for block in mapping.of_type(ir.SettingsBlock):
        for setting in block.settings:
            found.setdefault(setting.key.value, setting)
    return found


def _setting_text(key: str, setting: ir.Setting | None) -> str:
    if setting is None:
        default = getattr(Settings(), key, None)
        if isinstance(default, bool):
            return "true" if default else "false"
        return "(none)" if default is None else str(default)
    value = setting.value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _compare_settings(old: ir.MappingFile, new: ir.MappingFile) -> Iterator[Change]:
    before, after = _settings(old), _settings(new)
    for key in sorted(set(before) | set(after)):
        old_text, new_text = _setting_text(key, before.get(key)), _setting_text(key, after.get(key))
        if old_text == new_text:
            continue
        code = _SETTING_CODES.get(key)
        if code is None:
            # An unknown setting is the checker's business (E103), not a change; what
            # `create_salesforce_as` does depends on the contacts block too (creates.py).
            continue
        written = after.get(key)
        default = " (the default)" if written is None else ""
        yield Change(
            code,
            f"setting {key}: {old_text} is now {new_text}{default}",
            written.span if written else anchor(new),
            before[key].span if key in before else None,
        )


# -- object pairs -------------------------------------------------------------------------


def _pairs(mapping: ir.MappingFile) -> dict[str, ir.SyncBlock]:
    found: dict[str, ir.SyncBlock] = {}
    for block in mapping.of_type(ir.SyncBlock):
        found.setdefault(block.hubspot_object.value, block)
    return found


def _value_maps(mapping: ir.MappingFile) -> dict[str, ir.ValuesBlock]:
    found: dict[str, ir.ValuesBlock] = {}
    for block in mapping.of_type(ir.ValuesBlock):
        found.setdefault(block.name.value, block)
    return found


def _compare_pairs(old: ir.MappingFile, new: ir.MappingFile) -> Iterator[Change]:
    before, after = _pairs(old), _pairs(new)
    old_maps, new_maps = _value_maps(old), _value_maps(new)
    for name, block in before.items():
        if name not in after:
            yield Change(
                "B101",
                f"object pair `{pair_label(block)}` removed{was(block.span)}",
                anchor(new),
                block.hubspot_object.span,
            )
    for name, block in after.items():
        if name not in before:
            yield Change(
                "S101", f"object pair `{pair_label(block)}` added", block.hubspot_object.span
            )
            continue
        yield from compare_pair(PairContext(before[name], block, old_maps, new_maps))


# -- value maps ---------------------------------------------------------------------------


def _used_maps(mapping: ir.MappingFile) -> set[str]:
    return {
        clause.name.value
        for block in mapping.of_type(ir.SyncBlock)
        for node in block.field_maps
        for clause in node.clauses
        if isinstance(clause, ir.ValuesRef)
    }


def _compare_value_maps(old: ir.MappingFile, new: ir.MappingFile) -> Iterator[Change]:
    before, after = _value_maps(old), _value_maps(new)
    used = _used_maps(old)
    for name, block in before.items():
        if name not in after:
            code = "B503" if name in used else "S503"
            yield Change(
                code, f"value map `{name}` removed{was(block.span)}", anchor(new), block.name.span
            )
    for name, block in after.items():
        if name not in before:
            yield Change("S503", f"value map `{name}` added", block.name.span)
        else:
            yield from _compare_entries(before[name], block)


def _entries(block: ir.ValuesBlock) -> dict[str, ir.ValueEntry]:
    found: dict[str, ir.ValueEntry] = {}
    for entry in block.entries:
        found.setdefault(str(entry.hubspot.value), entry)
    return found


def _compare_entries(old: ir.ValuesBlock, new: ir.ValuesBlock) -> Iterator[Change]:
    name = new.name.value
    before, after = _entries(old), _entries(new)
    for key, entry in before.items():
        target = literal(entry.salesforce.value)
        if key not in after:
            yield Change(
                "B501",
                f"value map `{name}`: `{key} -> {target}` dropped{was(entry.span)}",
                new.name.span,
                entry.span,
            )
        elif literal(after[key].salesforce.value) != target:
            yield Change(
                "B502",
                f"value map `{name}`: `{key}` was {target}, now "
                f"{literal(after[key].salesforce.value)}",
                after[key].span,
                entry.span,
            )
    for key, entry in after.items():
        if key not in before:
            yield Change(
                "S501",
                f"value map `{name}`: `{key} -> {literal(entry.salesforce.value)}` added",
                entry.span,
            )


# -- email events -------------------------------------------------------------------------


def _compare_events(old: ir.MappingFile, new: ir.MappingFile) -> Iterator[Change]:
    before = next(iter(old.of_type(ir.EventsBlock)), None)
    after = next(iter(new.of_type(ir.EventsBlock)), None)
    if before is None and after is None:
        return
    if after is None:
        assert before is not None
        yield Change(
            "B802",
            f"email events `{_events_text(before)}` removed{was(before.span)}",
            anchor(new),
            before.span,
        )
        return
    if before is None:
        yield Change("S802", f"email events `{_events_text(after)}` added", after.span)
        return
    old_kinds = {k.value for k in before.kinds}
    new_kinds = {k.value for k in after.kinds}
    lost = sorted(old_kinds - new_kinds)
    old_window, new_window = _window(before), _window(after)
    narrowed = (
        lost
        or before.target.value != after.target.value
        or _dedupe(before) != _dedupe(after)
        or new_window < old_window
    )
    if narrowed:
        yield Change(
            "B802",
            f"email events `{_events_text(before)}` are now `{_events_text(after)}`",
            after.span,
            before.span,
        )
    elif new_kinds - old_kinds or new_window > old_window:
        yield Change(
            "S802",
            f"email events `{_events_text(before)}` are now `{_events_text(after)}`",
            after.span,
            before.span,
        )


def _dedupe(block: ir.EventsBlock) -> tuple[str, ...]:
    return tuple(d.mode.value for d in block.dedupe)


def _window(block: ir.EventsBlock) -> int:
    """The look-back window in seconds (0 without one): a shorter one loses the events of
    contacts that start syncing later; a longer one only turns more of them into tasks."""
    return next((look_back_seconds(b) or 0 for b in block.look_back[:1]), 0)


def _events_text(block: ir.EventsBlock) -> str:
    kinds = ", ".join(k.value for k in block.kinds)
    clauses = [f"dedupe {m}" for m in _dedupe(block)]
    clauses += [f"look back {b.amount.value} {b.unit.value}" for b in block.look_back[:1]]
    body = f" {{ {'; '.join(clauses)} }}" if clauses else ""
    return f"events {kinds} -> {block.target.value}{body}"
