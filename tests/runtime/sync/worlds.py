"""A mixed sample of both CRMs, and a comparable picture of their final state."""

from __future__ import annotations

from typing import Any

from tests.runtime.sync.conftest import SyncEnv


def mixed_seed() -> dict[str, Any]:
    return {
        "salesforce": {
            "records": {
                "Account": [{"_ref": "acc", "Name": "Buyer Ltd"}],
                "Contact": [
                    {
                        "_ref": "roy",
                        "LastName": "Roy",
                        "Email": "roy@buyer.example",
                        "AccountId": "@acc",
                    },
                    {
                        "LastName": "Opt",
                        "Email": "opt@buyer.example",
                        "AccountId": "@acc",
                        "HasOptedOutOfEmail": True,
                    },
                ],
                "Lead": [
                    {
                        "LastName": "Lee",
                        "FirstName": "Ann",
                        "Company": "Acme",
                        "Email": "ANN@acme.example",
                    },
                    {"LastName": "Dup", "Company": "Acme", "Email": "ann@acme.example"},
                    {"LastName": "Solo", "Company": "Solo", "Email": "solo@sf.example"},
                ],
                "Opportunity": [
                    {
                        "_ref": "won",
                        "Name": "Won deal",
                        "StageName": "Closed Won",
                        "CloseDate": "2026-11-01",
                        "AccountId": "@acc",
                        "Amount": 500,
                    }
                ],
                "OpportunityContactRole": [{"OpportunityId": "@won", "ContactId": "@roy"}],
            }
        },
        "hubspot": {
            "records": {
                "contacts": [
                    {
                        "email": "ann@acme.example",
                        "firstname": "Annie",
                        "jobtitle": "CEO",
                        "lifecyclestage": "lead",
                    },
                    {"email": "hs@only.example", "lastname": "Only", "lifecyclestage": "lead"},
                    {
                        "email": "sub@only.example",
                        "lastname": "Sub",
                        "lifecyclestage": "subscriber",
                    },
                ],
                "companies": [{"name": "Hs Co", "domain": "hs.example"}],
                "deals": [
                    {
                        "dealname": "Hs deal",
                        "amount": "42",
                        "dealstage": "qualifiedtobuy",
                        "closedate": "2026-12-01T00:00:00.000Z",
                    }
                ],
            },
            "unsubscribed": ["hs@only.example"],
            "email_events": [
                {"id": "ev-1", "type": "OPEN", "recipient": "ann@acme.example"},
                {"id": "ev-2", "type": "OPEN", "recipient": "ann@acme.example"},
                {"id": "ev-3", "type": "CLICK", "recipient": "hs@only.example"},
                {"id": "ev-4", "type": "OPEN", "recipient": "nobody@nowhere.example"},
            ],
        },
    }


def world(sync: SyncEnv) -> dict[str, Any]:
    """Both CRMs without ids: what a person would compare."""
    sf_people = sorted(
        (
            r["Email"].lower(),
            r.get("LastName"),
            r.get("FirstName"),
            r.get("Title"),
            bool(r.get("HasOptedOutOfEmail")),
            r.get("Lifecycle_Stage__c"),
        )
        for sobject in ("Lead", "Contact")
        for r in sync.sf(sobject)
    )
    hs_people = sorted(
        (
            email,
            c.get("lastname"),
            c.get("firstname"),
            c.get("jobtitle"),
            c.get("hs_email_optout"),
            c.get("lifecyclestage"),
        )
        for email, c in sync.hs_by_email().items()
    )
    tasks = sorted(
        (t["Subject"], t["WhoId"] is not None) for t in sync.sf("Task", fields="Id, Subject, WhoId")
    )
    return {
        "sf_people": sf_people,
        "hs_people": hs_people,
        "accounts": sorted(r["Name"] for r in sync.sf("Account")),
        "companies": sorted(str(c.get("name")) for c in sync.hs("companies")),
        "opportunities": sorted(r["Name"] for r in sync.sf("Opportunity")),
        "deals": sorted(str(d.get("dealname")) for d in sync.hs("deals")),
        "tasks": tasks,
    }
