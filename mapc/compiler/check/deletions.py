"""`on delete in SIDE: ACTION`: what a record deleted on one side does to its counterpart
(the pair's deletion policy; without one, HubSpot's connector's)."""

from __future__ import annotations

from mapc.compiler import ir
from mapc.compiler.catalog import suggest
from mapc.compiler.check.context import Context, ResolvedBlock
from mapc.runtime.kinds import OnDelete

SIDES = ("salesforce", "hubspot")
ACTIONS = tuple(a.value for a in OnDelete)


def check_deletions(context: Context, block: ResolvedBlock, nodes: list[ir.OnDelete]) -> None:
    seen: dict[str, ir.OnDelete] = {}
    for node in nodes:
        side, action = node.side.value, node.action.value
        if side not in SIDES:
            close = suggest(side, SIDES, 1)
            context.error(
                "E419",
                f"`on delete in {side}` names no side",
                node.side.span,
                f"did you mean `{close[0]}`?" if close else "write `salesforce` or `hubspot`",
            )
            continue
        if action not in ACTIONS:
            context.error(
                "E419",
                f"`{action}` is not something a deletion can do",
                node.action.span,
                "write `delete` (the counterpart goes too) or `unlink` (it stays, unlinked)",
            )
            continue
        if side in seen:
            context.error(
                "E102",
                f"duplicate `on delete in {side}`",
                node.span,
                f"the first one is on line {seen[side].span.line}; keep one",
            )
            continue
        seen[side] = node
        if side == "salesforce":
            block.on_salesforce_delete = OnDelete(action)
        else:
            block.on_hubspot_delete = OnDelete(action)
