"""Each kind of change: two versions of the sample mapping, the expected codes and class."""

from __future__ import annotations

import msgspec
import pytest

from mapc.compiler import ir
from mapc.compiler.diff import KINDS
from mapc.compiler.frontend import parse
from mapc.compiler.source import Source
from tests.compiler.diff.helpers import BASE, cut, diff_texts, edit

CONTACT_EMAIL = "  email            <-> Email              : two way"
COMPANY_NAME = "  name             <-> Name    : two way"
CONTACT_OWNER = "  hubspot_owner_id <-> OwnerId            : two way, owner"
FIRSTNAME = "  firstname        <-> FirstName          : prefer salesforce unless blank"
FILTER = 'include where lifecyclestage != "subscriber"'
CLOSED_WON = '  on closed_won: contacts.lifecyclestage = "customer" via contact_roles\n'
EVANGELIST = '  evangelist             -> "Evangelist"\n'
NEW_PAIR = (
    "\nsync meetings <-> Event {\n  match none\n  hs_meeting_title <-> Subject : two way\n}\n"
)
ASSOCIATED = NEW_PAIR.replace("two way\n", "two way\n  associate contacts <-> WhoId\n")

# (id, new version of BASE, expected codes)
CASES: list[tuple[str, str, list[str]]] = [
    ("S002-renamed", edit(BASE, ("mapping hubspot_salesforce", "mapping hubspot_sf")), ["S002"]),
    ("B101-pair-removed", cut(BASE, "# Companies sync", "# Deals sync"), ["B101"]),
    (
        "B102-object-removed",
        edit(BASE, ("sync contacts <-> Lead, Contact {", "sync contacts <-> Contact {")),
        ["B102"],
    ),
    (
        "B103-pair-direction",
        edit(BASE, ("sync deals <-> Opportunity", "sync deals -> Opportunity")),
        ["B103"],
    ),
    (
        "B603-contacts-reordered-without-the-setting",
        edit(BASE, ("sync contacts <-> Lead, Contact {", "sync contacts <-> Contact, Lead {")),
        ["B603"],
    ),
    (
        "B603-create-as-contacts",
        edit(
            BASE,
            ("  shared_org: false\n", "  shared_org: false\n  create_salesforce_as: contacts\n"),
        ),
        ["B603"],
    ),
    (
        "S603-create-as-written-out",
        edit(
            BASE, ("  shared_org: false\n", "  shared_org: false\n  create_salesforce_as: leads\n")
        ),
        ["S603"],
    ),
    (
        "B104-object-added-first",
        edit(BASE, ("sync companies <-> Account {", "sync companies <-> Partner, Account {")),
        ["B104", "S102"],
    ),
    ("S101-pair-added", BASE + NEW_PAIR, ["S101"]),
    (
        "S102-object-added",
        edit(BASE, ("sync companies <-> Account {", "sync companies <-> Account, Partner {")),
        ["S102"],
    ),
    (
        "B201-match-changed",
        edit(BASE, ("match email ignore case", "match email")),
        ["B201"],
    ),
    (
        "B201-sticky-dropped",
        edit(BASE, ("match associated contacts sticky", "match associated contacts")),
        ["B201"],
    ),
    ("B202-match-removed", edit(BASE, ("  match email ignore case\n", "")), ["B202"]),
    (
        "B301-field-removed",
        edit(
            BASE,
            ("  phone            <-> Phone              : prefer salesforce unless blank\n", ""),
        ),
        ["B301"],
    ),
    (
        "B301+S301-field-retargeted",
        edit(BASE, ("  jobtitle         <-> Title ", "  jobtitle         <-> Job_Title__c ")),
        ["B301", "S301"],
    ),
    (
        "B302-direction-reversed",
        edit(
            BASE,
            ("lifecyclestage    -> Lifecycle_Stage__c", "lifecyclestage    <- Lifecycle_Stage__c"),
        ),
        ["B302"],
    ),
    ("B303-two-way-to-one", edit(BASE, (COMPANY_NAME, "  name -> Name")), ["B303"]),
    (
        "B303-prefer-to-always-hubspot",
        edit(BASE, (FIRSTNAME, "  firstname -> FirstName : always hubspot")),
        ["B303"],
    ),
    (
        "B304-do-not-sync",
        edit(BASE, ("amount           <-> Amount    : two way", "amount <-> Amount : do not sync")),
        ["B304"],
    ),
    (
        "B305-field-narrowed",
        edit(BASE, (CONTACT_EMAIL, "  email <-> Lead.Email : two way")),
        ["B305"],
    ),
    (
        "B306-value-map-changed",
        edit(BASE, ("two way, values deal_stages", "two way, values lifecycle_stages")),
        ["B306"],
    ),
    (
        "B307-rule-restricts",
        edit(BASE, (CONTACT_EMAIL, "  email <-> Email : prefer salesforce unless blank")),
        ["B307"],
    ),
    (
        "B308-owner-dropped",
        edit(BASE, (CONTACT_OWNER, "  hubspot_owner_id <-> OwnerId : two way")),
        ["B308"],
    ),
    (
        "B309-opt-out-made-two-way",
        edit(
            BASE,
            (
                "hs_email_optout  <-> HasOptedOutOfEmail : standard opt_out",
                "hs_email_optout  <-> HasOptedOutOfEmail : two way",
            ),
        ),
        ["B309"],
    ),
    (
        "S301-field-added",
        edit(BASE, ("  jobtitle ", "  mobilephone <-> MobilePhone : two way\n  jobtitle ")),
        ["S301"],
    ),
    ("S302-syncs-more", edit(BASE, (FIRSTNAME, "  firstname <-> FirstName : two way")), ["S302"]),
    (
        "B309-field-made-opt-out",  # email would sync only as "true": not a safe change
        edit(BASE, (CONTACT_EMAIL, "  email <-> Email : standard opt_out")),
        ["B309"],
    ),
    (
        "S304-field-widened",
        edit(BASE, ("company          <-> Lead.Company ", "company <-> Company ")),
        ["S304"],
    ),
    (
        "B401-filter-changed",
        edit(BASE, (FILTER, 'include where lifecyclestage != "lead"')),
        ["B401"],
    ),
    (
        "B401-filter-and-ed",
        edit(BASE, (FILTER, FILTER + " and email is not blank")),
        ["B401"],
    ),
    ("S401-filter-removed", edit(BASE, ("  " + FILTER + "\n", "")), ["S401"]),
    ("S401-filter-or-ed", edit(BASE, (FILTER, FILTER + " or email is blank")), ["S401"]),
    (
        "B401-not-in-grows",
        edit(BASE, (FILTER, 'include where lifecyclestage not in ["subscriber", "other"]')),
        ["B401"],
    ),
    ("B501-value-dropped", edit(BASE, (EVANGELIST, "")), ["B501"]),
    (
        "B502-value-changed",
        edit(BASE, (EVANGELIST, '  evangelist             -> "Advocate"\n')),
        ["B502"],
    ),
    (
        "B503-value-map-removed",
        cut(BASE, "values lifecycle_stages {", "# Companies sync"),
        ["B503"],
    ),
    (
        "S501-value-added",
        edit(BASE, (EVANGELIST, EVANGELIST + '  partner -> "Partner"\n')),
        ["S501"],
    ),
    ("S503-value-map-added", BASE + '\nvalues spare {\n  a -> "A"\n}\n', ["S503"]),
    (
        "B601-creation-setting",
        edit(
            BASE, ("create_hubspot_contacts: leads_and_contacts", "create_hubspot_contacts: never")
        ),
        ["B601"],
    ),
    (
        "B602-person-accounts",
        edit(BASE, ("person_accounts: true", "person_accounts: false")),
        ["B602"],
    ),
    (
        "B602-person-accounts-read-from-the-org",
        edit(BASE, ("person_accounts: true", "person_accounts: auto")),
        ["B602"],
    ),
    (
        "B602-person-accounts-default-is-auto",
        edit(BASE, ("  person_accounts: true\n", "")),
        ["B602"],
    ),
    (
        "B950-hubspot-deletions-delete",
        edit(
            BASE,
            (
                '  default Lead.Company = "[not provided]"\n',
                '  default Lead.Company = "[not provided]"\n  on delete in hubspot: delete\n',
            ),
        ),
        ["B950"],
    ),
    (
        "S950-salesforce-deletions-unlink",
        edit(
            BASE,
            (
                '  default Lead.Company = "[not provided]"\n',
                '  default Lead.Company = "[not provided]"\n  on delete in salesforce: unlink\n',
            ),
        ),
        ["S950"],
    ),
    (
        "same-policy-written-out",
        edit(
            BASE,
            (
                '  default Lead.Company = "[not provided]"\n',
                '  default Lead.Company = "[not provided]"\n  on delete in salesforce: delete\n',
            ),
        ),
        [],
    ),
    ("S601-shared-org", edit(BASE, ("shared_org: false", "shared_org: true")), ["S601"]),
    ("S602-catalogs", edit(BASE, ('catalogs: "catalogs"', 'catalogs: "other"')), ["S602"]),
    (
        "B701-default-removed",
        edit(BASE, ('  default Lead.Company = "[not provided]"\n', "")),
        ["B701"],
    ),
    (
        "S701-default-changed",
        edit(
            BASE,
            (
                'default Opportunity.StageName = "Prospecting"',
                'default Opportunity.StageName = "Qualification"',
            ),
        ),
        ["S701"],
    ),
    ("B801-closed-won-removed", edit(BASE, (CLOSED_WON, "")), ["B801"]),
    (
        "B801-closed-won-changed",
        edit(BASE, (CLOSED_WON, CLOSED_WON.replace('"customer"', '"evangelist"'))),
        ["B801"],
    ),
    (
        "B802-events-narrowed",
        edit(BASE, ("events email_open, email_click -> Task", "events email_open -> Task")),
        ["B802"],
    ),
    ("B802-events-removed", BASE.split("# Marketing email")[0], ["B802"]),
    (
        "S802-look-back-added",
        edit(BASE, ("  dedupe none\n", "  dedupe none\n  look back 7 days\n")),
        ["S802"],
    ),
    # Not changes at all: comments, layout, a setting written out at its default.
    (
        "none-comments-and-layout",
        edit(
            BASE,
            (
                CONTACT_EMAIL,
                "  # the match key's field\n  email <-> Email: two way   # aligned no more",
            ),
            ("sync deals <-> Opportunity {", "sync   deals <->   Opportunity    {"),
        ),
        [],
    ),
    (
        "none-default-setting-dropped",
        edit(BASE, ("  create_hubspot_contacts: leads_and_contacts\n", "")),
        [],
    ),
    ("none-identical", BASE, []),
]

