"""Pairs beyond the seed's, end to end through the real client libraries and the
emulator, on adapters compiled from tests/runtime/sync/mappings/objects.mapc: tickets with
cases both ways with the ticket's contact, and HubSpot calls logged as Salesforce tasks."""

from __future__ import annotations

from typing import Any

import pytest

from tests.runtime.sync.compiled import fixture
from tests.runtime.sync.conftest import SyncEnv

TICKET_PROPS = ("subject", "content", "hs_pipeline_stage", "hs_pipeline", "hs_ticket_priority")


@pytest.fixture
def objects(sync: SyncEnv) -> SyncEnv:
    sync.adapter = fixture("objects")
    return sync


def seed_tickets(sync: SyncEnv) -> dict[str, str]:
    return sync.seed(
        {
            "salesforce": {
                "records": {
                    "Contact": [
                        {"_ref": "roy", "LastName": "Roy", "Email": "roy@buyer.example"},
                        {"_ref": "ann_sf", "LastName": "Lee", "Email": "ann@acme.example"},
                    ],
                    "Case": [
                        {
                            "_ref": "case_printer",
                            "Subject": "Printer on fire",
                            "Status": "Working",
                            "Priority": "High",
                            "ContactId": "@roy",
                        }
                    ],
                }
            },
            "hubspot": {
                "records": {
                    "contacts": [
                        {"_ref": "ann", "email": "ann@acme.example", "lastname": "Lee"},
                    ],
                    "tickets": [
                        {
                            "_ref": "t_login",
                            "subject": "Cannot log in",
                            "content": "Since Monday",
                            "hs_pipeline": "0",
                            "hs_pipeline_stage": "3",
                            "hs_ticket_priority": "URGENT",
                        }
                    ],
                },
                "associations": [
                    {
                        "from": {"type": "tickets", "id": "@t_login"},
                        "to": {"type": "contacts", "id": "@ann"},
                    }
                ],
            },
        }
    )


def tickets(sync: SyncEnv) -> dict[str, dict[str, Any]]:
    return {str(t["subject"]): t for t in sync.hs("tickets", TICKET_PROPS)}


def cases(sync: SyncEnv) -> dict[str, dict[str, Any]]:
    rows = sync.sf("Case", fields="Id, Subject, Description, Status, Priority, ContactId")
    return {str(c["Subject"]): c for c in rows}


def ticket_contacts(sync: SyncEnv, ticket_id: str) -> list[str]:
    return sync.hubspot.associations("tickets", "contacts", [ticket_id])[ticket_id]


def test_tickets_and_cases_sync_both_ways_with_the_contact(objects: SyncEnv) -> None:
    refs = seed_tickets(objects)
    report = objects.run()
    assert report.failed == 0, report.errors

    # HubSpot's ticket became a case, its contact the case's contact.
    case = cases(objects)["Cannot log in"]
    assert case["Status"] == "Escalated"
    assert case["Priority"] == "High"
    assert case["Description"] == "Since Monday"
    assert case["ContactId"] == refs["ann_sf"]

    # Salesforce's case became a ticket, associated with its contact (created in HubSpot).
    ticket = tickets(objects)["Printer on fire"]
    assert ticket["hs_pipeline_stage"] == "2"
    assert ticket["hs_pipeline"] == "0"  # the mapping's create default
    roy = objects.hs_by_email()["roy@buyer.example"]
    assert ticket_contacts(objects, str(ticket["id"])) == [str(roy["id"])]

    # Nothing left to do: a second run writes nothing.
    before = objects.write_count()
    again = objects.run()
    assert again.failed == 0, again.errors
    assert objects.write_count() == before, objects.writes()


def test_a_case_moved_to_another_contact_moves_in_hubspot(objects: SyncEnv) -> None:
    refs = seed_tickets(objects)
    objects.run()
    printer = tickets(objects)["Printer on fire"]
    objects.salesforce.update("Case", [{"Id": refs["case_printer"], "ContactId": refs["ann_sf"]}])
    objects.hubspot.update("tickets", [{"id": refs["t_login"], "subject": "Cannot log in at all"}])

    report = objects.run()
    assert report.failed == 0, report.errors
    assert refs["ann"] in ticket_contacts(objects, str(printer["id"]))
    assert "Cannot log in at all" in cases(objects)
    before = objects.write_count()
    objects.run()
    assert objects.write_count() == before, objects.writes()


