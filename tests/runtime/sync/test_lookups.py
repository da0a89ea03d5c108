"""Declared associations and contact roles, decided: which side's change wins, as pure
functions."""

from __future__ import annotations

from mapc.runtime.adapter import AssociationSync
from mapc.runtime.sync.behaviours.contact_roles import plan_roles
from mapc.runtime.sync.lookups import Sides, Step, decide_association

BOTH = AssociationSync("contacts", "ContactId", ("Case",), ("Contact",), True, True)
TO_SF = AssociationSync("contacts", "WhoId", ("Task",), ("Lead", "Contact"), True, False)
LINKED = {"003A": "h1", "003B": "h2"}
HUBSPOT_OF = {"h1": "003A", "h2": "003B"}


def sides(
    lookup: str | None,
    last: str | None,
    associated: list[str],
    associated_last: list[str] | None,
    *,
    first: bool = False,
) -> Sides:
    """Associations given as HubSpot ids; the linked ones become targets."""
    before = frozenset(associated_last) if associated_last is not None else None
    return Sides(
        lookup=lookup,
        last=last,
        first=first,
        targets=[HUBSPOT_OF[h] for h in associated if h in HUBSPOT_OF],
        associated=frozenset(associated),
        associated_last=before,
        added=[HUBSPOT_OF[h] for h in associated if h in HUBSPOT_OF and before and h not in before],
    )


def decide(s: Sides, association: AssociationSync = BOTH) -> Step:
    return decide_association(s, LINKED, association)


def test_agreeing_sides_need_nothing() -> None:
    assert decide(sides("003A", "003A", ["h1"], ["h1"])) == Step(synced="003A")
    assert decide(sides(None, None, [], None, first=True)) == Step(synced=None)
    # HubSpot may associate several: agreeing means holding Salesforce's among them.
    assert decide(sides("003B", None, ["h1", "h2"], None, first=True)).synced == "003B"


def test_a_salesforce_move_moves_the_association() -> None:
    step = decide(sides("003B", "003A", ["h1"], ["h1"]))
    assert step == Step(add_association="h2", remove_associations=("h1",), synced="003B")


def test_a_salesforce_move_to_an_unlinked_record_is_kept() -> None:
    """The lookup now names a record HubSpot cannot show: the old association goes, the
    lookup is never put back, and the next run leaves it so."""
    step = decide(sides("003Z", "003A", ["h1"], ["h1"]))
    assert step == Step(remove_associations=("h1",), synced="003Z")
    assert decide(sides("003Z", "003Z", [], [])) == Step(synced="003Z")


def test_a_salesforce_lookup_cleared_removes_the_association() -> None:
    assert decide(sides(None, "003A", ["h1"], ["h1"])) == Step(
        remove_associations=("h1",), synced=None
    )


def test_a_hubspot_change_sets_the_lookup() -> None:
    step = decide(sides("003A", "003A", ["h2"], ["h1"]))
    assert step == Step(set_lookup="003B", synced="003B")
    # An added association wins over one that was there.
    step = decide(sides("003Z", "003Z", ["h1", "h2"], ["h1"]))
    assert step == Step(set_lookup="003B", synced="003B")
    # An empty lookup takes HubSpot's first association.
    step = decide(sides(None, None, ["h2", "h1"], None, first=True))
    assert step == Step(set_lookup="003B", synced="003B")


def test_a_hubspot_removal_clears_the_lookup() -> None:
    assert decide(sides("003A", "003A", [], ["h1"])) == Step(clear_lookup=True, synced=None)


def test_first_sync_with_both_set_adds_salesforces_in_hubspot() -> None:
    step = decide(sides("003A", None, ["h2"], None, first=True))
    assert step == Step(add_association="h1", synced="003A")


def test_one_way_associations_never_write_the_other_way() -> None:
    step = decide(sides("003A", None, [], None, first=True), TO_SF)
    assert not step.writes
    step = decide(sides(None, None, ["h2"], None, first=True), TO_SF)
    assert step == Step(set_lookup="003B", synced="003B")
    # Salesforce's edit of a HubSpot-to-Salesforce lookup is put back to HubSpot's.
    step = decide(sides("003A", "003B", ["h2"], ["h2"]), TO_SF)
    assert step == Step(set_lookup="003B", synced="003B")


def test_a_lookup_to_a_record_that_is_not_linked_changes_nothing_on_a_first_sync() -> None:
    step = decide(sides("003Z", None, [], None, first=True))
    assert step == Step(synced="003Z")


def test_contact_roles_follow_each_sides_change() -> None:
    a, b, c = "003A", "003B", "003C"
    # First sync: joined.
    plan = plan_roles(frozenset({a}), frozenset({b}), None)
    assert plan.synced == {a, b} and plan.add_roles == (b,) and plan.add_associations == (a,)
    # A role deleted in Salesforce removes the association; one added in HubSpot is a role.
    plan = plan_roles(frozenset({b}), frozenset({a, b, c}), frozenset({a, b}))
    assert plan.synced == {b, c}
    assert plan.remove_associations == (a,) and plan.add_roles == (c,)
    assert not plan.remove_roles and not plan.add_associations
    # Agreeing: nothing.
    assert not plan_roles(frozenset({a}), frozenset({a}), frozenset({a})).writes
    # One way (Salesforce to HubSpot): Salesforce's set, whatever HubSpot did.
    plan = plan_roles(frozenset({a}), frozenset({b}), frozenset({a}), to_salesforce=False)
    assert plan.synced == {a} and plan.add_associations == (a,)
    assert plan.remove_associations == (b,) and not plan.add_roles


def test_a_link_without_a_hubspot_snapshot_is_a_first_sync() -> None:
    """Links made before snapshots were kept: nothing is removed on either side."""
    # Lookup as last synced, HubSpot without the association: added, not cleared.
    assert decide(sides("003A", "003A", [], None)) == Step(add_association="h1", synced="003A")
    # Lookup moved since: the new one is added, the old association stays.
    assert decide(sides("003B", "003A", ["h1"], None)) == Step(add_association="h2", synced="003B")
