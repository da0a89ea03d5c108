"""A deterministic, realistic sample of both CRMs in the emulator's seed format: a few
hundred leads, contacts, accounts, opportunities and owners, with the cases the rules are
about: duplicates by email, a person account, opted-out contacts, subscribers outside the
inclusion list, a Closed/Won opportunity with contact roles, and email events."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mapc.demo.custom import CustomFields

FIRST = (
    "Ada",
    "Ben",
    "Cleo",
    "Dev",
    "Eli",
    "Fay",
    "Gus",
    "Hana",
    "Ivo",
    "Jun",
    "Kai",
    "Lia",
    "Max",
    "Nia",
    "Oto",
    "Pia",
    "Quin",
    "Rey",
    "Sol",
    "Tess",
    "Uma",
    "Vic",
    "Wes",
    "Yui",
)
LAST = (
    "Abbott",
    "Baker",
    "Chen",
    "Diaz",
    "Evans",
    "Fox",
    "Garcia",
    "Hill",
    "Ito",
    "Jones",
    "Khan",
    "Lopez",
    "Moore",
    "Nguyen",
    "Okafor",
    "Patel",
    "Quinn",
    "Rossi",
    "Smith",
    "Tanaka",
    "Usman",
    "Vogel",
    "Wong",
    "Young",
)
COMPANIES = (
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Stark",
    "Wayne",
    "Wonka",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Aperture",
    "Gringotts",
    "Oscorp",
    "Vandelay",
    "Dunder",
    "Pied Piper",
    "Monarch",
    "Massive",
    "Nakatomi",
)
TITLES = ("CEO", "CTO", "VP Sales", "Engineer", "Buyer", "Analyst", None)
STAGES = ("Prospecting", "Qualification", "Needs Analysis", "Proposal/Price Quote", "Closed Lost")
DEAL_STAGES = ("appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "contractsent")
LIFECYCLE = (
    "Subscriber",
    "Lead",
    "Marketing Qualified Lead",
    "Sales Qualified Lead",
    "Opportunity",
    "Customer",
    "Evangelist",
    "Other",
)
OWNERS = (
    ("Olivia", "Stone", True),
    ("Pablo", "Reyes", True),
    ("Quinn", "Lam", True),
    ("Rita", "Moss", False),
)


def _person(rng: random.Random, n: int, domain: str) -> tuple[str, str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return first, last, f"{first}.{last}.{n}@{domain}".lower()


def sample(seed: int = 7, scale: int = 1, custom: CustomFields | None = None) -> dict[str, Any]:
    """Both CRMs' records; `scale` multiplies the volume; `custom` adds the project
    catalogs' custom fields to the orgs' schemas (their records leave them blank)."""
    rng = random.Random(seed)
    users = [
        {
            "_ref": f"user{i}",
            "FirstName": f,
            "LastName": la,
            "Email": f"{f}.{la}@sales.example".lower(),
            "Username": f"{f}.{la}@sales.example".lower(),
            "UserType": "Standard",
            "IsActive": active,
        }
        for i, (f, la, active) in enumerate(OWNERS)
    ]
    owners = [
        {
            "id": str(700 + i),
            "email": u["Email"],
            "firstName": u["FirstName"],
            "lastName": u["LastName"],
        }
        for i, u in enumerate(users)
    ]
    owners.append(
        {"id": "799", "email": "intern@sales.example", "firstName": "Ian", "lastName": "Intern"}
    )  # no Salesforce user: R10 resets it
    accounts: list[dict[str, Any]] = []
    for i in range(40 * scale):
        name = f"{COMPANIES[i % len(COMPANIES)]} {['Ltd', 'Inc', 'GmbH', 'SA'][i % 4]} {i}"
        accounts.append(
            {
                "_ref": f"acc{i}",
                "Name": name,
                "Website": f"acc{i}.example",
                "OwnerId": f"@user{i % 3}",
            }
        )
    accounts.append(
        {
            "FirstName": "Pat",
            "LastName": "Person",
            "PersonEmail": "pat@home.example",
            "IsPersonAccount": True,
        }
    )
    contacts: list[dict[str, Any]] = []
    for i in range(120 * scale):
        first, last, email = _person(rng, i, "customer.example")
        contacts.append(
            {
                "_ref": f"con{i}",
                "FirstName": first,
                "LastName": last,
                "Email": email,
                "Title": rng.choice(TITLES),
                "AccountId": f"@acc{i % (40 * scale)}",
                "OwnerId": f"@user{i % 3}",
                "HasOptedOutOfEmail": i % 37 == 5,
            }
        )
    leads: list[dict[str, Any]] = []
    for i in range(100 * scale):
        first, last, email = _person(rng, i, "prospect.example")
        leads.append(
            {
                "FirstName": first,
                "LastName": last,
                "Email": email,
                "Company": f"{rng.choice(COMPANIES)} prospects",
                "OwnerId": f"@user{i % 3}",
            }
        )
    # Two leads sharing an email: HubSpot keeps one contact for both (R6).
    leads.append({"LastName": "Twin", "Company": "Twins", "Email": "twin@prospect.example"})
    leads.append({"LastName": "Twin", "Company": "Twins", "Email": "TWIN@prospect.example"})
    opportunities: list[dict[str, Any]] = []
    for i in range(60 * scale):
        opportunities.append(
            {
                "_ref": f"opp{i}",
                "Name": f"Renewal {i}",
                "StageName": rng.choice(STAGES),
                "CloseDate": "2026-12-31",
                "Amount": rng.randrange(1, 200) * 500,
                "AccountId": f"@acc{i % (40 * scale)}",
            }
        )
    opportunities.append(
        {
            "_ref": "won",
            "Name": "Big win",
            "StageName": "Closed Won",
            "CloseDate": "2026-11-15",
            "Amount": 120000,
            "AccountId": "@acc0",
        }
    )
    opportunities.append(
        {
            "Name": "Won without roles",
            "StageName": "Closed Won",
            "CloseDate": "2026-11-15",
            "Amount": 5000,
            "AccountId": "@acc1",
        }
    )
    roles = [
        {
            "OpportunityId": "@won",
            "ContactId": "@con0",
            "Role": "Decision Maker",
            "IsPrimary": True,
        },
        {"OpportunityId": "@won", "ContactId": "@con40", "Role": "Evaluator"},
    ]

    hs_contacts: list[dict[str, Any]] = []
    for i in range(150 * scale):
        first, last, email = _person(rng, i, "inbound.example")
        hs_contacts.append(
            {
                "email": email,
                "firstname": first,
                "lastname": last,
                "jobtitle": rng.choice(TITLES) or "",
                "lifecyclestage": "subscriber" if i % 10 == 0 else "lead",
                "hubspot_owner_id": "799" if i == 3 else str(700 + i % 3),
            }
        )
    # Duplicates by email of Salesforce leads, spelled differently (R6).
    for lead in leads[:10]:
        hs_contacts.append(
            {
                "email": str(lead["Email"]).upper(),
                "firstname": "",
                "lastname": lead["LastName"],
                "lifecyclestage": "lead",
            }
        )
    unsubscribed = [hs_contacts[1]["email"]]
    companies = [
        {"name": f"{COMPANIES[i % len(COMPANIES)]} Labs {i}", "domain": f"labs{i}.example"}
        for i in range(20 * scale)
    ]
    deals = [
        {
            "dealname": f"New business {i}",
            "amount": str(rng.randrange(1, 100) * 250),
            "dealstage": rng.choice(DEAL_STAGES),
            "closedate": "2027-01-31T00:00:00.000Z",
        }
        for i in range(30 * scale)
    ]
    events = []
    for i in range(50 * scale):
        recipient = hs_contacts[1 + (i % 40)]["email"] if i % 40 else hs_contacts[1]["email"]
        events.append(
            {
                "id": f"demo-ev-{i}",
                "type": "OPEN" if i % 3 else "CLICK",
                "recipient": str(recipient).lower(),
                "url": "https://example.com/offer",
            }
        )
    lifecycle = {
        "name": "Lifecycle_Stage__c",
        "type": "picklist",
        "picklistValues": list(LIFECYCLE),
    }
    custom_fields: dict[str, list[dict[str, Any]]] = {"Lead": [lifecycle], "Contact": [lifecycle]}
    properties: dict[str, list[dict[str, Any]]] = {}
    if custom is not None:
        for name, entries in custom.salesforce.items():
            declared = {e["name"] for e in entries}
            kept = [e for e in custom_fields.get(name, []) if e["name"] not in declared]
            custom_fields[name] = kept + entries
        properties = {kind: list(entries) for kind, entries in custom.hubspot.items()}
    return {
        "salesforce": {
            "person_accounts": True,
            "custom_fields": custom_fields,
            "records": {
                "User": users,
                "Account": accounts,
                "Contact": contacts,
                "Lead": leads,
                "Opportunity": opportunities,
                "OpportunityContactRole": roles,
            },
        },
        "hubspot": {
            "properties": properties,
            "owners": owners,
            "unsubscribed": unsubscribed,
            "records": {"contacts": hs_contacts, "companies": companies, "deals": deals},
            "email_events": events,
        },
    }


def describe(data: dict[str, Any]) -> str:
    sf = data["salesforce"]["records"]
    hs = data["hubspot"]["records"]
    return (
        f"Salesforce: {len(sf['Lead'])} leads, {len(sf['Contact'])} contacts, "
        f"{len(sf['Account'])} accounts (1 person account), {len(sf['Opportunity'])} "
        f"opportunities, {len(sf['User'])} users; HubSpot: {len(hs['contacts'])} contacts, "
        f"{len(hs['companies'])} companies, {len(hs['deals'])} deals, "
        f"{len(data['hubspot']['owners'])} owners, {len(data['hubspot']['email_events'])} "
        "email events"
    )
