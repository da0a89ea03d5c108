"""Echoes left unstaged: a no-change run stages and writes nothing for the pairs whose
records nothing after the reconcile walks; a record read back unchanged is staged when a
later step needs it (a held record, a company moved in HubSpot alone, a converted lead)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest

from mapc.runtime.records import Record
from mapc.runtime.sync.staging import Staging
from tests.runtime.sync.conftest import SyncEnv
from tests.runtime.sync.test_companies_deals import company_of, seed_acme
from tests.runtime.sync.test_lead_conversion import one_link, seed_lee
from tests.runtime.sync.test_state_cost import changed, statements

ECHOING = ("contacts", "Lead", "Contact", "companies", "Account")
"""The objects of the pairs whose records no later step walks (deals have declared
associations and contact roles, so every deal read is staged)."""


@contextmanager
def staged(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """Records staged per object meanwhile."""
    counts: Counter[str] = Counter()
    add = Staging.add

    def counted(self: Staging, side: str, obj: str, records: Any, *args: Any) -> int:
        rows: list[Record] = list(records)
        counts[obj] += len(rows)
        return add(self, side, obj, rows, *args)

    monkeypatch.setattr(Staging, "add", counted)
    yield counts
    monkeypatch.undo()


def test_a_run_that_reads_only_its_own_writes_stages_and_writes_nothing(
    shaped: SyncEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync = shaped
    seed_acme(sync)
    refs = sync.seed(
        {
            "salesforce": {
                "records": {
                    "Lead": [
                        {"_ref": "bo", "LastName": "Bo", "Company": "B", "Email": "bo@b.example"}
                    ]
                }
            }
        }
    )
    for _ in range(3):  # created, completed by what each side filled in, settled
        sync.run()
    sync.hubspot.update("contacts", [{"id": refs["h_ann"], "jobtitle": "CTO"}])
    sync.salesforce.update("Lead", [{"Id": refs["bo"], "Title": "CEO"}])
    assert sync.run().writes == 2
    with staged(monkeypatch) as counts, statements(sync.state) as seen:
        report = sync.run()  # reads both writes back
    assert report.writes == 0 and not report.failed, report.actions
    assert report.records_read[("contacts", "hubspot")] >= 1
    assert report.records_read[("contacts", "salesforce")] >= 2
    assert {obj: counts[obj] for obj in ECHOING} == dict.fromkeys(ECHOING, 0)
    for table in ("mapc_links", "mapc_keys", "mapc_staging"):
        for verb in ("INSERT", "UPDATE"):
            assert changed(seen, verb, table) == 0, (verb, table)
    with statements(sync.state) as seen:
        assert sync.run().writes == 0
    # Nothing new read: no cursor moved, none is written again.
    for verb in ("INSERT", "UPDATE", "DELETE"):
        assert changed(seen, verb, "mapc_cursors") == 0, verb


def test_a_held_record_read_back_unchanged_is_staged_and_reported_as_held(
    sync: SyncEnv,
) -> None:
    seed_lee(sync)
    sync.run()
    link = one_link(sync, "contacts", sync.refs["h_lee"])
    sync.run()
    failure = [("contacts", "hubspot", link.sf_id, None)]
    sync.state.log.record_failures(failure, limit=1, wait=lambda _n: timedelta(hours=1))
    report = sync.run()
    held = [a for a in report.skipped if "parked" in a.reason]
    # Found in the staging table: reported with its object, as a record read this run.
    assert [a.record for a in held] == [f"{link.sf_object} {link.sf_id}"]


def test_a_contact_moved_to_another_company_in_hubspot_alone_moves_its_contact(
    sync: SyncEnv,
) -> None:
    """Only the contact's associations change (its primary company): every mapped field
    reads back as last synced, yet its Salesforce Contact must follow to the account."""
    seed_acme(sync)
    sync.run()
    sync.run()
    ann = sync.refs["h_ann"]
    other = next(c["id"] for c in sync.hs("companies") if c["name"] == "Other Inc")
    sync.hubspot.dissociate("contacts", "companies", [(ann, sync.refs["c_acme"])])
    sync.hubspot.associate("contacts", "companies", [(ann, other)])
    assert company_of(sync, ann) == [other]
    sync.run()
    [contact] = sync.sf("Contact", fields="Id, AccountId, Email")
    assert contact["AccountId"] == sync.refs["other"]


def test_a_lead_converted_with_no_mapped_field_changed_still_moves_its_link(
    sync: SyncEnv,
) -> None:
    refs = seed_lee(sync)
    sync.run()
    sync.run()
    lead = one_link(sync, "contacts", refs["h_lee"])
    account = one_link(sync, "companies", refs["c_lee"]).sf_id
    result = sync.emulator.convert_lead(
        lead.sf_id, convertedStatus="Closed - Converted", accountId=account
    )
    assert result["success"], result
    report = sync.run()
    assert not report.failed, report.actions
    link = one_link(sync, "contacts", refs["h_lee"])
    assert (link.sf_object, link.sf_id) == ("Contact", result["contactId"])
