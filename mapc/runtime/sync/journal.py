"""The create journal: each create written down before it is sent, for recovery.py to find."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from mapc.runtime.records import WriteResult, maybe_done
from mapc.runtime.sync.behaviours.names import IDENTITY
from mapc.runtime.sync.context import Context
from mapc.runtime.sync.values import blank
from mapc.runtime.sync.writes import Done, Item

log = logging.getLogger("mapc.sync")


def fingerprint(values: dict[str, Any]) -> dict[str, Any]:
    """The values a killed run's created record is found again by (crash recovery): a
    known identity field, else every text value the create sent (a custom object or any
    pair without one of the seed's identity fields must not be created twice either)."""
    for key in IDENTITY:
        if not blank(values.get(key)):
            return {key: values[key]}
    return {
        key: value
        for key, value in sorted(values.items())
        if isinstance(value, str) and not blank(value)
    }


class Journal:
    """One pair's journalled creates. A batch is journalled before it is sent; each
    create's row is cleared once its outcome is known (created and linked, or certainly
    refused); a create whose answer was lost stays journalled, "maybe created", for the
    next run's recovery."""

    def __init__(self, ctx: Context, name: str) -> None:
        self.ctx, self.name = ctx, name
        self._known: list[int] = []
        """Rows of the batch in flight whose outcome is known: cleared once it is saved."""

    def before(self, target: str, target_object: str) -> Callable[[list[Item]], None]:
        """A write queue's `before`: journal the batch about to be sent."""

        def before(items: list[Item]) -> None:
            ids = self.ctx.state.add_pending(
                self.name,
                target,
                target_object,
                [(item.source or "", fingerprint(item.payload)) for item in items],
            )
            self._known = []
            for item, pending_id in zip(items, ids, strict=True):
                item.on_done = self._settles(pending_id, item.on_done)

        return before

    def after(self, _items: list[Item]) -> None:
        """A write queue's `after`: the batch's links saved, its known outcomes cleared."""
        self.ctx.save()
        self.ctx.state.clear_pending(self._known)
        self._known = []

    def _settles(self, pending_id: int, on_done: Done) -> Done:
        def done(result: WriteResult) -> None:
            if maybe_done(result):
                log.warning(
                    "%s create outcome unknown (%s): kept for the next run to find",
                    self.name,
                    "; ".join(e.message for e in result.errors)[:200],
                )
            else:
                self._known.append(pending_id)
            on_done(result)

        return done
