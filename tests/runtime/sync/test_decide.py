"""Per-field decisions under each rule (R1, R10, R12), without any API."""

from __future__ import annotations

from typing import Any

from mapc.runtime.adapter import Rule
from mapc.runtime.sync.behaviours.owners import OwnerDirectory
from mapc.runtime.sync.decide import Decision, decide, offered
from mapc.runtime.sync.values import same
from tests.runtime.sync.compiled import fixture

# The field of tests/runtime/sync/mappings/rules.mapc that has each rule.
FIELD_OF_RULE = {
    Rule.TWO_WAY: ("firstname", "FirstName"),
    Rule.PREFER_SALESFORCE: ("lastname", "LastName"),
    Rule.ALWAYS_HUBSPOT: ("phone", "Phone"),
    Rule.ALWAYS_SALESFORCE: ("city", "City"),
    Rule.DO_NOT_SYNC: ("jobtitle", "Title"),
    Rule.OPT_OUT: ("hs_email_optout", "HasOptedOutOfEmail"),
}


def run(
    rule: Rule, hs: object, sf: object, hs_last: object, sf_last: object, **kw: Any
) -> Decision:
    """One field under ``rule``: current and last synced values on each side
    ("first" when the record was never synced)."""
    (contacts,) = fixture("rules").objects
    hs_name, sf_name = FIELD_OF_RULE[rule]
    (field,) = (f for f in contacts.fields if f.hubspot == hs_name)
    assert field.rule is rule and field.salesforce == sf_name
    d = decide(
        contacts,
        "Lead",
        {"email": "a@b.c", hs_name: hs},
        {"Email": "a@b.c", sf_name: sf},
        None if hs_last == "first" else {"email": "a@b.c", hs_name: hs_last},
        None if sf_last == "first" else {"Email": "a@b.c", sf_name: sf_last},
        owners=None,
        **kw,
    )
    # Only the field under test: a first sync also copies the email, which is not the point.
    d.to_salesforce = {k: v for k, v in d.to_salesforce.items() if k == sf_name}
    d.to_hubspot = {k: v for k, v in d.to_hubspot.items() if k == hs_name}
    return d


def test_values_compare_across_spellings() -> None:
    assert same("5", 5.0) and same("true", True) and same(None, "")
    assert same("2026-01-31T00:00:00.000Z", "2026-01-31")
    assert not same("0123", "123") and not same("a", "A")


def test_two_way_the_changed_side_wins_and_both_changed_is_a_conflict() -> None:
    d = run(Rule.TWO_WAY, "new", "old", "old", "old", hubspot_newer=False)
    assert d.to_salesforce == {"FirstName": "new"} and not d.to_hubspot
    d = run(Rule.TWO_WAY, "old", "new", "old", "old", hubspot_newer=True)
    assert d.to_hubspot == {"firstname": "new"} and not d.to_salesforce
    d = run(Rule.TWO_WAY, "h", "s", "old", "old", hubspot_newer=True)
    assert d.to_salesforce == {"FirstName": "h"} and d.conflicts[0].winner == "hubspot"
    d = run(Rule.TWO_WAY, "same", "same", "old", "old", hubspot_newer=True)
    assert d.empty and not d.conflicts  # both changed to the same value: nothing to do


def test_prefer_salesforce_unless_blank_and_one_way_rules() -> None:
    assert run(
        Rule.PREFER_SALESFORCE, "h", "s", "first", "first", hubspot_newer=True
    ).to_hubspot == {"lastname": "s"}
    assert run(
        Rule.PREFER_SALESFORCE, "h", None, "first", "first", hubspot_newer=True
    ).to_salesforce == {"LastName": "h"}
    assert run(Rule.PREFER_SALESFORCE, "h2", "s", "h", "s", hubspot_newer=True).empty
    assert run(Rule.ALWAYS_HUBSPOT, "h", "s", "h", "s2", hubspot_newer=False).to_salesforce == {
        "Phone": "h"
    }
    assert not run(Rule.ALWAYS_SALESFORCE, "h2", "s", "h", "s", hubspot_newer=True).to_salesforce
    assert run(Rule.DO_NOT_SYNC, "h2", "s2", "h", "s", hubspot_newer=True).empty


def test_opt_out_never_resubscribes() -> None:
    (obj,) = fixture("rules").objects
    base_hs = {"email": "a@b.c", "hs_email_optout": "true"}
    base_sf = {"Email": "a@b.c", "HasOptedOutOfEmail": False}
    last_hs = {"email": "a@b.c", "hs_email_optout": "true"}
    last_sf = {"Email": "a@b.c", "HasOptedOutOfEmail": "true"}
    d = decide(obj, "Lead", base_hs, base_sf, last_hs, last_sf, hubspot_newer=False, owners=None)
    assert not d.to_hubspot and not d.unsubscribe and not d.to_salesforce
    d = decide(
        obj,
        "Lead",
        {**base_hs, "hs_email_optout": "false"},
        {**base_sf, "HasOptedOutOfEmail": True},
        {**last_hs, "hs_email_optout": "false"},
        {**last_sf, "HasOptedOutOfEmail": "false"},
        hubspot_newer=False,
        owners=None,
    )
    assert d.unsubscribe and not d.to_hubspot


