"""Search's sorted columns follow writes one record at a time: the answers stay exactly
those of a column sorted afresh, whatever the writes (creates, updates, archives, ties)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mapc.emulator.clock import Clock
from mapc.emulator.hubspot.portal import Portal
from mapc.emulator.hubspot.search import Searcher

BODIES = [
    {"sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}]},
    {
        "filterGroups": [
            {"filters": [{"propertyName": "jobtitle", "operator": "GT", "value": "t3"}]},
            {"filters": [{"propertyName": "lastmodifieddate", "operator": "LTE", "value": "0"}]},
        ],
        "sorts": [{"propertyName": "jobtitle", "direction": "DESCENDING"}],
    },
]

Op = tuple[str, int, int]
ops = st.lists(
    st.tuples(
        st.sampled_from(["create", "update", "archive", "tick"]),
        st.integers(0, 30),
        st.integers(0, 9),
    ),
    max_size=60,
)


@settings(max_examples=80, deadline=None)
@given(ops)
def test_columns_moved_record_by_record_answer_as_columns_sorted_afresh(steps: list[Op]) -> None:
    clock = Clock()
    clock.freeze("2026-12-01T00:00:00Z")
    portal = Portal(clock)
    live = Searcher(portal)
    for n in range(20):
        portal.create("contacts", {"email": f"c{n}@s.example", "jobtitle": f"t{n % 7}"})
    made = list(portal.objects["contacts"])
    for kind, pick, value in steps:
        if kind == "tick":
            clock.advance(value / 1000)  # ties at one millisecond, or not
            continue
        if kind == "create":
            made.append(portal.create("contacts", {"jobtitle": f"t{value}"}).id)
            continue
        target = made[pick % len(made)]
        record = portal.objects["contacts"].get(target)
        if record is None:
            continue
        if kind == "update":
            portal.update("contacts", record, {"jobtitle": None if value == 0 else f"t{value}"})
        else:
            portal.archive("contacts", target)
        for body in BODIES:
            assert live.run("contacts", body) == Searcher(portal).run("contacts", body)
