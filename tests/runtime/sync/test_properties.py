"""Properties over random edits on both sides: a run converges the two CRMs under each
field's rule, and the run after it writes nothing."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mapc.runtime.sync.state import StateStore
from tests.runtime.sync.conftest import SyncEnv, base_seed

EMAILS = [f"p{i}@prop.example" for i in range(3)]
VALUES = st.sampled_from(["", "Alpha", "Beta", "Gamma"])
EDIT = st.tuples(
    st.sampled_from(["hubspot", "salesforce"]),
    st.integers(0, 2),
    st.sampled_from(["title", "phone"]),
    VALUES,
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=st.lists(EDIT, max_size=6))
def test_random_edits_converge_and_settle(sync: SyncEnv, edits: list[tuple[Any, ...]]) -> None:
    sync.emulator.reset(person_accounts=True)
    sync.seed(base_seed())
    sync.seed(
        {
            "hubspot": {
                "records": {
                    "contacts": [{"email": e, "lastname": "P", "jobtitle": "Start"} for e in EMAILS]
                }
            }
        }
    )
    state = StateStore(sync.new_state("edits"))
    sync.run(state=state)
    for side, i, field, value in edits:
        if side == "hubspot":
            contact = sync.hs_by_email()[EMAILS[i]]
            prop = "jobtitle" if field == "title" else "phone"
            sync.hubspot.update("contacts", [{"id": contact["id"], prop: value}])
        else:
            lead = next(r for r in sync.sf("Lead") if r["Email"] == EMAILS[i])
            name = "Title" if field == "title" else "Phone"
            sync.salesforce.update("Lead", [{"Id": lead["Id"], name: value or None}])
        sync.emulator.clock.advance(1)
    sync.run(state=state)
    contacts = sync.hs_by_email()
    leads = {r["Email"]: r for r in sync.sf("Lead")}
    for email in EMAILS:
        hs, sf = contacts[email], leads[email]
        assert (hs.get("jobtitle") or None) == (sf.get("Title") or None)  # two way
        if sf.get("Phone"):
            assert hs.get("phone") == sf["Phone"]  # prefer Salesforce unless blank
    sync.emulator.reset_calls()
    sync.run(state=state)
    assert sync.write_count() == 0, sync.writes()
