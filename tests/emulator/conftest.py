"""The real client libraries, pointed at the session's emulator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import hubspot
import pytest
import requests
from simple_salesforce import Salesforce

from mapc.emulator import Emulator


@pytest.fixture(scope="session")
def sf_http(emulator_session: Emulator) -> Iterator[requests.Session]:
    """One keep-alive session for the whole run: a TLS handshake per test would dominate."""
    with requests.Session() as session:
        yield session


@pytest.fixture
def sf(emulator: Emulator, sf_http: requests.Session) -> Salesforce:
    return Salesforce(
        instance_url=emulator.salesforce_url, session_id=emulator.salesforce_token, session=sf_http
    )


@pytest.fixture
def hs(emulator: Emulator) -> Any:
    # The generated APIs read `host`; api_request (email events, v4 preferences) reads base_url.
    return hubspot.Client.create(
        access_token=emulator.hubspot_token,
        host=emulator.hubspot_url,
        base_url=emulator.hubspot_url,
    )


@pytest.fixture
def hs_http(emulator: Emulator) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {emulator.hubspot_token}"
    return session
