"""R1 converges: an unsubscribe owed to HubSpot stays owed until HubSpot confirms it,
whatever happened to the call that should have made it (issue 9, item 2)."""

from __future__ import annotations

from typing import Any

import pytest

from mapc.runtime.sync.engine import SyncEngine
from tests.runtime.sync.conftest import SyncEnv
from tests.runtime.sync.test_crash import Killed
from tests.runtime.sync.test_rules import lead

UNSUBSCRIBE = "POST /communication-preferences/v4/statuses/batch/unsubscribe-all"
EMAILS = [f"gone{i}@example.com" for i in range(11)]


def seed_opted_out(sync: SyncEnv) -> None:
    leads = [lead(email, HasOptedOutOfEmail=True) for email in EMAILS]
    sync.seed({"salesforce": {"records": {"Lead": leads}}})


def unsubscribed(sync: SyncEnv) -> list[str]:
    contacts = sync.hs_by_email()
    return sorted(e for e in EMAILS if contacts.get(e, {}).get("hs_email_optout") == "true")


def converge(sync: SyncEnv) -> None:
    sync.run()
    assert unsubscribed(sync) == sorted(EMAILS)
    assert all(r["HasOptedOutOfEmail"] is True for r in sync.sf("Lead"))  # never undone
    assert sync.state.owed_unsubscribes() == []
    sync.emulator.reset_calls()
    sync.run()
    assert sync.write_count() == 0, sync.writes()


def test_an_unsubscribe_that_keeps_failing_stays_owed_until_hubspot_confirms(
    sync: SyncEnv,
) -> None:
    seed_opted_out(sync)
    rule = sync.emulator.add_fault(UNSUBSCRIBE, status=503)
    report = sync.run()  # the run goes on: the failure is per record
    assert rule.fired and unsubscribed(sync) == []
    assert report.failed == len(EMAILS)
    assert len(sync.state.owed_unsubscribes()) == len(EMAILS)
    sync.run()  # still failing: still owed, nothing else happens
    assert len(sync.state.owed_unsubscribes()) == len(EMAILS)
    sync.emulator.clear_faults()
    converge(sync)


def test_an_unsubscribe_killed_before_it_was_sent_is_sent_by_the_next_run(
    sync: SyncEnv,
) -> None:
    seed_opted_out(sync)

    class DiesOnUnsubscribe:
        def __getattr__(self, name: str) -> Any:
            if name == "unsubscribe_all_batch":

                def die(*_args: Any) -> Any:
                    raise Killed("killed while unsubscribing")

                return die
            return getattr(sync.hubspot, name)

    engine = SyncEngine(sync.adapter, sync.salesforce, DiesOnUnsubscribe(), sync.state)
    with pytest.raises(Killed):
        engine.run()
    assert unsubscribed(sync) == [] and len(sync.hs("contacts")) == len(EMAILS)
    converge(sync)


def test_a_linked_contacts_opt_out_is_owed_across_a_failed_run(sync: SyncEnv) -> None:
    sync.seed({"salesforce": {"records": {"Lead": [lead(e) for e in EMAILS]}}})
    sync.run()
    leads = sync.sf("Lead")
    sync.salesforce.update("Lead", [{"Id": r["Id"], "HasOptedOutOfEmail": True} for r in leads])
    sync.emulator.add_fault(UNSUBSCRIBE, status=503)
    sync.run()
    assert unsubscribed(sync) == []
    sync.emulator.clear_faults()
    converge(sync)
