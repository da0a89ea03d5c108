"""Tests for the field catalogs and their loader (mapc/catalog.py)."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest

from mapc.compiler.catalog import (
    KINDS,
    Catalog,
    CatalogError,
    FieldDef,
    catalog_from_json,
    dump_catalog,
    load_catalog,
    load_default_catalog,
    suggest,
)

CATALOG_DIR = Path(__file__).resolve().parents[2] / "mapc" / "catalogs"


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return load_default_catalog()


def field(cat: Catalog, system: str, obj: str, name: str) -> FieldDef:
    f = cat.system(system).field(obj, name)  # type: ignore[arg-type]
    assert f is not None, f"{system} {obj}.{name} missing from the catalog"
    return f


# --- the shipped catalogs ------------------------------------------------------------


def test_defaults_load_and_are_cached(cat: Catalog) -> None:
    assert load_default_catalog() is cat
    assert cat.hubspot.system == "hubspot"
    assert cat.salesforce.system == "salesforce"
    assert set(cat.hubspot.object_names()) >= {"contacts", "companies", "deals", "owners"}
    assert set(cat.salesforce.object_names()) >= {
        "Lead",
        "Contact",
        "Account",
        "Opportunity",
        "OpportunityContactRole",
        "Task",
        "User",
        "Group",
    }


def test_names_are_filled_from_keys(cat: Catalog) -> None:
    lead = cat.salesforce.object("Lead")
    assert lead is not None and lead.name == "Lead" and lead.key_prefix == "00Q"
    assert lead.fields["Company"].name == "Company"


def test_lead_company_is_required_text_255(cat: Catalog) -> None:
    f = field(cat, "salesforce", "Lead", "Company")
    assert (f.label, f.type, f.native_type, f.length) == ("Company", "text", "string", 255)
    assert f.required and not f.nillable and f.createable and f.updateable


@pytest.mark.parametrize(
    ("obj", "name"),
    [
        ("Lead", "LastName"),
        ("Contact", "LastName"),
        ("Account", "Name"),
        ("Opportunity", "Name"),
        ("Opportunity", "StageName"),
        ("Opportunity", "CloseDate"),
    ],
)
def test_required_on_create(cat: Catalog, obj: str, name: str) -> None:
    f = field(cat, "salesforce", obj, name)
    assert f.required and not f.nillable and f.createable


@pytest.mark.parametrize(
    ("obj", "name"),
    [("Lead", "Status"), ("Lead", "HasOptedOutOfEmail"), ("Lead", "OwnerId"), ("Task", "Status")],
)
def test_defaulted_fields_are_not_required(cat: Catalog, obj: str, name: str) -> None:
    f = field(cat, "salesforce", obj, name)
    assert not f.nillable and not f.required


def test_contact_account_id_is_a_reference_labelled_account_name(cat: Catalog) -> None:
    f = field(cat, "salesforce", "Contact", "AccountId")
    assert f.type == "reference" and f.native_type == "reference"
    assert f.label == "Account Name"
    assert f.reference_to == ("Account",)


def test_hubspot_company_is_single_line_text(cat: Catalog) -> None:
    f = field(cat, "hubspot", "contacts", "company")
    assert (f.label, f.type, f.native_type) == ("Company Name", "text", "string/text")


def test_opt_out_pair(cat: Catalog) -> None:
    hs = field(cat, "hubspot", "contacts", "hs_email_optout")
    assert hs.label == "Unsubscribed from all email" and hs.type == "bool"
    assert hs.read_only and not hs.writable_on_update and not hs.writable_on_create
    for obj in ("Lead", "Contact"):
        sf = field(cat, "salesforce", obj, "HasOptedOutOfEmail")
        assert sf.label == "Email Opt Out" and sf.type == "bool" and sf.updateable


def test_owner_fields(cat: Catalog) -> None:
    lead_owner = field(cat, "salesforce", "Lead", "OwnerId")
    assert lead_owner.label == "Owner ID"
    assert set(lead_owner.reference_to) == {"User", "Group"}
    assert field(cat, "salesforce", "Contact", "OwnerId").reference_to == ("User",)
    for obj in ("contacts", "companies", "deals"):
        hs = field(cat, "hubspot", obj, "hubspot_owner_id")
        assert hs.type == "reference" and hs.reference_to == ("owners",)
        assert hs.native_type == "enumeration/select"
    user_type = field(cat, "salesforce", "User", "UserType")
    assert {"Standard", "PowerPartner", "Guest"} <= set(user_type.option_values)
    assert "Queue" in field(cat, "salesforce", "Group", "Type").option_values


def test_stage_name_picklist(cat: Catalog) -> None:
    f = field(cat, "salesforce", "Opportunity", "StageName")
    assert f.type == "picklist" and f.is_enum
    assert f.option_values[0] == "Prospecting"
    assert {"Closed Won", "Closed Lost", "Id. Decision Makers"} <= set(f.option_values)
    assert len(f.option_values) == 10


def test_hubspot_enumerations(cat: Catalog) -> None:
    life = field(cat, "hubspot", "contacts", "lifecyclestage")
    assert life.type == "enumeration"
    assert life.option_values == (
        "subscriber",
        "lead",
        "marketingqualifiedlead",
        "salesqualifiedlead",
        "opportunity",
        "customer",
        "evangelist",
        "other",
    )
    opt = life.option("marketingqualifiedlead")
    assert opt is not None and opt.label == "Marketing Qualified Lead"
    stage = field(cat, "hubspot", "deals", "dealstage")
    assert "closedwon" in stage.option_values and "closedlost" in stage.option_values


def test_read_only_and_calculated_flags(cat: Catalog) -> None:
    for name in ("createdate", "lastmodifieddate", "hs_object_id", "salesforceleadid"):
        assert field(cat, "hubspot", "contacts", name).read_only
    for name in ("IsWon", "IsClosed"):
        f = field(cat, "salesforce", "Opportunity", name)
        assert not f.createable and not f.updateable
    ident = field(cat, "salesforce", "Lead", "Id")
    assert ident.type == "id" and not ident.createable and not ident.updateable
    assert not field(cat, "salesforce", "User", "Name").createable
    assert not field(cat, "salesforce", "Lead", "IsConverted").updateable


def test_every_field_is_consistent(cat: Catalog) -> None:
    for system in (cat.hubspot, cat.salesforce):
        for obj in system.objects.values():
            assert obj.fields, obj.name
            for f in obj.fields.values():
                assert f.type in KINDS
                assert not (f.required and not f.createable), f"{obj.name}.{f.name}"
                if f.read_only:
                    assert not f.createable and not f.updateable, f"{obj.name}.{f.name}"
                if f.type in ("picklist", "multipicklist", "enumeration"):
                    assert f.options, f"{obj.name}.{f.name} has no options"


def test_shipped_files_are_in_canonical_form(cat: Catalog) -> None:
    for system in (cat.hubspot, cat.salesforce):
        text = (CATALOG_DIR / f"{system.system}.json").read_text("utf-8")
        assert dump_catalog(system) == text


# --- lookups and suggestions -----------------------------------------------------------


def test_lookups_and_suggestions(cat: Catalog) -> None:
    assert cat.salesforce.object("Leed") is None
    assert cat.salesforce.suggest_objects("Leed")[0] == "Lead"
    assert cat.salesforce.suggest_objects("lead") == ["Lead"]
    contacts = cat.hubspot.object("contacts")
    assert contacts is not None
    assert contacts.field("emial") is None
    assert contacts.suggest_fields("emial")[0] == "email"
    assert "email" in contacts.field_names()
    assert list(contacts.field_names()) == sorted(contacts.field_names())
    assert suggest("zzzz", ["email", "phone"]) == []


# --- project catalogs ------------------------------------------------------------------


def write(dir_: Path, name: str, data: object) -> Path:
    path = dir_ / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2), "utf-8")
    return path


LIFECYCLE_FIELD = {
    "label": "Lifecycle Stage",
    "type": "picklist",
    "native_type": "picklist",
    "length": 255,
    "custom": True,
    "options": [
        {"value": "Subscriber", "label": "Subscriber"},
        {"value": "Lead", "label": "Lead"},
        {"value": "Customer", "label": "Customer"},
    ],
}


def test_project_catalog_adds_a_custom_field(tmp_path: Path) -> None:
    write(
        tmp_path,
        "salesforce.json",
        {
            "system": "salesforce",
            "objects": {
                "Lead": {"fields": {"Lifecycle_Stage__c": LIFECYCLE_FIELD}},
                "Contact": {"label": "Contact", "fields": {"Lifecycle_Stage__c": LIFECYCLE_FIELD}},
            },
        },
    )
    cat = load_catalog([tmp_path])
    for obj in ("Lead", "Contact"):
        f = field(cat, "salesforce", obj, "Lifecycle_Stage__c")
        assert f.custom and f.type == "picklist" and "Customer" in f.option_values
        assert f.name == "Lifecycle_Stage__c"
    lead = cat.salesforce.object("Lead")
    assert lead is not None and lead.label == "Lead" and lead.key_prefix == "00Q"
    # the standard fields are still there, and the default catalog is untouched
    assert field(cat, "salesforce", "Lead", "Company").required
    assert load_default_catalog().salesforce.field("Lead", "Lifecycle_Stage__c") is None
    assert cat.hubspot is load_default_catalog().hubspot


def test_project_catalog_overrides_a_field(tmp_path: Path) -> None:
    write(
        tmp_path,
        "hubspot.json",
        {
            "system": "hubspot",
            "objects": {
                "contacts": {
                    "fields": {
                        "lifecyclestage": {
                            "label": "Lifecycle Stage",
                            "type": "enumeration",
                            "native_type": "enumeration/radio",
                            "options": [
                                {"value": "lead", "label": "Lead"},
                                {"value": "customer", "label": "Customer"},
                                {"value": "1234567", "label": "Churned"},
                            ],
                        }
                    }
                },
                "p_projects": {
                    "label": "Projects",
                    "fields": {
                        "name": {"label": "Name", "type": "text", "native_type": "string/text"}
                    },
                },
            },
        },
    )
    cat = load_catalog([tmp_path])
    life = field(cat, "hubspot", "contacts", "lifecyclestage")
    assert life.option_values == ("lead", "customer", "1234567")
    assert field(cat, "hubspot", "p_projects", "name").nillable  # defaults filled in
    assert field(cat, "hubspot", "contacts", "email").type == "email"


def test_project_field_entry_overrides_attribute_by_attribute(tmp_path: Path) -> None:
    # Only the length and label change; `required`, the type and the flags stay the shipped ones.
    data = {
        "system": "salesforce",
        "objects": {"Lead": {"fields": {"Company": {"length": 120, "label": "Firm"}}}},
    }
    cat = load_catalog([write(tmp_path, "salesforce.json", data).parent])
    company = field(cat, "salesforce", "Lead", "Company")
    shipped = field(load_default_catalog(), "salesforce", "Lead", "Company")
    assert (company.length, company.label) == (120, "Firm")
    assert company.required and not company.nillable and company.type == "text"
    assert msgspec.structs.replace(shipped, length=120, label="Firm") == company
    assert shipped.length == 255


def test_project_options_replace_the_shipped_options_and_keep_restriction(tmp_path: Path) -> None:
    options = [{"value": "lead", "label": "Lead"}, {"value": "churned", "label": "Churned"}]
    data = {
        "system": "hubspot",
        "objects": {"contacts": {"fields": {"lifecyclestage": {"options": options}}}},
    }
    cat = load_catalog([write(tmp_path, "hubspot.json", data).parent])
    life = field(cat, "hubspot", "contacts", "lifecyclestage")
    assert life.option_values == ("lead", "churned")
    assert life.restricted and life.label == "Lifecycle Stage"


def test_new_hubspot_enumeration_is_restricted_by_default(tmp_path: Path) -> None:
    tier = {
        "label": "Tier",
        "type": "enumeration",
        "native_type": "enumeration/select",
        "options": [{"value": "gold", "label": "Gold"}],
    }
    text_field = {"label": "Note", "type": "text", "native_type": "string/text"}
    data = {
        "system": "hubspot",
        "objects": {"contacts": {"fields": {"tier": tier, "note": text_field}}},
    }
    cat = load_catalog([write(tmp_path, "hubspot.json", data).parent])
    assert field(cat, "hubspot", "contacts", "tier").restricted
    assert not field(cat, "hubspot", "contacts", "note").restricted
    # a new Salesforce picklist is unrestricted unless it says so, as describe defaults
    sf = {"system": "salesforce", "objects": {"Lead": {"fields": {"L__c": LIFECYCLE_FIELD}}}}
    cat = load_catalog([write(tmp_path, "salesforce.json", sf).parent])
    assert not field(cat, "salesforce", "Lead", "L__c").restricted


def test_partial_override_that_breaks_the_field_is_reported(tmp_path: Path) -> None:
    data = {
        "system": "salesforce",
        "objects": {"Lead": {"fields": {"Company": {"nillable": True}}}},
    }
    err = error_for(tmp_path, "salesforce.json", data)
    assert "objects.Lead.fields.Company" in err.message
    assert "cannot be nillable" in err.message and "shipped field" in err.message
    assert err.line is not None


def test_partial_entry_for_a_new_field_is_incomplete(tmp_path: Path) -> None:
    data = {"system": "salesforce", "objects": {"Lead": {"fields": {"Nope__c": {"length": 3}}}}}
    err = error_for(tmp_path, "salesforce.json", data)
    assert "objects.Lead.fields.Nope__c" in err.message and "missing required key" in err.message


def test_later_directories_win(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    f = {"label": "A", "type": "text", "native_type": "string", "length": 10, "custom": True}
    write(
        a, "salesforce.json", {"system": "salesforce", "objects": {"Lead": {"fields": {"X__c": f}}}}
    )
    write(
        b,
        "salesforce.json",
        {"system": "salesforce", "objects": {"Lead": {"fields": {"X__c": {**f, "label": "B"}}}}},
    )
    assert field(load_catalog([a, b]), "salesforce", "Lead", "X__c").label == "B"
    assert field(load_catalog([b, a]), "salesforce", "Lead", "X__c").label == "A"


def test_empty_directory_changes_nothing(tmp_path: Path) -> None:
    assert load_catalog([tmp_path]) == load_default_catalog()
    assert load_catalog([]) is load_default_catalog()


# --- broken project catalogs -----------------------------------------------------------


def error_for(tmp_path: Path, name: str, data: object) -> CatalogError:
    write(tmp_path, name, data)
    with pytest.raises(CatalogError) as info:
        load_catalog([tmp_path])
    err = info.value
    assert err.path == tmp_path / name
    assert str(err).startswith(str(tmp_path / name))
    return err


def test_bad_json_has_line_and_column(tmp_path: Path) -> None:
    err = error_for(tmp_path, "hubspot.json", '{\n  "system": "hubspot",\n  "objects": {,}\n}\n')
    assert (err.line, err.column) == (3, 15)
    assert "invalid JSON" in err.message


def test_unknown_kind(tmp_path: Path) -> None:
    text = (
        '{\n  "system": "salesforce",\n  "objects": {\n    "Lead": {\n      "fields": {\n'
        '        "X__c": {"label": "X", "type": "string", "native_type": "string"}\n'
        "      }\n    }\n  }\n}\n"
    )
    err = error_for(tmp_path, "salesforce.json", text)
    assert "objects.Lead.fields.X__c.type" in err.message
    assert "unknown field type 'string'; did you mean 'text'?" in err.message
    assert (err.line, err.column) == (6, 40)  # the value "string"


def test_missing_key_points_at_the_field(tmp_path: Path) -> None:
    text = '{"system": "hubspot", "objects": {"contacts": {"fields": {\n  "x": {"label": "X"}}}}}'
    err = error_for(tmp_path, "hubspot.json", text)
    assert "objects.contacts.fields.x" in err.message and "missing required key" in err.message
    assert (err.line, err.column) == (2, 8)


def test_wrong_shape(tmp_path: Path) -> None:
    err = error_for(tmp_path, "hubspot.json", "[1, 2]")
    assert "(top level)" in err.message and (err.line, err.column) == (1, 1)
    err = error_for(tmp_path, "hubspot.json", {"system": "hubspot", "objects": {"contacts": []}})
    assert "objects.contacts" in err.message


def test_unknown_key_is_rejected(tmp_path: Path) -> None:
    data = {
        "system": "hubspot",
        "objects": {
            "contacts": {
                "fields": {"x": {"label": "X", "type": "text", "native_type": "s", "colour": 1}}
            }
        },
    }
    err = error_for(tmp_path, "hubspot.json", data)
    assert "colour" in err.message


def test_inconsistent_field(tmp_path: Path) -> None:
    ref = {"label": "R", "type": "reference", "native_type": "reference"}
    data = {"system": "salesforce", "objects": {"Lead": {"fields": {"R__c": ref}}}}
    err = error_for(tmp_path, "salesforce.json", data)
    assert "reference_to" in err.message and err.line is not None


def test_new_object_without_label(tmp_path: Path) -> None:
    data = {"system": "salesforce", "objects": {"Thing__c": {"fields": {}}}}
    cat = load_catalog([write(tmp_path, "salesforce.json", data).parent])
    thing = cat.salesforce.object("Thing__c")
    assert thing is not None and thing.label == "Thing__c"


def test_system_must_match_file_name(tmp_path: Path) -> None:
    err = error_for(tmp_path, "hubspot.json", {"system": "salesforce", "objects": {}})
    assert "hubspot.json" in err.message and err.line == 2


def test_duplicate_keys(tmp_path: Path) -> None:
    text = '{"system": "hubspot",\n "objects": {},\n "objects": {}}'
    err = error_for(tmp_path, "hubspot.json", text)
    assert "'objects' appears twice" in err.message and (err.line, err.column) == (3, 2)


def test_deeply_nested_json_is_an_error_with_a_position(tmp_path: Path) -> None:
    depth = 100_000
    text = '{"system": "hubspot",\n "objects": ' + "[" * depth + "]" * depth + "}"
    err = error_for(tmp_path, "hubspot.json", text)
    assert "too deep" in err.message
    assert (err.line, err.column) == (2, 13 + depth - 1)


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="not found"):
        load_catalog([tmp_path / "nope"])


def test_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "hubspot.json").write_bytes(b'{"system": "\xff"}')
    with pytest.raises(CatalogError, match="cannot read"):
        load_catalog([tmp_path])


# --- dump and reload -------------------------------------------------------------------


def test_dump_load_round_trip(cat: Catalog, tmp_path: Path) -> None:
    for system in (cat.hubspot, cat.salesforce):
        text = dump_catalog(system)
        assert text.endswith("}\n") and '\n  "objects": {' in text
        again = catalog_from_json(json.loads(text))
        assert again == system
        assert dump_catalog(again) == text
    # a dumped catalog is also a valid project catalog, and changes nothing
    write(tmp_path, "hubspot.json", dump_catalog(cat.hubspot))
    write(tmp_path, "salesforce.json", dump_catalog(cat.salesforce))
    assert load_catalog([tmp_path]) == cat


def test_dump_omits_defaults(cat: Catalog) -> None:
    data = json.loads(dump_catalog(cat.hubspot))
    email = data["objects"]["contacts"]["fields"]["email"]
    assert email == {"label": "Email", "type": "email", "native_type": "string/text"}


# --- completeness: the fields integrators map, as the public metadata has them ---------

MUST_HAVE = {
    ("salesforce", "Lead"): (
        "Fax",
        "MiddleName",
        "Suffix",
        "RecordTypeId",
        "Street",
        "City",
        "State",
        "PostalCode",
        "Country",
        "LeadSource",
        "Status",
        "Industry",
        "Rating",
        "Website",
        "HasOptedOutOfEmail",
        "DoNotCall",
        "HasOptedOutOfFax",
        "IndividualId",
    ),
    ("salesforce", "Contact"): (
        "Fax",
        "MiddleName",
        "Suffix",
        "RecordTypeId",
        "AccountId",
        "MailingStreet",
        "OtherStreet",
        "HomePhone",
        "OtherPhone",
        "AssistantName",
        "ReportsToId",
        "Birthdate",
        "Department",
        "HasOptedOutOfEmail",
        "DoNotCall",
    ),
    ("salesforce", "Account"): (
        "RecordTypeId",
        "AccountSource",
        "Fax",
        "Site",
        "Sic",
        "Ownership",
        "TickerSymbol",
        "ShippingStreet",
        "ShippingCity",
        "ShippingState",
        "ShippingPostalCode",
        "ShippingCountry",
        "BillingStreet",
        "BillingCity",
        "BillingState",
        "BillingPostalCode",
        "BillingCountry",
        "IsPersonAccount",
        "PersonEmail",
        "PersonHasOptedOutOfEmail",
    ),
    ("salesforce", "Opportunity"): (
        "CampaignId",
        "NextStep",
        "RecordTypeId",
        "Probability",
        "ForecastCategoryName",
        "LeadSource",
        "Type",
        "IsPrivate",
        "Pricebook2Id",
        "TotalOpportunityQuantity",
    ),
    ("salesforce", "OpportunityContactRole"): ("OpportunityId", "ContactId", "Role", "IsPrimary"),
    ("salesforce", "Case"): (
        "Subject",
        "Status",
        "Priority",
        "Origin",
        "Reason",
        "ContactId",
        "AccountId",
        "Description",
        "SuppliedEmail",
        "RecordTypeId",
    ),
    ("salesforce", "Event"): ("Subject", "StartDateTime", "EndDateTime", "WhoId", "WhatId"),
    ("salesforce", "Task"): (
        "Subject",
        "Status",
        "Priority",
        "WhoId",
        "WhatId",
        "TaskSubtype",
        "CallDisposition",
        "IsReminderSet",
        "ReminderDateTime",
    ),
    ("hubspot", "contacts"): (
        "fax",
        "salutation",
        "mobilephone",
        "associatedcompanyid",
        "numemployees",
        "hs_buying_role",
        "work_email",
    ),
    ("hubspot", "companies"): (
        "hs_parent_company_id",
        "founded_year",
        "is_public",
        "linkedin_company_page",
        "about_us",
    ),
    ("hubspot", "deals"): (
        "hs_priority",
        "closed_won_reason",
        "closed_lost_reason",
        "hs_next_step",
        "pipeline",
        "hs_deal_stage_probability",
        "hs_forecast_amount",
    ),
    ("hubspot", "tickets"): (
        "subject",
        "content",
        "hs_pipeline",
        "hs_pipeline_stage",
        "hs_ticket_priority",
        "hs_ticket_category",
        "source_type",
        "hubspot_owner_id",
    ),
    ("hubspot", "products"): ("name", "price", "hs_sku"),
    ("hubspot", "line_items"): ("name", "quantity", "price", "hs_product_id"),
    ("hubspot", "calls"): ("hs_timestamp", "hs_call_body", "hs_call_direction"),
    ("hubspot", "meetings"): ("hs_timestamp", "hs_meeting_title", "hs_meeting_outcome"),
    ("hubspot", "notes"): ("hs_timestamp", "hs_note_body"),
    ("hubspot", "emails"): ("hs_timestamp", "hs_email_subject", "hs_email_direction"),
}


@pytest.mark.parametrize(("where", "names"), MUST_HAVE.items(), ids=lambda v: str(v))
def test_must_have_fields(cat: Catalog, where: tuple[str, str], names: tuple[str, ...]) -> None:
    system, obj = where
    missing = [n for n in names if cat.system(system).field(obj, n) is None]  # type: ignore[arg-type]
    assert not missing, f"{system} {obj} lacks {missing}"


def test_every_object_says_where_it_came_from(cat: Catalog) -> None:
    for system in (cat.hubspot, cat.salesforce):
        for obj in system.objects.values():
            assert obj.source and ("http" in obj.source or "describe" in obj.source), obj.name


@pytest.mark.parametrize(
    ("obj", "name", "length"),
    [
        # describe's lengths: picklists are 255 (40 was a guess), Account.Type 40
        ("Lead", "Status", 255),
        ("Lead", "LeadSource", 255),
        ("Lead", "Industry", 255),
        ("Lead", "Rating", 255),
        ("Contact", "LeadSource", 255),
        ("Opportunity", "LeadSource", 255),
        ("Account", "Type", 40),
        ("Lead", "Fax", 40),
        ("Lead", "MiddleName", 40),
        ("Account", "ShippingStreet", 255),
        ("Account", "ShippingCity", 40),
        ("Opportunity", "NextStep", 255),
    ],
)
def test_lengths_as_describe_gives_them(cat: Catalog, obj: str, name: str, length: int) -> None:
    assert field(cat, "salesforce", obj, name).length == length


def test_restricted_picklists_as_describe_gives_them(cat: Catalog) -> None:
    # Salesforce's standard picklists accept other values through the API unless restricted.
    for obj, name in [("Lead", "LeadSource"), ("Lead", "Status"), ("Opportunity", "StageName")]:
        f = field(cat, "salesforce", obj, name)
        assert not f.restricted and f.accepts_other_values
    assert field(cat, "salesforce", "Opportunity", "ForecastCategoryName").restricted
    # Every HubSpot enumeration is restricted to its options.
    for system_obj in cat.hubspot.objects.values():
        for f in system_obj.fields.values():
            if f.is_enum and system_obj.name != "owners":
                assert f.restricted and not f.accepts_other_values, f"{system_obj.name}.{f.name}"
    assert not field(cat, "salesforce", "Lead", "Company").accepts_other_values  # not a picklist


def test_hubspot_default_deal_pipeline_stage_ids(cat: Catalog) -> None:
    assert field(cat, "hubspot", "deals", "dealstage").option_values == (
        "appointmentscheduled",
        "qualifiedtobuy",
        "presentationscheduled",
        "decisionmakerboughtin",
        "contractsent",
        "closedwon",
        "closedlost",
    )


@pytest.mark.parametrize(
    ("obj", "names"),
    [
        ("deals", ("dealname", "dealstage")),
        ("tickets", ("subject", "hs_pipeline_stage")),
        ("calls", ("hs_timestamp",)),
    ],
)
def test_hubspot_required_on_create(cat: Catalog, obj: str, names: tuple[str, ...]) -> None:
    required = {f.name for f in cat.hubspot.object(obj).fields.values() if f.required}  # type: ignore[union-attr]
    assert required == set(names)
    assert not any(f.required for f in cat.hubspot.object("contacts").fields.values())  # type: ignore[union-attr]


def test_every_picklist_states_its_restriction_in_the_file() -> None:
    # Readers of the files (the emulator) must not guess: false is written out too.
    for system in ("hubspot", "salesforce"):
        data = json.loads((CATALOG_DIR / f"{system}.json").read_text("utf-8"))
        for obj_name, obj in data["objects"].items():
            for name, f in obj["fields"].items():
                if f["type"] in ("enumeration", "picklist", "multipicklist"):
                    assert "restricted" in f, f"{system} {obj_name}.{name}"


def test_mapc_check_reports_a_deeply_nested_catalog_as_e208(tmp_path: Path) -> None:
    from mapc.compiler.pipeline import check_file

    (tmp_path / "catalogs").mkdir()
    depth = 5_000
    write(
        tmp_path / "catalogs",
        "salesforce.json",
        '{"system": "salesforce", "objects": ' + "[" * depth + "]" * depth + "}",
    )
    mapping = tmp_path / "deep.mapc"
    mapping.write_text('mapping deep\n\nsettings {\n  catalogs: "catalogs"\n}\n', "utf-8")
    result = check_file(mapping)
    (diagnostic,) = [d for d in result.diagnostics if d.code == "E208"]
    assert "too deep" in diagnostic.message and "salesforce.json:1:" in diagnostic.message
    assert (diagnostic.span.line, diagnostic.span.column) == (4, 13)


def test_field_entry_that_is_not_an_object_is_pointed_at(tmp_path: Path) -> None:
    data = {"system": "salesforce", "objects": {"Lead": {"fields": {"X__c": 5}}}}
    with pytest.raises(CatalogError) as info:
        load_catalog([write(tmp_path, "salesforce.json", data).parent])
    assert str(info.value).endswith(
        "salesforce.json:6:17: objects.Lead.fields.X__c: Input should be a valid dictionary"
    )


def test_equal_project_entries_share_one_field(tmp_path: Path) -> None:
    # 50,000 custom fields declared on both Lead and Contact are held once, not twice.
    entry = {"label": "Tier", "type": "text", "native_type": "string", "custom": True}
    other = {**entry, "custom": 1}  # equal to True, yet a different entry: not shared
    data = {
        "system": "salesforce",
        "objects": {
            "Lead": {"fields": {"Tier__c": entry, "Other__c": other}},
            "Contact": {"fields": {"Tier__c": entry, "Other__c": entry}},
        },
    }
    cat = load_catalog([write(tmp_path, "salesforce.json", data).parent])
    lead_tier = field(cat, "salesforce", "Lead", "Tier__c")
    assert field(cat, "salesforce", "Contact", "Tier__c") is lead_tier
    lead_other = field(cat, "salesforce", "Lead", "Other__c")
    contact_other = field(cat, "salesforce", "Contact", "Other__c")
    assert lead_other == contact_other and lead_other is not contact_other
    assert lead_other.custom is True


def test_the_error_message_models_mirror_the_catalog_structs_field_for_field() -> None:
    # catalog_validation's pydantic models exist only to word the errors of a rejected
    # catalog; if they drift from the msgspec structs, a valid file could be reported bad
    # (or a bad one explained wrongly).
    from mapc.compiler import catalog, catalog_validation

    pairs = [
        (catalog.FieldDef, catalog_validation._Field),
        (catalog.Option, catalog_validation._Option),
        (catalog._OverlayObject, catalog_validation._OverlayObject),
        (catalog._Overlay, catalog_validation._Overlay),
    ]
    for struct, model in pairs:
        struct_fields = {
            f.name: (f.required, None if f.required else _default(f))
            for f in msgspec.structs.fields(struct)
        }
        model_fields = {
            name: (info.is_required(), None if info.is_required() else info.get_default())
            for name, info in model.model_fields.items()
        }
        assert model_fields == struct_fields, struct.__name__


def _default(field: msgspec.structs.FieldInfo) -> object:
    return field.default_factory() if field.default is msgspec.NODEFAULT else field.default
