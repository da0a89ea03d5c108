"""Which Salesforce object a new HubSpot contact creates: `create_salesforce_as`, or when
it is not written, the first object `sync contacts` lists. Compared by its effect, so a
setting written out with the meaning it had, or a reordering the setting overrides, is
no behaviour change."""

from __future__ import annotations

from collections.abc import Iterator

from mapc.compiler import ir
from mapc.compiler.check.structure import CREATE_SALESFORCE_AS
from mapc.compiler.diff.change import Change
from mapc.compiler.source import Span

SETTING = "create_salesforce_as"
CONTACTS = "contacts"


def _setting(mapping: ir.MappingFile) -> ir.Setting | None:
    for block in mapping.of_type(ir.SettingsBlock):
        for setting in block.settings:
            if setting.key.value == SETTING:
                return setting
    return None


def _contacts(mapping: ir.MappingFile) -> ir.SyncBlock | None:
    return next(
        (b for b in mapping.of_type(ir.SyncBlock) if b.hubspot_object.value == CONTACTS), None
    )


def create_target(mapping: ir.MappingFile) -> tuple[str | None, Span | None]:
    """The Salesforce object a new HubSpot contact creates, and what says so."""
    setting, block = _setting(mapping), _contacts(mapping)
    if setting is not None and str(setting.value.value) in CREATE_SALESFORCE_AS:
        return CREATE_SALESFORCE_AS[str(setting.value.value)], setting.span
    if block is None or not block.salesforce_objects:
        return None, None
    first = block.salesforce_objects[0]
    return first.value, first.span


def compare_create_target(old: ir.MappingFile, new: ir.MappingFile) -> Iterator[Change]:
    (before, old_span), (after, new_span) = create_target(old), create_target(new)
    if before is None or after is None or new_span is None:
        return  # a contacts pair added or removed: B101/S101 say so
    block = _contacts(new)
    if block is not None and before not in {o.value for o in block.salesforce_objects}:
        return  # the old object left the pair: B102 says so
    if before != after:
        yield Change(
            "B603",
            f"new HubSpot contacts now create Salesforce {after} records, not {before}",
            new_span,
            old_span,
        )
        return
    old_setting, new_setting = _setting(old), _setting(new)
    if (old_setting is None) != (new_setting is None):
        state = "written out" if new_setting is not None else "left to its default"
        yield Change(
            "S603",
            f"{SETTING} {state}: new HubSpot contacts still create {after} records",
            new_setting.span if new_setting is not None else new_span,
            old_setting.span if old_setting is not None else None,
        )
