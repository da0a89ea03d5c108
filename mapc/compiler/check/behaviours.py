"""Which of the connector's named behaviours each pair has, and what each one reads.

The behaviours themselves (R1, R5-R7, R9) are `adapter.Behaviour`; the engine implements
each in mapc/runtime/sync/behaviours.py. This module is the compiler's half: it switches
them on from the mapping, so the engine never asks which objects a pair syncs.
"""

from __future__ import annotations

from mapc.compiler import ir
from mapc.compiler.check.context import Context, ResolvedBlock
from mapc.runtime.kinds import Behaviour, PersonAccounts, Rule

_SALESFORCE_READS: dict[Behaviour, dict[str, tuple[str, ...]]] = {
    # A Contact's account is its company (R6) and a person account's contact (R7); a
    # converted lead names the contact its HubSpot contact moves to.
    Behaviour.LEADS_AND_CONTACTS: {
        "Contact": ("AccountId",),
        "Lead": ("ConvertedAccountId", "ConvertedContactId", "IsConverted"),
    },
    # Closed/Won reads whether an opportunity is won, and its account.
    Behaviour.CLOSED_WON: {"Opportunity": ("AccountId", "IsWon")},
    # An account may be a person: read who, and the contact Salesforce keeps behind it, so
    # the engine can make it one HubSpot company and contact.
    Behaviour.PERSON_ACCOUNTS: {
        "Account": (
            "FirstName",
            "IsPersonAccount",
            "LastName",
            "PersonEmail",
            "PersonHasOptedOutOfEmail",
        ),
        "Contact": ("IsPersonAccount",),
    },
}

# R7: required on create in a standard org, optional with person accounts (a lead without
# a company converts to a person account); the engine's half is
# runtime/sync/behaviours/person_accounts.py.
OPTIONAL_WITH_PERSON_ACCOUNTS: dict[str, frozenset[str]] = {"Lead": frozenset({"Company"})}


def behaviours_of(context: Context, block: ResolvedBlock) -> tuple[Behaviour, ...]:
    """The behaviours the pair of `block` has, in the enum's order."""
    on: set[Behaviour] = set()
    name = block.hubspot.name
    associated = any(
        isinstance(i, ir.MatchAssociated) for b in context.blocks for i in b.node.items
    )
    if name == "contacts":
        on.add(Behaviour.LEADS_AND_CONTACTS)
        if any(f.rule is Rule.OPT_OUT for f in block.fields):
            on.add(Behaviour.COMMUNICATION_PREFERENCES)
        if associated:
            on.add(Behaviour.CONTACT_COMPANY)
    if name == "companies" and associated:
        on.add(Behaviour.COMPANY_BY_CONTACTS)
    if name in ("contacts", "companies") and context.settings.person_accounts is not (
        PersonAccounts.OFF
    ):
        on.add(Behaviour.PERSON_ACCOUNTS)
    if context.closed_won is not None and name == "deals":
        on.add(Behaviour.CLOSED_WON)
    if name == "deals" and any(
        b.hubspot.name == "contacts" and "Contact" in b.salesforce for b in context.blocks
    ):
        on.add(Behaviour.DEAL_CONTACT_ROLES)
    return tuple(b for b in Behaviour if b in on)


def salesforce_reads(behaviours: tuple[Behaviour, ...], sobject: str) -> set[str]:
    """Salesforce fields the behaviours need on `sobject`, beyond the mapped ones."""
    return {f for b in behaviours for f in _SALESFORCE_READS.get(b, {}).get(sobject, ())}
