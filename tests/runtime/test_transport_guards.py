"""Transport settings that must fail loudly and clearly: CA files, TLS trust, passwords in
URLs, and plain http:// to HubSpot (issue 9, items 6 and 7)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mapc.emulator.tls import make_tls
from mapc.emulator.wire import Request, Response, serve
from mapc.runtime.config import INSECURE_OPT_IN, HubSpotSettings, SalesforceSettings
from mapc.runtime.errors import ConfigurationError, TransientError
from mapc.runtime.hubspot.client import HubSpotConnector
from mapc.runtime.hubspot.limits import HubSpotLimiter
from mapc.runtime.retry import RetryPolicy
from mapc.runtime.salesforce.client import SalesforceConnector
from tests.runtime.test_unreachable import closed_port

TOKEN = "pat-na1-guarded-token"


def test_a_missing_ca_file_is_one_sentence_naming_the_variable() -> None:
    env = {
        "SALESFORCE_INSTANCE_URL": "https://acme.my.salesforce.com",
        "SALESFORCE_ACCESS_TOKEN": "00Dtoken!abc",
        "SALESFORCE_CA_BUNDLE": "/nonexistent/ca.pem",
    }
    with pytest.raises(ConfigurationError, match="SALESFORCE_CA_BUNDLE names the CA file"):
        SalesforceConnector.from_env(env)
    with pytest.raises(ConfigurationError, match="HUBSPOT_CA_BUNDLE"):
        HubSpotConnector.from_env(
            {"HUBSPOT_ACCESS_TOKEN": TOKEN, "HUBSPOT_CA_BUNDLE": "/nonexistent/ca.pem"}
        )


def test_mapc_run_with_a_missing_ca_file_exits_2_without_traceback(
    emulator_env: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from mapc.cli import main
    from tests.runtime.sync.test_cli import ADAPTER

    monkeypatch.setenv("SALESFORCE_CA_BUNDLE", "/nonexistent")
    assert main(["run", ADAPTER, "--no-progress", "--init-state"]) == 2
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    assert "/nonexistent" in err and "SALESFORCE_CA_BUNDLE" in err


def test_passwords_in_urls_are_never_echoed() -> None:
    with pytest.raises(ConfigurationError) as info:
        SalesforceSettings.from_env(
            {
                "SALESFORCE_INSTANCE_URL": "http://admin:Sup3rSecret@acme.example",
                "SALESFORCE_ACCESS_TOKEN": "00Dtoken!abc",
            }
        )
    assert "Sup3rSecret" not in str(info.value) and "admin:***@" in str(info.value)
    with pytest.raises(ConfigurationError) as info:
        HubSpotSettings.from_env(
            {"HUBSPOT_ACCESS_TOKEN": TOKEN, "HUBSPOT_BASE_URL": "ftp://me:Hub5ecret@h.example"}
        )
    assert "Hub5ecret" not in str(info.value)


def test_password_in_an_unreachable_salesforce_url_is_not_in_the_error() -> None:
    env = {
        "SALESFORCE_INSTANCE_URL": f"https://admin:Sup3rSecret@127.0.0.1:{closed_port()}",
        "SALESFORCE_ACCESS_TOKEN": "00Dtoken!abc",
    }
    sf = SalesforceConnector.from_env(env, retry=RetryPolicy(max_attempts=1))
    with pytest.raises(TransientError) as info:
        sf.describe("Lead")
    assert "Sup3rSecret" not in str(info.value) and "admin" not in str(info.value)
    assert "Sup3rSecret" in SalesforceSettings.from_env(env).secrets()


def test_password_in_the_hubspot_url_is_masked_and_redacted() -> None:
    url = f"http://me:Hub5ecret@127.0.0.1:{closed_port()}"
    settings = HubSpotSettings.from_env({"HUBSPOT_ACCESS_TOKEN": TOKEN, "HUBSPOT_BASE_URL": url})
    assert "Hub5ecret" in settings.secrets()
    connector = HubSpotConnector(settings, limiter=HubSpotLimiter(1000, 1000))
    assert "Hub5ecret" not in repr(connector) and "me:***@" in repr(connector)


def test_plain_http_to_another_host_is_refused_unless_opted_in() -> None:
    remote = {"HUBSPOT_ACCESS_TOKEN": TOKEN, "HUBSPOT_BASE_URL": "http://api.hubapi.com"}
    with pytest.raises(ConfigurationError, match="unencrypted") as info:
        HubSpotSettings.from_env(remote)
    assert INSECURE_OPT_IN in str(info.value) and TOKEN not in str(info.value)
    assert HubSpotSettings.from_env({**remote, INSECURE_OPT_IN: "1"}).base_url.startswith("http:")
    for local in ("http://127.0.0.1:8080", "http://localhost:9", "http://[::1]:9"):
        assert HubSpotSettings.from_env({**remote, "HUBSPOT_BASE_URL": local}).base_url == local


# -- HubSpot over TLS with its own CA ---------------------------------------------------


@pytest.fixture
def tls_hubspot(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A tiny HTTPS server standing in for HubSpot, with a CA nobody else trusts."""
    context, ca_path, _bundle = make_tls(tmp_path)

    def app(request: Request) -> Response:
        if request.path.startswith("/email/public/v1/events"):
            return Response(200, {"events": [{"id": "e1", "type": "OPEN"}], "hasMore": False})
        return Response(200, {"results": [], "paging": None})

    server, _thread = serve("127.0.0.1", 0, app, context)
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", ca_path
    finally:
        server.shutdown()
        server.server_close()


def _events(connector: HubSpotConnector) -> list[dict[str, object]]:
    now = datetime.now(UTC)
    return [e for page in connector.email_events(now - timedelta(days=1), now) for e in page]


def test_hubspot_ca_bundle_is_used_by_the_email_events_calls(
    tls_hubspot: tuple[str, Path],
) -> None:
    url, ca_path = tls_hubspot
    env = {
        "HUBSPOT_ACCESS_TOKEN": TOKEN,
        "HUBSPOT_BASE_URL": url,
        "HUBSPOT_CA_BUNDLE": str(ca_path),
    }
    connector = HubSpotConnector.from_env(env, limiter=HubSpotLimiter(1000, 1000))
    assert [e["id"] for e in _events(connector)] == ["e1", "e1"]  # OPEN, then CLICK pages


def test_an_untrusted_hubspot_certificate_is_reported_as_such(
    tls_hubspot: tuple[str, Path],
) -> None:
    url, _ca_path = tls_hubspot
    sleeps: list[float] = []
    connector = HubSpotConnector.from_env(
        {"HUBSPOT_ACCESS_TOKEN": TOKEN, "HUBSPOT_BASE_URL": url},
        retry=RetryPolicy(sleep=sleeps.append),
        limiter=HubSpotLimiter(1000, 1000),
    )
    for call in (
        lambda: _events(connector),
        lambda: list(connector.read_changed("contacts", ["email"])),
    ):
        with pytest.raises(ConfigurationError) as info:
            call()
        message = str(info.value)
        assert "certificate" in message and "HUBSPOT_CA_BUNDLE" in message
        assert "reach" not in message
    assert sleeps == []  # an untrusted certificate is not retried
