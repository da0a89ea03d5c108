"""The state store's cost: key look-ups seek, inserts go in batches, and a row that did not
change is not written again (on SQLite, and on PostgreSQL with MAPC_TEST_STATE)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, text

from mapc.runtime.sync.staging import Staging
from mapc.runtime.sync.state import Link, StateStore
from tests.databases import on_postgresql


@contextmanager
def statements(store: StateStore) -> Iterator[list[tuple[str, Any, int]]]:
    """(SQL, parameters, rows changed) of every statement the store runs meanwhile."""
    seen: list[tuple[str, Any, int]] = []

    def after(_conn: Any, cursor: Any, sql: str, params: Any, _ctx: Any, _many: bool) -> None:
        seen.append((sql, params, cursor.rowcount))

    event.listen(store.engine, "after_cursor_execute", after)
    try:
        yield seen
    finally:
        event.remove(store.engine, "after_cursor_execute", after)


def changed(seen: list[tuple[str, Any, int]], verb: str, table: str) -> int:
    return sum(
        max(rows, 0)
        for sql, _p, rows in seen
        if sql.lstrip().upper().startswith(verb) and table in sql
    )


def test_the_suite_runs_on_the_state_it_was_asked_for(new_state: Callable[[str], str]) -> None:
    store = StateStore(new_state("which"))
    assert store.engine.dialect.name == ("postgresql" if on_postgresql() else "sqlite")
    store.close()


def test_key_look_ups_seek_the_keys_instead_of_walking_the_object() -> None:
    """SQLite, given ORDER BY record_id or no index on (object, key), walked every key of
    the object for each chunk of 500: cost that grew with the state, not with the chunk."""
    store = StateStore("sqlite://")
    run = store.log.start_run("cost")
    staging = Staging(store, run)
    records = [{"id": str(1000 + i), "email": f"p{i}@x.example"} for i in range(300)]
    staging.add("hubspot", "contacts", records, lambda r: str(r["email"]), "id")
    store.put_keys("hubspot", "contacts", [(str(r["id"]), str(r["email"])) for r in records])
    with statements(store) as seen:
        store.find_keys("hubspot", ["p1@x.example", "p2@x.example"], ["contacts"])
        staging.by_keys("hubspot", ["p1@x.example", "p2@x.example"], ["contacts"])
    plans = []
    with store.engine.connect() as conn:
        for sql, params, _rows in seen:
            detail = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
            plans.append(" ".join(str(row[-1]) for row in detail))
    assert len(plans) == 2, plans
    assert (
        "USING INDEX ix_keys_object_key (account=? AND side=? AND object=? AND key=?)" in (plans[0])
    ), plans[0]
    assert (
        "USING INDEX ix_staging_object_key (run=? AND side=? AND object=? AND key=?)" in (plans[1])
    ), plans[1]
    assert not any("TEMP B-TREE" in plan for plan in plans), plans  # no sort in the database


def test_matches_come_in_code_point_order_of_their_ids(new_state: Callable[[str], str]) -> None:
    """Salesforce ids are case-sensitive: "…AAB" sorts before "…AAa" by code point, which a
    database's collation (PostgreSQL's en_US) would not promise."""
    store = StateStore(new_state("order"))
    ids = ["00Q000000000001AAa", "00Q000000000001AAB", "00Q000000000000ZZZ"]
    store.put_keys("salesforce", "Lead", [(i, "same@x.example") for i in ids])
    store.put_keys("salesforce", "Contact", [("003000000000001AAA", "same@x.example")])
    found = store.find_keys("salesforce", ["same@x.example"], ("Lead", "Contact"))
    assert found == {
        "same@x.example": [
            ("Contact", "003000000000001AAA"),
            ("Lead", "00Q000000000000ZZZ"),
            ("Lead", "00Q000000000001AAB"),
            ("Lead", "00Q000000000001AAa"),
        ]
    }
    store.close()


def test_new_links_are_inserted_in_batches_and_get_their_own_ids(
    new_state: Callable[[str], str],
) -> None:
    store = StateStore(new_state("links"))
    links = [
        Link("contacts", str(5000 - i), "Lead", f"00Q{i:015d}", hs_values={"email": f"{i}@x"})
        for i in range(1200)
    ]
    with statements(store) as seen:
        store.save_links(links)
    inserts = [sql for sql, _p, _r in seen if sql.lstrip().upper().startswith("INSERT")]
    assert 1 <= len(inserts) <= 3, len(inserts)  # not one INSERT a row
    by_id = store.links_by_hubspot("contacts", [link.hubspot_id for link in links])
    for link in links:
        assert link.id == by_id[link.hubspot_id].id
        assert by_id[link.hubspot_id].sf_id == link.sf_id
    store.close()


def test_a_link_saved_unchanged_is_not_written_again(new_state: Callable[[str], str]) -> None:
    store = StateStore(new_state("unchanged"))
    links = [
        Link("contacts", str(i), "Lead", f"00Q{i:015d}", sf_values={"X": "1"}) for i in range(5)
    ]
    store.save_links(links)
    again = list(store.links_by_hubspot("contacts", [str(i) for i in range(5)]).values())
    with statements(store) as seen:
        store.save_links(again)  # as read: nothing to write
        store.save_links(links)  # as saved: nothing to write either
    assert changed(seen, "UPDATE", "mapc_links") == 0, seen
    again[2].sf_values = {"X": "2"}
    again[3].sf_parent = "001000000000001AAA"
    with statements(store) as seen:
        store.save_links(again)
    assert changed(seen, "UPDATE", "mapc_links") == 2
    reread = store.links_by_hubspot("contacts", ["2", "3"])
    assert reread["2"].sf_values == {"X": "2"}
    assert reread["3"].sf_parent == "001000000000001AAA"
    store.close()


def test_keys_read_again_unchanged_are_not_rewritten(new_state: Callable[[str], str]) -> None:
    store = StateStore(new_state("keys"))
    pairs: list[tuple[str, str | None]] = [(f"00Q{i}", f"k{i}@x") for i in range(50)]
    store.put_keys("salesforce", "Lead", pairs)
    with statements(store) as seen:
        store.put_keys("salesforce", "Lead", pairs)
    assert changed(seen, "INSERT", "mapc_keys") == 0
    assert changed(seen, "DELETE", "mapc_keys") == 0
    pairs[0] = ("00Q0", "new@x")
    pairs[1] = ("00Q1", None)
    with statements(store) as seen:
        store.put_keys("salesforce", "Lead", pairs)
    assert changed(seen, "INSERT", "mapc_keys") == 1
    assert changed(seen, "DELETE", "mapc_keys") == 1
    found = store.find_keys("salesforce", ["new@x", "k0@x", "k1@x", "k2@x"], ("Lead",))
    assert found == {"new@x": [("Lead", "00Q0")], "k2@x": [("Lead", "00Q2")]}
    store.close()


def test_pending_creates_keep_their_ids_in_order(new_state: Callable[[str], str]) -> None:
    store = StateStore(new_state("pending"))
    items = [(f"src{i:04d}", {"email": f"{i}@x"}) for i in reversed(range(700))]
    items.append(("src0001", {"email": "other@x"}))  # one source, two creates
    with statements(store) as seen:
        ids = store.add_pending("contacts", "salesforce", "Lead", items)
    assert len([s for s, _p, _r in seen if s.lstrip().upper().startswith("INSERT")]) <= 2
    rows = {row["id"]: row for row in store.pending_creates("contacts")}
    assert len(set(ids)) == len(items)
    for pending_id, (source, fingerprint) in zip(ids, items, strict=True):
        assert rows[pending_id]["source_id"] == source
        assert rows[pending_id]["fingerprint"] == fingerprint
    store.close()


def test_a_record_staged_again_moves_to_the_end_of_read_order(
    new_state: Callable[[str], str],
) -> None:
    store = StateStore(new_state("staging"))
    staging = Staging(store, store.log.start_run("cost"))
    first = [{"id": str(i), "v": "a"} for i in range(3)]
    staging.add("hubspot", "contacts", first, None, "id")
    staging.add("hubspot", "contacts", [{"id": "0", "v": "b"}, {"id": "0", "v": "c"}], None, "id")
    [chunk] = list(staging.chunks("hubspot", "contacts", 10))
    assert chunk == [{"id": "1", "v": "a"}, {"id": "2", "v": "a"}, {"id": "0", "v": "c"}]
    assert staging.count("hubspot") == 3
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM mapc_staging")).scalar_one() == 3
    store.close()
