"""JSON for the state's text columns: one fast encoder, keys sorted so equal values encode
alike (an unchanged row is then recognised by its text and not written again)."""

from __future__ import annotations

from typing import Any

import msgspec

_encoder = msgspec.json.Encoder(enc_hook=str, order="sorted")
_decoder = msgspec.json.Decoder()

DecodeError = msgspec.DecodeError


def encode(value: Any) -> str:
    return _encoder.encode(value).decode()


def decode(text: str | bytes) -> Any:
    return _decoder.decode(text)
