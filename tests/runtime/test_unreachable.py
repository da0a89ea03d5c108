"""A service that cannot be reached: retried (the request never left), then one sentence."""

from __future__ import annotations

import socket

import pytest

from mapc.runtime.errors import TransientError
from mapc.runtime.hubspot.client import HubSpotConnector
from mapc.runtime.hubspot.limits import HubSpotLimiter
from mapc.runtime.records import TRANSIENT
from mapc.runtime.retry import RetryPolicy
from mapc.runtime.salesforce.client import SalesforceConnector


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_salesforce() -> None:
    sleeps: list[float] = []
    env = {
        "SALESFORCE_INSTANCE_URL": f"https://127.0.0.1:{closed_port()}",
        "SALESFORCE_ACCESS_TOKEN": "tok-secret-1",
    }
    sf = SalesforceConnector.from_env(env, retry=RetryPolicy(max_attempts=3, sleep=sleeps.append))
    with pytest.raises(TransientError) as info:
        sf.describe("Lead")
    assert "Could not reach Salesforce" in str(info.value) and "tok-secret-1" not in str(info.value)
    assert len(sleeps) == 2
    # A create whose connection was never opened is safe to retry, and then reported per record.
    sleeps.clear()
    results = sf.create("Lead", [{"LastName": "A", "Company": "B"}])
    assert results[0].errors[0].code == TRANSIENT and len(sleeps) == 2


def test_unreachable_hubspot() -> None:
    sleeps: list[float] = []
    env = {
        "HUBSPOT_ACCESS_TOKEN": "pat-secret-2",
        "HUBSPOT_BASE_URL": f"http://127.0.0.1:{closed_port()}",
    }
    hs = HubSpotConnector.from_env(
        env,
        retry=RetryPolicy(max_attempts=3, sleep=sleeps.append),
        limiter=HubSpotLimiter(1000, 1000),
    )
    with pytest.raises(TransientError) as info:
        list(hs.read_changed("contacts", ["email"]))
    assert "Could not reach HubSpot" in str(info.value) and "pat-secret-2" not in str(info.value)
    assert len(sleeps) == 2
    with pytest.raises(TransientError):
        hs.is_unsubscribed_from_all("a@example.com")
    results = hs.create("contacts", [{"email": "a@example.com"}])
    assert results[0].errors[0].code == TRANSIENT
