"""Changes inside one object pair (`sync ... { }`): objects, match key, filter, defaults."""

from __future__ import annotations

from collections.abc import Iterator

from mapc.compiler import ir
from mapc.compiler.diff.change import Change
from mapc.compiler.diff.context import PairContext, pair_label, was
from mapc.compiler.diff.fields import compare_fields
from mapc.compiler.diff.filters import describe, implies
from mapc.compiler.formatter import literal
from mapc.runtime.kinds import OnDelete

__all__ = ["PairContext", "compare_pair", "pair_label", "was"]


def compare_pair(ctx: PairContext) -> Iterator[Change]:
    old, new = ctx.old, ctx.new
    if old.direction is not new.direction:
        yield Change(
            "B103",
            f"pair {ctx.name}: direction {old.direction.value} is now {new.direction.value}",
            new.direction_span,
            old.direction_span,
        )
    old_objects = {o.value: o for o in old.salesforce_objects}
    new_objects = {o.value: o for o in new.salesforce_objects}
    for name, node in old_objects.items():
        if name not in new_objects:
            yield Change(
                "B102",
                f"pair {ctx.name}: Salesforce object {name} removed; its records stop syncing",
                ctx.anchor,
                node.span,
            )
    for name, node in new_objects.items():
        if name not in old_objects:
            yield Change("S102", f"pair {ctx.name}: Salesforce object {name} added", node.span)
    # The first object listed is where new HubSpot records are created (and what companies
    # link to); when it left the pair, B102 already says so.
    old_first, new_first = old.salesforce_objects[0], new.salesforce_objects[0]
    # New contacts' object is `create_salesforce_as`'s (B603, diff/creates.py).
    if (
        old_first.value != new_first.value
        and old_first.value in new_objects
        and ctx.name != "contacts"
    ):
        yield Change(
            "B104",
            f"pair {ctx.name}: new HubSpot records now create {new_first.value} records, not "
            f"{old_first.value} (the first Salesforce object listed)",
            new_first.span,
            old_first.span,
        )
    yield from _compare_match(ctx)
    yield from _compare_include(ctx)
    yield from compare_fields(ctx, set(old_objects), set(new_objects))
    yield from _compare_defaults(ctx)
    yield from _compare_events(ctx)
    yield from _compare_associations(ctx)
    yield from _compare_keys(ctx)
    yield from _compare_deletions(ctx)


def _items(block: ir.SyncBlock, kind: type[ir.SyncItem]) -> list[ir.SyncItem]:
    return [i for i in block.items if isinstance(i, kind)]


def _match(block: ir.SyncBlock) -> ir.MatchField | ir.MatchAssociated | ir.MatchNone | None:
    for item in block.items:
        if isinstance(item, ir.MatchField | ir.MatchAssociated | ir.MatchNone):
            return item
    return None


def match_text(node: ir.MatchField | ir.MatchAssociated | ir.MatchNone) -> str:
    if isinstance(node, ir.MatchField):
        return f"match {node.field}" + (" ignore case" if node.ignore_case else "")
    if isinstance(node, ir.MatchAssociated):
        return f"match associated {node.via.value}" + (" sticky" if node.sticky else "")
    return "match none"


def _compare_match(ctx: PairContext) -> Iterator[Change]:
    old, new = _match(ctx.old), _match(ctx.new)
    if old is None and new is None:
        return
    if new is None:
        assert old is not None
        yield Change(
            "B202",
            f"pair {ctx.name}: match key `{match_text(old)}` removed",
            ctx.anchor,
            old.span,
        )
    elif old is None or match_text(old) != match_text(new):
        before = f"`{match_text(old)}`" if old else "no match key"
        yield Change(
            "B201",
            f"pair {ctx.name}: {before} is now `{match_text(new)}`",
            new.span,
            old.span if old else None,
        )


def _include(block: ir.SyncBlock) -> ir.Include | None:
    return next((i for i in block.items if isinstance(i, ir.Include)), None)


def _compare_include(ctx: PairContext) -> Iterator[Change]:
    old, new = _include(ctx.old), _include(ctx.new)
    old_where = old.where if old else None
    new_where = new.where if new else None
    if old_where is None and new_where is None:
        return
    before, after = describe(old_where), describe(new_where)
    if before == after:
        return
    span = new.span if new else ctx.anchor
    old_span = old.span if old else None
    if new_where is None:
        yield Change("S401", f"pair {ctx.name}: inclusion filter removed: {before}", span, old_span)
    elif old_where is None:
        yield Change(
            "B401",
            f"pair {ctx.name}: inclusion filter added, so contacts outside it stop syncing: "
            f"{after}",
            span,
        )
    elif implies(old_where, new_where):
        yield Change(
            "S401",
            f"pair {ctx.name}: inclusion filter widened (it admits everything it did): "
            f"{before} -> {after}",
            span,
            old_span,
        )
    else:
        yield Change(
            "B401",
            f"pair {ctx.name}: inclusion filter changed and may narrow (it cannot be shown to "
            f"admit everything it did): {before} -> {after}",
            span,
            old_span,
        )


