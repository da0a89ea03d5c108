"""`mapc schema pull` conversion: describe() and HubSpot properties to the catalog format."""

from __future__ import annotations

from mapc.compiler.catalog import catalog_from_json, dump_catalog
from mapc.compiler.catalog_convert import hubspot_fields, salesforce_object


def test_salesforce_describe_becomes_a_valid_catalog_object() -> None:
    describe = {
        "name": "Lead",
        "label": "Lead",
        "keyPrefix": "00Q",
        "fields": [
            {"name": "Id", "label": "Lead ID", "type": "id", "length": 18, "nillable": False,
             "createable": False, "updateable": False, "defaultedOnCreate": True},
            {"name": "Company", "label": "Company", "type": "string", "length": 255,
             "nillable": False, "createable": True, "updateable": True, "defaultedOnCreate": False},
            {"name": "OwnerId", "label": "Owner ID", "type": "reference", "length": 18,
             "nillable": False, "createable": True, "updateable": True, "defaultedOnCreate": True,
             "referenceTo": ["Group", "User"]},
            {"name": "Lifecycle_Stage__c", "label": "Lifecycle Stage", "type": "picklist",
             "length": 255, "nillable": True, "custom": True, "createable": True, "updateable": True,
             "picklistValues": [{"value": "Lead", "label": "Lead", "active": True},
                                {"value": "Old", "label": "Old", "active": False},
                                {"value": "Lead", "label": "Lead again", "active": True}]},
            {"name": "HubSpot_Id__c", "label": "HubSpot Id", "type": "string", "length": 18,
             "custom": True, "externalId": True, "unique": True},
            {"name": "Address", "label": "Address", "type": "address"},
            {"name": "HasOptedOutOfEmail", "label": "Email Opt Out", "type": "boolean",
             "nillable": False, "createable": True, "updateable": True, "defaultedOnCreate": True},
        ],
    }  # fmt: skip
    doc = {"system": "salesforce", "objects": {"Lead": salesforce_object(describe)}}
    catalog = catalog_from_json(doc)
    lead = catalog.object("Lead")
    assert lead is not None and lead.key_prefix == "00Q"
    assert set(lead.fields) == {
        "Id",
        "Company",
        "OwnerId",
        "Lifecycle_Stage__c",
        "HasOptedOutOfEmail",
        "HubSpot_Id__c",
    }
    key = lead.fields["HubSpot_Id__c"]
    assert key.external_id and key.unique  # what an idempotency key needs (E417)
    assert not lead.fields["Company"].external_id and not lead.fields["Company"].unique
    assert lead.fields["Company"].required and lead.fields["Company"].type == "text"
    assert not lead.fields["OwnerId"].required and lead.fields["OwnerId"].reference_to == (
        "Group",
        "User",
    )
    stage = lead.fields["Lifecycle_Stage__c"]
    assert stage.custom and stage.option_values == ("Lead",)
    assert not lead.fields["HasOptedOutOfEmail"].required
    assert dump_catalog(catalog).endswith("\n")


def test_hubspot_properties_become_fields_with_kinds() -> None:
    props = [
        {"name": "email", "label": "Email", "type": "string", "fieldType": "text", "hubspotDefined": True},
        {"name": "hs_email_optout", "label": "Unsubscribed from all email", "type": "enumeration",
         "fieldType": "booleancheckbox", "hubspotDefined": True,
         "modificationMetadata": {"readOnlyValue": True},
         "options": [{"value": "true", "label": "Yes"}, {"value": "false", "label": "No"}]},
        {"name": "lifecyclestage", "label": "Lifecycle Stage", "type": "enumeration",
         "fieldType": "radio", "hubspotDefined": True,
         "options": [{"value": "lead", "label": "Lead"}, {"value": "x", "label": "X", "hidden": True}]},
        {"name": "hubspot_owner_id", "label": "Contact owner", "type": "enumeration",
         "fieldType": "select", "hubspotDefined": True, "options": []},
        {"name": "favourite_colour", "label": "Favourite colour", "type": "string",
         "fieldType": "text"},
        {"name": "amount", "label": "Amount", "type": "number", "fieldType": "number",
         "showCurrencySymbol": True, "hubspotDefined": True},
        {"name": "salesforce_id", "label": "Salesforce ID", "type": "string", "fieldType": "text",
         "hasUniqueValue": True},
        {"name": "gone", "label": "Gone", "type": "string", "fieldType": "text", "archived": True},
    ]  # fmt: skip
    fields = hubspot_fields(props)
    catalog = catalog_from_json(
        {"system": "hubspot", "objects": {"contacts": {"label": "Contacts", "fields": fields}}}
    )
    contacts = catalog.object("contacts")
    assert contacts is not None and "gone" not in contacts.fields
    assert contacts.fields["email"].type == "email"
    optout = contacts.fields["hs_email_optout"]
    assert optout.type == "bool" and optout.read_only and not optout.updateable
    assert contacts.fields["lifecyclestage"].option_values == ("lead",)
    assert contacts.fields["hubspot_owner_id"].type == "reference"
    assert contacts.fields["favourite_colour"].custom
    assert contacts.fields["amount"].type == "currency"
    assert contacts.fields["salesforce_id"].unique and not contacts.fields["email"].unique
