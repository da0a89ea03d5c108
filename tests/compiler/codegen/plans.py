"""Plans built by hand, for tests that must not depend on the checker."""

from __future__ import annotations

from mapc.compiler import ir
from mapc.compiler.plan import (
    Plan,
    PlannedClosedWon,
    PlannedDefault,
    PlannedEmailEvents,
    PlannedField,
    PlannedMatch,
    PlannedObject,
    PlannedValueMap,
)
from mapc.compiler.source import Span
from mapc.runtime.adapter import CreateContacts, MatchKind, PersonAccounts, Rule

SPAN = Span.point("mappings/test.mapc", 1, 1)


def field(
    hubspot: str,
    salesforce: str,
    rule: Rule = Rule.TWO_WAY,
    *,
    objects: tuple[str, ...] = ("Lead", "Contact"),
    hubspot_kind: str = "text",
    salesforce_kind: str = "text",
    value_map: str | None = None,
    owner: bool = False,
) -> PlannedField:
    to_sf = rule not in (Rule.ALWAYS_SALESFORCE, Rule.DO_NOT_SYNC)
    to_hs = rule not in (Rule.ALWAYS_HUBSPOT, Rule.DO_NOT_SYNC)
    return PlannedField(
        hubspot=hubspot,
        hubspot_kind=hubspot_kind,
        salesforce=salesforce,
        salesforce_kind=salesforce_kind,
        salesforce_objects=objects,
        rule=rule,
        to_salesforce=to_sf,
        to_hubspot=to_hs,
        owner=owner,
        value_map=value_map,
        span=SPAN,
    )


def ref(name: str) -> ir.FieldRef:
    return ir.FieldRef(span=SPAN, object=None, field=ir.Name(span=SPAN, value=name))


def lit(value: ir.Scalar) -> ir.Literal:
    return ir.Literal(span=SPAN, value=value)


def compare(name: str, op: str, value: ir.Scalar) -> ir.Compare:
    return ir.Compare(span=SPAN, field=ref(name), op=op, value=lit(value))  # type: ignore[arg-type]


def contacts(
    fields: tuple[PlannedField, ...],
    include: ir.Expr | None = None,
    include_kinds: tuple[tuple[str, str], ...] = (),
    defaults: tuple[PlannedDefault, ...] = (),
    objects: tuple[str, ...] = ("Lead", "Contact"),
    hubspot_object: str = "contacts",
) -> PlannedObject:
    return PlannedObject(
        hubspot_object=hubspot_object,
        salesforce_objects=objects,
        match=PlannedMatch(
            kind=MatchKind.FIELD, hubspot_field="email", salesforce_field="Email", ignore_case=True
        ),
        fields=fields,
        include=include,
        include_kinds=include_kinds,
        defaults=defaults,
        hubspot_properties=tuple(f.hubspot for f in fields),
        salesforce_fields=tuple((o, tuple(f.salesforce for f in fields)) for o in objects),
    )


OPT_OUT = field(
    "hs_email_optout",
    "HasOptedOutOfEmail",
    Rule.OPT_OUT,
    hubspot_kind="bool",
    salesforce_kind="bool",
)


def plan(
    objects: tuple[PlannedObject, ...],
    value_maps: tuple[PlannedValueMap, ...] = (),
    name: str = "test",
    **kwargs: object,
) -> Plan:
    values: dict[str, object] = {
        "name": name,
        "source_path": "mappings/test.mapc",
        "source_sha256": "0" * 64,
        "create_hubspot_contacts": CreateContacts.LEADS_AND_CONTACTS,
        "shared_org": False,
        "person_accounts": PersonAccounts.OFF,
        "objects": objects,
        "value_maps": value_maps,
        "closed_won": None,
        "email_events": None,
    }
    values.update(kwargs)
    return Plan(**values)  # type: ignore[arg-type]


LIFECYCLE = PlannedValueMap(
    name="lifecycle_stages",
    pairs=(
        ("subscriber", "Subscriber"),
        ("lead", "Lead"),
        ("marketingqualifiedlead", "Marketing Qualified Lead"),
        ("salesqualifiedlead", "Sales Qualified Lead"),
        ("opportunity", "Opportunity"),
        ("customer", "Customer"),
        ("evangelist", "Evangelist"),
        ("other", "Other"),
    ),
    two_way=False,
)
DEAL_STAGES = PlannedValueMap(
    name="deal_stages",
    pairs=(
        ("appointmentscheduled", "Prospecting"),
        ("qualifiedtobuy", "Qualification"),
        ("closedwon", "Closed Won"),
        ("closedlost", "Closed Lost"),
    ),
    two_way=True,
)


def default_like_plan() -> Plan:
    """The default mapping's shape, built by hand."""
    contact_fields = (
        field("email", "Email", hubspot_kind="email", salesforce_kind="email"),
        field("firstname", "FirstName", Rule.PREFER_SALESFORCE),
        field("lastname", "LastName", Rule.PREFER_SALESFORCE),
        field("company", "Company", Rule.PREFER_SALESFORCE, objects=("Lead",)),
        field(
            "lifecyclestage",
            "Lifecycle_Stage__c",
            Rule.ALWAYS_HUBSPOT,
            hubspot_kind="enumeration",
            salesforce_kind="picklist",
            value_map="lifecycle_stages",
        ),
        field(
            "hubspot_owner_id",
            "OwnerId",
            hubspot_kind="reference",
            salesforce_kind="reference",
            owner=True,
        ),
        OPT_OUT,
    )
    defaults = (
        PlannedDefault(salesforce_object="Lead", field="LastName", value="[not provided]"),
        PlannedDefault(salesforce_object="Lead", field="Company", value="[not provided]"),
    )
    contacts_obj = contacts(
        contact_fields,
        include=compare("lifecyclestage", "!=", "subscriber"),
        include_kinds=(("lifecyclestage", "enumeration"),),
        defaults=defaults,
    )
    deals = PlannedObject(
        hubspot_object="deals",
        salesforce_objects=("Opportunity",),
        match=PlannedMatch(kind=MatchKind.NONE),
        fields=(
            field("dealname", "Name", objects=("Opportunity",)),
            field(
                "amount",
                "Amount",
                objects=("Opportunity",),
                hubspot_kind="currency",
                salesforce_kind="currency",
            ),
            field(
                "closedate",
                "CloseDate",
                objects=("Opportunity",),
                hubspot_kind="datetime",
                salesforce_kind="date",
            ),
            field(
                "dealstage",
                "StageName",
                objects=("Opportunity",),
                hubspot_kind="enumeration",
                salesforce_kind="picklist",
                value_map="deal_stages",
            ),
        ),
        include=None,
        include_kinds=(),
        defaults=(),
        hubspot_properties=("dealname", "amount", "closedate", "dealstage"),
        salesforce_fields=(("Opportunity", ("Name", "Amount", "CloseDate", "StageName")),),
    )
    return plan(
        (contacts_obj, deals),
        (LIFECYCLE, DEAL_STAGES),
        name="hubspot_salesforce",
        person_accounts=PersonAccounts.ON,
        closed_won=PlannedClosedWon(
            hubspot_object="contacts",
            hubspot_property="lifecyclestage",
            value="customer",
            via="contact_roles",
        ),
        email_events=PlannedEmailEvents(event_types=("OPEN", "CLICK"), salesforce_object="Task"),
    )
