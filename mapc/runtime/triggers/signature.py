"""HubSpot's request signature v3, checked as HubSpot documents it: base64 HMAC-SHA256,
keyed by the app's client secret, of method + URI + body + X-HubSpot-Request-Timestamp,
refused when the timestamp is more than five minutes old."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from collections.abc import Callable

from mapc.errors import MapcError

MAX_AGE_MS = 5 * 60 * 1000
"""HubSpot: reject a request whose timestamp is older than 5 minutes (a replay)."""
MAX_AHEAD_MS = 5 * 60 * 1000
"""A timestamp this far in the future is not a clock's drift but a forged request."""

# HubSpot's table of the URL-encoded characters to decode in the request URI before
# hashing; every other escape is kept as it came.
_DECODED = {
    "3A": ":",
    "2F": "/",
    "3F": "?",
    "40": "@",
    "21": "!",
    "24": "$",
    "27": "'",
    "28": "(",
    "29": ")",
    "2A": "*",
    "2C": ",",
    "3B": ";",
}
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")


class InvalidSignature(MapcError):
    """A webhook request that did not come from HubSpot, or came too late (a replay)."""


def hubspot_uri(uri: str) -> str:
    """The URI as HubSpot hashes it: the escapes of its table decoded."""
    return _ESCAPE.sub(lambda m: _DECODED.get(m.group(1).upper(), m.group(0)), uri)


def signature_v3(secret: str, method: str, uri: str, body: bytes, timestamp: str) -> str:
    source = method.upper().encode() + hubspot_uri(uri).encode() + body + timestamp.encode()
    return base64.b64encode(hmac.new(secret.encode(), source, hashlib.sha256).digest()).decode()


def verify_v3(
    secret: str,
    *,
    method: str,
    uri: str,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    clock: Callable[[], float] = time.time,
) -> None:
    """Raise InvalidSignature (saying which check failed, never the secret or the
    signature) unless the request is HubSpot's, signed within the last five minutes."""
    if not signature or not timestamp:
        raise InvalidSignature("no X-HubSpot-Signature-v3 or X-HubSpot-Request-Timestamp")
    if not timestamp.isdigit():
        raise InvalidSignature("X-HubSpot-Request-Timestamp is not milliseconds")
    age = clock() * 1000 - int(timestamp)
    if age > MAX_AGE_MS:
        raise InvalidSignature("the request is more than 5 minutes old")
    if age < -MAX_AHEAD_MS:
        raise InvalidSignature("the request is dated more than 5 minutes ahead")
    expected = signature_v3(secret, method, uri, body, timestamp)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise InvalidSignature("the signature does not match")
