"""A HubSpot custom object's state follows it to the name its API accepts.

Adapters generated before mapc addressed custom objects as `p_<name>` (HubSpot refuses a
custom object's bare name since 2025-06-24) kept their links, cursors and errors under
the bare name. Under the new name those rows would be invisible, and every record of the
pair would be created again on the other side; so, once, they are moved to the new name.
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, Table, Update, exists, select, update

from mapc.runtime.adapter import Adapter
from mapc.runtime.sync import schema as s
from mapc.runtime.sync.state import StateStore

log = logging.getLogger("mapc.sync")

SHORT_PREFIX = "p_"
HUBSPOT = "hubspot"

# Tables whose `object` is a pair's HubSpot object whatever the side.
_BY_PAIR: tuple[Table, ...] = (s.links, s.pending, s.owed, s.record_errors, s.retries, s.conflicts)
# Tables whose `object` is the HubSpot object on the HubSpot side only.
_BY_SIDE: tuple[Table, ...] = (s.keys, s.cursors)


def adopt_qualified_names(state: StateStore, adapter: Adapter) -> list[tuple[str, str]]:
    """Move the rows kept under a custom object's bare name to its `p_` name, for each pair
    whose state has rows under the old name only; the (old, new) names moved."""
    moved: list[tuple[str, str]] = []
    for obj in adapter.objects:
        new = obj.hubspot_object
        if not new.startswith(SHORT_PREFIX):
            continue
        old = new.removeprefix(SHORT_PREFIX)
        with state.engine.begin() as conn:
            if not _has_rows(conn, state.account, old) or _has_rows(conn, state.account, new):
                continue
            for table in _BY_PAIR:
                conn.execute(_rename(table, state.account, old, new))
            for table in _BY_SIDE:
                conn.execute(_rename(table, state.account, old, new).where(table.c.side == HUBSPOT))
            conn.execute(
                update(s.pending)
                .where(s.pending.c.account == state.account)
                .where(s.pending.c.target == HUBSPOT)
                .where(s.pending.c.target_object == old)
                .values(target_object=new)
            )
        log.warning(
            "HubSpot custom object %s is now addressed as %s (HubSpot refuses a custom "
            "object's bare name); its links, cursors and errors in the state moved with it",
            old,
            new,
        )
        moved.append((old, new))
    return moved


def _has_rows(conn: Connection, account: str, name: str) -> bool:
    links = exists().where(s.links.c.account == account).where(s.links.c.object == name)
    cursors = (
        exists()
        .where(s.cursors.c.account == account)
        .where(s.cursors.c.side == HUBSPOT)
        .where(s.cursors.c.object == name)
    )
    return bool(conn.execute(select(links | cursors)).scalar())


def _rename(table: Table, account: str, old: str, new: str) -> Update:
    return (
        update(table)
        .where(table.c.account == account)
        .where(table.c.object == old)
        .values(object=new)
    )
