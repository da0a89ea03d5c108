"""`mapc fmt`: formatting keeps the meaning (same IR), keeps comments, and is idempotent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapc.compiler.formatter import format_mapping
from mapc.compiler.frontend import parse
from mapc.compiler.source import Source

ROOT = Path(__file__).resolve().parents[2]
VALID = [
    ROOT / "mappings/hubspot_salesforce.mapc",
    *sorted((ROOT / "tests/compiler/cases").glob("ok_*.mapc")),
]


def _without_spans(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _without_spans(v) for k, v in value.items() if k not in ("span", "direction_span")
        }
    if isinstance(value, list | tuple):
        return [_without_spans(v) for v in value]
    return value


def _meaning(text: str) -> Any:
    parsed = parse(Source("x.mapc", text))
    assert parsed.mapping is not None, [d.message for d in parsed.diagnostics]
    dumped = msgspec.to_builtins(parsed.mapping)
    dumped["comments"] = [c["text"] for c in dumped["comments"]]
    return _without_spans(dumped)


def _format(text: str) -> str:
    parsed = parse(Source("x.mapc", text))
    assert parsed.mapping is not None
    return format_mapping(parsed.mapping, Source("x.mapc", text))


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_format_keeps_meaning_and_comments_and_is_idempotent(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    once = _format(text)
    assert _meaning(once) == _meaning(text)
    assert _format(once) == once


def test_default_mapping_is_formatted() -> None:
    text = (ROOT / "mappings/hubspot_salesforce.mapc").read_text(encoding="utf-8")
    assert _format(text) == text


def test_messy_layout_becomes_canonical() -> None:
    messy = (
        "mapping   m ;settings{create_hubspot_contacts:never}\n"
        "sync contacts<->Lead,Contact{match email ignore case;email<->Email:two way  # keep me\n"
        "   # and me\n"
        "hs_email_optout<->HasOptedOutOfEmail:standard opt_out\n"
        '  include where not(a=="x" or b is blank)and c in ["p","q",]\n'
        "}\n"
    )
    assert _format(messy) == (
        "mapping m\n"
        "\n"
        "settings {\n"
        "  create_hubspot_contacts: never\n"
        "}\n"
        "\n"
        "sync contacts <-> Lead, Contact {\n"
        "  match email ignore case\n"
        "  email           <-> Email              : two way  # keep me\n"
        "  # and me\n"
        "  hs_email_optout <-> HasOptedOutOfEmail : standard opt_out\n"
        '  include where not (a == "x" or b is blank) and c in ["p", "q"]\n'
        "}\n"
    )


_names = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True) | st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="`\r\n"),
    min_size=1,
    max_size=8,
)
_strings = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=60, deadline=None)
@given(name=_names, value=_strings, hubspot=_names, salesforce=_names)
def test_format_then_parse_is_identity_for_any_names_and_strings(
    name: str, value: str, hubspot: str, salesforce: str
) -> None:
    from mapc.compiler.formatter import literal
    from mapc.compiler.formatter import name as quote

    text = (
        f"mapping {quote(name)}\n"
        f"sync contacts <-> Lead {{\n"
        f"  {quote(hubspot)} <-> {quote(salesforce)} : two way\n"
        f"  default Lead.{quote(salesforce)} = {literal(value)}\n"
        f"}}\n"
        f"values {quote(name)} {{\n"
        f"  {literal(value)} -> {literal(value)}\n"
        f"}}\n"
    )
    meaning = _meaning(text)
    formatted = _format(text)
    assert _meaning(formatted) == meaning
    assert _format(formatted) == formatted
