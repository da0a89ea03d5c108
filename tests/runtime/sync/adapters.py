"""Adapters built by hand for the engine's tests, shaped like what code generation emits
for mappings/hubspot_salesforce.mapc (the contract is mapc.runtime.adapter)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from mapc.runtime.adapter import (
    Adapter,
    Behaviour,
    ClosedWonRule,
    CreateContacts,
    EmailEventsRule,
    FieldSync,
    MatchKind,
    MatchSpec,
    ObjectSync,
    PersonAccounts,
    Rule,
    Settings,
)

LIFECYCLE = {
    "subscriber": "Subscriber",
    "lead": "Lead",
    "marketingqualifiedlead": "Marketing Qualified Lead",
    "salesqualifiedlead": "Sales Qualified Lead",
    "opportunity": "Opportunity",
    "customer": "Customer",
    "evangelist": "Evangelist",
    "other": "Other",
}
DEAL_STAGES = {
    "appointmentscheduled": "Prospecting",
    "qualifiedtobuy": "Qualification",
    "presentationscheduled": "Needs Analysis",
    "decisionmakerboughtin": "Value Proposition",
    "contractsent": "Proposal/Price Quote",
    "closedwon": "Closed Won",
    "closedlost": "Closed Lost",
}
VALUE_MAPS: dict[str, dict[str, str]] = {"lifecyclestage": LIFECYCLE, "dealstage": DEAL_STAGES}


def _blank(v: Any) -> bool:
    return v is None or v == ""


def f(hs: str, sf: str, objects: tuple[str, ...], rule: Rule, *, owner: bool = False) -> FieldSync:
    to_sf = rule in (Rule.TWO_WAY, Rule.PREFER_SALESFORCE, Rule.ALWAYS_HUBSPOT, Rule.OPT_OUT)
    to_hs = rule in (Rule.TWO_WAY, Rule.PREFER_SALESFORCE, Rule.ALWAYS_SALESFORCE, Rule.OPT_OUT)
    return FieldSync(hs, sf, objects, rule, to_sf, to_hs, owner)


def transforms(
    fields: tuple[FieldSync, ...],
) -> tuple[
    Callable[[str, Mapping[str, Any], Mapping[str, Any] | None], dict[str, Any]],
    Callable[[str, Mapping[str, Any], Mapping[str, Any] | None], dict[str, Any]],
]:
    def to_sf(sobject: str, hs: Mapping[str, Any], sf: Mapping[str, Any] | None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for fs in fields:
            if sobject not in fs.salesforce_objects or not fs.to_salesforce:
                continue
            value = hs.get(fs.hubspot)
            if fs.rule is Rule.OPT_OUT:
                if str(value).lower() == "true":
                    out[fs.salesforce] = True
                continue
            if (
                fs.rule is Rule.PREFER_SALESFORCE
                and sf is not None
                and not _blank(sf.get(fs.salesforce))
            ):
                continue
            vmap = VALUE_MAPS.get(fs.hubspot)
            if vmap is not None and value is not None:
                value = vmap.get(str(value))
            if fs.hubspot == "amount" and not _blank(value):
                value = float(value)
            if fs.hubspot == "closedate" and not _blank(value):
                value = str(value)[:10]
            out[fs.salesforce] = None if _blank(value) else value
        return out

    def to_hs(sobject: str, sf: Mapping[str, Any], hs: Mapping[str, Any] | None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for fs in fields:
            if sobject not in fs.salesforce_objects or not fs.to_hubspot:
                continue
            value = sf.get(fs.salesforce)
            if fs.rule is Rule.OPT_OUT:
                if value is True:
                    out[fs.hubspot] = "true"
                continue
            if fs.rule is Rule.PREFER_SALESFORCE and _blank(value):
                continue
            vmap = VALUE_MAPS.get(fs.hubspot)
            if vmap is not None and value is not None:
                value = {v: k for k, v in vmap.items()}.get(str(value))
            if fs.hubspot == "closedate" and not _blank(value):
                value = f"{value}T00:00:00.000Z"
            if isinstance(value, float) and value.is_integer():
                value = int(value)  # as the generated adapters write numbers: 42, not 42.0
            out[fs.hubspot] = (
                None if _blank(value) else (str(value) if not isinstance(value, str) else value)
            )
        return out

    return to_sf, to_hs


def email_key(field: str) -> Callable[[Mapping[str, Any]], str | None]:
    def key(record: Mapping[str, Any]) -> str | None:
        value = record.get(field)
        return str(value).strip().lower() or None if value else None

    return key


def object_sync(
    hs_object: str,
    sobjects: tuple[str, ...],
    match: MatchSpec,
    fields: tuple[FieldSync, ...],
    **extra: Any,
) -> ObjectSync:
    to_sf, to_hs = transforms(fields)
    sf_fields = {
        o: tuple(sorted({"Id", *(x.salesforce for x in fields if o in x.salesforce_objects)}))
        for o in sobjects
    }
    return ObjectSync(
        hubspot_object=hs_object,
        salesforce_objects=sobjects,
        match=match,
        fields=fields,
        hubspot_properties=tuple(
            sorted(
                {x.hubspot for x in fields} | {"lifecyclestage"}
                if hs_object == "contacts"
                else {x.hubspot for x in fields}
            )
        ),
        salesforce_fields=sf_fields,
        to_salesforce=to_sf,
        to_hubspot=to_hs,
        **extra,
    )


LC = ("Lead", "Contact")

CONTACT_FIELDS = (
    f("email", "Email", LC, Rule.TWO_WAY),
    f("firstname", "FirstName", LC, Rule.PREFER_SALESFORCE),
    f("lastname", "LastName", LC, Rule.PREFER_SALESFORCE),
    f("phone", "Phone", LC, Rule.PREFER_SALESFORCE),
    f("jobtitle", "Title", LC, Rule.TWO_WAY),
    f("company", "Company", ("Lead",), Rule.PREFER_SALESFORCE),
    f("lifecyclestage", "Lifecycle_Stage__c", LC, Rule.ALWAYS_HUBSPOT),
    f("hubspot_owner_id", "OwnerId", LC, Rule.TWO_WAY, owner=True),
    f("hs_email_optout", "HasOptedOutOfEmail", LC, Rule.OPT_OUT),
)


def not_subscriber(record: Mapping[str, Any]) -> bool:
    return record.get("lifecyclestage") != "subscriber"


def contacts_sync(
    include: bool = True, fields: tuple[FieldSync, ...] = CONTACT_FIELDS
) -> ObjectSync:
    return object_sync(
        "contacts",
        LC,
        MatchSpec(MatchKind.FIELD, "email", "Email", True),
        fields,
        match_key=email_key("email"),
        salesforce_match_key=email_key("Email"),
        include=not_subscriber if include else None,
        behaviours=(
            Behaviour.LEADS_AND_CONTACTS,
            Behaviour.COMMUNICATION_PREFERENCES,
            Behaviour.CONTACT_COMPANY,
            Behaviour.PERSON_ACCOUNTS,
        ),
        create_defaults={
            "Lead": {"LastName": "[not provided]", "Company": "[not provided]"},
            "Contact": {"LastName": "[not provided]"},
        },
    )


def companies_sync() -> ObjectSync:
    return object_sync(
        "companies",
        ("Account",),
        MatchSpec(MatchKind.ASSOCIATED_CONTACTS),
        (
            f("name", "Name", ("Account",), Rule.TWO_WAY),
            f("domain", "Website", ("Account",), Rule.PREFER_SALESFORCE),
            f("phone", "Phone", ("Account",), Rule.PREFER_SALESFORCE),
            f("hubspot_owner_id", "OwnerId", ("Account",), Rule.TWO_WAY, owner=True),
        ),
        behaviours=(Behaviour.COMPANY_BY_CONTACTS, Behaviour.PERSON_ACCOUNTS),
    )


def deals_sync() -> ObjectSync:
    opp = ("Opportunity",)
    return object_sync(
        "deals",
        opp,
        MatchSpec(MatchKind.NONE),
        (
            f("dealname", "Name", opp, Rule.TWO_WAY),
            f("amount", "Amount", opp, Rule.TWO_WAY),
            f("closedate", "CloseDate", opp, Rule.TWO_WAY),
            f("dealstage", "StageName", opp, Rule.TWO_WAY),
            f("hubspot_owner_id", "OwnerId", opp, Rule.TWO_WAY, owner=True),
        ),
        create_defaults={"Opportunity": {"StageName": "Prospecting"}},
    )


def task_values(event: Mapping[str, Any]) -> dict[str, Any]:
    kind = "Opened" if event.get("type") == "OPEN" else "Clicked"
    return {
        "Subject": f"Marketing email: {kind}",
        "Status": "Completed",
        "Description": f"HubSpot email event {event.get('id')}",
    }


def adapter(
    *,
    companies: bool = True,
    deals: bool = True,
    events: bool = True,
    include: bool = True,
    settings: Settings | None = None,
) -> Adapter:
    objects = [contacts_sync(include)]
    if companies:
        objects.append(companies_sync())
    if deals:
        objects.append(deals_sync())
    return Adapter(
        name="hubspot_salesforce",
        source_path="tests",
        source_sha256="0" * 64,
        mapc_version="test",
        settings=settings or Settings(person_accounts=PersonAccounts.ON),
        objects=tuple(objects),
        closed_won=ClosedWonRule("contacts", "lifecyclestage", "customer") if deals else None,
        email_events=EmailEventsRule(("OPEN", "CLICK"), "Task", task_values) if events else None,
    )


def with_settings(base: Adapter, **changes: Any) -> Adapter:
    return replace(base, settings=replace(base.settings, **changes))


def contacts_only() -> Adapter:
    return adapter(
        companies=False,
        deals=False,
        events=False,
        settings=Settings(create_hubspot_contacts=CreateContacts.LEADS_AND_CONTACTS),
    )
