"""HubSpot's signature v3 as the receiving side checks it: the emulator's signer (an
implementation of its own) must pass, every kind of forgery and replay must not."""

from __future__ import annotations

import pytest

from mapc.emulator.hubspot.webhooks import signature_v3 as emulator_signature
from mapc.runtime.triggers.signature import InvalidSignature, hubspot_uri, verify_v3

SECRET = "client-secret-for-tests"
URI = "https://sync.example.com/hooks/hubspot?portal=1"
BODY = b'[{"eventId":1,"portalId":62515,"subscriptionType":"contact.propertyChange"}]'
NOW = 1_800_000_000.0
STAMP = str(int(NOW * 1000) - 2000)


def check(**changes: object) -> None:
    request: dict[str, object] = {
        "method": "POST",
        "uri": URI,
        "body": BODY,
        "timestamp": STAMP,
        "signature": emulator_signature(SECRET, "POST", URI, BODY, STAMP),
        "clock": lambda: NOW,
    }
    request.update(changes)
    verify_v3(SECRET, **request)  # type: ignore[arg-type]


def test_a_request_signed_by_hubspot_passes() -> None:
    check()


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"signature": "AAAA" + emulator_signature(SECRET, "POST", URI, BODY, STAMP)[4:]}, "match"),
        ({"body": BODY.replace(b"62515", b"62516")}, "match"),
        ({"uri": "https://other.example.com/hooks/hubspot?portal=1"}, "match"),
        ({"uri": "http://sync.example.com/hooks/hubspot?portal=1"}, "match"),
        ({"method": "PUT"}, "match"),
        ({"timestamp": str(int(STAMP) + 1)}, "match"),
        ({"signature": None}, "no X-HubSpot-Signature-v3"),
        ({"timestamp": None}, "no X-HubSpot-Signature-v3"),
        ({"timestamp": "yesterday"}, "not milliseconds"),
    ],
)
def test_a_forged_or_altered_request_is_refused(changes: dict[str, object], why: str) -> None:
    with pytest.raises(InvalidSignature, match=why):
        check(**changes)


def test_a_signature_by_another_secret_is_refused() -> None:
    with pytest.raises(InvalidSignature, match="match"):
        check(signature=emulator_signature("another-secret", "POST", URI, BODY, STAMP))


def test_a_stale_request_is_refused_even_correctly_signed() -> None:
    old = str(int(NOW * 1000) - 5 * 60 * 1000 - 1)
    with pytest.raises(InvalidSignature, match="more than 5 minutes old"):
        check(timestamp=old, signature=emulator_signature(SECRET, "POST", URI, BODY, old))
    ahead = str(int(NOW * 1000) + 6 * 60 * 1000)
    with pytest.raises(InvalidSignature, match="ahead"):
        check(timestamp=ahead, signature=emulator_signature(SECRET, "POST", URI, BODY, ahead))
    # At the edge: 4:59 old is still fine (HubSpot's own retries arrive within it).
    edge = str(int(NOW * 1000) - 299_000)
    check(timestamp=edge, signature=emulator_signature(SECRET, "POST", URI, BODY, edge))


def test_the_uri_is_hashed_with_hubspots_escapes_decoded() -> None:
    # HubSpot decodes the escapes of its table (":" "/" "?" "@" ...) and no others.
    assert hubspot_uri("https://h/x?next=%2Fa%3Ab%40c%21") == "https://h/x?next=/a:b@c!"
    assert hubspot_uri("https://h/a%20b%2fc") == "https://h/a%20b/c"
    escaped = "https://sync.example.com/hooks/hubspot?from=a%3Ab"
    signed = emulator_signature(
        SECRET, "POST", "https://sync.example.com/hooks/hubspot?from=a:b", BODY, STAMP
    )
    check(uri=escaped, signature=signed)
