"""A link's flags: typed, stored apart from its values, and read from a state written before
they had their column (on SQLite, and on PostgreSQL with MAPC_TEST_STATE)."""

from __future__ import annotations

from collections.abc import Callable
from copy import copy
from pathlib import Path

import pytest
from sqlalchemy import text

from mapc.runtime.sync import schema
from mapc.runtime.sync.codec import encode
from mapc.runtime.sync.flags import LinkFlags
from mapc.runtime.sync.state import Link, StateStore, Unlinked
from tests.runtime.sync.test_state_cost import changed, statements

FLAGGED = LinkFlags(
    excluded=True,
    person=True,
    placeholders=frozenset({"Company", "LastName"}),
    parents=("11", "001000000000001AAA"),
    contact_roles=frozenset(),
    converted_into="003000000000001AAA",
    associations={"companies": frozenset({"21", "3"})},
)


def test_a_link_with_flags_round_trips_and_saved_again_writes_nothing(
    new_state: Callable[[str], str],
) -> None:
    store = StateStore(new_state("flags"))
    link = Link(
        "contacts",
        "1",
        "Contact",
        "003000000000009AAA",
        hs_values={"email": "a@x.example"},
        flags=copy(FLAGGED),
    )
    plain = Link("contacts", "2", "Lead", "00Q000000000002AAA", sf_values={"Email": "b@x"})
    store.save_links([link, plain])
    found = store.links_by_hubspot("contacts", ["1", "2"])
    assert found["1"].flags == FLAGGED
    assert found["1"].hs_values == {"email": "a@x.example"} and found["1"].sf_values == {}
    assert found["2"].flags == LinkFlags()
    with store.engine.connect() as conn:
        stored = dict(conn.execute(text("SELECT hubspot_id, flags FROM mapc_links")).all())
    assert stored["2"] is None  # a link with no flags stores none
    with statements(store) as seen:
        store.save_links(found.values())
    assert changed(seen, "UPDATE", "mapc_links") == 0, seen
    found["2"].flags.excluded = True
    with statements(store) as seen:
        store.save_links(found.values())
    assert changed(seen, "UPDATE", "mapc_links") == 1
    assert store.links_by_hubspot("contacts", ["2"])["2"].flags == LinkFlags(excluded=True)
    store.close()


def _version_5(path: str) -> StateStore:
    """A state as mapc wrote it before flags had their column (schema version 5)."""
    StateStore(path).close()
    store = StateStore(path)
    with store.engine.begin() as conn:
        conn.execute(text("ALTER TABLE mapc_links DROP COLUMN flags"))
        conn.execute(text("ALTER TABLE mapc_unlinked DROP COLUMN flags"))
        conn.execute(text("ALTER TABLE mapc_unlinked DROP COLUMN sf_object"))
        conn.execute(text("UPDATE mapc_meta SET value = '5' WHERE key = 'schema_version'"))
        row = {"account": "default", "origin": "match", "synced_at": "2026-01-01T00:00:00Z"}
        links = [
            {
                **row,
                "object": "contacts",
                "hubspot_id": "1",
                "sf_object": "Contact",
                "sf_id": "003000000000009AAA",
                "hs_values": encode(
                    {"email": "a@x.example", "@in": "0", "@parent": "11", "@fresh": "1"}
                ),
                "sf_values": encode(
                    {
                        "Email": "a@x.example",
                        "@person": "1",
                        "@placeholders": "Company,LastName",
                        "@parent": "001000000000001AAA",
                        "@converted_into": "003000000000001AAA",
                    }
                ),
            },
            {
                **row,
                "object": "deals",
                "hubspot_id": "2",
                "sf_object": "Opportunity",
                "sf_id": "006000000000002AAA",
                "hs_values": encode({"dealname": "Big", "@companies": ["3", "21"], "@in": "1"}),
                "sf_values": encode({"Name": "Big", "@contact_roles": []}),
            },
        ]
        conn.execute(
            text(
                "INSERT INTO mapc_links (account, object, hubspot_id, sf_object, sf_id, "
                "origin, hs_values, sf_values, synced_at) VALUES (:account, :object, "
                ":hubspot_id, :sf_object, :sf_id, :origin, :hs_values, :sf_values, :synced_at)"
            ),
            links,
        )
        conn.execute(
            text(
                "INSERT INTO mapc_unlinked (account, object, side, record_id, record_values, "
                "at) VALUES ('default', 'contacts', 'salesforce', '00Q1', :values, 'then')"
            ),
            {"values": encode({"Email": "c@x", "@sf_object": "Lead", "@placeholders": "Company"})},
        )
    store.close()
    return StateStore(path)


def test_a_state_written_before_flags_had_a_column_loads_with_its_flags(
    new_state: Callable[[str], str],
) -> None:
    store = _version_5(new_state("version-5"))
    assert store.schema_version == schema.SCHEMA_VERSION
    contact = store.links_by_hubspot("contacts", ["1"])["1"]
    assert contact.hs_values == {"email": "a@x.example"}
    assert contact.sf_values == {"Email": "a@x.example"}
    assert contact.flags == LinkFlags(
        excluded=True,
        person=True,
        placeholders=frozenset({"Company", "LastName"}),
        parents=("11", "001000000000001AAA"),
        converted_into="003000000000001AAA",
    )
    deal = store.links_by_hubspot("deals", ["2"])["2"]
    assert deal.hs_values == {"dealname": "Big"} and deal.sf_values == {"Name": "Big"}
    assert deal.flags == LinkFlags(
        contact_roles=frozenset(), associations={"companies": frozenset({"3", "21"})}
    )
    assert store.unlinked("contacts", "salesforce", ["00Q1"]) == {
        "00Q1": Unlinked({"Email": "c@x"}, "Lead", LinkFlags(placeholders=frozenset({"Company"})))
    }
    # Saved again, the link takes the new shape: its values hold field values only.
    store.save_links([contact, deal])
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT hs_values, sf_values, flags FROM mapc_links")).all()
    assert all('"@' not in hs + sf for hs, sf, _ in rows), rows
    again = store.links_by_hubspot("contacts", ["1"])["1"]
    assert again.flags == contact.flags and again.sf_values == contact.sf_values
    store.close()


def test_flags_that_are_not_flags_are_a_corrupt_state(tmp_path: Path) -> None:
    path = str(tmp_path / "s.db")
    store = StateStore(path)
    store.save_links([Link("contacts", "1", "Lead", "00Q000000000001AAA")])
    with store.engine.begin() as conn:
        conn.execute(text('UPDATE mapc_links SET flags = \'{"excluded": "maybe"}\''))
    with pytest.raises(schema.StateCorrupt, match="link 1"):
        store.links_by_hubspot("contacts", ["1"])
    store.close()
