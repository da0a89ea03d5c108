"""Properties of Salesforce ids and the SOQL parser, checked without the network."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mapc.emulator.clock import Clock
from mapc.emulator.salesforce.errors import SfApiError
from mapc.emulator.salesforce.ids import IdFactory, to18
from mapc.emulator.salesforce.soql_parse import BoolOp, Comparison, parse

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ids15 = st.text(alphabet=BASE62, min_size=15, max_size=15)


@given(ids15)
def test_18_char_ids_round_trip(id15: str) -> None:
    full = to18(id15)
    assert full is not None and full[:15] == id15
    assert to18(full) == full and to18(full[:15] + full[15:].lower()) == full


@given(ids15, ids15)
def test_18_char_ids_are_unique_ignoring_case(a: str, b: str) -> None:
    # The suffix exists so that ids differing only in case stay distinct case-insensitively.
    if a != b and a.lower() == b.lower():
        assert str(to18(a)).lower() != str(to18(b)).lower()


def test_factory_ids_are_well_formed_and_distinct() -> None:
    factory = IdFactory()
    made = [factory.new("003") for _ in range(1000)]
    assert len(set(made)) == 1000 and all(to18(i) == i for i in made)


def test_parse_shapes() -> None:
    query = parse(
        "select Id, Account.Name from Contact where (A = 'x' or B != 2) "
        "and not C in ('a','b') order by LastName desc nulls first, Id limit 5"
    )
    assert query.fields == ("Id", "Account.Name") and query.sobject == "Contact"
    assert isinstance(query.where, BoolOp) and query.where.op == "AND"
    negated = query.where.parts[1]
    assert isinstance(negated, BoolOp) and negated.op == "NOT"
    assert isinstance(negated.parts[0], Comparison) and negated.parts[0].op == "IN"
    assert [(o.field, o.descending, o.nulls_last) for o in query.order_by] == [
        ("LastName", True, False),
        ("Id", False, False),
    ]
    assert query.limit == 5


@pytest.mark.parametrize(
    "text",
    [
        "SELECT FROM Lead",
        "SELECT Id FROM Lead LIMIT x",
        "SELECT Id FROM Lead WHERE A =",
        "SELECT Id FROM Lead ORDER",
        "SELECT Id FROM Lead WHERE A = 'x' extra",
    ],
)
def test_parse_errors_are_malformed_query(text: str) -> None:
    with pytest.raises(SfApiError) as caught:
        parse(text)
    assert caught.value.errors[0].code == "MALFORMED_QUERY"


def test_clock_freeze_advance_unfreeze_never_goes_back() -> None:
    clock = Clock()
    frozen = clock.freeze("2030-01-01T00:00:00Z")
    assert clock.now() == frozen
    clock.advance(1.5)
    assert clock.now().isoformat() == "2030-01-01T00:00:01.500000+00:00"
    clock.unfreeze()
    assert clock.now() >= frozen
