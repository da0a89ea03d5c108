"""Record links and run outcomes, the pure parts of `mapc errors` and `mapc status`."""

from __future__ import annotations

from datetime import UTC, datetime

from mapc.runtime.health.records import hubspot_url, salesforce_url
from mapc.runtime.health.status import (
    COMPLETED,
    COMPLETED_WITH_ERRORS,
    FAILED,
    RUNNING,
    STOPPED,
    human_duration,
    lags,
    outcome,
)
from mapc.runtime.sync.state import StateStore


def test_salesforce_links_use_the_sobject_when_known_and_refuse_non_ids() -> None:
    base = "https://acme.my.salesforce.com/"
    assert salesforce_url(base, "Lead", "00Q000000000001AAA") == (
        "https://acme.my.salesforce.com/lightning/r/Lead/00Q000000000001AAA/view"
    )
    assert salesforce_url(base, None, "00Q000000000001") == (
        "https://acme.my.salesforce.com/00Q000000000001"
    )
    assert salesforce_url(base, "Lead", "ev-123/../x") is None


def test_hubspot_links_only_for_known_object_types_and_numeric_ids() -> None:
    assert hubspot_url("42", "companies", "7") == (
        "https://app.hubspot.com/contacts/42/record/0-2/7"
    )
    assert hubspot_url("42", "email_events", "7") is None
    assert hubspot_url("42", "contacts", "abc") is None


def test_outcomes() -> None:
    assert outcome("completed", {"errors": 0}) == COMPLETED
    assert outcome("completed_with_errors", {"errors": 2}) == COMPLETED_WITH_ERRORS
    assert outcome("failed", {"errors": 2}) == FAILED  # the run stopped, errors or not
    assert outcome("stopped_budget", {}) == STOPPED
    assert outcome("running", {}) == RUNNING


def test_lag_is_now_minus_the_cursor_and_unknown_when_unreadable() -> None:
    state = StateStore("sqlite://", create=True)
    state.set_cursor("salesforce", "Lead", "2026-12-06T10:00:00.000Z|00Q000000000001AAA")
    state.set_cursor("hubspot", "contacts", "not a timestamp")
    now = datetime(2026, 12, 6, 11, 30, tzinfo=UTC)
    found = {(lag.side, lag.object): lag.seconds for lag in lags(state, now)}
    assert found == {("salesforce", "Lead"): 5400.0, ("hubspot", "contacts"): None}
    assert human_duration(5400.0) == "1h 30m"
    assert human_duration(None) == "unknown"
    assert human_duration(59) == "59s"
