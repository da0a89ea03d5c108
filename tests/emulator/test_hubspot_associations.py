"""Association paging, and the ticket, engagement and commerce objects, via hubspot-api-client."""

from __future__ import annotations

from typing import Any

import pytest
from hubspot.crm.associations.v4 import BatchInputPublicFetchAssociationsBatchRequest
from hubspot.crm.objects import ApiException as ObjectsError
from hubspot.crm.objects import SimplePublicObjectInputForCreate as ObjectInput
from hubspot.crm.tickets import ApiException as TicketsError
from hubspot.crm.tickets import SimplePublicObjectInputForCreate as TicketInput

from mapc.emulator import Emulator


def _deal_with_contacts(emulator: Emulator, count: int) -> dict[str, str]:
    contacts = [{"_ref": f"c{i}", "email": f"c{i}@x.io"} for i in range(count)]
    return emulator.seed(
        {
            "hubspot": {
                "records": {
                    "contacts": contacts,
                    "companies": [{"_ref": "co", "name": "Acme"}],
                    "deals": [{"_ref": "d", "dealname": "Big", "dealstage": "qualifiedtobuy"}],
                },
                "associations": [
                    {
                        "from": {"type": "deals", "id": "@d"},
                        "to": {"type": "contacts", "id": f"@c{i}"},
                    }
                    for i in range(count)
                ]
                + [
                    {
                        "from": {"type": "deals", "id": "@d"},
                        "to": {"type": "companies", "id": "@co"},
                    }
                ],
            }
        }
    )


def test_batch_read_pages_each_records_associations(hs: Any, emulator: Emulator) -> None:
    refs = _deal_with_contacts(emulator, 5)
    emulator.portal.association_page_size = 2
    seen: list[int] = []
    after = None
    pages = 0
    while True:
        item: dict[str, Any] = {"id": refs["d"]}
        if after:
            item["after"] = after
        read = hs.crm.associations.v4.batch_api.get_page(
            "deals", "contacts", BatchInputPublicFetchAssociationsBatchRequest(inputs=[item])
        )
        [result] = read.results
        seen.extend(t.to_object_id for t in result.to)
        pages += 1
        if result.paging is None:
            break
        after = result.paging.next.after
    assert pages == 3
    assert sorted(str(i) for i in seen) == sorted(refs[f"c{i}"] for i in range(5))


def test_list_associations_of_one_record_with_limit_and_after(hs: Any, emulator: Emulator) -> None:
    refs = _deal_with_contacts(emulator, 3)
    first = hs.crm.associations.v4.basic_api.get_page("deals", refs["d"], "contacts", limit=2)
    assert len(first.results) == 2 and first.paging.next.after
    rest = hs.crm.associations.v4.basic_api.get_page(
        "deals", refs["d"], "contacts", limit=2, after=first.paging.next.after
    )
    assert len(rest.results) == 1 and rest.paging is None
    company = hs.crm.associations.v4.basic_api.get_page("deals", refs["d"], "companies")
    assert [str(r.to_object_id) for r in company.results] == [refs["co"]]
    types = {t.type_id for t in company.results[0].association_types}
    assert 341 in types
    back = hs.crm.associations.v4.basic_api.get_page("companies", refs["co"], "deals")
    assert {t.type_id for t in back.results[0].association_types} >= {342}


def test_tickets_need_subject_pipeline_and_stage_and_link_to_contacts(
    hs: Any, emulator: Emulator
) -> None:
    refs = emulator.seed({"hubspot": {"records": {"contacts": [{"_ref": "c", "email": "c@x.io"}]}}})
    with pytest.raises(TicketsError) as caught:
        hs.crm.tickets.basic_api.create(TicketInput(properties={"subject": "Broken"}))
    assert caught.value.status == 400 and "hs_pipeline_stage" in caught.value.body
    ticket = hs.crm.tickets.basic_api.create(
        TicketInput(
            properties={
                "subject": "Broken",
                "content": "It does not start",
                "hs_pipeline": "0",
                "hs_pipeline_stage": "1",
                "hs_ticket_priority": "HIGH",
            },
            associations=[
                {
                    "to": {"id": refs["c"]},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 16}],
                }
            ],
        )
    )
    read = hs.crm.tickets.basic_api.get_by_id(ticket.id, associations=["contacts"])
    assert read.properties["subject"] == "Broken"
    assert [a.id for a in read.associations["contacts"].results] == [refs["c"]]
    linked = hs.crm.associations.v4.basic_api.get_page("contacts", refs["c"], "tickets")
    assert [str(r.to_object_id) for r in linked.results] == [ticket.id]
    assert {t.type_id for t in linked.results[0].association_types} == {15}


@pytest.mark.parametrize(
    ("object_type", "properties"),
    [
        ("calls", {"hs_call_title": "Intro", "hs_call_direction": "OUTBOUND"}),
        ("meetings", {"hs_meeting_title": "Demo"}),
        ("notes", {"hs_note_body": "Met at the fair"}),
        ("emails", {"hs_email_subject": "Hello", "hs_email_direction": "EMAIL"}),
    ],
)
def test_engagements_need_a_timestamp(
    hs: Any, emulator: Emulator, object_type: str, properties: dict[str, str]
) -> None:
    with pytest.raises(ObjectsError) as caught:
        hs.crm.objects.basic_api.create(object_type, ObjectInput(properties=properties))
    assert "hs_timestamp" in caught.value.body
    created = hs.crm.objects.basic_api.create(
        object_type, ObjectInput(properties={**properties, "hs_timestamp": "2026-11-29T08:00:00Z"})
    )
    read = hs.crm.objects.basic_api.get_by_id(object_type, created.id, properties=list(properties))
    assert read.properties | properties == read.properties


def test_line_items_compute_their_amount(hs: Any, emulator: Emulator) -> None:
    product = hs.crm.objects.basic_api.create(
        "products", ObjectInput(properties={"name": "Seat", "price": "40"})
    )
    item = hs.crm.objects.basic_api.create(
        "line_items",
        ObjectInput(properties={"hs_product_id": product.id, "price": "40", "quantity": "3"}),
    )
    read = hs.crm.objects.basic_api.get_by_id("line_items", item.id, properties=["amount"])
    assert read.properties["amount"] == "120"
