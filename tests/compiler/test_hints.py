"""The hints of common mistakes name the fix, not just the symptom."""

from __future__ import annotations

from mapc.compiler.pipeline import check_source
from mapc.compiler.source import Source

HEAD = "mapping m\nsync contacts <-> Lead, Contact {\n  match email ignore case\n"
TAIL = (
    "  hs_email_optout <-> HasOptedOutOfEmail : standard opt_out\n"
    "  lastname <-> LastName : two way\n"
    '  default Lead.Company = "x"\n'
    "}\n"
)


def _first(body: str) -> tuple[str, str, str]:
    result = check_source(Source("m.mapc", HEAD + body + TAIL))
    diagnostic = result.diagnostics[0]
    return diagnostic.code, diagnostic.message, diagnostic.hint or ""


def test_a_rule_written_as_one_word_suggests_the_rule() -> None:
    assert _first("  email <-> Email : always_hubspot\n") == (
        "E001",
        "unknown rule `always_hubspot`",
        "did you mean `always hubspot`?",
    )


def test_prefer_hubspot_points_at_always_hubspot() -> None:
    code, message, hint = _first("  email <-> Email : prefer hubspot unless blank\n")
    assert code == "E001" and "prefer hubspot" in message and "`always hubspot`" in hint


def test_null_points_at_is_blank() -> None:
    code, _, hint = _first("  include where email != null\n")
    assert code == "E001" and "is blank" in hint


def test_curly_quotes_are_named() -> None:
    code, message, hint = _first(
        "  firstname <-> FirstName : two way\n  default Contact.Title = \u201cx\u201d\n"
    )
    assert code == "E002" and "typographic quote" in message and "straight double quotes" in hint


def test_missing_colon_shows_the_fixed_line() -> None:
    code, _, hint = _first("  email <-> Email two way\n")
    assert code == "E006" and "`email <-> Email : two way`" in hint


def test_a_field_qualified_with_the_wrong_object_names_the_right_one() -> None:
    code, _, hint = _first("  company <-> Contact.Company : two way\n")
    assert code == "E204" and "`Lead.Company`" in hint


def test_an_unclosed_block_is_reported_once_where_the_next_statement_starts() -> None:
    text = (
        HEAD
        + "  email <-> Email : two way\n"
        + TAIL.removesuffix("}\n")
        + 'values v {\n  a -> "b"\n}\n'
    )
    result = check_source(Source("m.mapc", text))
    assert [(d.code, d.span.line) for d in result.diagnostics] == [("E005", 8)]
    assert "line 2" in result.diagnostics[0].message