# The reverse of some cases is a case of its own.
REVERSED: list[tuple[str, str, list[str]]] = [
    ("B401-filter-added", "S401-filter-removed", ["B401"]),
    ("S401-not-in-shrinks", "B401-not-in-grows", ["S401"]),
    ("S401-conjunct-dropped", "B401-filter-and-ed", ["S401"]),
    ("S801-closed-won-added", "B801-closed-won-removed", ["S801"]),
    ("S802-events-added", "B802-events-removed", ["S802"]),
    ("S802-events-widened", "B802-events-narrowed", ["S802"]),
    ("B802-look-back-removed", "S802-look-back-added", ["B802"]),
    ("S701-default-added", "B701-default-removed", ["S701"]),
    ("S503-unused-map-removed", "S503-value-map-added", ["S503"]),
    ("B101-added-pair-removed", "S101-pair-added", ["B101"]),
]
_BY_ID = {case_id: text for case_id, text, _ in CASES}


@pytest.mark.parametrize(("case_id", "new", "codes"), CASES, ids=[c[0] for c in CASES])
def test_change_kind(case_id: str, new: str, codes: list[str]) -> None:
    changes = diff_texts(BASE, new)
    assert sorted(c.code for c in changes) == sorted(codes), [c.message for c in changes]
    for change in changes:
        assert change.breaking == change.code.startswith("B")
        assert change.message
        assert change.span.line >= 1 and change.span.column >= 1