def _compare_defaults(ctx: PairContext) -> Iterator[Change]:
    def index(block: ir.SyncBlock) -> dict[str, ir.Default]:
        found: dict[str, ir.Default] = {}
        for item in _items(block, ir.Default):
            assert isinstance(item, ir.Default)
            found.setdefault(str(item.target), item)
        return found

    old, new = index(ctx.old), index(ctx.new)
    for key, node in old.items():
        if key not in new:
            yield Change(
                "B701",
                f"pair {ctx.name}: default {key} = {literal(node.value.value)} removed"
                f"{was(node.span)}",
                ctx.anchor,
                node.span,
            )
        elif literal(node.value.value) != literal(new[key].value.value):
            yield Change(
                "S701",
                f"pair {ctx.name}: default {key} was {literal(node.value.value)}, now "
                f"{literal(new[key].value.value)}",
                new[key].span,
                node.span,
            )
    for key, node in new.items():
        if key not in old:
            yield Change(
                "S701",
                f"pair {ctx.name}: default {key} = {literal(node.value.value)} added",
                node.span,
            )


def event_text(node: ir.OnEvent) -> str:
    return (
        f"on {node.event.value}: {node.target} = {literal(node.value.value)} via {node.via.value}"
    )


def _compare_events(ctx: PairContext) -> Iterator[Change]:
    def index(block: ir.SyncBlock) -> dict[str, ir.OnEvent]:
        found: dict[str, ir.OnEvent] = {}
        for item in _items(block, ir.OnEvent):
            assert isinstance(item, ir.OnEvent)
            found.setdefault(item.event.value, item)
        return found

    old, new = index(ctx.old), index(ctx.new)
    for key, node in old.items():
        if key not in new:
            yield Change(
                "B801",
                f"pair {ctx.name}: `{event_text(node)}` removed{was(node.span)}",
                ctx.anchor,
                node.span,
            )
        elif event_text(node) != event_text(new[key]):
            yield Change(
                "B801",
                f"pair {ctx.name}: `{event_text(node)}` is now `{event_text(new[key])}`",
                new[key].span,
                node.span,
            )
    for key, node in new.items():
        if key not in old:
            yield Change("S801", f"pair {ctx.name}: `{event_text(node)}` added", node.span)


def association_text(node: ir.Associate) -> str:
    return f"associate {node.hubspot_object.value} {node.direction.value} {node.salesforce}"


def _compare_associations(ctx: PairContext) -> Iterator[Change]:
    def index(block: ir.SyncBlock) -> dict[str, ir.Associate]:
        found: dict[str, ir.Associate] = {}
        for item in _items(block, ir.Associate):
            assert isinstance(item, ir.Associate)
            found.setdefault(item.hubspot_object.value, item)
        return found

    old, new = index(ctx.old), index(ctx.new)
    for key, node in old.items():
        if key not in new:
            yield Change(
                "B901",
                f"pair {ctx.name}: `{association_text(node)}` removed{was(node.span)}",
                ctx.anchor,
                node.span,
            )
        elif association_text(node) != association_text(new[key]):
            yield Change(
                "B901",
                f"pair {ctx.name}: `{association_text(node)}` is now "
                f"`{association_text(new[key])}`",
                new[key].span,
                node.span,
            )
    for key, node in new.items():
        if key not in old:
            yield Change("S901", f"pair {ctx.name}: `{association_text(node)}` added", node.span)


def _compare_keys(ctx: PairContext) -> Iterator[Change]:
    """`idempotency key ...`: creates are upserts by it, and `mapc state rebuild` reads it."""

    def index(block: ir.SyncBlock) -> dict[str, ir.IdempotencyKey]:
        found: dict[str, ir.IdempotencyKey] = {}
        for item in _items(block, ir.IdempotencyKey):
            assert isinstance(item, ir.IdempotencyKey)
            found.setdefault(str(item.field), item)
        return found

    old, new = index(ctx.old), index(ctx.new)
    for key, node in old.items():
        if key not in new:
            yield Change(
                "B902",
                f"pair {ctx.name}: `idempotency key {key}` removed{was(node.span)}",
                ctx.anchor,
                node.span,
            )
    for key, node in new.items():
        if key not in old:
            yield Change("S902", f"pair {ctx.name}: `idempotency key {key}` added", node.span)


def _compare_deletions(ctx: PairContext) -> Iterator[Change]:
    """`on delete in SIDE`: a policy that starts deleting is breaking, one that stops is safe."""
    defaults = {"salesforce": OnDelete.DELETE.value, "hubspot": OnDelete.UNLINK.value}

    def index(block: ir.SyncBlock) -> dict[str, ir.OnDelete]:
        found: dict[str, ir.OnDelete] = {}
        for item in _items(block, ir.OnDelete):
            assert isinstance(item, ir.OnDelete)
            found.setdefault(item.side.value, item)
        return found

    old, new = index(ctx.old), index(ctx.new)
    for side, default in defaults.items():
        before = old[side].action.value if side in old else default
        after = new[side].action.value if side in new else default
        if before == after:
            continue
        node = new.get(side)
        code = "B950" if after == OnDelete.DELETE.value else "S950"
        text = f"pair {ctx.name}: on delete in {side}: {before} is now {after}"
        yield Change(
            code,
            text + ("" if node else " (the default)"),
            node.span if node else ctx.anchor,
            old[side].span if side in old else None,
        )
