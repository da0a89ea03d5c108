"""Lead conversion as SOAP convertLead() does it: an account, a contact, maybe an opportunity."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from mapc.emulator.salesforce.errors import SfApiError
from mapc.emulator.salesforce.ids import to18
from mapc.emulator.salesforce.org import Org, Record
from mapc.emulator.salesforce.schema import LEAD_STATUSES, STAGES

CONVERTED_STATUSES = tuple(s for s in LEAD_STATUSES if s == "Closed - Converted")
# The standard lead field mapping: lead field -> field of the new record.
TO_ACCOUNT = {
    "Company": "Name",
    "Phone": "Phone",
    "Website": "Website",
    "Industry": "Industry",
    "NumberOfEmployees": "NumberOfEmployees",
    "AnnualRevenue": "AnnualRevenue",
    "Street": "BillingStreet",
    "City": "BillingCity",
    "State": "BillingState",
    "PostalCode": "BillingPostalCode",
    "Country": "BillingCountry",
}
TO_PERSON_ACCOUNT = {
    "FirstName": "FirstName",
    "LastName": "LastName",
    "Email": "PersonEmail",
    "MobilePhone": "PersonMobilePhone",
    "HasOptedOutOfEmail": "PersonHasOptedOutOfEmail",
    "Phone": "Phone",
    "Website": "Website",
    "Street": "BillingStreet",
    "City": "BillingCity",
    "State": "BillingState",
    "PostalCode": "BillingPostalCode",
    "Country": "BillingCountry",
}
TO_CONTACT = {
    "FirstName": "FirstName",
    "LastName": "LastName",
    "Title": "Title",
    "Email": "Email",
    "Phone": "Phone",
    "MobilePhone": "MobilePhone",
    "LeadSource": "LeadSource",
    "HasOptedOutOfEmail": "HasOptedOutOfEmail",
    "Description": "Description",
    "Street": "MailingStreet",
    "City": "MailingCity",
    "State": "MailingState",
    "PostalCode": "MailingPostalCode",
    "Country": "MailingCountry",
}


def _id(value: Any) -> str | None:
    return to18(str(value)) if value else None


def _blank(value: Any) -> bool:
    return value in (None, "", False)


def _mapped(lead: Record, mapping: dict[str, str]) -> Record:
    return {
        target: lead[source] for source, target in mapping.items() if not _blank(lead.get(source))
    }


def _fill_blanks(org: Org, name: str, record_id: str, values: Record) -> None:
    """An existing target only takes the lead's values where its own field is empty."""
    current = org.records[name][record_id]
    wanted = {
        k: v for k, v in values.items() if _blank(current.get(k)) and k in org.object(name).fields
    }
    if wanted:
        org.update_mirror(name, record_id, wanted)


def _quarter_end(today: date) -> date:
    """Converted opportunities close, by default, at the end of the current quarter."""
    last_month = (today.month - 1) // 3 * 3 + 3
    if last_month == 12:
        return date(today.year, 12, 31)
    return date(today.year, last_month + 1, 1) - timedelta(days=1)