def test_owner_without_an_active_user_is_reset() -> None:
    owners = OwnerDirectory(
        [
            {"id": "1", "email": "a@x", "firstName": "A", "lastName": "B"},
            {"id": "2", "email": "c@x", "firstName": "C", "lastName": "D"},
        ],
        [
            {"Id": "005A", "Name": "A B", "Email": "a@x", "UserType": "Standard", "IsActive": True},
            {
                "Id": "005C",
                "Name": "C D",
                "Email": "c@x",
                "UserType": "Standard",
                "IsActive": False,
            },
            {"Id": "005P", "Name": "P Q", "Email": "p@x", "UserType": "CsnOnly", "IsActive": True},
        ],
        [{"Id": "00GQ", "Name": "Queue", "Email": "q@x"}],
    )
    assert owners.salesforce_for_hubspot("1") == "005A"
    assert owners.salesforce_for_hubspot("2") is None  # inactive
    assert owners.hubspot_for_salesforce("005C") == "2"  # any owner syncs to HubSpot
    assert owners.hubspot_for_salesforce("005P") is None  # not an owner user type
    (obj,) = fixture("rules").objects
    d = decide(
        obj,
        "Lead",
        {"email": "e", "hubspot_owner_id": "2"},
        {"Email": "e", "OwnerId": "005A"},
        {"email": "e", "hubspot_owner_id": "1"},
        {"Email": "e", "OwnerId": "005A"},
        hubspot_newer=True,
        owners=owners,
    )
    assert d.to_hubspot == {"hubspot_owner_id": "1"} and not d.to_salesforce
    assert d.owner_resets == ["hubspot_owner_id"]


def test_a_read_only_salesforce_record_never_overwrites_hubspot_s_winning_value() -> None:
    """R7: a person account (and its hidden contact) is written only in Salesforce. When
    HubSpot's value wins a two-way field, the pair stays as it is: Salesforce's older or
    blank value must not be copied over HubSpot's."""
    # First sync, Salesforce blank: HubSpot's value wins, and cannot be written: nothing.
    d = run(
        Rule.TWO_WAY,
        "Engineer",
        None,
        "first",
        "first",
        hubspot_newer=False,
        salesforce_writable=False,
    )
    assert d.empty, d
    # Both changed, HubSpot's change is newer: HubSpot wins; nothing to write anywhere.
    d = run(Rule.TWO_WAY, "h", "s", "old", "old", hubspot_newer=True, salesforce_writable=False)
    assert not d.to_hubspot and not d.to_salesforce
    # Salesforce's change alone still reaches HubSpot.
    d = run(Rule.TWO_WAY, "old", "s", "old", "old", hubspot_newer=True, salesforce_writable=False)
    assert d.to_hubspot == {"firstname": "s"}
    # R1 still holds: HubSpot's unsubscribe goes to the person account's own opt-out.
    d = run(
        Rule.OPT_OUT, "true", False, "false", "false", hubspot_newer=True, salesforce_writable=False
    )
    assert d.person_opt_out and not d.to_salesforce and not d.empty


def test_a_cleared_hubspot_opt_out_never_writes_false_to_salesforce() -> None:
    """R1: the opt-out only ever travels as an unsubscribe. HubSpot clearing its opt-out
    (true -> false) while Salesforce still says opted out writes nothing anywhere."""
    d = run(Rule.OPT_OUT, "false", True, "true", "true", hubspot_newer=True)
    assert d.empty and not d.unsubscribe and not d.person_opt_out, d
    d = run(Rule.OPT_OUT, "false", None, "first", "first", hubspot_newer=True)
    assert d.empty, d  # a first sync of a subscribed record: no `False` either


def test_prefer_salesforce_never_sends_a_blank_either_way() -> None:
    """R12: HubSpot fills only a blank Salesforce value, and a Salesforce value blank from
    the start is no value to send (a clearing is judged from the last synced value)."""
    d = run(Rule.PREFER_SALESFORCE, None, None, "first", "first", hubspot_newer=True)
    assert d.empty, d
    d = run(Rule.PREFER_SALESFORCE, "h", "", "first", "first", hubspot_newer=False)
    assert d.to_salesforce == {"LastName": "h"} and not d.to_hubspot
    d = run(Rule.PREFER_SALESFORCE, "h", None, "h", None, hubspot_newer=False)
    assert d.empty, d  # unchanged since the last sync: Salesforce stays blank
    # Whitespace alone is blank to every rule (as in `values.blank`): HubSpot fills it.
    d = run(Rule.PREFER_SALESFORCE, "h", "  ", "first", "first", hubspot_newer=False)
    assert d.to_salesforce == {"LastName": "h"} and not d.to_hubspot


def test_offered_applies_each_rule_to_the_values_alone() -> None:
    """`offered`: the transform's values, less what a field's rule forbids on the values."""
    (obj,) = fixture("rules").objects
    hs = {"email": "a@b.c", "firstname": "F", "lastname": "L", "phone": "1", "city": "X"}
    hs |= {"jobtitle": "T", "hs_email_optout": "false"}
    assert offered(obj, "Lead", hs, None, to_salesforce=True) == {
        "Email": "a@b.c",
        "FirstName": "F",
        "LastName": "L",  # prefer Salesforce: Salesforce's is blank
        "Phone": "1",
        "OwnerId": None,
    }
    sf = {"Email": "a@b.c", "FirstName": "G", "LastName": "M", "City": "Y"}
    sf |= {"Title": "U", "HasOptedOutOfEmail": True}
    assert "LastName" not in offered(obj, "Lead", hs, sf, to_salesforce=True)
    assert offered(obj, "Lead", sf, hs, to_salesforce=False) == {
        "email": "a@b.c",
        "firstname": "G",
        "lastname": "M",
        "city": "Y",
        "hubspot_owner_id": None,
        "hs_email_optout": "true",
    }
    assert "lastname" not in offered(obj, "Lead", {**sf, "LastName": ""}, hs, to_salesforce=False)
