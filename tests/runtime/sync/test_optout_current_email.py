"""A retried unsubscribe goes to the contact's current email (issue 9): an owed row keeps
the address it was decided for, and a contact whose email changed before the retry must
still end unsubscribed, never the old address in its place."""

from __future__ import annotations

from tests.runtime.sync.conftest import SyncEnv
from tests.runtime.sync.test_optout_converges import UNSUBSCRIBE
from tests.runtime.sync.test_rules import lead


def test_a_retried_unsubscribe_goes_to_the_contacts_current_email(sync: SyncEnv) -> None:
    sync.seed(
        {"salesforce": {"records": {"Lead": [lead("old@example.com", HasOptedOutOfEmail=True)]}}}
    )
    sync.emulator.add_fault(UNSUBSCRIBE, status=503)
    sync.run()  # the contact is created; its unsubscribe fails and stays owed
    (owed,) = sync.state.owed_unsubscribes()
    assert owed.email == "old@example.com"
    contact = sync.hs_by_email()["old@example.com"]
    # Before the retry, the contact's email changes in HubSpot.
    sync.hubspot.update("contacts", [{"id": str(contact["id"]), "email": "new@example.com"}])
    sync.emulator.clear_faults()
    sync.run()
    contacts = sync.hs_by_email()
    assert contacts["new@example.com"]["hs_email_optout"] == "true"
    assert sync.state.owed_unsubscribes() == []
    assert [r["HasOptedOutOfEmail"] for r in sync.sf("Lead")] == [True]  # never undone
    sync.emulator.reset_calls()
    sync.run()
    assert sync.write_count() == 0, sync.writes()


def test_an_owed_unsubscribe_hubspot_already_shows_is_paid_without_a_call(
    sync: SyncEnv,
) -> None:
    sync.seed(
        {"salesforce": {"records": {"Lead": [lead("x@example.com", HasOptedOutOfEmail=True)]}}}
    )
    sync.emulator.add_fault(UNSUBSCRIBE, status=503)
    sync.run()
    assert len(sync.state.owed_unsubscribes()) == 1
    sync.emulator.clear_faults()
    sync.emulator.portal.unsubscribe_all("x@example.com")  # someone unsubscribed them meanwhile
    sync.emulator.reset_calls()
    sync.run()
    assert sync.state.owed_unsubscribes() == []
    assert sync.emulator.call_count(UNSUBSCRIBE) == 0
