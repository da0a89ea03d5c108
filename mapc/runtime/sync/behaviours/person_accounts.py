"""R7: whether the org has person accounts (read from its describe), and what that changes:
the person-only fields read, and Lead.Company left out of leads HubSpot creates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mapc.runtime.adapter import PersonAccounts
from mapc.runtime.errors import ConfigurationError
from mapc.runtime.sync.behaviours.names import ACCOUNT, CONTACT, IS_PERSON_ACCOUNT, LEAD
from mapc.runtime.sync.ports import SalesforcePort

PERSON_ONLY: dict[str, frozenset[str]] = {
    ACCOUNT: frozenset(
        {
            "FirstName",
            "LastName",
            "Salutation",
            "PersonEmail",
            "PersonHasOptedOutOfEmail",
            "PersonMobilePhone",
            "PersonContactId",
            "RecordTypeId",
            IS_PERSON_ACCOUNT,
        }
    ),
    CONTACT: frozenset({IS_PERSON_ACCOUNT}),
}
"""Fields an org has only with person accounts switched on."""

OPTIONAL_WITH_PERSON_ACCOUNTS = {LEAD: frozenset({"Company"})}
"""Required on create in a standard org, optional in a person-account org: a lead HubSpot
creates without a company can then be converted to a person account (R7)."""


class NoPersonAccounts(ConfigurationError):
    """`person_accounts: true` against an org that does not have them."""


def org_has_person_accounts(salesforce: SalesforcePort, setting: PersonAccounts) -> bool:
    """The setting, or the org's describe when it says `auto` (one call per run)."""
    if setting is PersonAccounts.OFF:
        return False
    described = salesforce.describe(ACCOUNT)
    has = any(f.get("name") == IS_PERSON_ACCOUNT for f in described.get("fields") or ())
    if setting is PersonAccounts.ON and not has:
        raise NoPersonAccounts(
            "The mapping's settings say `person_accounts: true`, but this Salesforce org has "
            "no person accounts: set `person_accounts: auto` (or `false`).",
            system="salesforce",
        )
    return has


def org_fields(sobject: str, fields: list[str], person_accounts: bool) -> list[str]:
    """The select list without the fields only a person-account org has, when it has none."""
    if person_accounts:
        return fields
    absent = PERSON_ONLY.get(sobject, frozenset())
    return [f for f in fields if f not in absent]


def org_create_defaults(
    sobject: str, defaults: Mapping[str, Any], person_accounts: bool
) -> Mapping[str, Any]:
    """The mapping's create defaults for `sobject` as this org requires them (R7)."""
    optional = OPTIONAL_WITH_PERSON_ACCOUNTS.get(sobject) if person_accounts else None
    if not optional:
        return defaults
    return {k: v for k, v in defaults.items() if k not in optional}
