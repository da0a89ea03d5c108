"""SOQL through simple-salesforce: the supported subset, paging and query errors."""

from __future__ import annotations

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from mapc.emulator import Emulator

QUERY = "GET /services/data/vXX.X/query"


def _seed_leads(emulator: Emulator, count: int) -> None:
    emulator.clock.freeze("2026-11-29T08:00:00Z")
    emulator.seed(
        {
            "salesforce": {
                "records": {
                    "Lead": [
                        {
                            "LastName": f"L{i:05d}",
                            "Company": "Acme" if i % 2 else "Beta",
                            "Email": f"l{i}@x.io",
                            "NumberOfEmployees": i,
                        }
                        for i in range(count)
                    ]
                }
            }
        }
    )


def test_paging_follows_next_records_url_in_batches_of_2000(
    sf: Salesforce, emulator: Emulator
) -> None:
    _seed_leads(emulator, 4500)
    first = sf.query("SELECT Id, LastName FROM Lead")
    assert first["totalSize"] == 4500 and len(first["records"]) == 2000 and not first["done"]
    assert first["nextRecordsUrl"].startswith("/services/data/v59.0/query/01g")
    everything = sf.query_all("SELECT Id, LastName FROM Lead ORDER BY LastName")
    names = [r["LastName"] for r in everything["records"]]
    assert len(names) == 4500 and names == sorted(names)
    assert emulator.calls() == {QUERY: 2, f"{QUERY}/{{locator}}": 2}


def test_batch_size_header_and_many_records_sharing_one_timestamp(
    sf: Salesforce, emulator: Emulator
) -> None:
    _seed_leads(emulator, 450)
    query = (
        "SELECT Id, SystemModstamp FROM Lead WHERE SystemModstamp >= "
        "2026-11-29T08:00:00.000+0000 ORDER BY SystemModstamp, Id"
    )
    page = sf.query(query, headers={"Sforce-Query-Options": "batchSize=200"})
    assert len(page["records"]) == 200
    rows = list(sf.query_all_iter(query, headers={"Sforce-Query-Options": "batchSize=200"}))
    assert len(rows) == 450 and len({r["SystemModstamp"] for r in rows}) == 1
    assert [r["Id"] for r in rows] == sorted(r["Id"] for r in rows)


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("NumberOfEmployees > 7", [8, 9]),
        ("NumberOfEmployees <= 1", [0, 1]),
        ("NumberOfEmployees != 3 AND NumberOfEmployees < 5", [0, 1, 2, 4]),
        ("NumberOfEmployees = 1 OR NumberOfEmployees = 8", [1, 8]),
        ("NOT (NumberOfEmployees >= 2)", [0, 1]),
        ("Email IN ('L3@X.IO', 'l4@x.io')", [3, 4]),
        ("Email NOT IN ('l3@x.io') AND NumberOfEmployees < 5", [0, 1, 2, 4]),
        ("LastName LIKE 'l0000%'", list(range(10))),
        ("LastName LIKE '%9'", [9]),
        ("Title = null AND NumberOfEmployees < 2", [0, 1]),
        ("Email != null AND Company = 'acme'", [1, 3, 5, 7, 9]),
        ("CreatedDate = TODAY", list(range(10))),
        ("CreatedDate < 2026-11-29T08:00:00Z", []),
        ("CreatedDate >= 2026-11-29T09:00:00+01:00", list(range(10))),
        ("LastModifiedDate > 2026-11-28T00:00:00.000+0000 AND IsDeleted = false", list(range(10))),
    ],
)
def test_where_clauses(sf: Salesforce, emulator: Emulator, where: str, expected: list[int]) -> None:
    _seed_leads(emulator, 10)
    rows = sf.query(f"SELECT NumberOfEmployees FROM Lead WHERE {where} ORDER BY NumberOfEmployees")[
        "records"
    ]
    assert [r["NumberOfEmployees"] for r in rows] == expected


