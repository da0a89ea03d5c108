"""CRM search: filters, sorts, paging and HubSpot's 10,000-result cap."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hubspot.crm.contacts import ApiException as ContactsError
from hubspot.crm.contacts import PublicObjectSearchRequest

from mapc.emulator import Emulator


def _search(hs: Any, *filters: dict[str, Any], **extra: Any) -> Any:
    return hs.crm.contacts.search_api.do_search(
        PublicObjectSearchRequest(
            filter_groups=[{"filters": list(filters)}] if filters else [], **extra
        )
    )


def _seed(emulator: Emulator, count: int) -> dict[str, str]:
    emulator.clock.freeze("2026-11-29T08:00:00Z")
    return emulator.seed(
        {
            "hubspot": {
                "records": {
                    "contacts": [
                        {
                            "_ref": f"c{i}",
                            "email": f"c{i}@x.io",
                            "firstname": f"N{i % 3}",
                            "lifecyclestage": "lead" if i % 2 else "customer",
                        }
                        for i in range(count)
                    ]
                }
            }
        }
    )


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ({"propertyName": "email", "operator": "EQ", "value": "C3@X.IO"}, [3]),
        ({"propertyName": "firstname", "operator": "NEQ", "value": "N0"}, [1, 2, 4, 5]),
        ({"propertyName": "hs_object_id", "operator": "GT", "value": "1004"}, [4, 5]),
        ({"propertyName": "hs_object_id", "operator": "LTE", "value": "1001"}, [0]),
        ({"propertyName": "lifecyclestage", "operator": "IN", "values": ["lead"]}, [1, 3, 5]),
        ({"propertyName": "lifecyclestage", "operator": "NOT_IN", "values": ["lead"]}, [0, 2, 4]),
        ({"propertyName": "phone", "operator": "NOT_HAS_PROPERTY"}, [0, 1, 2, 3, 4, 5]),
        ({"propertyName": "email", "operator": "HAS_PROPERTY"}, [0, 1, 2, 3, 4, 5]),
        (
            {"propertyName": "lastmodifieddate", "operator": "GTE", "value": "1795939200000"},
            [0, 1, 2, 3, 4, 5],
        ),
        ({"propertyName": "createdate", "operator": "LT", "value": "2026-11-29T08:00:00Z"}, []),
    ],
)
def test_filter_operators(
    hs: Any, emulator: Emulator, flt: dict[str, Any], expected: list[int]
) -> None:
    refs = _seed(emulator, 6)
    found = _search(hs, flt, limit=100)
    assert sorted(r.id for r in found.results) == sorted(refs[f"c{i}"] for i in expected)
    assert found.total == len(expected)


def test_filter_groups_are_or_and_sorts_apply(hs: Any, emulator: Emulator) -> None:
    refs = _seed(emulator, 6)
    found = hs.crm.contacts.search_api.do_search(
        PublicObjectSearchRequest(
            filter_groups=[
                {"filters": [{"propertyName": "firstname", "operator": "EQ", "value": "N1"}]},
                {"filters": [{"propertyName": "email", "operator": "EQ", "value": "c0@x.io"}]},
            ],
            sorts=[{"propertyName": "hs_object_id", "direction": "DESCENDING"}],
            properties=["email"],
            limit=10,
        )
    )
    assert [r.id for r in found.results] == [refs["c4"], refs["c1"], refs["c0"]]
    assert set(found.results[0].properties) >= {"email", "hs_object_id", "lastmodifieddate"}


def test_paging_with_after_and_limit_200(hs: Any, emulator: Emulator) -> None:
    _seed(emulator, 450)
    seen: list[str] = []
    after = None
    while True:
        page = _search(
            hs,
            limit=200,
            after=after,
            sorts=[{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}],
        )
        seen.extend(r.id for r in page.results)
        if page.paging is None:
            break
        after = page.paging.next.after
    assert len(seen) == len(set(seen)) == 450
    with pytest.raises(ContactsError) as caught:
        _search(hs, limit=201)
    assert caught.value.status == 400


def test_ten_thousand_result_cap(hs: Any, emulator: Emulator) -> None:
    emulator.seed(
        {"hubspot": {"records": {"contacts": [{"email": f"bulk{i}@x.io"} for i in range(10_050)]}}}
    )
    page = _search(hs, limit=200, after="9800")
    assert page.total == 10_050 and page.paging.next.after == "10000"
    with pytest.raises(ContactsError) as caught:
        _search(hs, limit=200, after="10000")
    body = json.loads(caught.value.body)
    assert caught.value.status == 400 and body["category"] == "VALIDATION_ERROR"
    assert body["status"] == "error" and body["correlationId"]


def test_search_sees_writes_made_between_searches(hs: Any, emulator: Emulator) -> None:
    refs = _seed(emulator, 5)
    since = {
        "propertyName": "lastmodifieddate",
        "operator": "GT",
        "value": "2026-11-29T08:00:00.000Z",
    }
    assert _search(hs, since).total == 0
    emulator.clock.advance(10)
    hs.crm.contacts.basic_api.update(refs["c2"], {"properties": {"firstname": "Changed"}})
    found = _search(hs, since, {"propertyName": "firstname", "operator": "EQ", "value": "changed"})
    assert [r.id for r in found.results] == [refs["c2"]]
    descending = _search(
        hs, sorts=[{"propertyName": "lastmodifieddate", "direction": "DESCENDING"}], limit=3
    )
    assert [r.id for r in descending.results] == [refs["c2"], refs["c0"], refs["c1"]]
