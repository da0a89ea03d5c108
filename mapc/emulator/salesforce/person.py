"""Person accounts: an Account that is also a person, and the Contact kept behind it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mapc.emulator.salesforce.errors import SfApiError, SfError
from mapc.emulator.salesforce.ids import IdFactory

if TYPE_CHECKING:
    from mapc.emulator.salesforce.org import Org

# Account field -> the hidden Contact field Salesforce keeps equal to it.
MIRRORED = {
    "FirstName": "FirstName",
    "LastName": "LastName",
    "PersonEmail": "Email",
    "PersonHasOptedOutOfEmail": "HasOptedOutOfEmail",
    "PersonMobilePhone": "MobilePhone",
    "OwnerId": "OwnerId",
}
PERSON_ONLY = (
    "FirstName",
    "LastName",
    "PersonEmail",
    "PersonHasOptedOutOfEmail",
    "PersonMobilePhone",
)


def record_types(ids: IdFactory) -> dict[str, str]:
    return {"Business_Account": ids.new("012"), "PersonAccount": ids.new("012")}


def derive(
    org: Org, object_name: str, record: dict[str, Any], creating: bool, changed: dict[str, Any]
) -> None:
    from mapc.emulator.salesforce.org import derive_common

    derive_common(org, object_name, record, changed)
    if object_name != "Account" or not org.person_accounts:
        return
    if creating:
        wants_person = record.get("RecordTypeId") == org.record_types["PersonAccount"] or (
            record.get("LastName") and not changed.get("Name")
        )
        record["IsPersonAccount"] = bool(wants_person)
        record["RecordTypeId"] = org.record_types[
            "PersonAccount" if wants_person else "Business_Account"
        ]
    if record.get("IsPersonAccount"):
        if not record.get("LastName"):
            raise SfApiError(
                400,
                [
                    SfError(
                        "REQUIRED_FIELD_MISSING",
                        "Required fields are missing: [LastName]",
                        ("LastName",),
                    )
                ],
            )
        parts = [record.get("FirstName"), record.get("LastName")]
        record["Name"] = " ".join(p for p in parts if p)
        return
    if not record.get("Name"):
        raise SfApiError(
            400,
            [SfError("REQUIRED_FIELD_MISSING", "Required fields are missing: [Name]", ("Name",))],
        )
    used = [name for name in PERSON_ONLY if changed.get(name) not in (None, False)]
    if used:
        raise SfApiError(
            400,
            [
                SfError(
                    "INVALID_FIELD_FOR_INSERT_UPDATE",
                    f"Business Account may not use Person Account field: {used[0]}",
                    tuple(used),
                )
            ],
        )


def after_write(
    org: Org, object_name: str, record: dict[str, Any], changed: dict[str, Any]
) -> None:
    if not org.person_accounts:
        return
    if object_name == "Account" and record.get("IsPersonAccount"):
        _sync_contact(org, record)
    elif object_name == "Contact" and record.get("IsPersonAccount"):
        _sync_account(org, record, changed)


def after_delete(org: Org, object_name: str, record: dict[str, Any]) -> None:
    if object_name == "Account" and record.get("PersonContactId"):
        if record["PersonContactId"] in org.records["Contact"]:
            org.delete("Contact", record["PersonContactId"])
    elif object_name == "Contact" and record.get("IsPersonAccount"):
        if record.get("AccountId") in org.records["Account"]:
            org.delete("Account", record["AccountId"])


def _sync_contact(org: Org, account: dict[str, Any]) -> None:
    wanted = {
        contact_field: account.get(account_field)
        for account_field, contact_field in MIRRORED.items()
    }
    wanted["HasOptedOutOfEmail"] = bool(wanted["HasOptedOutOfEmail"])
    contact_id = account.get("PersonContactId")
    contact = org.records["Contact"].get(contact_id or "")
    if contact is None:
        values = {**wanted, "AccountId": account["Id"], "IsPersonAccount": True}
        account["PersonContactId"] = org.seed(
            "Contact", {k: v for k, v in values.items() if v is not None}
        )
        return
    if any(contact.get(k) != v for k, v in wanted.items()):
        org.update_mirror("Contact", contact["Id"], wanted)


def _sync_account(org: Org, contact: dict[str, Any], changed: dict[str, Any]) -> None:
    account = org.records["Account"].get(contact.get("AccountId") or "")
    if account is None:
        return
    wanted = {
        account_field: contact.get(contact_field)
        for account_field, contact_field in MIRRORED.items()
        if contact_field in changed
    }
    if any(account.get(k) != v for k, v in wanted.items()):
        org.update_mirror("Account", account["Id"], wanted)
