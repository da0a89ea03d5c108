"""Settings from the environment, and errors that say one thing and never a secret."""

from __future__ import annotations

from pathlib import Path

import pytest
from simple_salesforce.exceptions import SalesforceExpiredSession, SalesforceRefusedRequest

from mapc.runtime.config import HubSpotSettings, SalesforceSettings, Secret
from mapc.runtime.errors import (
    ApiAccessError,
    AuthenticationError,
    ConfigurationError,
    ConnectorError,
    redact,
)
from mapc.runtime.salesforce.errors import translate

TOKEN = "00Dxx0000001gPL!AQ4AQFake.Token.Value"


def test_salesforce_token_settings_hide_the_token() -> None:
    settings = SalesforceSettings.from_env(
        {
            "SALESFORCE_INSTANCE_URL": "https://acme.my.salesforce.com",
            "SALESFORCE_ACCESS_TOKEN": TOKEN,
        }
    )
    assert settings.uses_token
    assert TOKEN not in repr(settings) and TOKEN not in str(settings)
    assert settings.access_token == Secret(TOKEN)
    assert settings.secrets() == (TOKEN,)


def test_salesforce_password_settings_and_ca_bundle(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    settings = SalesforceSettings.from_env(
        {
            "SALESFORCE_USERNAME": "a@b.c",
            "SALESFORCE_PASSWORD": "hunter22",
            "SALESFORCE_SECURITY_TOKEN": "tok123",
            "SALESFORCE_DOMAIN": "test",
            "REQUESTS_CA_BUNDLE": str(ca),
        }
    )
    assert not settings.uses_token and settings.domain == "test" and settings.ca_bundle == str(ca)
    assert "hunter22" not in repr(settings) and "tok123" not in repr(settings)


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"SALESFORCE_ACCESS_TOKEN": TOKEN},
        {"SALESFORCE_ACCESS_TOKEN": TOKEN, "SALESFORCE_INSTANCE_URL": "http://acme.example"},
        {"SALESFORCE_USERNAME": "a@b.c", "SALESFORCE_PASSWORD": "x"},
    ],
)
def test_missing_salesforce_settings_say_what_to_set(env: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError) as info:
        SalesforceSettings.from_env(env)
    message = str(info.value)
    assert message.count(". ") == 0 and message.endswith(".")
    assert TOKEN not in message


def test_hubspot_settings_default_base_url_and_limits() -> None:
    settings = HubSpotSettings.from_env({"HUBSPOT_ACCESS_TOKEN": "pat-na1-secret"})
    assert settings.base_url == "https://api.hubapi.com"
    assert (settings.requests_per_10s, settings.searches_per_second) == (100, 5)
    assert "pat-na1-secret" not in repr(settings)
    custom = HubSpotSettings.from_env(
        {
            "HUBSPOT_ACCESS_TOKEN": "t0k3n",
            "HUBSPOT_BASE_URL": "http://127.0.0.1:9/",
            "HUBSPOT_REQUESTS_PER_10S": "190",
        }
    )
    assert custom.base_url == "http://127.0.0.1:9" and custom.requests_per_10s == 190
    with pytest.raises(ConfigurationError, match="HUBSPOT_ACCESS_TOKEN"):
        HubSpotSettings.from_env({})
    with pytest.raises(ConfigurationError, match="positive whole number"):
        HubSpotSettings.from_env(
            {"HUBSPOT_ACCESS_TOKEN": "t0k3n", "HUBSPOT_REQUESTS_PER_10S": "lots"}
        )


def test_hubspot_search_lookback_defaults_to_30_seconds_and_0_disables() -> None:
    token = {"HUBSPOT_ACCESS_TOKEN": "t0k3n"}
    assert HubSpotSettings.from_env(token).search_lookback_seconds == 30
    for raw, seconds in (("0", 0), ("120", 120), (" 5 ", 5)):
        env = {**token, "HUBSPOT_SEARCH_LOOKBACK_SECONDS": raw}
        assert HubSpotSettings.from_env(env).search_lookback_seconds == seconds
    for bad in ("-1", "1.5", "soon"):
        with pytest.raises(ConfigurationError, match="HUBSPOT_SEARCH_LOOKBACK_SECONDS"):
            HubSpotSettings.from_env({**token, "HUBSPOT_SEARCH_LOOKBACK_SECONDS": bad})


def test_secret_cannot_be_pickled() -> None:
    import pickle

    with pytest.raises(TypeError):
        pickle.dumps(Secret("abc"))


def test_api_disabled_for_org_reads_as_one_sentence() -> None:
    exc = SalesforceRefusedRequest(
        "https://x/services/data/v59.0/query",
        403,
        "query",
        [
            {
                "errorCode": "API_DISABLED_FOR_ORG",
                "message": "API is not enabled for this Organization or Partner",
            }
        ],
    )
    error = translate(exc, (TOKEN,), "read changed Lead records")
    assert isinstance(error, ApiAccessError)
    assert "edition with API access" in str(error) and "Group Edition" in str(error)
    assert error.code == "API_DISABLED_FOR_ORG"


def test_expired_session_names_the_variable_not_the_value() -> None:
    exc = SalesforceExpiredSession(
        "https://x/",
        401,
        "query",
        [{"errorCode": "INVALID_SESSION_ID", "message": f"Session expired {TOKEN}"}],
    )
    error = translate(exc, (TOKEN,), "run a query")
    assert isinstance(error, AuthenticationError)
    assert "SALESFORCE_ACCESS_TOKEN" in str(error) and TOKEN not in str(error) + repr(error)


def test_redact_and_error_repr() -> None:
    assert redact(f"bad token {TOKEN}!", [TOKEN, None, ""]) == "bad token ***!"
    error = ConnectorError("It broke.", system="hubspot", status=500)
    assert repr(error) == "ConnectorError('It broke.')" and str(error) == "It broke."