def test_a_hubspot_association_fills_an_empty_case_contact(objects: SyncEnv) -> None:
    refs = seed_tickets(objects)
    objects.salesforce.update("Case", [{"Id": refs["case_printer"], "ContactId": None}])
    objects.run()
    printer = tickets(objects)["Printer on fire"]
    assert ticket_contacts(objects, str(printer["id"])) == []
    objects.hubspot.associate("tickets", "contacts", [(str(printer["id"]), refs["ann"])])
    objects.hubspot.update("tickets", [{"id": str(printer["id"]), "content": "smoke"}])

    report = objects.run()
    assert report.failed == 0, report.errors
    assert cases(objects)["Printer on fire"]["ContactId"] == refs["ann_sf"]


def test_calls_are_logged_as_tasks_on_the_contact(objects: SyncEnv) -> None:
    refs = objects.seed(
        {
            "salesforce": {
                "records": {
                    "Contact": [{"_ref": "ann_sf", "LastName": "Lee", "Email": "ann@acme.example"}],
                    "Task": [{"Subject": "Salesforce's own task", "Status": "Completed"}],
                }
            },
            "hubspot": {
                "records": {
                    "contacts": [{"_ref": "ann", "email": "ann@acme.example", "lastname": "Lee"}],
                    "calls": [
                        {
                            "_ref": "call",
                            "hs_call_title": "Discovery call",
                            "hs_call_body": "Wants a demo",
                            "hs_timestamp": "2026-12-01T10:00:00.000Z",
                        }
                    ],
                },
                "associations": [
                    {
                        "from": {"type": "calls", "id": "@call"},
                        "to": {"type": "contacts", "id": "@ann"},
                    }
                ],
            },
        }
    )
    report = objects.run()
    assert report.failed == 0, report.errors
    tasks = {
        t["Subject"]: t
        for t in objects.sf("Task", fields="Id, Subject, Description, Status, Priority, WhoId")
    }
    call = tasks["Discovery call"]
    assert (call["Description"], call["Status"], call["Priority"]) == (
        "Wants a demo",
        "Completed",
        "Normal",
    )
    assert call["WhoId"] == refs["ann_sf"]
    # `->`: Salesforce's own tasks never become HubSpot calls.
    assert [c["hs_call_title"] for c in objects.hs("calls", ("hs_call_title",))] == [
        "Discovery call"
    ]
    before = objects.write_count()
    objects.run()
    assert objects.write_count() == before, objects.writes()


WIDGET_SCHEMA = {
    "name": "widgets",
    "labels": {"singular": "Widget", "plural": "Widgets"},
    "primaryDisplayProperty": "widget_name",
    "requiredProperties": ["widget_name"],
    "properties": [
        {"name": "widget_name", "label": "Name", "type": "string", "fieldType": "text"},
        {"name": "widget_code", "label": "Widget code", "type": "string", "fieldType": "text"},
        {
            "name": "size",
            "label": "Size",
            "type": "enumeration",
            "fieldType": "select",
            "options": [
                {"label": "Small", "value": "s"},
                {"label": "Medium", "value": "m"},
                {"label": "Large", "value": "l"},
            ],
        },
    ],
}
WIDGET_OBJECT = {
    "name": "Widget__c",
    "label": "Widget",
    "fields": [
        {"name": "Code__c", "type": "string", "externalId": True},
        {"name": "Size__c", "type": "picklist", "picklistValues": ["Small", "Medium", "Large"]},
    ],
}


def test_a_custom_object_pair_matches_by_its_key_through_a_value_map(sync: SyncEnv) -> None:
    sync.adapter = fixture("custom")
    sync.seed(
        {
            "salesforce": {
                "custom_objects": [WIDGET_OBJECT],
                "records": {
                    "Widget__c": [
                        {"Name": "Alpha", "Code__c": "A-1"},
                        {"Name": "Gamma", "Code__c": "C-3", "Size__c": "Large"},
                    ]
                },
            },
            "hubspot": {
                "schemas": [WIDGET_SCHEMA],
                "records": {
                    "widgets": [
                        {"widget_name": "Alpha", "widget_code": "A-1", "size": "s"},
                        {"widget_name": "Beta", "widget_code": "B-2", "size": "m"},
                        {"widget_name": "No code yet"},
                    ]
                },
            },
        }
    )
    report = sync.run()
    assert report.failed == 0, report.errors

    rows = sync.sf("Widget__c", fields="Id, Name, Code__c, Size__c")
    by_code = {r["Code__c"]: (r["Name"], r["Size__c"]) for r in rows}
    # A-1 matched by its code (no duplicate), its blank size filled through the value map;
    # B-2 created; the widget without a code is outside the inclusion filter.
    assert by_code == {
        "A-1": ("Alpha", "Small"),
        "B-2": ("Beta", "Medium"),
        "C-3": ("Gamma", "Large"),
    }
    widgets = sync.hs("p_widgets", ("widget_name", "widget_code", "size"))
    assert sorted((w["widget_name"], w.get("widget_code"), w.get("size")) for w in widgets) == [
        ("Alpha", "A-1", "s"),
        ("Beta", "B-2", "m"),
        ("Gamma", "C-3", "l"),
        ("No code yet", None, None),
    ]
    before = sync.write_count()
    again = sync.run()
    assert again.failed == 0, again.errors
    assert sync.write_count() == before, sync.writes()


