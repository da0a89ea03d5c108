"""Declared associations, decided: which side's association wins, as a pure function."""

from __future__ import annotations

from mapc.runtime.adapter import AssociationSync
from mapc.runtime.sync.lookups import Step, decide_association

BOTH = AssociationSync("contacts", "ContactId", ("Case",), ("Contact",), True, True)
TO_SF = AssociationSync("contacts", "WhoId", ("Task",), ("Lead", "Contact"), True, False)
LINKED = {"003A": "h1", "003B": "h2"}


def test_agreeing_sides_need_nothing() -> None:
    assert decide_association("003A", "003A", False, ["003A"], LINKED, BOTH) == Step(synced="003A")
    assert decide_association(None, None, True, [], LINKED, BOTH) == Step(synced=None)
    # HubSpot may associate several: agreeing means holding Salesforce's among them.
    assert decide_association("003B", None, True, ["003A", "003B"], LINKED, BOTH).synced == "003B"


def test_a_salesforce_change_adds_the_association_in_hubspot() -> None:
    step = decide_association("003B", "003A", False, ["003A"], LINKED, BOTH)
    assert step == Step(add_association="h2", synced="003B")


def test_a_hubspot_change_sets_the_lookup() -> None:
    step = decide_association("003A", "003A", False, ["003B"], LINKED, BOTH)
    assert step == Step(set_lookup="003B", synced="003B")
    # An empty lookup takes HubSpot's first association.
    step = decide_association(None, None, True, ["003B", "003A"], LINKED, BOTH)
    assert step == Step(set_lookup="003B", synced="003B")


def test_first_sync_with_both_set_adds_salesforces_in_hubspot() -> None:
    step = decide_association("003A", None, True, ["003B"], LINKED, BOTH)
    assert step == Step(add_association="h1", synced="003A")


def test_one_way_associations_never_write_the_other_way() -> None:
    step = decide_association("003A", None, True, [], LINKED, TO_SF)
    assert step.add_association is None and step.set_lookup is None
    step = decide_association(None, None, True, ["003B"], LINKED, TO_SF)
    assert step == Step(set_lookup="003B", synced="003B")


def test_a_lookup_to_a_record_that_is_not_linked_changes_nothing() -> None:
    step = decide_association("003Z", None, True, [], LINKED, BOTH)
    assert step == Step(synced=None)