@pytest.mark.parametrize(
    ("case_id", "source_case", "codes"), REVERSED, ids=[c[0] for c in REVERSED]
)
def test_reversed_change_kind(case_id: str, source_case: str, codes: list[str]) -> None:
    changes = diff_texts(_BY_ID[source_case], BASE)
    assert sorted(c.code for c in changes) == sorted(codes), [c.message for c in changes]


def test_direction_reversed_is_B302() -> None:
    # The same change built from the IR, independent of the parser.
    parsed = parse(Source("old.mapc", BASE))
    assert parsed.mapping is not None
    mapping = parsed.mapping
    statements = []
    for statement in mapping.statements:
        if isinstance(statement, ir.SyncBlock) and statement.hubspot_object.value == "contacts":
            items = tuple(
                msgspec.structs.replace(item, direction=ir.Direction.TO_HUBSPOT)
                if isinstance(item, ir.FieldMap) and item.hubspot.field.value == "lifecyclestage"
                else item
                for item in statement.items
            )
            statement = msgspec.structs.replace(statement, items=items)
        statements.append(statement)
    reversed_mapping = msgspec.structs.replace(mapping, statements=tuple(statements))
    from mapc.compiler.diff import compare_mappings

    changes = compare_mappings(mapping, reversed_mapping)
    assert [c.code for c in changes] == ["B302"]
    assert changes[0].breaking


def test_filter_messages_say_whether_it_widens() -> None:
    widened = diff_texts(BASE, edit(BASE, (FILTER, FILTER + " or email is blank")))[0]
    assert "widened" in widened.message
    changed = diff_texts(BASE, edit(BASE, (FILTER, 'include where lifecyclestage != "lead"')))[0]
    assert "may narrow" in changed.message