def test_a_custom_object_pair_survives_a_kill_after_every_write(
    sync: SyncEnv, tmp_path: Any
) -> None:
    # Unmatched custom objects carry none of the seed's identity fields (email, name,
    # subject) on the HubSpot side: crash recovery must still find what a killed run
    # created instead of creating it again.
    from mapc.runtime.sync.engine import SyncEngine
    from mapc.runtime.sync.state import StateStore
    from tests.runtime.sync.test_crash import Killed, Killer

    def fresh() -> None:
        sync.emulator.reset(person_accounts=True)
        sync.seed(
            {
                "salesforce": {
                    "custom_objects": [WIDGET_OBJECT],
                    "records": {"Widget__c": [{"Name": "Gamma", "Code__c": "C-3"}]},
                },
                "hubspot": {
                    "schemas": [WIDGET_SCHEMA],
                    "records": {"widgets": [{"widget_name": "Beta", "widget_code": "B-2"}]},
                },
            }
        )

    def widgets() -> list[tuple[Any, ...]]:
        hs = sorted(
            (w["widget_name"], w.get("widget_code"))
            for w in sync.hs("p_widgets", ("widget_name", "widget_code"))
        )
        sf = sorted(
            (r["Name"], r["Code__c"]) for r in sync.sf("Widget__c", fields="Id, Name, Code__c")
        )
        return [tuple(hs), tuple(sf)]

    sync.adapter = fixture("custom_unmatched")
    fresh()
    sync.emulator.reset_calls()
    assert sync.run(state=StateStore(sync.new_state("ref"))).failed == 0
    expected, total = widgets(), sync.write_count()
    assert expected == [(("Beta", "B-2"), ("Gamma", "C-3"))] * 2
    for at in range(1, total + 1):
        fresh()
        state = StateStore(sync.new_state(f"kill-{at}"))
        killer = Killer(at)
        with pytest.raises(Killed):
            SyncEngine(
                sync.adapter, killer.wrap(sync.salesforce), killer.wrap(sync.hubspot), state
            ).run()
        assert sync.run(state=state).failed == 0
        assert widgets() == expected, f"killed after write {at}"


def test_a_state_kept_under_a_custom_object_s_bare_name_follows_it_to_p_name(
    sync: SyncEnv,
) -> None:
    """Adapters before mapc addressed custom objects as `p_<name>` kept their state under
    the bare name; the first run of a new adapter moves it, so nothing is created twice."""
    from sqlalchemy import text

    sync.adapter = fixture("custom")
    sync.seed(
        {
            "salesforce": {
                "custom_objects": [WIDGET_OBJECT],
                "records": {"Widget__c": [{"Name": "Alpha", "Code__c": "A-1"}]},
            },
            "hubspot": {
                "schemas": [WIDGET_SCHEMA],
                "records": {"widgets": [{"widget_name": "Beta", "widget_code": "B-2"}]},
            },
        }
    )
    assert sync.run().failed == 0
    # The state as an older adapter left it: every row under the bare name.
    with sync.state.engine.begin() as conn:
        for table in ("mapc_links", "mapc_keys", "mapc_cursors"):
            conn.execute(text(f"UPDATE {table} SET object = 'widgets' WHERE object = 'p_widgets'"))
        moved = conn.execute(text("SELECT count(*) FROM mapc_links WHERE object = 'widgets'"))
        assert moved.scalar() == 2
    before = sync.write_count()
    again = sync.run()
    assert again.failed == 0, again.errors
    assert sync.write_count() == before, sync.writes()  # nothing created a second time
    assert len(sync.sf("Widget__c", fields="Id")) == 2
    assert len(sync.hs("p_widgets", ("widget_code",))) == 2
    with sync.state.engine.connect() as conn:
        names = conn.execute(text("SELECT DISTINCT object FROM mapc_links")).scalars().all()
    assert "widgets" not in names and "p_widgets" in names
