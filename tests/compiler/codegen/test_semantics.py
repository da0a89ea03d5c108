"""What generated functions do: each field rule, value conversions, filters and search."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mapc.compiler import ir
from mapc.compiler.codegen import generate
from mapc.compiler.plan import PlannedValueMap
from mapc.runtime.adapter import ObjectSync, Rule
from mapc.runtime.sync.decide import offered
from tests.compiler.codegen.hostile import load
from tests.compiler.codegen.plans import (
    DEAL_STAGES,
    OPT_OUT,
    SPAN,
    compare,
    contacts,
    field,
    lit,
    plan,
    ref,
)

KINDS = (
    ("stage", "enumeration"),
    ("amount", "number"),
    ("flag", "bool"),
    ("name", "text"),
    ("day", "datetime"),
)


def sync_of(*fields: Any, include: ir.Expr | None = None, maps: tuple = ()) -> ObjectSync:
    obj = contacts((*fields, OPT_OUT), include=include, include_kinds=KINDS if include else ())
    module = load(generate(plan((obj,), maps))[0].source)
    return module.ADAPTER.objects[0]  # type: ignore[no-any-return]


def test_each_rule_flows_only_where_it_should() -> None:
    obj = sync_of(
        field("a", "A"),
        field("b", "B", Rule.ALWAYS_HUBSPOT),
        field("c", "C", Rule.ALWAYS_SALESFORCE),
        field("d", "D", Rule.DO_NOT_SYNC),
    )
    hs = {"a": "1", "b": "2", "c": "3", "d": "4"}
    sf = {"A": "1", "B": "2", "C": "3", "D": "4"}
    assert obj.to_salesforce("Lead", hs) == {"A": "1", "B": "2"}
    assert obj.to_hubspot("Contact", sf) == {"a": "1", "c": "3"}
    assert [f.hubspot for f in obj.fields if not f.to_salesforce] == ["c", "d"]


def test_a_transform_converts_and_leaves_the_rule_to_the_engine() -> None:
    """Prefer Salesforce unless blank is the engine's (`offered`): the transform converts
    the value either way, a blank as None."""
    obj = sync_of(field("a", "A"), field("p", "P", Rule.PREFER_SALESFORCE))
    assert obj.to_salesforce("Lead", {"a": "", "p": ""}) == {"A": None, "P": None}
    assert obj.to_salesforce("Lead", {"p": "x"}) == {"A": None, "P": "x"}
    assert obj.to_hubspot("Lead", {"A": None, "P": None}) == {"a": None, "p": None}
    assert offered(obj, "Lead", {"a": "", "p": ""}, None, to_salesforce=True) == {"A": None}
    assert offered(obj, "Lead", {"p": "x"}, {"P": "kept"}, to_salesforce=True) == {"A": None}
    assert offered(obj, "Lead", {"p": "x"}, {"P": ""}, to_salesforce=True) == {
        "A": None,
        "P": "x",
    }
    assert offered(obj, "Lead", {"A": None, "P": None}, None, to_salesforce=False) == {"a": None}


def test_opt_out_is_never_a_transform_value_and_never_resubscribes() -> None:
    """R1 is the engine's: the transforms carry no opt-out at all, and what the rules
    offer is only ever an unsubscribe."""
    obj = sync_of()
    assert obj.to_salesforce("Lead", {"hs_email_optout": "true"}) == {}
    assert obj.to_hubspot("Lead", {"HasOptedOutOfEmail": True}) == {}
    assert offered(obj, "Lead", {"hs_email_optout": "true"}, None, to_salesforce=True) == {
        "HasOptedOutOfEmail": True
    }
    subscribed = {"hs_email_optout": "false"}
    assert offered(obj, "Lead", subscribed, {"HasOptedOutOfEmail": True}, to_salesforce=True) == {}
    assert offered(obj, "Lead", {"HasOptedOutOfEmail": True}, None, to_salesforce=False) == {
        "hs_email_optout": "true"
    }
    cleared = {"HasOptedOutOfEmail": False}
    assert offered(obj, "Lead", cleared, {"hs_email_optout": "true"}, to_salesforce=False) == {}


def test_values_are_converted_between_the_systems_types() -> None:
    obj = sync_of(
        field("n", "N", hubspot_kind="number", salesforce_kind="currency"),
        field("b", "B", hubspot_kind="bool", salesforce_kind="bool"),
        field("d", "D", hubspot_kind="datetime", salesforce_kind="date"),
        field("t", "T", hubspot_kind="datetime", salesforce_kind="datetime"),
    )
    out = obj.to_salesforce(
        "Lead", {"n": "12", "b": "TRUE", "d": "1700000000000", "t": "1700000000000"}
    )
    assert out == {"N": 12, "B": True, "D": "2023-11-14", "T": "2023-11-14T22:13:20.000Z"}
    assert obj.to_salesforce("Lead", {"n": "1.5", "b": "", "d": "2024-02-03T10:00:00Z"})["N"] == 1.5
    assert obj.to_salesforce("Lead", {"n": "n/a"})["N"] == "n/a"  # Salesforce says why
    back = obj.to_hubspot(
        "Lead", {"N": 3.0, "B": False, "D": "2024-02-03", "T": "2024-02-03T10:00:00.000+0000"}
    )
    assert back == {
        "n": "3",
        "b": "false",
        "d": "2024-02-03T00:00:00.000Z",
        "t": "2024-02-03T10:00:00.000Z",
    }


def test_value_maps_with_prefer_and_two_way() -> None:
    obj = sync_of(
        field(
            "s",
            "S",
            Rule.PREFER_SALESFORCE,
            hubspot_kind="enumeration",
            salesforce_kind="picklist",
            value_map="deal_stages",
        ),
        maps=(DEAL_STAGES,),
    )
    assert obj.to_salesforce("Lead", {"s": "closedwon"}) == {"S": "Closed Won"}
    assert obj.to_salesforce("Lead", {"s": ""}) == {"S": None}
    assert obj.to_hubspot("Lead", {"S": "Qualification"}) == {"s": "qualifiedtobuy"}
    assert obj.to_hubspot("Lead", {"S": "Unknown stage"}) == {}  # not in the map: nothing
    hs = {"s": "closedwon"}
    assert offered(obj, "Lead", hs, {"S": ""}, to_salesforce=True) == {"S": "Closed Won"}
    assert offered(obj, "Lead", hs, {"S": "Prospecting"}, to_salesforce=True) == {}
    assert offered(obj, "Lead", {"S": ""}, {"s": "closedwon"}, to_salesforce=False) == {}


def test_owner_values_pass_through_for_the_engine() -> None:
    obj = sync_of(
        field("owner", "OwnerId", hubspot_kind="reference", salesforce_kind="reference", owner=True)
    )
    assert obj.to_salesforce("Lead", {"owner": "42"})["OwnerId"] == "42"
    assert [f.owner for f in obj.fields] == [True, False]


def test_unknown_salesforce_object_is_an_error() -> None:
    obj = sync_of()
    try:
        obj.to_salesforce("Account", {})
    except ValueError as error:
        assert "Account" in str(error)
    else:
        raise AssertionError("expected ValueError")


# -- the inclusion filter: Python predicate vs HubSpot search -------------------------

RECORD_VALUES = {
    "stage": (None, "", "a", "b", "c"),
    "amount": (None, "", "0", "5", "7.5", "10.5", "20"),
    "flag": (None, "", "true", "false"),
    # Free text: HubSpot's search compares strings case-insensitively; Python does not.
    "name": (None, "", "a", "A", "b", "B"),
    # The same instant written two ways: search compares instants, Python compares text.
    "day": (None, "", "2024-01-01", "2024-01-01T00:00:00.000Z", "2024-01-02T05:00:00Z"),
}


def _instant(text: str) -> float:
    if len(text) == 10:
        text += "T00:00:00Z"
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def hubspot_search_matches(groups: Any, record: dict[str, Any]) -> bool:
    """HubSpot search semantics, strictly: only HAS/NOT_HAS see records without a value."""

    def one(f: dict[str, Any]) -> bool:
        prop, op = f["propertyName"], f["operator"]
        value = record.get(prop)
        has = value not in (None, "")
        if op == "HAS_PROPERTY":
            return has
        if op == "NOT_HAS_PROPERTY":
            return not has
        if not has:
            return False
        if op in ("IN", "NOT_IN"):
            inside = str(value).casefold() in {str(v).casefold() for v in f["values"]}
            return inside == (op == "IN")
        left: Any = value
        right: Any = f["value"]
        if prop == "amount":
            left, right = float(left), float(right)
        elif prop == "day":
            left, right = _instant(left), _instant(right)
        else:  # strings, as HubSpot's search compares them: case-insensitively
            left, right = str(left).casefold(), str(right).casefold()
        return {
            "EQ": left == right,
            "NEQ": left != right,
            "LT": left < right,
            "LTE": left <= right,
            "GT": left > right,
            "GTE": left >= right,
        }[op]

    return any(all(one(f) for f in g["filters"]) for g in groups)


def atoms() -> st.SearchStrategy[ir.Expr]:
    ops = st.sampled_from(["==", "!=", "<", "<=", ">", ">="])
    return st.one_of(
        st.builds(lambda op, v: compare("stage", op, v), ops, st.sampled_from("abc")),
        st.builds(lambda op, v: compare("amount", op, v), ops, st.sampled_from([0, 5, 10.5])),
        st.builds(
            lambda op, v: compare("flag", op, v), st.sampled_from(["==", "!="]), st.booleans()
        ),
        st.builds(
            lambda op, v: compare("name", op, v),
            st.sampled_from(["==", "!="]),
            st.sampled_from("aB"),
        ),
        st.builds(
            lambda op, v: compare("day", op, v),
            ops,
            st.sampled_from(["2024-01-01", "2024-01-02T05:00:00.000Z"]),
        ),
        st.builds(
            lambda vs, neg: ir.InList(
                span=SPAN, field=ref("name"), values=tuple(lit(v) for v in vs), negated=neg
            ),
            st.lists(st.sampled_from("aB"), min_size=1, max_size=2, unique=True),
            st.booleans(),
        ),
        st.builds(
            lambda vs, neg: ir.InList(
                span=SPAN, field=ref("stage"), values=tuple(lit(v) for v in vs), negated=neg
            ),
            st.lists(st.sampled_from("abc"), min_size=1, max_size=3, unique=True),
            st.booleans(),
        ),
        st.builds(
            lambda name, neg: ir.IsBlank(span=SPAN, field=ref(name), negated=neg),
            st.sampled_from(["stage", "amount", "flag", "name", "day"]),
            st.booleans(),
        ),
    )


expressions = st.recursive(
    atoms(),
    lambda inner: st.one_of(
        st.builds(lambda e: ir.Not(span=SPAN, operand=e), inner),
        st.builds(
            lambda es: ir.And(span=SPAN, operands=tuple(es)),
            st.lists(inner, min_size=2, max_size=3),
        ),
        st.builds(
            lambda es: ir.Or(span=SPAN, operands=tuple(es)), st.lists(inner, min_size=2, max_size=3)
        ),
    ),
    max_leaves=6,
)
records = st.fixed_dictionaries({k: st.sampled_from(v) for k, v in RECORD_VALUES.items()})


@settings(max_examples=300, deadline=None)
@given(expressions, st.lists(records, min_size=1, max_size=20))
def test_search_filter_reads_every_record_the_predicate_includes(
    expr: ir.Expr, sample: list[dict[str, Any]]
) -> None:
    obj = sync_of(include=expr)
    assert obj.include is not None
    for record in sample:
        included = obj.include(record)
        assert isinstance(included, bool)
        if included and obj.include_search_filter is not None:
            assert hubspot_search_matches(obj.include_search_filter, record), record


def test_number_comparisons_never_hold_for_blanks() -> None:
    obj = sync_of(include=compare("amount", ">", 5))
    assert obj.include is not None
    assert [obj.include({"amount": v}) for v in (None, "", "5", "5.5", "x")] == [
        False,
        False,
        False,
        True,
        False,
    ]


def test_a_plan_without_objects_still_generates_a_clean_module() -> None:
    module = load(generate(plan(()))[0].source)
    assert module.ADAPTER.objects == ()


def test_mapping_names_never_shadow_what_the_module_imports() -> None:
    """A value map or object named like an imported name (`UTC` from datetime, the helpers)
    gets another constant name, so the date conversions still use datetime's UTC."""
    utc = PlannedValueMap(name="utc", pairs=(("a", "A"),), two_way=False)
    day = field(
        "closedate", "CloseDate", hubspot_kind="datetime", salesforce_kind="date", objects=("Lead",)
    )
    stage = field("stage", "Stage", Rule.ALWAYS_HUBSPOT, value_map="utc", objects=("Lead",))
    obj = contacts((day, stage, OPT_OUT), objects=("Lead",), hubspot_object="utc")
    module = load(generate(plan((obj,), (utc,)))[0].source)
    sync = module.ADAPTER.objects[0]
    out = sync.to_salesforce("Lead", {"closedate": "1700000000000", "stage": "a"})
    assert out["CloseDate"] == "2023-11-14" and out["Stage"] == "A"
    assert sync.to_hubspot("Lead", {"CloseDate": "2024-01-05"})["closedate"] == (
        "2024-01-05T00:00:00.000Z"
    )