def test_order_by_several_fields_limit_and_offset(sf: Salesforce, emulator: Emulator) -> None:
    _seed_leads(emulator, 6)
    rows = sf.query(
        "SELECT Company, NumberOfEmployees FROM Lead "
        "ORDER BY Company DESC, NumberOfEmployees ASC LIMIT 4"
    )["records"]
    assert [(r["Company"], r["NumberOfEmployees"]) for r in rows] == [
        ("Beta", 0),
        ("Beta", 2),
        ("Beta", 4),
        ("Acme", 1),
    ]
    rows = sf.query(
        "SELECT NumberOfEmployees FROM Lead ORDER BY NumberOfEmployees LIMIT 2 OFFSET 3"
    )["records"]
    assert [r["NumberOfEmployees"] for r in rows] == [3, 4]
    assert sf.query("SELECT COUNT() FROM Lead WHERE Company = 'Acme'")["totalSize"] == 3


def test_relationship_fields_and_query_all_sees_deleted(sf: Salesforce, emulator: Emulator) -> None:
    refs = emulator.seed(
        {
            "salesforce": {
                "records": {
                    "Account": [{"_ref": "acme", "Name": "Acme"}],
                    "Contact": [{"LastName": "In", "AccountId": "@acme"}, {"LastName": "Out"}],
                }
            }
        }
    )
    rows = sf.query("SELECT LastName, Account.Name FROM Contact ORDER BY LastName")["records"]
    assert rows[0]["Account"]["Name"] == "Acme" and rows[1]["Account"] is None
    rows = sf.query(f"SELECT Id FROM Contact WHERE AccountId = '{refs['acme'][:15]}'")
    assert rows["totalSize"] == 1
    gone = sf.Contact.create({"LastName": "Gone"})["id"]
    sf.Contact.delete(gone)
    visible = sf.query("SELECT Id FROM Contact")["totalSize"]
    everything = sf.query_all(
        "SELECT Id, IsDeleted FROM Contact WHERE IsDeleted = true", include_deleted=True
    )
    assert visible == 2 and [r["Id"] for r in everything["records"]] == [gone]


@pytest.mark.parametrize(
    ("soql", "code"),
    [
        ("SELECT Nope FROM Lead", "INVALID_FIELD"),
        ("SELECT Id FROM Nope", "INVALID_TYPE"),
        ("SELECT Id FROM Lead WHERE CreatedDate > '2026-01-01'", "INVALID_FIELD"),
        ("SELECT Id FROM Lead WHERE Email = 5", "INVALID_FIELD"),
        ("SELECT Id Lead", "MALFORMED_QUERY"),
        ("SELECT Id FROM Lead WHERE", "MALFORMED_QUERY"),
    ],
)
def test_query_errors(sf: Salesforce, soql: str, code: str) -> None:
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query(soql)
    assert caught.value.content[0]["errorCode"] == code


def test_expired_locator(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query_more("/services/data/v59.0/query/01gNOPE-2000", identifier_is_url=True)
    assert caught.value.content[0]["errorCode"] == "INVALID_QUERY_LOCATOR"


def test_keyset_paging_on_timestamp_then_id(sf: Salesforce, emulator: Emulator) -> None:
    _seed_leads(emulator, 30)
    stamp = "2026-11-29T08:00:00.000+0000"
    seen: list[str] = []
    last = ""
    while True:
        where = (
            f"SystemModstamp > {stamp} OR (SystemModstamp = {stamp} AND Id > '{last}')"
            if last
            else f"SystemModstamp >= {stamp}"
        )
        rows = sf.query(f"SELECT Id FROM Lead WHERE {where} ORDER BY SystemModstamp, Id LIMIT 7")[
            "records"
        ]
        if not rows:
            break
        seen.extend(r["Id"] for r in rows)
        last = rows[-1]["Id"]
    assert len(seen) == len(set(seen)) == 30


def test_datetimes_are_kept_to_the_second_and_literal_milliseconds_ignored(
    sf: Salesforce, emulator: Emulator
) -> None:
    emulator.clock.freeze("2026-11-29T08:00:00.750Z")
    made = sf.Lead.create({"LastName": "A", "Company": "C"})
    record = sf.Lead.get(made["id"])
    assert record["SystemModstamp"] == "2026-11-29T08:00:00.000+0000"
    assert record["LastModifiedDate"] == record["CreatedDate"] == record["SystemModstamp"]
    for literal, op in (("2026-11-29T08:00:00.900Z", "="), ("2026-11-29T08:00:00.100Z", "<=")):
        soql = f"SELECT Id FROM Lead WHERE SystemModstamp {op} {literal}"
        assert sf.query(soql)["totalSize"] == 1, soql
