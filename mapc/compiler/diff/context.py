"""What the comparison of one object pair knows: its two blocks and the value maps."""

from __future__ import annotations

from dataclasses import dataclass

from mapc.compiler import ir
from mapc.compiler.source import Span


@dataclass(frozen=True)
class PairContext:
    """What a field comparison needs to know about its two blocks and the value maps."""

    old: ir.SyncBlock
    new: ir.SyncBlock
    old_maps: dict[str, ir.ValuesBlock]
    new_maps: dict[str, ir.ValuesBlock]

    @property
    def name(self) -> str:
        return self.new.hubspot_object.value

    @property
    def anchor(self) -> Span:
        return self.new.hubspot_object.span


def pair_label(block: ir.SyncBlock) -> str:
    objects = ", ".join(o.value for o in block.salesforce_objects)
    return f"{block.hubspot_object.value} {block.direction.value} {objects}"


def was(span: Span) -> str:
    return f" (was line {span.line})"
