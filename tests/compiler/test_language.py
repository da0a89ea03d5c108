"""The language end to end: syntax errors, hints, `mapc check` and `mapc fmt` through the CLI,
and fuzzing (no input raises; every diagnostic has a position inside the file).

The per-code fixture cases are in test_cases.py; this file tests what a case file cannot
express (CRLF, U+2028, exit codes, output formats, formatting, docs, fuzzing).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mapc.cli import main
from mapc.compiler.diagnostics import CODES, Diagnostic
from mapc.compiler.formatter import format_mapping
from mapc.compiler.frontend import parse
from mapc.compiler.pipeline import CheckResult, check_file, check_source
from mapc.compiler.source import Source

ROOT = Path(__file__).resolve().parents[2]
CASES = Path(__file__).parent / "cases"
DEFAULT_MAPPING = ROOT / "mappings" / "hubspot_salesforce.mapc"
DOCS = ROOT / "docs"

MINIMAL = (CASES / "ok_minimal.mapc").read_text(encoding="utf-8")


def check_text(text: str, name: str = "test.mapc", base_dir: Path = CASES) -> CheckResult:
    return check_source(Source(name, text), base_dir=base_dir)


def codes(result: CheckResult) -> list[str]:
    return [d.code for d in result.diagnostics]


def only(result: CheckResult, code: str) -> Diagnostic:
    found = [d for d in result.diagnostics if d.code == code]
    assert len(found) >= 1, [f"{d.code} {d.message}" for d in result.diagnostics]
    return found[0]


def assert_positions_inside(text: str, diagnostics: tuple[Diagnostic, ...]) -> None:
    """Every diagnostic points at a line of the file and at most one column past its end."""
    lines = text.split("\n")
    for d in diagnostics:
        span = d.span
        assert d.code in CODES, d
        assert d.message, d
        assert 1 <= span.line <= max(len(lines), 1), (d, len(lines))
        line = lines[span.line - 1] if lines else ""
        assert 1 <= span.column <= len(line) + 1, (d, line)
        assert (span.end_line, span.end_column) >= (span.line, span.column), d
        assert span.end_line <= max(len(lines), 1), d


# -- syntax errors -------------------------------------------------------------------------

SYNTAX = [
    pytest.param("E001", "  email <-> Email : sometimes", "sometimes", id="E001-rule"),
    pytest.param("E001", "  email <->", None, id="E001-missing-target"),
    pytest.param("E002", "  first-name <-> FirstName", "-", id="E002-dash"),
    pytest.param("E002", "  email <-> Email : two way @", "@", id="E002-at"),
    pytest.param("E003", '  default Lead.Company = "open', '"open', id="E003"),
    pytest.param("E004", r'  default Lead.Company = "a\qb"', r'"a\qb"', id="E004"),
    pytest.param("E006", "  email <-> Email two way", "two", id="E006"),
    pytest.param("E007", "  email => Email", "=", id="E007-fat"),
    pytest.param("E007", "  email = Email", "=", id="E007-equals"),
    pytest.param("E008", "  email <-> Email : two way lastname", "lastname", id="E008"),
]


def _with_line(line: str) -> tuple[str, int]:
    """ok_minimal with `line` inserted after `match`; returns the text and its line number."""
    lines = MINIMAL.split("\n")
    at = next(i for i, text in enumerate(lines) if text.strip().startswith("match")) + 1
    lines.insert(at, line)
    return "\n".join(lines), at + 1


@pytest.mark.parametrize(("code", "line", "token"), SYNTAX)
def test_each_syntax_error_has_a_position_and_a_hint(
    code: str, line: str, token: str | None
) -> None:
    text, number = _with_line(line)
    result = check_text(text)
    diagnostic = only(result, code)
    assert diagnostic.span.line == number
    if token is not None:
        assert diagnostic.span.column == line.index(token) + 1
    assert diagnostic.hint
    assert result.plan is None
    assert_positions_inside(text, result.diagnostics)


def test_unexpected_end_of_file_points_at_the_end() -> None:
    text = MINIMAL.rstrip().removesuffix("}")
    result = check_text(text)
    diagnostic = only(result, "E005")
    lines = text.split("\n")
    # At the end of the last line that has text (a trailing newline adds an empty line).
    last = max(i for i, line in enumerate(lines, 1) if line.strip())
    assert (diagnostic.span.line, diagnostic.span.column) in {
        (last, len(lines[last - 1]) + 1),
        (len(lines), len(lines[-1]) + 1),
    }
    opened = next(i for i, line in enumerate(lines, 1) if line.startswith("sync"))
    assert f"line {opened}" in (diagnostic.hint or "")
    assert_positions_inside(text, result.diagnostics)


@pytest.mark.parametrize("arrow", ["=>", "<=>"])
def test_an_unknown_arrow_is_named_and_underlined_whole(arrow: str) -> None:
    text, number = _with_line(f"  firstname {arrow} FirstName")
    diagnostic = only(check_text(text), "E007")
    assert (diagnostic.span.line, diagnostic.span.column) == (number, 13)
    assert diagnostic.span.end_column == 13 + len(arrow)
    assert f"`{arrow}`" in diagnostic.message


def test_the_parser_reports_several_syntax_errors_in_one_file() -> None:
    text = (
        "mapping several\n"
        "sync contacts <-> Lead, Contact {\n"
        "  match email ignore case\n"
        "  email <-> Email : sometimes\n"  # 4: E001
        "  lastname <-> LastName two way\n"  # 5: E006
        "  firstname => FirstName\n"  # 6: E007
        '  default Lead.Company = "open\n'  # 7: E003
        "  hs_email_optout <-> HasOptedOutOfEmail : standard opt_out\n"
        "}\n"
    )
    result = check_text(text)
    found = {(d.code, d.span.line) for d in result.diagnostics}
    assert {("E001", 4), ("E006", 5), ("E007", 6), ("E003", 7)} <= found
    assert_positions_inside(text, result.diagnostics)


def test_a_caret_never_lands_on_the_next_line() -> None:
    # The statement is cut short by the end of its line: the error is on that line.
    text, number = _with_line("  email <->")
    diagnostic = only(check_text(text), "E001")
    assert diagnostic.span.line == number


def test_invalid_utf8_is_E009_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Through `check_file` and the CLI (cases/E009_not_utf8.mapc covers the fixture side).
    path = tmp_path / "latin1.mapc"
    path.write_bytes(MINIMAL.replace("minimal", "caf\xe9").encode("latin-1"))
    result = check_file(path)
    assert codes(result) == ["E009"]
    assert result.diagnostics[0].span.line >= 1
    assert result.diagnostics[0].hint
    assert main(["check", "--format", "json", str(path)]) == 1
    document = json.loads(capsys.readouterr().out)
    assert [d["code"] for d in document["diagnostics"]] == ["E009"]


def test_a_byte_order_mark_is_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bom.mapc"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode("utf-8"))
    assert check_file(path).diagnostics == ()


def test_crlf_line_endings_give_the_same_diagnostics() -> None:
    text = (CASES / "E301_company_to_account_name.mapc").read_text(encoding="utf-8")
    lf = check_text(text)
    crlf = check_text(text.replace("\n", "\r\n"))
    key = [(d.code, d.span.line, d.span.column, d.span.end_column) for d in lf.diagnostics]
    assert key == [
        (d.code, d.span.line, d.span.column, d.span.end_column) for d in crlf.diagnostics
    ]
    assert check_text(MINIMAL.replace("\n", "\r\n")).diagnostics == ()


def test_unicode_line_separators_do_not_shift_lines(capsys: pytest.CaptureFixture[str]) -> None:
    # U+2028 is a line break for str.splitlines() but not for the lexer: positions, the
    # source line shown under a diagnostic and the end of file must all agree with `\n`.
    text = (CASES / "E301_company_to_account_name.mapc").read_text(encoding="utf-8")
    text = text.replace("# R2:", "# R2:\u2028", 1)
    result = check_text(text, "sep.mapc")
    diagnostic = only(result, "E301")
    assert (diagnostic.span.line, diagnostic.span.column) == (9, 15)
    from mapc.compiler.report import render

    out = render(result.diagnostics, {"sep.mapc": Source("sep.mapc", text)}, "text", 1)
    assert " 9 |   company <-> Contact.AccountId" in out
    unclosed = MINIMAL.replace("# The", "# The\u2028", 1).rstrip().removesuffix("}")
    eof = only(check_text(unclosed), "E005")
    assert_positions_inside(unclosed, (eof,))


@pytest.mark.parametrize(
    "where",
    [
        "not " * 600 + "email is blank",
        "(" * 1500 + "email is blank" + ")" * 1500,
        " and ".join(["email is blank"] * 1500),
        " or ".join("not (email is blank)" for _ in range(500)),
    ],
    ids=["not", "parentheses", "and", "or-not"],
)
def test_deep_nesting_is_not_a_traceback(where: str) -> None:
    text = MINIMAL.replace(
        "  match email ignore case", "  match email ignore case\n  include where " + where
    )
    result = check_text(text)
    assert_positions_inside(text, result.diagnostics)
    if result.mapping is not None and not result.diagnostics:
        source = Source("deep.mapc", text)
        parsed = parse(source)
        assert parsed.mapping is not None
        format_mapping(parsed.mapping, source)


def test_semicolons_separate_statements() -> None:
    text = (
        "mapping semi; sync contacts <-> Lead, Contact { match email ignore case; "
        "email <-> Email : two way; lastname <-> LastName : two way; "
        "hs_email_optout <-> HasOptedOutOfEmail : standard opt_out; "
        'default Lead.Company = "x" }\n'
    )
    assert check_text(text).diagnostics == ()


def test_string_escapes_and_unicode_are_decoded() -> None:
    text = MINIMAL.replace('"[not provided]"', r'"Caf\u00e9 \"Ω\" \\ \t—"')
    result = check_text(text)
    assert result.diagnostics == ()
    assert result.mapping is not None
    default = next(
        item
        for block in result.mapping.statements
        for item in getattr(block, "items", ())
        if type(item).__name__ == "Default"
    )
    assert default.value.value == 'Café "Ω" \\ \t—'


# -- hints that name things ----------------------------------------------------------------


def test_unknown_property_gets_did_you_mean() -> None:
    result = check_text(MINIMAL.replace("email           <-> Email", "emial           <-> Email"))
    diagnostic = only(result, "E203")
    assert "emial" in diagnostic.message
    assert (diagnostic.hint or "").startswith("did you mean `email`? If `emial` is a property")
    assert "project catalog" in (diagnostic.hint or "")


def test_unknown_salesforce_field_and_object_get_did_you_mean() -> None:
    field = only(check_text(MINIMAL.replace("<-> LastName", "<-> LastNmae")), "E204")
    assert "did you mean" in (field.hint or "") and "`LastName`" in (field.hint or "")
    obj = only(check_text(MINIMAL.replace("<-> Lead, Contact", "<-> Leed, Contact")), "E202")
    assert obj.hint is not None and "`Lead`" in obj.hint


def test_unknown_setting_gets_did_you_mean() -> None:
    text = MINIMAL.replace("\nsync", "\nsettings {\n  create_hubspot_contact: never\n}\n\nsync", 1)
    diagnostic = only(check_text(text), "E103")
    assert diagnostic.hint == "did you mean `create_hubspot_contacts`?"


def test_missing_custom_field_says_create_it_and_refresh_the_catalog() -> None:
    # R3: lifecycle stage exists only in HubSpot.
    result = check_text(
        (CASES / "E204_lifecycle_stage_without_custom_field.mapc").read_text(encoding="utf-8")
    )
    diagnostic = only(result, "E204")
    assert "Lifecycle_Stage__c" in diagnostic.message
    hint = diagnostic.hint or ""
    assert "create the custom field" in hint
    assert "refresh the catalog" in hint
    assert "did you mean" not in hint


def test_company_to_account_name_names_both_types() -> None:
    # R2: Company name (text) vs Account Name (a reference to Account).
    result = check_text((CASES / "E301_company_to_account_name.mapc").read_text(encoding="utf-8"))
    diagnostic = only(result, "E301")
    assert "company (text)" in diagnostic.message
    assert "Contact.AccountId (reference to Account)" in diagnostic.message
    assert "Lead.Company" in (diagnostic.hint or "")


def test_opt_out_hints_give_the_exact_line() -> None:
    line = "hs_email_optout <-> HasOptedOutOfEmail : standard opt_out"
    missing = only(check_text((CASES / "E401_opt_out_missing.mapc").read_text("utf-8")), "E401")
    assert line in (missing.hint or "")
    altered = only(check_text((CASES / "E402_opt_out_one_way.mapc").read_text("utf-8")), "E402")
    assert line in (altered.hint or "")


# -- mapc check through the CLI ------------------------------------------------------------


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_check_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["check", str(CASES / "ok_minimal.mapc")], capsys)[0] == 0
    # warnings alone do not fail the check
    assert run(["check", str(CASES / "W102_value_map_never_used.mapc")], capsys)[0] == 0
    assert run(["check", str(CASES / "E301_company_to_account_name.mapc")], capsys)[0] == 1
    assert run(["check", str(CASES / "E001_unknown_rule.mapc")], capsys)[0] == 1
    # one bad file among good ones fails the run
    both = [str(CASES / "ok_minimal.mapc"), str(CASES / "E401_opt_out_missing.mapc")]
    assert run(["check", *both], capsys)[0] == 1
    # usage and I/O errors
    code, _, err = run(["check", str(tmp_path / "missing.mapc")], capsys)
    assert code == 2 and "missing.mapc" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run(["check", str(empty)], capsys)[0] == 2
    assert run(["check"], capsys)[0] == 2
    assert run(["check", "--format", "xml", str(CASES / "ok_minimal.mapc")], capsys)[0] == 2
    assert run([], capsys)[0] == 2


def test_check_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.mapc").write_text(MINIMAL, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a mapping", encoding="utf-8")
    code, out, _ = run(["check", str(tmp_path)], capsys)
    assert code == 0
    assert "no problems" in out
    assert run(["check", str(ROOT / "mappings")], capsys)[0] == 0


def test_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    path = CASES / "E301_company_to_account_name.mapc"
    code, out, _ = run(["check", str(path)], capsys)
    assert code == 1
    lines = out.splitlines()
    head = next(i for i, line in enumerate(lines) if "error[E301]" in line)
    assert re.match(r".*E301_company_to_account_name\.mapc:9:15: error\[E301\]: ", lines[head])
    assert lines[head + 1].rstrip().endswith("|   company <-> Contact.AccountId")
    caret = lines[head + 2]
    assert caret.index("^") - caret.index("|") == lines[head + 1].index("company <->") - lines[
        head + 1
    ].index("|") + len("company <-> ")
    assert caret.count("^") == len("Contact.AccountId")
    assert any(line.strip().startswith("= help:") for line in lines[head:])
    assert "1 error" in lines[-1]


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    path = CASES / "E413_rule_disagrees_with_arrow.mapc"
    code, out, _ = run(["check", "--format", "json", str(path)], capsys)
    assert code == 1
    document = json.loads(out)
    assert document["format_version"]
    assert document["valid"] is False
    assert document["error_count"] == len(document["diagnostics"]) >= 1
    assert document["warning_count"] == 0
    keys = {
        "code",
        "severity",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "message",
        "hint",
    }
    for diagnostic in document["diagnostics"]:
        assert keys <= set(diagnostic)
        assert diagnostic["severity"] == "error"
        assert diagnostic["file"].endswith("E413_rule_disagrees_with_arrow.mapc")
        for key in ("line", "column", "end_line", "end_column"):
            assert isinstance(diagnostic[key], int) and diagnostic[key] >= 1
        assert isinstance(diagnostic["message"], str) and diagnostic["message"]
    first = document["diagnostics"][0]
    assert first["code"] == "E413"
    assert (first["line"], first["column"]) == (20, 44)


def test_json_output_for_warnings_and_clean_files(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["check", "--format", "json", str(CASES / "W102_value_map_never_used.mapc")], capsys
    )
    document = json.loads(out)
    assert code == 0
    assert document["valid"] is True
    assert (document["error_count"], document["warning_count"]) == (0, 1)
    assert document["diagnostics"][0]["severity"] == "warning"
    code, out, _ = run(["check", "--format", "json", str(CASES / "ok_minimal.mapc")], capsys)
    document = json.loads(out)
    assert code == 0
    assert document["valid"] is True and document["diagnostics"] == []
    assert document["error_count"] == document["warning_count"] == 0


def test_github_output(capsys: pytest.CaptureFixture[str]) -> None:
    paths = [
        str(CASES / "E301_company_to_account_name.mapc"),
        str(CASES / "W102_value_map_never_used.mapc"),
    ]
    code, out, _ = run(["check", "--format", "github", *paths], capsys)
    assert code == 1
    lines = out.splitlines()
    error = next(line for line in lines if line.startswith("::error "))
    assert "line=9" in error and "col=15" in error and "E301" in error
    assert re.search(r"file=[^,]*E301_company_to_account_name\.mapc", error)
    assert any(line.startswith("::warning ") and "W102" in line for line in lines)
    for line in lines:
        assert line.startswith("::"), line  # one annotation per line, newlines escaped


def test_sarif_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["check", "--format", "sarif", str(CASES / "E301_company_to_account_name.mapc")], capsys
    )
    assert code == 1
    log = json.loads(out)
    assert log["version"] == "2.1.0"
    result = log["runs"][0]["results"][0]
    assert result["ruleId"] == "E301" and result["level"] == "error"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (9, 15)


# -- mapc fmt ------------------------------------------------------------------------------


def _valid_files() -> list[Path]:
    return [DEFAULT_MAPPING, *sorted(CASES.glob("ok_*.mapc"))]


def _parsable_cases() -> list[Path]:
    """Cases whose problems are found after parsing: formatting must not change them."""
    return [p for p in sorted(CASES.glob("[EW]*.mapc")) if not p.name.startswith("E0")]


def _format(text: str, name: str) -> str:
    source = Source(name, text)
    parsed = parse(source)
    assert parsed.mapping is not None, parsed.diagnostics
    return format_mapping(parsed.mapping, source)


def _comments(text: str) -> list[str]:
    """The comments of a file, by the lexer (a `#` inside a string is not one)."""
    parsed = parse(Source("c.mapc", text))
    assert parsed.mapping is not None
    return [c.text.rstrip() for c in parsed.mapping.comments]


@pytest.mark.parametrize("path", _valid_files(), ids=lambda p: p.stem)
def test_fmt_is_idempotent_and_keeps_comments_and_meaning(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    once = _format(text, path.name)
    assert _format(once, path.name) == once
    assert _comments(once) == _comments(text)
    before = check_text(text, path.name, path.parent)
    after = check_text(once, path.name, path.parent)
    assert before.diagnostics == () and after.diagnostics == ()
    assert _meaning(after.plan) == _meaning(before.plan)


def _meaning(plan: object) -> object:
    """A plan without source positions and hashes: what formatting must not change."""

    def strip(value: object) -> object:
        if isinstance(value, dict):
            return {
                k: strip(v)
                for k, v in value.items()
                if k not in {"span", "direction_span", "source_sha256"}
            }
        if isinstance(value, list | tuple):
            return [strip(v) for v in value]
        return value

    assert plan is not None
    return strip(msgspec.to_builtins(plan))


@pytest.mark.parametrize("path", _parsable_cases(), ids=lambda p: p.stem)
def test_fmt_keeps_the_problems_of_a_broken_mapping(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    once = _format(text, path.name)
    assert _format(once, path.name) == once
    before = sorted(codes(check_text(text, path.name)))
    assert sorted(codes(check_text(once, path.name))) == before


def test_fmt_cli_check_and_rewrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "messy.mapc"
    messy = MINIMAL.replace("email           <-> Email", "email<->Email").replace(
        "  match", "      match"
    )
    path.write_text(messy, encoding="utf-8")
    assert run(["fmt", "--check", str(path)], capsys)[0] == 1
    assert path.read_text(encoding="utf-8") == messy  # --check changes nothing
    code, out, _ = run(["fmt", "--stdout", str(path)], capsys)
    assert code == 0 and out == _format(messy, "messy.mapc")
    assert run(["fmt", str(path)], capsys)[0] == 0
    assert path.read_text(encoding="utf-8") == out
    assert run(["fmt", "--check", str(path)], capsys)[0] == 0
    broken = tmp_path / "broken.mapc"
    broken.write_text("mapping\n", encoding="utf-8")
    assert run(["fmt", "--check", str(broken)], capsys)[0] == 1
    assert run(["fmt", str(tmp_path / "nope.mapc")], capsys)[0] == 2


# -- fuzzing -------------------------------------------------------------------------------

BASE = DEFAULT_MAPPING.read_text(encoding="utf-8")
BASE_LINES = BASE.split("\n")
ODD = "{}[]()\"'`#;:,.=<>-!\\ \t\n\r\u00e9\u03a9\u2028\u0000\ufeff\U0001f600"


@st.composite
def mutated_mapping(draw: st.DrawFn) -> str:
    lines = list(BASE_LINES)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["delete", "duplicate", "swap", "char", "insert", "replace"]))
        i = draw(st.integers(0, len(lines) - 1))
        if kind == "delete" and len(lines) > 1:
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif lines[i]:
            k = draw(st.integers(0, len(lines[i]) - 1))
            char = draw(st.one_of(st.sampled_from(list(ODD)), st.characters()))
            line = lines[i]
            if kind == "char":
                lines[i] = line[:k] + line[k + 1 :]
            elif kind == "insert":
                lines[i] = line[:k] + char + line[k:]
            else:
                lines[i] = line[:k] + char + line[k + 1 :]
    return "\n".join(lines)


def _check_never_raises(text: str) -> None:
    result = check_text(text, "fuzz.mapc", DEFAULT_MAPPING.parent)
    assert_positions_inside(text, result.diagnostics)
    if result.plan is None:
        assert any(d.is_error for d in result.diagnostics)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_mapping())
def test_fuzz_mutated_default_mapping(text: str) -> None:
    _check_never_raises(text)


WORDS = ["->", "<->", "<-", "sync", "mapping", "match", "include where", "values", "{", "}"]
_PIECE = st.one_of(st.sampled_from(list(ODD) + WORDS), st.text(max_size=5))


@settings(max_examples=100, deadline=None)
@given(st.lists(_PIECE, max_size=60).map("".join))
def test_fuzz_random_text(text: str) -> None:
    _check_never_raises(text)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(BASE_LINES), max_size=40))
def test_fuzz_shuffled_lines(lines: list[str]) -> None:
    _check_never_raises("\n".join(lines))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_mapping())
def test_fuzz_fmt_is_idempotent_and_keeps_the_problems(text: str) -> None:
    source = Source("fuzz.mapc", text)
    parsed = parse(source)
    if parsed.mapping is None or parsed.diagnostics:
        return  # `mapc fmt` leaves a file with syntax errors alone
    once = format_mapping(parsed.mapping, source)
    assert _format(once, "fuzz.mapc") == once
    before = sorted(codes(check_text(text, "fuzz.mapc", DEFAULT_MAPPING.parent)))
    assert sorted(codes(check_text(once, "fuzz.mapc", DEFAULT_MAPPING.parent))) == before


# -- docs ----------------------------------------------------------------------------------


def test_every_code_is_documented() -> None:
    text = (DOCS / "diagnostics.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^###? +`?([EW]\d{3})`?", text, re.MULTILINE))
    assert sorted(set(CODES) - headings) == []
    assert sorted(headings - set(CODES)) == []


def test_case_files_named_in_the_docs_exist() -> None:
    text = (DOCS / "diagnostics.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([\w*]+\.mapc)`", text))
    assert named
    missing = [n for n in sorted(named) if not list(CASES.glob(n)) and n != "x.mapc"]
    assert missing == []


def _mapc_blocks(text: str) -> list[str]:
    return re.findall(r"```mapc\n(.*?)```", text, re.DOTALL)


def test_complete_examples_in_the_language_reference_check_clean() -> None:
    blocks = [b for b in _mapc_blocks((DOCS / "language.md").read_text(encoding="utf-8"))]
    # A complete example declares its mapping and syncs contacts; the others are fragments.
    complete = [b for b in blocks if re.match(r"(#[^\n]*\n)*mapping ", b) and "sync contacts" in b]
    assert complete, "docs/language.md has no complete example"
    for block in complete:
        result = check_text(block, "example.mapc", ROOT / "mappings")
        assert result.diagnostics == (), (block, result.diagnostics)


def test_every_example_in_the_language_reference_parses() -> None:
    for block in _mapc_blocks((DOCS / "language.md").read_text(encoding="utf-8")):
        if "# does not parse" in block:
            continue
        text = block if re.match(r"(#[^\n]*\n)*mapping ", block) else _wrap(block)
        parsed = parse(Source("example.mapc", text))
        assert parsed.mapping is not None, (block, parsed.diagnostics)


def _wrap(fragment: str) -> str:
    """A fragment of sync-block items inside a block; top-level statements as they are."""
    first = next(
        (
            line.strip()
            for line in fragment.splitlines()
            if line.strip() and not line.strip().startswith("#")
        ),
        "",
    )
    if first.split(" ")[0] in {"mapping", "settings", "sync", "values", "events"}:
        return fragment
    return "sync contacts <-> Lead, Contact {\n" + fragment + "\n}\n"


def test_the_custom_object_example_checks_clean_with_its_catalog() -> None:
    """docs/language.md's pair of your own, with the contacts block it refers to, against a
    project catalog declaring its custom objects (tests/compiler/cases/pair_catalogs)."""
    blocks = _mapc_blocks((DOCS / "language.md").read_text(encoding="utf-8"))
    example = next(b for b in blocks if b.startswith("mapping widgets"))
    contacts = next(b for b in blocks if b.startswith("mapping minimal"))
    text = example.replace('"catalogs"', '"pair_catalogs"') + contacts.split("\n", 1)[1]
    result = check_text(text, "example.mapc", CASES)
    assert result.diagnostics == (), result.diagnostics
    assert result.plan is not None
    pairs = {o.hubspot_object: o.salesforce_objects for o in result.plan.objects}
    assert pairs == {
        "tickets": ("Case",),
        # A custom object goes out under the name HubSpot's API addresses it by.
        "p_widgets": ("Widget__c",),
        "contacts": ("Lead", "Contact"),
    }


def _with_minimal_contacts(header_and_blocks: str) -> str:
    blocks = _mapc_blocks((DOCS / "language.md").read_text(encoding="utf-8"))
    contacts = next(b for b in blocks if b.startswith("mapping minimal"))
    return header_and_blocks + contacts.split("\n", 1)[1]


@pytest.mark.parametrize("written", ["widgets", "p_widgets", "p62515_widgets", "`2-4100001`"])
def test_a_custom_object_is_named_as_the_mapping_pleases_and_sent_as_the_api_wants(
    written: str,
) -> None:
    """By its name, HubSpot's short or fully qualified name, or its type id: one object,
    addressed in the adapter as `p_widgets` (HubSpot refuses a custom object's bare name)."""
    qualifier = written if written.startswith("p") else "widgets"
    text = _with_minimal_contacts(
        'mapping named\nsettings {\n  catalogs: "pair_catalogs"\n}\n'
        f"sync {written} <-> Widget__c {{\n  match widget_code\n"
        f"  {qualifier}.widget_code <-> Code__c : two way\n"
        "  associate contacts <-> Owner_Contact__c\n}\n"
    )
    result = check_text(text, "named.mapc", CASES)
    assert result.diagnostics == (), result.diagnostics
    assert result.plan is not None
    assert {o.hubspot_object for o in result.plan.objects} == {"contacts", "p_widgets"}


def test_an_unknown_type_id_is_an_unknown_object() -> None:
    text = _with_minimal_contacts(
        'mapping named\nsettings {\n  catalogs: "pair_catalogs"\n}\n'
        "sync `2-999` <-> Widget__c {\n  match none\n  widget_code <-> Code__c : two way\n}\n"
    )
    result = check_text(text, "named.mapc", CASES)
    assert [d.code for d in result.diagnostics] == ["E201"]
