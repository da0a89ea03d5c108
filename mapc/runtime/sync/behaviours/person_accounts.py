"""R7: whether the org has person accounts (read from its describe), and what that changes:
the person-only fields read, and Lead.Company left out of leads HubSpot creates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mapc.runtime.adapter import PersonAccounts
from mapc.runtime.errors import ConfigurationError
from mapc.runtime.sync.behaviours.names import (
    ACCOUNT,
    CONTACT,
    IS_PERSON_ACCOUNT,
    LEAD,
    NEVER_CREATE,
    RECORD_TYPE,
)
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
            IS_PERSON_ACCOUNT,
        }
    ),
    CONTACT: frozenset({IS_PERSON_ACCOUNT}),
}
"""Fields an org has only with person accounts switched on."""

SOMETIMES = {ACCOUNT: frozenset({RECORD_TYPE})}
"""Fields every person-account org has and a standard org has when it defines record types:
only the org's describe can say, so they are left out only when the describe lacks them."""

OPTIONAL_WITH_PERSON_ACCOUNTS = {LEAD: frozenset({"Company"})}
"""Required on create in a standard org, optional in a person-account org: a lead HubSpot
creates without a company can then be converted to a person account (R7)."""


class NoPersonAccounts(ConfigurationError):
    """`person_accounts: true` against an org that does not have them."""


@dataclass(frozen=True)
class OrgShape:
    person_accounts: bool
    account_fields: frozenset[str] | None = None
    """The Account fields the org's describe lists, when it was read."""


def org_shape(salesforce: SalesforcePort, setting: PersonAccounts) -> OrgShape:
    """The setting, or the org's describe when it says `auto` (one call per run)."""
    if setting is PersonAccounts.OFF:
        return OrgShape(False)
    described = salesforce.describe(ACCOUNT)
    names = frozenset(str(f.get("name")) for f in described.get("fields") or ())
    has = IS_PERSON_ACCOUNT in names
    if setting is PersonAccounts.ON and not has:
        raise NoPersonAccounts(
            "The mapping's settings say `person_accounts: true`, but this Salesforce org has "
            "no person accounts: set `person_accounts: auto` (or `false`).",
            system="salesforce",
        )
    return OrgShape(has, names)


def org_fields(
    sobject: str,
    fields: list[str],
    person_accounts: bool,
    account_fields: frozenset[str] | None = None,
) -> list[str]:
    """The select list without the fields only a person-account org has, when it has none,
    and without those the org's Account describe (when read) shows it lacks."""
    if person_accounts:
        return fields
    absent = PERSON_ONLY.get(sobject, frozenset())
    if account_fields is not None and sobject == ACCOUNT:
        absent = absent | (SOMETIMES[ACCOUNT] - account_fields)
    return [f for f in fields if f not in absent]


def org_create_defaults(
    sobject: str, defaults: Mapping[str, Any], person_accounts: bool
) -> Mapping[str, Any]:
    """The mapping's create defaults for `sobject` as this org requires them (R7)."""
    optional = OPTIONAL_WITH_PERSON_ACCOUNTS.get(sobject) if person_accounts else None
    if not optional:
        return defaults
    return {k: v for k, v in defaults.items() if k not in optional}


def never_created(sobject: str, person_accounts: bool) -> frozenset[str]:
    """Fields mapc leaves out of a create of `sobject`: in a person-account org an
    Account's record type too, since that is what would make it a person account (R7:
    those are made in Salesforce only); elsewhere a mapped record type is the mapping's
    choice, as any field's."""
    if person_accounts and sobject == ACCOUNT:
        return NEVER_CREATE | {RECORD_TYPE}
    return NEVER_CREATE