def convert_lead(org: Org, request: dict[str, Any]) -> dict[str, Any]:
    """One LeadConvert (`leadId`, `convertedStatus`, `accountId`, `contactId`,
    `doNotCreateOpportunity`, `opportunityName`, `ownerId`, `overwriteLeadSource`);
    answers a LeadConvertResult."""
    lead_id = _id(request.get("leadId"))
    lead = org.records["Lead"].get(lead_id or "")
    if lead is None or lead_id is None:
        raise SfApiError.one(
            400, "INVALID_CROSS_REFERENCE_KEY", f"invalid lead id: {request.get('leadId')}"
        )
    if lead.get("IsConverted"):
        raise SfApiError.one(400, "CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead")
    status = str(request.get("convertedStatus") or CONVERTED_STATUSES[0])
    if status not in CONVERTED_STATUSES:
        raise SfApiError.one(400, "INVALID_STATUS", f"invalid converted status: {status}")
    account_id, contact_id = _id(request.get("accountId")), _id(request.get("contactId"))
    if contact_id and not account_id:
        raise SfApiError.one(
            400,
            "REQUIRED_FIELD_MISSING",
            "accountId is required when contactId is given",
            "accountId",
        )
    owner = _id(request.get("ownerId")) or lead.get("OwnerId")
    if owner and not str(owner).startswith("005"):
        owner = org.api_user_id  # accounts and contacts cannot be owned by a queue
    with org.transaction():
        account_id, contact_id = _account_and_contact(org, lead, account_id, contact_id, owner)
        if request.get("overwriteLeadSource") and lead.get("LeadSource"):
            org.update_mirror("Contact", contact_id, {"LeadSource": lead["LeadSource"]})
        opportunity_id = None
        if not request.get("doNotCreateOpportunity"):
            opportunity_id = _opportunity(org, lead, request, account_id, contact_id, owner)
        for task_id, task in list(org.records["Task"].items()):
            if task.get("WhoId") == lead_id:
                org.update_mirror("Task", task_id, {"WhoId": contact_id})
        org.update_mirror(
            "Lead",
            lead_id,
            {
                "IsConverted": True,
                "ConvertedDate": org.clock.now().date().isoformat(),
                "ConvertedAccountId": account_id,
                "ConvertedContactId": contact_id,
                "ConvertedOpportunityId": opportunity_id,
                "Status": status,
            },
        )
    return {
        "leadId": lead_id,
        "accountId": account_id,
        "contactId": contact_id,
        "opportunityId": opportunity_id,
        "success": True,
        "errors": [],
    }


def _account_and_contact(
    org: Org, lead: Record, account_id: str | None, contact_id: str | None, owner: Any
) -> tuple[str, str]:
    person = org.person_accounts and _blank(lead.get("Company"))
    if account_id is not None:
        if account_id not in org.records["Account"]:
            raise SfApiError.one(
                400, "INVALID_CROSS_REFERENCE_KEY", f"invalid account id: {account_id}"
            )
        account = org.records["Account"][account_id]
        if account.get("IsPersonAccount"):
            _fill_blanks(org, "Account", account_id, _mapped(lead, TO_PERSON_ACCOUNT))
            return account_id, str(org.records["Account"][account_id]["PersonContactId"])
        _fill_blanks(org, "Account", account_id, _mapped(lead, TO_ACCOUNT))
    elif person:
        values = {**_mapped(lead, TO_PERSON_ACCOUNT), "OwnerId": owner}
        account_id = org.create("Account", values)
        return account_id, str(org.records["Account"][account_id]["PersonContactId"])
    else:
        if _blank(lead.get("Company")):
            raise SfApiError.one(
                400, "REQUIRED_FIELD_MISSING", "Required fields are missing: [Company]", "Company"
            )
        account_id = org.create("Account", {**_mapped(lead, TO_ACCOUNT), "OwnerId": owner})
    contact_values = {**_mapped(lead, TO_CONTACT), "AccountId": account_id}
    if contact_id is not None:
        contact = org.records["Contact"].get(contact_id)
        if contact is None or contact.get("AccountId") != account_id:
            raise SfApiError.one(
                400,
                "INVALID_CROSS_REFERENCE_KEY",
                f"contact {contact_id} does not belong to account {account_id}",
            )
        _fill_blanks(org, "Contact", contact_id, contact_values)
        return account_id, contact_id
    return account_id, org.create("Contact", {**contact_values, "OwnerId": owner})


def _opportunity(
    org: Org, lead: Record, request: dict[str, Any], account_id: str, contact_id: str, owner: Any
) -> str:
    name = request.get("opportunityName") or lead.get("Company") or lead.get("Name")
    values = {
        "Name": str(name)[:120],
        "AccountId": account_id,
        "StageName": next(iter(STAGES)),
        "CloseDate": _quarter_end(org.clock.now().date()).isoformat(),
        "OwnerId": owner,
    }
    if lead.get("LeadSource"):
        values["LeadSource"] = lead["LeadSource"]
    opportunity_id = org.create("Opportunity", values)
    org.create(
        "OpportunityContactRole",
        {"OpportunityId": opportunity_id, "ContactId": contact_id, "IsPrimary": True},
    )
    return opportunity_id
