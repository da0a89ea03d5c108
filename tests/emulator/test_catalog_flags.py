"""The catalogs' flags as the emulator's describe reports them: what the checker relies on
(required on create, restricted picklists) is what the emulated org enforces."""

from __future__ import annotations

from simple_salesforce import Salesforce

from mapc.compiler.catalog import load_default_catalog
from mapc.emulator import Emulator
from mapc.emulator.salesforce.standard import is_person_field


def test_required_and_restricted_agree_with_describe(sf: Salesforce, emulator: Emulator) -> None:
    emulator.reset(person_accounts=False)
    catalog = load_default_catalog().salesforce
    checked = 0
    for obj in catalog.objects.values():
        described = {f["name"]: f for f in getattr(sf, obj.name).describe()["fields"]}
        for field in obj.fields.values():
            got = described.get(field.name)
            if got is None:
                assert is_person_field(obj.name, field.name), f"{obj.name}.{field.name}"
                continue  # shown with person accounts only
            required = got["createable"] and not got["nillable"] and not got["defaultedOnCreate"]
            assert field.required == required, f"{obj.name}.{field.name} required"
            if field.type in ("picklist", "multipicklist"):
                assert field.restricted == got["restrictedPicklist"], f"{obj.name}.{field.name}"
            checked += 1
    assert checked > 350  # every standard field of every object, not a handful


def test_the_emulator_rejects_only_what_the_catalog_restricts(
    sf: Salesforce, emulator: Emulator
) -> None:
    emulator.reset(person_accounts=False)
    lead_source = load_default_catalog().salesforce.field("Lead", "LeadSource")
    assert lead_source is not None and lead_source.accepts_other_values
    created = sf.Lead.create({"LastName": "Org", "Company": "Own", "LeadSource": "Trade Show"})
    assert sf.Lead.get(created["id"])["LeadSource"] == "Trade Show"