def test_removal_points_into_the_new_file_and_remembers_the_old_line() -> None:
    new = edit(
        BASE, ("  phone            <-> Phone              : prefer salesforce unless blank\n", "")
    )
    (change,) = diff_texts(BASE, new)
    assert change.span.file == "new.mapc"
    assert new.splitlines()[change.span.line - 1].startswith("sync contacts")
    assert change.old_span is not None and change.old_span.file == "old.mapc"
    assert BASE.splitlines()[change.old_span.line - 1].lstrip().startswith("phone")


def test_every_kind_is_exercised() -> None:
    seen = {code for _, _, codes in CASES + REVERSED for code in codes} | {"B002", "S001"}
    seen |= {"B901", "S901"}  # test_association_changes
    seen |= {"B902", "S902"}  # test_idempotency_key_changes
    assert seen == set(KINDS)


FILTERS = [
    # (old, new, widens)
    ('x == "a"', 'x in ["a", "b"]', True),
    ('x in ["a"]', 'x in ["a", "b"]', True),
    ('x in ["a", "b"]', 'x in ["a"]', False),
    ('x not in ["a", "b"]', 'x != "a"', True),
    ('x != "a"', 'x not in ["a", "b"]', False),
    ('x == "a" or y == "b"', 'y == "b" or x == "a" or z is blank', True),
    ('x == "a" or y == "b"', 'x == "a"', False),
    ('x == "a" and y == "b" and z is blank', 'y == "b" and x == "a"', True),
    ('x == "a"', 'x == "a" and y == "b"', False),
    ('x == "a"', 'not (x != "a")', False),  # true, but beyond what is proven
    ('(x == "a" or y == "b") and z is blank', 'x == "a" or y == "b"', True),
]


@pytest.mark.parametrize(("old", "new", "widens"), FILTERS)
def test_filter_widening_proof(old: str, new: str, widens: bool) -> None:
    before = edit(BASE, (FILTER, f"include where {old}"))
    after = edit(BASE, (FILTER, f"include where {new}"))
    (change,) = diff_texts(before, after)
    assert change.code == ("S401" if widens else "B401"), change.message


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        (NEW_PAIR, ASSOCIATED, "S901"),
        (ASSOCIATED, NEW_PAIR, "B901"),
        (ASSOCIATED, ASSOCIATED.replace("contacts <->", "contacts ->"), "B901"),
        (ASSOCIATED, ASSOCIATED.replace("WhoId", "Who__c"), "B901"),
    ],
    ids=["added", "removed", "direction", "field"],
)
def test_association_changes(old: str, new: str, code: str) -> None:
    changes = diff_texts(BASE + old, BASE + new)
    assert [c.code for c in changes] == [code], [c.message for c in changes]
    assert "associate contacts" in changes[0].message


KEYED = NEW_PAIR.replace("two way\n", "two way\n  idempotency key Event.HubSpot_Id__c\n")


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        (NEW_PAIR, KEYED, "S902"),
        (KEYED, NEW_PAIR, "B902"),
        (KEYED, KEYED.replace("HubSpot_Id__c", "Hs_Key__c"), "B902,S902"),
    ],
    ids=["added", "removed", "changed"],
)
def test_idempotency_key_changes(old: str, new: str, code: str) -> None:
    changes = diff_texts(BASE + old, BASE + new)
    assert [c.code for c in changes] == code.split(","), [c.message for c in changes]
    assert all("idempotency key Event." in c.message for c in changes)


def test_reordering_contacts_objects_under_the_setting_changes_nothing() -> None:
    """`create_salesforce_as` says where new contacts go: the order no longer does."""
    explicit = edit(
        BASE, ("  shared_org: false\n", "  shared_org: false\n  create_salesforce_as: leads\n")
    )
    reordered = edit(
        explicit, ("sync contacts <-> Lead, Contact {", "sync contacts <-> Contact, Lead {")
    )
    assert [c.code for c in diff_texts(explicit, reordered)] == []


def test_a_shorter_look_back_window_is_breaking_and_a_longer_one_safe() -> None:
    week = _BY_ID["S802-look-back-added"]
    shorter = week.replace("look back 7 days", "look back 36 hours")
    assert [(c.code, c.breaking) for c in diff_texts(week, shorter)] == [("B802", True)]
    assert [(c.code, c.breaking) for c in diff_texts(shorter, week)] == [("S802", False)]
    assert diff_texts(week, week.replace("7 days", "168 hours")) == []  # the same window
