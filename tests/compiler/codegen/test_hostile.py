"""No mapping can inject code: hostile names and values come out as exact literals."""

from __future__ import annotations

import ast

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mapc.compiler.codegen import generate
from mapc.compiler.codegen.literals import comment_text, py_literal, py_str
from mapc.compiler.codegen.names import MAX_LENGTH, Namer
from tests.compiler.codegen.hostile import HOSTILE, hostile_plan, hostile_source, load
from tests.compiler.codegen.plans import OPT_OUT, contacts, field, plan


def check_round_trip(names: tuple[str, ...]) -> None:
    module = load(hostile_source(names))
    adapter = module.ADAPTER
    assert adapter.name == names[7]
    assert adapter.source_path == f"mappings/{names[8]}.mapc"
    (obj,) = adapter.objects
    assert [f.hubspot for f in obj.fields][: len(names)] == [f"hs {n}" for n in names]
    record = {f"hs {n}": n for n in names}
    record[names[0]] = names[1]  # an option of the value map
    record[names[3]] = "filled"
    out = obj.to_salesforce("Lead", record)
    for n in names:
        assert out[f"sf {n}"] == n
    assert out[names[1]] == f"SF {names[1]}"
    assert out[names[4]] == "filled"
    back = obj.to_hubspot("Lead", {names[1]: f"SF {names[2]}", f"sf {names[0]}": "v"})
    assert back[names[0]] == names[2]
    assert back[f"hs {names[0]}"] == "v"
    assert dict(obj.create_defaults["Lead"]) == {f"default {n}": n for n in names}
    assert obj.include({f"hs {names[5]}": names[6]}) is True
    assert obj.include({names[0]: names[3]}) is True
    assert obj.include({names[0]: "no such option", f"hs {names[5]}": "other"}) is False
    assert obj.include_search_filter is not None
    first = obj.include_search_filter[0]["filters"][0]
    assert first == {"propertyName": f"hs {names[5]}", "operator": "EQ", "value": names[6]}


def test_hostile_names_and_values_round_trip() -> None:
    check_round_trip(HOSTILE)


def test_hostile_text_never_reaches_code_unquoted() -> None:
    source = hostile_source()
    tree = ast.parse(source)
    strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}
    assert set(HOSTILE) <= strings | {HOSTILE[8]}  # the path shows in a literal, not alone
    # nothing a mapping wrote became a name, call or import
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    assert "__import__" not in names and "os" not in names
    imports = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert {getattr(n, "module", None) for n in imports} <= {
        "__future__",
        "typing",
        "datetime",
        "mapc.runtime.adapter",
    }


def test_derived_names_are_safe_unique_and_short() -> None:
    namer = Namer({"ADAPTER"})
    taken = [namer.take(n) for n in (*HOSTILE, *HOSTILE, "adapter", "ADAPTER")]
    upper = [namer.take(n, upper=True) for n in ("adapter", "class", "x" * 99)]
    for name in (*taken, *upper):
        assert name.isidentifier() and name.isascii() and len(name) <= MAX_LENGTH
    assert len(set(taken + upper)) == len(taken) + len(upper)
    assert "ADAPTER" not in upper and "class" not in taken


def test_object_names_become_safe_function_names() -> None:
    odd = contacts((field("email", "Email"), OPT_OUT), hubspot_object='con"tacts class')
    again = contacts((field("email", "Email"), OPT_OUT), hubspot_object="con tacts-class")
    source = generate(plan((odd, again)))[0].source
    module = load(source)
    assert [o.hubspot_object for o in module.ADAPTER.objects] == [
        'con"tacts class',
        "con tacts-class",
    ]
    assert "def con_tacts_class_to_salesforce(" in source
    assert "def con_tacts_class_to_salesforce_2(" in source


@given(st.text())
def test_string_literals_round_trip(text: str) -> None:
    assert ast.literal_eval(py_str(text)) == text
    assert "\n" not in py_str(text) and "\r" not in py_str(text)


@given(st.one_of(st.integers(), st.floats(), st.booleans(), st.none()))
def test_scalar_literals_round_trip(value: object) -> None:
    code = py_literal(value)
    back = eval(code, {})  # our own literal for a number: safe by construction
    if isinstance(value, float) and value != value:
        assert back != back
    else:
        assert back == value and type(back) is type(value)


@given(st.text())
def test_comments_stay_on_one_line(text: str) -> None:
    rendered = comment_text(text)
    assert "\n" not in rendered and "\r" not in rendered
    assert all(ch.isprintable() for ch in rendered)


def _distinct(names: list[str]) -> bool:
    roles = [*names, *(f"{p} {n}" for p in ("hs", "sf", "default") for n in names)]
    return len(set(roles)) == len(roles)


hostile_names = st.lists(
    st.text(min_size=1, max_size=60), min_size=9, max_size=9, unique=True
).filter(_distinct)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_names)
def test_any_names_generate_a_module_that_imports_and_round_trips(names: list[str]) -> None:
    check_round_trip(tuple(names))


def test_hostile_plan_is_usable_by_other_tests() -> None:
    assert hostile_plan().objects[0].salesforce_objects == ("Lead",)
