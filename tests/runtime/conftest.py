"""Connectors pointed at the session's emulator, with sleeps recorded instead of slept."""

from __future__ import annotations

import pytest

from mapc.emulator import Emulator
from mapc.runtime.hubspot.client import HubSpotConnector
from mapc.runtime.hubspot.limits import HubSpotLimiter
from mapc.runtime.retry import RetryPolicy
from mapc.runtime.salesforce.client import SalesforceConnector


class Sleeps(list[float]):
    """Records the waits the retry policy or limiter asked for, without waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def retry(sleeps: Sleeps) -> RetryPolicy:
    return RetryPolicy(sleep=sleeps, jitter=lambda: 0.5)


@pytest.fixture
def sf(emulator: Emulator, retry: RetryPolicy) -> SalesforceConnector:
    return SalesforceConnector.from_env(emulator.env(), retry=retry)


@pytest.fixture
def hs(emulator: Emulator, retry: RetryPolicy, sleeps: Sleeps) -> HubSpotConnector:
    # Limits high enough that the client-side limiter stays out of the way of these
    # tests (tests of the limiter itself use a fake clock).
    limiter = HubSpotLimiter(100_000, 10_000, sleep=sleeps)
    return HubSpotConnector.from_env(emulator.env(), retry=retry, limiter=limiter)


@pytest.fixture
def hs_exact(emulator: Emulator, retry: RetryPolicy, sleeps: Sleeps) -> HubSpotConnector:
    """`hs` without the search look-back: a resumed read starts exactly at its cursor."""
    limiter = HubSpotLimiter(100_000, 10_000, sleep=sleeps)
    env = {**emulator.env(), "HUBSPOT_SEARCH_LOOKBACK_SECONDS": "0"}
    return HubSpotConnector.from_env(env, retry=retry, limiter=limiter)
